#include "server/common/request_metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

#include "server/rpc/metric_samples.h"

namespace alder {
namespace {

using std::chrono::nanoseconds;

double Sample(const std::vector<api::MetricSample>& samples, const std::string& name,
              const std::map<std::string, std::string>& labels) {
  return SumOf(samples, name, labels);
}

TEST(RequestMetrics, EveryOpAndOutcomeSeriesExistsFromTheStartAtZero) {
  Metrics metrics;
  RequestMetrics requests(&metrics, "client", {"put", "get"}, {Outcome::kOk, Outcome::kError});
  const auto samples = SamplesOf(metrics.Collect());
  int series = 0;
  for (const auto& s : samples) {
    if (s.name != "alder_client_requests_total") continue;
    ++series;
    EXPECT_EQ(s.value, 0);
  }
  EXPECT_EQ(series, 4);  // 2 ops x 2 outcomes
}

TEST(RequestMetrics, ALatencyOnABoundCountsInThatBucketAndOneAboveInTheNext) {
  Metrics metrics;
  RequestMetrics requests(&metrics, "replica", {"write"}, {Outcome::kOk, Outcome::kRefused});
  requests.Record(0, Outcome::kOk, nanoseconds(100'000));              // le 0.0001, exactly
  requests.Record(0, Outcome::kOk, nanoseconds(100'001));              // le 0.00025
  requests.Record(0, Outcome::kRefused, nanoseconds(20'000'000'000));  // beyond 10 s: +Inf
  requests.Record(0, Outcome::kNotFound, nanoseconds(1));              // not named here: an error
  const auto samples = SamplesOf(metrics.Collect());
  const std::string bucket = "alder_replica_request_duration_seconds_bucket";
  EXPECT_EQ(Sample(samples, bucket, {{"op", "write"}, {"le", "0.0001"}}), 2);  // 1 ns and 100 us
  EXPECT_EQ(Sample(samples, bucket, {{"op", "write"}, {"le", "0.00025"}}), 3);
  EXPECT_EQ(Sample(samples, bucket, {{"op", "write"}, {"le", "10"}}), 3);
  EXPECT_EQ(Sample(samples, bucket, {{"op", "write"}, {"le", "+Inf"}}), 4);
  EXPECT_EQ(Sample(samples, "alder_replica_request_duration_seconds_count", {{"op", "write"}}), 4);
  EXPECT_NEAR(Sample(samples, "alder_replica_request_duration_seconds_sum", {{"op", "write"}}),
              20.000200002, 1e-9);
  EXPECT_EQ(Sample(samples, "alder_replica_requests_total", {{"op", "write"}, {"outcome", "ok"}}),
            2);
  EXPECT_EQ(
      Sample(samples, "alder_replica_requests_total", {{"op", "write"}, {"outcome", "refused"}}),
      1);
  // An outcome this side does not name counts as an error, a series that
  // always exists.
  EXPECT_EQ(
      Sample(samples, "alder_replica_requests_total", {{"op", "write"}, {"outcome", "error"}}), 1);
}

}  // namespace
}  // namespace alder
