// The TLS settings of alderd (DESIGN.md section 13), read and checked
// against each other. Whether the files hold what they should is checked
// when they are loaded (server/tls/tls_context.h), at start-up.
#include "server/config.h"
#include "server/config_options.h"

namespace alder {
namespace po = boost::program_options;
namespace {

Status ReadModes(const po::variables_map& vm, TlsSettings* tls) {
  auto client = ParseClientTls(vm["client_tls"].as<std::string>());
  if (!client.ok()) return client.status();
  tls->client = client.value();
  auto internode = ParseInternodeTls(vm["internode_tls"].as<std::string>());
  if (!internode.ok()) return internode.status();
  tls->internode = internode.value();
  return Status::Ok();
}

Status ReadPermissions(const po::variables_map& vm, TlsSettings* tls) {
  auto listed = ParseClientPermissions(vm["client_permissions"].as<std::string>());
  if (!listed.ok()) return listed.status();
  tls->permissions.by_common_name = std::move(listed).value();
  auto fallback = ParsePermission(vm["client_default_permission"].as<std::string>());
  if (!fallback.ok()) {
    return Status::InvalidArgument("client_default_permission: " + fallback.status().message());
  }
  tls->permissions.default_permission = fallback.value();
  const bool set =
      !tls->permissions.by_common_name.empty() || !vm["client_default_permission"].defaulted();
  if (set && tls->client != ClientTls::kMutual) {
    // Without client certificates there is no name to hold a permission:
    // every client could do everything, which the setting seems to deny.
    return Status::InvalidArgument(
        "client_permissions and client_default_permission need client_tls = mutual (only a "
        "client certificate carries a permission)");
  }
  return Status::Ok();
}

// The files each mode needs.
Status CheckFilesGiven(const TlsSettings& tls) {
  const bool serves_tls = tls.any();
  if (serves_tls && (tls.files.cert.empty() || tls.files.key.empty())) {
    return Status::InvalidArgument(
        "client_tls and internode_tls other than off need tls_cert_file and tls_key_file");
  }
  const bool verifies = tls.client == ClientTls::kMutual || tls.internode == InternodeTls::kMutual;
  if (verifies && tls.files.ca.empty()) {
    return Status::InvalidArgument(
        "client_tls = mutual and internode_tls = mutual need tls_ca_file (the CA that signs "
        "the certificates peers and clients present)");
  }
  return Status::Ok();
}

}  // namespace

Status ReadTlsSettings(const po::variables_map& vm, NodeConfig* config) {
  TlsSettings& tls = config->tls;
  tls.files = TlsFiles{vm["tls_cert_file"].as<std::string>(), vm["tls_key_file"].as<std::string>(),
                       vm["tls_ca_file"].as<std::string>()};
  if (Status s = ReadModes(vm, &tls); !s.ok()) return s;
  if (Status s = ReadPermissions(vm, &tls); !s.ok()) return s;
  return CheckFilesGiven(tls);
}

}  // namespace alder
