#include "server/common/request_metrics.h"

#include <algorithm>
#include <limits>

namespace alder {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kNotFound:
      return "not_found";
    case Outcome::kInvalidArgument:
      return "invalid_argument";
    case Outcome::kUnavailable:
      return "unavailable";
    case Outcome::kTimedOut:
      return "timed_out";
    case Outcome::kRefused:
      return "refused";
    case Outcome::kError:
      return "error";
  }
  return "error";
}

namespace {

// `outcomes`, and kError: the outcome of anything a side does not name.
std::vector<Outcome> WithError(std::vector<Outcome> outcomes) {
  if (std::find(outcomes.begin(), outcomes.end(), Outcome::kError) == outcomes.end()) {
    outcomes.push_back(Outcome::kError);
  }
  return outcomes;
}

}  // namespace

RequestMetrics::RequestMetrics(Metrics* metrics, std::string_view side,
                               std::vector<std::string> ops, std::vector<Outcome> outcomes)
    : ops_(std::move(ops)),
      outcomes_(WithError(std::move(outcomes))),
      per_op_(std::make_unique<PerOp[]>(ops_.size())) {
  const std::string prefix = "alder_" + std::string(side);
  metrics->AddScrapedSamples(prefix + "_requests_total",
                             "Requests served by the " + std::string(side) +
                                 " side of this node, by operation and outcome",
                             prometheus::MetricType::Counter, [this] { return CountSamples(); });
  metrics->AddScrapedSamples(prefix + "_request_duration_seconds",
                             "Time to serve a " + std::string(side) + " request, by operation",
                             prometheus::MetricType::Histogram,
                             [this] { return DurationSamples(); });
}

void RequestMetrics::Record(size_t op, Outcome outcome,
                            std::chrono::steady_clock::duration elapsed) {
  PerOp& counts = per_op_[op];
  // An outcome this side does not name is an error of it.
  if (std::find(outcomes_.begin(), outcomes_.end(), outcome) == outcomes_.end()) {
    outcome = Outcome::kError;
  }
  counts.outcomes[static_cast<size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
  const auto bucket =
      static_cast<size_t>(std::lower_bound(kBucketBoundsNs.begin(), kBucketBoundsNs.end(), ns) -
                          kBucketBoundsNs.begin());
  counts.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  counts.sum_ns.fetch_add(ns, std::memory_order_relaxed);
}

Metrics::Samples RequestMetrics::CountSamples() const {
  Metrics::Samples samples;
  for (size_t op = 0; op < ops_.size(); ++op) {
    for (Outcome outcome : outcomes_) {
      prometheus::ClientMetric metric;
      metric.label = {{"op", ops_[op]}, {"outcome", std::string(OutcomeName(outcome))}};
      metric.counter.value = static_cast<double>(
          per_op_[op].outcomes[static_cast<size_t>(outcome)].load(std::memory_order_relaxed));
      samples.push_back(std::move(metric));
    }
  }
  return samples;
}

Metrics::Samples RequestMetrics::DurationSamples() const {
  Metrics::Samples samples;
  for (size_t op = 0; op < ops_.size(); ++op) {
    const PerOp& counts = per_op_[op];
    prometheus::ClientMetric metric;
    metric.label = {{"op", ops_[op]}};
    uint64_t cumulative = 0;
    for (size_t b = 0; b < counts.buckets.size(); ++b) {
      cumulative += counts.buckets[b].load(std::memory_order_relaxed);
      const double bound = b < kBucketBoundsNs.size()
                               ? static_cast<double>(kBucketBoundsNs[b]) / 1e9
                               : std::numeric_limits<double>::infinity();
      metric.histogram.bucket.push_back({cumulative, bound});
    }
    // The buckets are read one by one while requests go on: the count is
    // their sum, so that it never disagrees with the +Inf bucket.
    metric.histogram.sample_count = cumulative;
    metric.histogram.sample_sum =
        static_cast<double>(counts.sum_ns.load(std::memory_order_relaxed)) / 1e9;
    samples.push_back(std::move(metric));
  }
  return samples;
}

}  // namespace alder
