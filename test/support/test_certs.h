// Certificates for TLS tests, made by the project's own scripts/make-certs.sh
// (the openssl CLI) into a directory: a CA, node-N certificates naming
// alder-node-N, and client certificates by CN.
#ifndef ALDER_TEST_SUPPORT_TEST_CERTS_H_
#define ALDER_TEST_SUPPORT_TEST_CERTS_H_

#include <string>
#include <vector>

#include "test/support/alderd_process.h"

namespace alder::testing {

class TestCerts {
 public:
  // Runs make-certs.sh into `dir` with `args` (e.g. {"--nodes", "3"}).
  // ok() is false, and error() says why, if it failed.
  TestCerts(std::string dir, const std::vector<std::string>& args = {});

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  std::string ca() const { return dir_ + "/ca.pem"; }
  std::string node_cert(int node) const { return dir_ + "/node-" + std::to_string(node) + ".pem"; }
  std::string node_key(int node) const { return dir_ + "/node-" + std::to_string(node) + ".key"; }
  // A client holding client-NAME's certificate, trusting this CA.
  TestTls client(const std::string& name) const;
  // A client trusting this CA and presenting no certificate.
  TestTls anonymous() const { return TestTls{ca(), "", ""}; }
  // alderd flags for node `node`'s files: tls_cert_file, tls_key_file, tls_ca_file.
  std::vector<std::string> NodeFlags(int node) const;

 private:
  std::string dir_;
  std::string error_;
};

}  // namespace alder::testing

#endif  // ALDER_TEST_SUPPORT_TEST_CERTS_H_
