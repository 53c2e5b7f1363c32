// Serves a node's metrics (server/metrics.h) over HTTP at /metrics in the
// Prometheus text format, with prometheus-cpp's Exposer (civetweb, two
// threads of its own: a slow scraper never holds up requests).
#ifndef ALDER_SERVER_METRICS_ENDPOINT_H_
#define ALDER_SERVER_METRICS_ENDPOINT_H_

#include <memory>

#include "server/common/metrics.h"
#include "server/common/status.h"
#include "server/config.h"

namespace prometheus {
class Exposer;
}

namespace alder {

class MetricsEndpoint {
 public:
  // Listens on `listen` and serves `metrics`, which must outlive the
  // endpoint; an error (e.g. the address is in use) says which address.
  static Result<std::unique_ptr<MetricsEndpoint>> Start(const HostPort& listen,
                                                        const Metrics& metrics);
  ~MetricsEndpoint();  // stops serving, waiting for scrapes in progress

 private:
  explicit MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer);
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace alder

#endif  // ALDER_SERVER_METRICS_ENDPOINT_H_
