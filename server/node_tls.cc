#include "server/node_tls.h"

#include <spdlog/spdlog.h>

#include "server/tls/tls_context.h"

namespace alder {

Result<std::unique_ptr<NodeTls>> NodeTls::Build(const NodeConfig& config) {
  std::unique_ptr<NodeTls> tls(new NodeTls(config));
  auto factories = tls->MakeFactories();
  if (!factories.ok()) return factories.status();
  auto slot = [](std::shared_ptr<TlsSocketFactory> factory) {
    return factory ? std::make_shared<TlsFactorySlot>(std::move(factory)) : nullptr;
  };
  tls->client_port_ = slot(factories->client_port);
  tls->internode_server_ = slot(factories->internode_server);
  tls->internode_client_ = slot(factories->internode_client);
  return tls;
}

Result<NodeTls::Factories> NodeTls::MakeFactories() {
  const TlsSettings& settings = config_.tls;
  Factories out;
  if (settings.client != ClientTls::kOff) {
    auto made = MakeTlsFactory(TlsContextSpec{.role = {.server = true,
                                                       .listener = TlsListener::kClients,
                                                       .refusals = &refusals_,
                                                       .require_node_name = false},
                                              .files = settings.files,
                                              .verify_peer = settings.client == ClientTls::kMutual,
                                              .own_name = ""});
    if (!made.ok()) return Status::InvalidArgument("client_tls: " + made.status().message());
    out.client_port = std::move(made).value();
  }
  if (settings.internode == InternodeTls::kMutual) {
    const std::string own_name = NodeCertificateName(config_.node_id);
    auto server = MakeTlsFactory(TlsContextSpec{.role = {.server = true,
                                                         .listener = TlsListener::kInternode,
                                                         .refusals = &refusals_,
                                                         .require_node_name = true},
                                                .files = settings.files,
                                                .verify_peer = true,
                                                .own_name = own_name});
    if (!server.ok()) return Status::InvalidArgument("internode_tls: " + server.status().message());
    auto client = MakeTlsFactory(TlsContextSpec{.role = {.server = false,
                                                         .listener = TlsListener::kInternode,
                                                         .refusals = &refusals_,
                                                         .require_node_name = false},
                                                .files = settings.files,
                                                .verify_peer = true,
                                                .own_name = own_name});
    if (!client.ok()) return Status::InvalidArgument("internode_tls: " + client.status().message());
    out.internode_server = std::move(server).value();
    out.internode_client = std::move(client).value();
  }
  return out;
}

const ClientPermissions* NodeTls::permissions() const {
  return config_.tls.client == ClientTls::kMutual ? &config_.tls.permissions : nullptr;
}

TlsRefusals* NodeTls::refusals_on(TlsListener listener) {
  const bool tls =
      listener == TlsListener::kClients ? client_port_ != nullptr : internode_server_ != nullptr;
  return tls ? &refusals_ : nullptr;
}

Status NodeTls::Reload() {
  if (!config_.tls.any()) return Status::Ok();
  auto factories = MakeFactories();
  if (!factories.ok()) return factories.status();
  if (client_port_) client_port_->Replace(factories->client_port);
  if (internode_server_) internode_server_->Replace(factories->internode_server);
  if (internode_client_) internode_client_->Replace(factories->internode_client);
  return Status::Ok();
}

void NodeTls::AddMetrics(Metrics* metrics) const {
  metrics->AddScrapedSamples(
      "alder_tls_refusals_total",
      "Connections and requests refused for security: failed TLS handshakes, untrusted, "
      "expired or missing certificates, node certificates naming another node, calls "
      "without the permission",
      prometheus::MetricType::Counter, [this] {
        Metrics::Samples samples;
        for (int l = 0; l < kTlsListeners; ++l) {
          for (int r = 0; r < kTlsRefusals; ++r) {
            const auto listener = static_cast<TlsListener>(l);
            const auto reason = static_cast<TlsRefusal>(r);
            prometheus::ClientMetric metric;
            metric.label = {{"listener", TlsListenerName(listener)},
                            {"reason", TlsRefusalName(reason)}};
            metric.counter.value = static_cast<double>(refusals_.count(listener, reason));
            samples.push_back(std::move(metric));
          }
        }
        return samples;
      });
}

}  // namespace alder
