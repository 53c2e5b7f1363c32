#include "server/metrics_endpoint.h"

#include <prometheus/exposer.h>

#include <exception>

namespace alder {

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer)
    : exposer_(std::move(exposer)) {}

MetricsEndpoint::~MetricsEndpoint() = default;

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const HostPort& listen,
                                                                const Metrics& metrics) {
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(listen.ToString(), 2);
  } catch (const std::exception& e) {
    return Status::IoError("cannot serve metrics on " + listen.ToString() + ": " + e.what() +
                           " (is another process using the port? metrics_listen \"\" turns "
                           "the endpoint off)");
  }
  exposer->RegisterCollectable(metrics.collectable());
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(exposer)));
}

}  // namespace alder
