#include "server/tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "server/tls/certificate_names.h"

namespace alder {
namespace {

using apache::thrift::transport::TSSLException;
using apache::thrift::transport::TTransportException;

// The first certificate of a PEM file, or null.
X509* ReadCertificate(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return nullptr;
  X509* certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  return certificate;
}

// Whether `certificate` is valid now: "" or why not.
std::string ValidityProblem(X509* certificate) {
  if (X509_cmp_current_time(X509_get0_notBefore(certificate)) >= 0) return "is not valid yet";
  if (X509_cmp_current_time(X509_get0_notAfter(certificate)) <= 0) return "has expired";
  return "";
}

// Whether the store (tls_ca_file) verifies `certificate`: "" or why not.
std::string ChainProblem(SSL_CTX* context, X509* certificate) {
  X509_STORE_CTX* check = X509_STORE_CTX_new();
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(context, &chain);
  X509_STORE_CTX_init(check, SSL_CTX_get_cert_store(context), certificate, chain);
  const bool ok = X509_verify_cert(check) == 1;
  const std::string why = ok ? "" : X509_verify_cert_error_string(X509_STORE_CTX_get_error(check));
  X509_STORE_CTX_free(check);
  return why;
}

// The certificate in use checked: validity, name, chain. "" or why not.
std::string OwnCertificateProblem(const TlsContextSpec& spec, SSL_CTX* context) {
  X509* certificate = ReadCertificate(spec.files.cert);
  if (certificate == nullptr)
    return std::string(spec.file_labels[0]) + " " + spec.files.cert + " holds no certificate";
  std::string why = ValidityProblem(certificate);
  if (!why.empty()) {
    why = std::string(spec.file_labels[0]) + " " + spec.files.cert + ": the certificate " + why;
  } else if (!spec.own_name.empty() && !NamesOf(certificate).Includes(spec.own_name)) {
    why = std::string(spec.file_labels[0]) + " " + spec.files.cert + " names " +
          NamesOf(certificate).Describe() + ", not " + spec.own_name +
          " (as CN or DNS SAN): peers would refuse it";
  } else if (!spec.own_name.empty()) {
    if (std::string chain = ChainProblem(context, certificate); !chain.empty()) {
      why = std::string(spec.file_labels[0]) + " " + spec.files.cert + " is not trusted by " +
            std::string(spec.file_labels[2]) + " " + spec.files.ca + ": " + chain;
    }
  }
  X509_free(certificate);
  return why;
}

void SetUpContext(const TlsContextSpec& spec, TlsSocketFactory* factory) {
  SSL_CTX* context = factory->context();
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_num_tickets(context, 0);
  // Read whole records (and what follows) in one recv, not a header and
  // then a body: a request or reply is one small record.
  SSL_CTX_set_read_ahead(context, 1);
  // A peer that closes without close_notify ends the connection as an end of
  // file (our own close sends none either: server/tls/tls_socket.h).
  SSL_CTX_set_options(context,
                      SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  factory->ciphers(kTlsCipherList);
  if (!spec.files.ca.empty()) factory->loadTrustedCertificates(spec.files.ca.c_str());
  if (!spec.files.cert.empty()) {
    factory->loadCertificate(spec.files.cert.c_str());
    try {
      factory->loadPrivateKey(spec.files.key.c_str());
    } catch (const TSSLException& e) {
      // OpenSSL checks the key against the certificate as it loads it.
      const bool mismatch = std::string(e.what()).find("key values mismatch") != std::string::npos;
      if (!mismatch) throw;
    }
    if (SSL_CTX_check_private_key(context) != 1) {
      ERR_clear_error();
      throw TSSLException(std::string(spec.file_labels[1]) + " " + spec.files.key +
                          " is not the key of " + std::string(spec.file_labels[0]) + " " +
                          spec.files.cert);
    }
  }
  const bool verify = spec.verify_peer || (!spec.role.server && !spec.files.ca.empty());
  factory->authenticate(verify);
}

}  // namespace

Result<std::shared_ptr<TlsSocketFactory>> MakeTlsFactory(const TlsContextSpec& spec) {
  if (spec.verify_peer && spec.files.ca.empty()) {
    return Status::InvalidArgument(std::string("verifying peers needs ") + spec.file_labels[2]);
  }
  if (spec.files.cert.empty() != spec.files.key.empty()) {
    return Status::InvalidArgument(std::string(spec.file_labels[0]) + " and " +
                                   spec.file_labels[1] + " go together");
  }
  for (auto [name, path] : {std::pair{spec.file_labels[0], &spec.files.cert},
                            std::pair{spec.file_labels[1], &spec.files.key},
                            std::pair{spec.file_labels[2], &spec.files.ca}}) {
    if (path->empty()) continue;
    FILE* file = std::fopen(path->c_str(), "r");
    if (file == nullptr) {
      return Status::InvalidArgument(std::string(name) + " " + *path + ": " + std::strerror(errno));
    }
    std::fclose(file);
  }
  try {
    auto factory = std::make_shared<TlsSocketFactory>(spec.role);
    SetUpContext(spec, factory.get());
    if (!spec.files.cert.empty()) {
      if (std::string why = OwnCertificateProblem(spec, factory->context()); !why.empty()) {
        return Status::InvalidArgument(why);
      }
    }
    return factory;
  } catch (const TTransportException& e) {
    ERR_clear_error();
    return Status::InvalidArgument(std::string("TLS files (") + spec.file_labels[0] + " " +
                                   spec.files.cert + ", " + spec.file_labels[1] + " " +
                                   spec.files.key + ", " + spec.file_labels[2] + " " +
                                   spec.files.ca + "): " + e.what());
  }
}

}  // namespace alder
