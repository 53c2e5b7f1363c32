#include "server/tls/tls_settings.h"

namespace alder {

Result<ClientTls> ParseClientTls(const std::string& text) {
  for (ClientTls mode : {ClientTls::kOff, ClientTls::kOn, ClientTls::kMutual}) {
    if (text == ClientTlsName(mode)) return mode;
  }
  return Status::InvalidArgument("client_tls must be off, on or mutual, got '" + text + "'");
}

Result<InternodeTls> ParseInternodeTls(const std::string& text) {
  for (InternodeTls mode : {InternodeTls::kOff, InternodeTls::kMutual}) {
    if (text == InternodeTlsName(mode)) return mode;
  }
  return Status::InvalidArgument("internode_tls must be off or mutual, got '" + text + "'");
}

const char* ClientTlsName(ClientTls mode) {
  switch (mode) {
    case ClientTls::kOff:
      return "off";
    case ClientTls::kOn:
      return "on";
    case ClientTls::kMutual:
      return "mutual";
  }
  return "off";
}

const char* InternodeTlsName(InternodeTls mode) {
  return mode == InternodeTls::kMutual ? "mutual" : "off";
}

std::string NodeCertificateName(uint32_t node_id) {
  return kNodeNamePrefix + std::to_string(node_id);
}

}  // namespace alder
