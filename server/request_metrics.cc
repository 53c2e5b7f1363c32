#include "server/request_metrics.h"

#include <algorithm>

namespace alder {

namespace {
constexpr Outcome kAllOutcomes[] = {
    Outcome::kOk,          Outcome::kNotFound, Outcome::kInvalidArgument,
    Outcome::kUnavailable, Outcome::kTimedOut, Outcome::kRefused,
    Outcome::kError};
}  // namespace

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

const prometheus::Histogram::BucketBoundaries& RequestMetrics::Buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return buckets;
}

RequestMetrics::RequestMetrics(prometheus::Registry& registry, std::string_view side,
                               std::vector<std::string> ops, std::vector<Outcome> outcomes) {
  const std::string prefix = "alder_" + std::string(side);
  auto& requests = prometheus::BuildCounter()
                       .Name(prefix + "_requests_total")
                       .Help("Requests served by the " + std::string(side) +
                             " side of this node, by operation and outcome")
                       .Register(registry);
  auto& durations = prometheus::BuildHistogram()
                        .Name(prefix + "_request_duration_seconds")
                        .Help("Time to serve a " + std::string(side) + " request, by operation")
                        .Register(registry);
  for (const std::string& op : ops) {
    std::vector<prometheus::Counter*> by_outcome(std::size(kAllOutcomes), nullptr);
    for (Outcome outcome : outcomes) {
      by_outcome[static_cast<size_t>(outcome)] =
          &requests.Add({{"op", op}, {"outcome", std::string(OutcomeName(outcome))}});
    }
    counters_.push_back(std::move(by_outcome));
    durations_.push_back(&durations.Add({{"op", op}}, Buckets()));
  }
}

void RequestMetrics::Record(size_t op, Outcome outcome,
                            std::chrono::steady_clock::duration elapsed) {
  prometheus::Counter* counter = counters_[op][static_cast<size_t>(outcome)];
  // An outcome this side does not name is an error of it.
  if (counter == nullptr) counter = counters_[op][static_cast<size_t>(Outcome::kError)];
  if (counter != nullptr) counter->Increment();
  durations_[op]->Observe(std::chrono::duration<double>(elapsed).count());
}

}  // namespace alder
