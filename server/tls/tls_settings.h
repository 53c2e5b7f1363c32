// What an operator configures about TLS (DESIGN.md section 13): the files,
// and which port speaks TLS how. Parsed by server/config.cc; the defaults
// are off, as the design fixes.
#ifndef ALDER_SERVER_TLS_TLS_SETTINGS_H_
#define ALDER_SERVER_TLS_TLS_SETTINGS_H_

#include <string>

#include "server/common/status.h"
#include "server/tls/permissions.h"

namespace alder {

// client_tls: plaintext, TLS with the server authenticated, or TLS with a
// client certificate required too (which then carries a permission).
enum class ClientTls { kOff, kOn, kMutual };
// internode_tls: plaintext, or mutual TLS with node identity.
enum class InternodeTls { kOff, kMutual };

// PEM files: this node's certificate (chain) and key, and the CA
// certificates trusted for peers and clients.
struct TlsFiles {
  std::string cert;
  std::string key;
  std::string ca;
};

struct TlsSettings {
  TlsFiles files;
  ClientTls client = ClientTls::kOff;
  InternodeTls internode = InternodeTls::kOff;
  ClientPermissions permissions;  // used under client = kMutual only

  bool any() const { return client != ClientTls::kOff || internode != InternodeTls::kOff; }
};

Result<ClientTls> ParseClientTls(const std::string& text);
Result<InternodeTls> ParseInternodeTls(const std::string& text);
const char* ClientTlsName(ClientTls mode);
const char* InternodeTlsName(InternodeTls mode);

// The name a node's certificate carries, as subject CN or DNS SAN:
// kNodeNamePrefix and the node id.
inline constexpr const char* kNodeNamePrefix = "alder-node-";
std::string NodeCertificateName(uint32_t node_id);

}  // namespace alder

#endif  // ALDER_SERVER_TLS_TLS_SETTINGS_H_
