// Counts and latencies of the requests one side of a node serves
// (DESIGN.md section 15): alder_<side>_requests_total{op,outcome} and
// alder_<side>_request_duration_seconds{op}, for side "client" (the public
// API, measured at the coordinator) and "replica" (internode requests).
//
// Every (op, outcome) series exists from the start, at zero, so a scrape
// always shows the same series and a rate over them is defined. Record()
// takes no lock: three relaxed atomic adds. (prometheus-cpp's Histogram
// takes a mutex per observation; with 32 clients that contended mutex
// cost a third more CPU per put, so the counts are kept here and read
// into the registry at each collection.)
//
// Thread-safe.
#ifndef ALDER_SERVER_COMMON_REQUEST_METRICS_H_
#define ALDER_SERVER_COMMON_REQUEST_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "server/common/metrics.h"

namespace alder {

// A build with -DALDER_REQUEST_METRICS=OFF counts and times no requests:
// the baseline of bench/metrics-cost.sh, which measures what counting costs.
#ifdef ALDER_NO_REQUEST_METRICS
inline constexpr bool kCountRequests = false;
#else
inline constexpr bool kCountRequests = true;
#endif

// How a request ended; the label values are OutcomeName's.
enum class Outcome {
  kOk,
  kNotFound,
  kInvalidArgument,
  kUnavailable,
  kTimedOut,
  kRefused,  // internode: the replica refused the sender (clock, cluster, syncing)
  kError,
};
inline constexpr size_t kOutcomeCount = 7;
std::string_view OutcomeName(Outcome outcome);

class RequestMetrics {
 public:
  // `ops` are the values of the op label, indexed by the op numbers passed
  // to Record(); `outcomes` those this side can report (kError always is:
  // an outcome not among them is counted as kError). Registers both
  // families with `metrics`, which reads them until this object is gone:
  // it must outlive every Collect() of `metrics`.
  RequestMetrics(Metrics* metrics, std::string_view side, std::vector<std::string> ops,
                 std::vector<Outcome> outcomes);

  void Record(size_t op, Outcome outcome, std::chrono::steady_clock::duration elapsed);

  // Upper bounds of the latency buckets, in ns: 100 us to 10 s, then +Inf.
  static constexpr std::array<int64_t, 16> kBucketBoundsNs = {
      100'000,       250'000,       500'000,       1'000'000,     2'500'000,   5'000'000,
      10'000'000,    25'000'000,    50'000'000,    100'000'000,   250'000'000, 500'000'000,
      1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};

 private:
  struct PerOp {
    std::array<std::atomic<uint64_t>, kOutcomeCount> outcomes{};
    std::array<std::atomic<uint64_t>, kBucketBoundsNs.size() + 1> buckets{};  // last: +Inf
    std::atomic<int64_t> sum_ns{0};
  };
  Metrics::Samples CountSamples() const;
  Metrics::Samples DurationSamples() const;

  const std::vector<std::string> ops_;
  const std::vector<Outcome> outcomes_;
  const std::unique_ptr<PerOp[]> per_op_;
};

// Records one request when it goes out of scope: the outcome set last, or
// kError when the request left by an exception nobody classified.
class RequestTimer {
 public:
  RequestTimer(RequestMetrics* metrics, size_t op)
      : metrics_(metrics), op_(op), start_(std::chrono::steady_clock::now()) {}
  ~RequestTimer() { metrics_->Record(op_, outcome_, std::chrono::steady_clock::now() - start_); }
  RequestTimer(const RequestTimer&) = delete;
  RequestTimer& operator=(const RequestTimer&) = delete;

  void set_outcome(Outcome outcome) { outcome_ = outcome; }

 private:
  RequestMetrics* const metrics_;
  const size_t op_;
  const std::chrono::steady_clock::time_point start_;
  Outcome outcome_ = Outcome::kError;
};

// Runs `body` and records it as `op`: kOk when it returns, else the outcome
// `classify` gives for the exception in flight (called inside a catch block,
// it rethrows and catches by type), and the exception goes on.
template <typename Body>
auto Measured(RequestMetrics* metrics, size_t op, Outcome (*classify)(), Body&& body)
    -> decltype(body()) {
  if constexpr (!kCountRequests) return body();
  RequestTimer timer(metrics, op);
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      timer.set_outcome(Outcome::kOk);
    } else {
      auto result = body();
      timer.set_outcome(Outcome::kOk);
      return result;
    }
  } catch (...) {
    timer.set_outcome(classify());
    throw;
  }
}

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_REQUEST_METRICS_H_
