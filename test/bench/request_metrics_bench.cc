// What recording one request costs (issue 9): ns per request for
// RequestMetrics (two clock reads, three relaxed atomic adds), from 1 thread
// and from 32 threads at once (as 32 clients would), against prometheus-cpp's
// own Counter and Histogram (a mutex per observation) doing the same.
// Prints figures; asserts nothing. Run: build/test/bench/request_metrics_bench
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "server/common/metrics.h"
#include "server/common/request_metrics.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPerThread = 500'000;

// ns per call of `record` over `threads` threads, each making kPerThread calls.
template <typename Record>
double NsPerCall(int threads, Record record) {
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) record();
    });
  }
  for (auto& w : workers) w.join();
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  return ns / (static_cast<double>(threads) * kPerThread);
}

}  // namespace

int main() {
  alder::Metrics metrics;
  alder::RequestMetrics requests(&metrics, "client", {"put", "get"},
                                 {alder::Outcome::kOk, alder::Outcome::kError});
  auto ours = [&] {
    const auto start = Clock::now();
    requests.Record(0, alder::Outcome::kOk, Clock::now() - start);
  };

  prometheus::Registry registry;
  auto& counter = prometheus::BuildCounter().Name("c_total").Register(registry).Add({});
  auto& histogram = prometheus::BuildHistogram()
                        .Name("h_seconds")
                        .Register(registry)
                        .Add({}, prometheus::Histogram::BucketBoundaries{
                                     0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                     0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  auto theirs = [&] {
    const auto start = Clock::now();
    counter.Increment();
    histogram.Observe(std::chrono::duration<double>(Clock::now() - start).count());
  };

  std::printf("ns per recorded request (%u cores)      1 thread   32 threads\n",
              std::thread::hardware_concurrency());
  std::printf("RequestMetrics (relaxed atomics)        %8.1f   %10.1f\n", NsPerCall(1, ours),
              NsPerCall(32, ours));
  std::printf("prometheus-cpp Counter + Histogram      %8.1f   %10.1f\n", NsPerCall(1, theirs),
              NsPerCall(32, theirs));
  return 0;
}
