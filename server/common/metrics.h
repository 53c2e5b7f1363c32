// The node's metrics (DESIGN.md section 15): one registry that every part of
// alderd reports into. It is served in the Prometheus text format on
// metrics_listen (server/metrics_endpoint.h) and returned by the status RPC,
// so that Prometheus, `alder status` and `alder top` read the same figures
// and a metric added here appears in all three.
//
// Every metric is read from the part that keeps it at each collection
// (AddScraped...): request counts and latencies from lock-free counters
// (server/request_metrics.h), and figures the parts keep anyway (peer
// liveness, hints pending, log flushes, exchange totals) from them, so
// nothing is counted twice and the request path takes no lock for metrics.
//
// Thread-safe. Register every scraped metric before the first Collect();
// what a scraped metric reads must outlive the Metrics or its last Collect().
#ifndef ALDER_SERVER_COMMON_METRICS_H_
#define ALDER_SERVER_COMMON_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace alder {

class Metrics {
 public:
  // One value per value of a label, e.g. alder_peer_up{peer="2"}.
  using LabelledValues = std::vector<std::pair<std::string, double>>;
  // Samples of any type and labels, as prometheus-cpp collects them.
  using Samples = std::vector<prometheus::ClientMetric>;

  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void AddScrapedCounter(std::string name, std::string help, std::function<double()> read);
  void AddScrapedGauge(std::string name, std::string help, std::function<double()> read);
  void AddScrapedFamily(std::string name, std::string help, prometheus::MetricType type,
                        std::string label, std::function<LabelledValues()> read);
  void AddScrapedSamples(std::string name, std::string help, prometheus::MetricType type,
                         std::function<Samples()> read);

  // Every metric, scraped ones read now, sorted by name and labels.
  std::vector<prometheus::MetricFamily> Collect() const;
  // The same in the Prometheus text format.
  std::string SerializeText() const;

  // What a prometheus::Exposer collects: Collect().
  std::weak_ptr<prometheus::Collectable> collectable() const;

 private:
  class Scraped;
  class All;
  std::shared_ptr<Scraped> scraped_;
  std::shared_ptr<All> all_;
};

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_METRICS_H_
