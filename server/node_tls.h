// The TLS of one node (DESIGN.md section 13), built from its configuration:
// the factory its client port accepts with, and the two its internode port
// and its connections to peers use, each in a slot that Reload() refills
// together (SIGHUP: certificate rotation), plus the refusals counted for
// alder_tls_refusals_total and the client permissions.
//
// Thread-safe: Reload() may run while the ports serve.
#ifndef ALDER_SERVER_NODE_TLS_H_
#define ALDER_SERVER_NODE_TLS_H_

#include <memory>

#include "server/common/metrics.h"
#include "server/common/status.h"
#include "server/config.h"
#include "server/tls/tls_factory_slot.h"
#include "server/tls/tls_refusals.h"

namespace alder {

class NodeTls {
 public:
  // Reads and checks the files the configuration names (server/tls/tls_context.h);
  // an error says which file and why.
  static Result<std::unique_ptr<NodeTls>> Build(const NodeConfig& config);

  // Null where that port is plaintext.
  std::shared_ptr<TlsFactorySlot> client_port() const { return client_port_; }
  std::shared_ptr<TlsFactorySlot> internode_server() const { return internode_server_; }
  std::shared_ptr<TlsFactorySlot> internode_client() const { return internode_client_; }
  // Null unless client_tls is mutual.
  const ClientPermissions* permissions() const;
  // Null unless that port speaks TLS: nothing to refuse.
  TlsRefusals* refusals_on(TlsListener listener);

  // Reads the files again. On success new connections use the new
  // certificates (open ones keep theirs); on failure nothing changes and the
  // error says why. A node without TLS has nothing to reload.
  Status Reload();

  // alder_tls_refusals_total{listener, reason}.
  void AddMetrics(Metrics* metrics) const;

 private:
  explicit NodeTls(const NodeConfig& config) : config_(config) {}
  struct Factories {
    std::shared_ptr<TlsSocketFactory> client_port, internode_server, internode_client;
  };
  Result<Factories> MakeFactories();

  const NodeConfig& config_;
  mutable TlsRefusals refusals_;
  std::shared_ptr<TlsFactorySlot> client_port_, internode_server_, internode_client_;
};

}  // namespace alder

#endif  // ALDER_SERVER_NODE_TLS_H_
