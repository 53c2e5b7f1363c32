#include "server/rpc/metric_samples.h"

#include <fmt/format.h>

#include <limits>

namespace alder {
namespace {

api::MetricSample Sample(std::string name, const prometheus::ClientMetric& metric, double value) {
  api::MetricSample s;
  s.name = std::move(name);
  for (const auto& label : metric.label) s.labels[label.name] = label.value;
  s.value = value;
  return s;
}

// Prometheus writes bucket bounds in the shortest form that reads back
// exactly ("0.001", "+Inf").
std::string BoundLabel(double bound) {
  if (bound == std::numeric_limits<double>::infinity()) return "+Inf";
  return fmt::format("{}", bound);
}

void AddHistogram(const prometheus::MetricFamily& family, const prometheus::ClientMetric& metric,
                  std::vector<api::MetricSample>* out) {
  for (const auto& bucket : metric.histogram.bucket) {
    api::MetricSample s =
        Sample(family.name + "_bucket", metric, static_cast<double>(bucket.cumulative_count));
    s.labels["le"] = BoundLabel(bucket.upper_bound);
    out->push_back(std::move(s));
  }
  out->push_back(Sample(family.name + "_sum", metric, metric.histogram.sample_sum));
  out->push_back(
      Sample(family.name + "_count", metric, static_cast<double>(metric.histogram.sample_count)));
}

}  // namespace

std::vector<api::MetricSample> SamplesOf(const std::vector<prometheus::MetricFamily>& families) {
  std::vector<api::MetricSample> out;
  for (const prometheus::MetricFamily& family : families) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      switch (family.type) {
        case prometheus::MetricType::Counter:
          out.push_back(Sample(family.name, metric, metric.counter.value));
          break;
        case prometheus::MetricType::Gauge:
          out.push_back(Sample(family.name, metric, metric.gauge.value));
          break;
        case prometheus::MetricType::Histogram:
          AddHistogram(family, metric, &out);
          break;
        default:
          out.push_back(Sample(family.name, metric, metric.untyped.value));
          break;
      }
    }
  }
  return out;
}

double SumOf(const std::vector<api::MetricSample>& samples, const std::string& name,
             const std::map<std::string, std::string>& labels) {
  double sum = 0;
  for (const api::MetricSample& s : samples) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) {
      auto it = s.labels.find(k);
      match = match && it != s.labels.end() && it->second == v;
    }
    if (match) sum += s.value;
  }
  return sum;
}

}  // namespace alder
