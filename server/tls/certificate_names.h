// The names a certificate gives its holder: the subject CN, which client
// permissions are keyed on, and the DNS SANs. A node is named
// alder-node-<id> by either (DESIGN.md section 13).
#ifndef ALDER_SERVER_TLS_CERTIFICATE_NAMES_H_
#define ALDER_SERVER_TLS_CERTIFICATE_NAMES_H_

#include <openssl/x509.h>

#include <string>
#include <vector>

namespace alder {

struct CertificateNames {
  std::string common_name;  // the subject's first CN; empty if it has none
  std::vector<std::string> dns_names;

  // Whether the CN or a DNS SAN is exactly `name`.
  bool Includes(const std::string& name) const;
  // "CN=alder-node-3, DNS:localhost", for log lines and errors.
  std::string Describe() const;
};

// `certificate` may be null (no names).
CertificateNames NamesOf(X509* certificate);

}  // namespace alder

#endif  // ALDER_SERVER_TLS_CERTIFICATE_NAMES_H_
