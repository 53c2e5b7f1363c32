// Builds the TLS socket factories alderd and alder speak with, from PEM
// files, and checks the files before any connection depends on them: a
// missing file, a key that is not the certificate's, a certificate expired or
// not yet valid, or a node certificate that does not name the node or is not
// signed by tls_ca_file, is an error naming the file and the reason, at
// start-up and on reload alike (a reload that fails keeps the old ones).
//
// Protocol: TLS 1.2 at the least, 1.3 where both ends have it. Thrift's
// SSLTLS allows 1.0 and 1.1 too, so the floor is set on the context. TLS 1.2
// offers kTlsCipherList only (forward secret, authenticated encryption); TLS
// 1.3's suites are all of that kind and keep OpenSSL's defaults. No session
// tickets: connections are long-lived, and a ticket arriving after a reply
// would look like data on an idle pooled connection.
#ifndef ALDER_SERVER_TLS_TLS_CONTEXT_H_
#define ALDER_SERVER_TLS_TLS_CONTEXT_H_

#include <array>
#include <memory>
#include <string>

#include "server/common/status.h"
#include "server/tls/tls_settings.h"
#include "server/tls/tls_socket.h"

namespace alder {

inline constexpr const char* kTlsCipherList = "ECDHE+AESGCM:ECDHE+CHACHA20";

struct TlsContextSpec {
  TlsRole role;
  // cert and key: optional for a client (then it presents none); ca:
  // optional where verify_peer is false.
  TlsFiles files;
  // Require the peer's certificate and verify it against files.ca. A
  // client always verifies the server when files.ca is given.
  bool verify_peer = false;
  // Non-empty: this end's certificate must carry this name and be signed by
  // files.ca (a node's internode certificate, checked by its peers so).
  std::string own_name;
  // What errors call the cert, key and CA files: alderd's config keys, or
  // the alder CLI's flags.
  std::array<const char*, 3> file_labels = {"tls_cert_file", "tls_key_file", "tls_ca_file"};
};

Result<std::shared_ptr<TlsSocketFactory>> MakeTlsFactory(const TlsContextSpec& spec);

}  // namespace alder

#endif  // ALDER_SERVER_TLS_TLS_CONTEXT_H_
