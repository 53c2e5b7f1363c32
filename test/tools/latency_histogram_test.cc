#include "tools/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace alder::tools {
namespace {

using std::chrono::nanoseconds;

// The exact p-th percentile by the same rank definition the histogram uses.
int64_t ExactPercentile(std::vector<int64_t> values, double percentile) {
  std::sort(values.begin(), values.end());
  auto rank =
      static_cast<size_t>(std::ceil(percentile / 100.0 * static_cast<double>(values.size())));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

TEST(LatencyHistogramTest, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), nanoseconds(0));
  EXPECT_EQ(h.max(), nanoseconds(0));
  EXPECT_EQ(h.mean(), nanoseconds(0));
  EXPECT_EQ(h.Percentile(50), nanoseconds(0));
  EXPECT_EQ(h.Percentile(100), nanoseconds(0));
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 100; ++v) h.Record(nanoseconds(v));
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.Percentile(50), nanoseconds(50));
  EXPECT_EQ(h.Percentile(99), nanoseconds(99));
  EXPECT_EQ(h.Percentile(100), nanoseconds(100));
  EXPECT_EQ(h.Percentile(0), nanoseconds(1));
  EXPECT_EQ(h.mean(), nanoseconds(50));  // 50.5 truncated
}

TEST(LatencyHistogramTest, MinMaxAndMeanAreExact) {
  LatencyHistogram h;
  h.Record(nanoseconds(123'456'789));
  h.Record(nanoseconds(1'001));
  h.Record(nanoseconds(77'777));
  EXPECT_EQ(h.min(), nanoseconds(1'001));
  EXPECT_EQ(h.max(), nanoseconds(123'456'789));
  EXPECT_EQ(h.mean(), nanoseconds((123'456'789 + 1'001 + 77'777) / 3));
  EXPECT_EQ(h.Percentile(100), nanoseconds(123'456'789));
}

TEST(LatencyHistogramTest, SingleValueIsReportedExactlyAtEveryPercentile) {
  LatencyHistogram h;
  h.Record(nanoseconds(987'654));
  for (double p : {0.0, 1.0, 50.0, 99.9, 100.0}) EXPECT_EQ(h.Percentile(p), nanoseconds(987'654));
}

TEST(LatencyHistogramTest, PercentilesNeverUnderstateAndStayWithinRelativeError) {
  std::mt19937_64 rng(7);
  // Log-uniform over 1 us .. 1 s, like real latency spreads.
  std::uniform_real_distribution<double> exponent(3.0, 9.0);
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100'000; ++i) {
    const auto v = static_cast<int64_t>(std::pow(10.0, exponent(rng)));
    values.push_back(v);
    h.Record(nanoseconds(v));
  }
  for (double p : {1.0, 10.0, 50.0, 90.0, 95.0, 99.0, 99.9, 99.99}) {
    const int64_t exact = ExactPercentile(values, p);
    const int64_t reported = h.Percentile(p).count();
    EXPECT_GE(reported, exact) << "p" << p;
    EXPECT_LE(static_cast<double>(reported),
              static_cast<double>(exact) * (1.0 + LatencyHistogram::kMaxRelativeError))
        << "p" << p;
  }
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> latency(1.0 / 200'000);
  LatencyHistogram all, a, b;
  for (int i = 0; i < 20'000; ++i) {
    const nanoseconds v(static_cast<int64_t>(latency(rng)));
    all.Record(v);
    (i % 3 == 0 ? a : b).Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.mean(), all.mean());
  for (double p : {50.0, 95.0, 99.0, 99.9}) EXPECT_EQ(a.Percentile(p), all.Percentile(p));
}

TEST(LatencyHistogramTest, MergingAnEmptyHistogramChangesNothing) {
  LatencyHistogram h, empty;
  h.Record(nanoseconds(500));
  h.Merge(empty);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.min(), nanoseconds(500));
  EXPECT_EQ(h.max(), nanoseconds(500));
}

TEST(LatencyHistogramTest, NegativeLatencyCountsAsZero) {
  LatencyHistogram h;
  h.Record(nanoseconds(-5));
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max(), nanoseconds(0));
}

TEST(LatencyHistogramTest, HandlesTheLargestRepresentableLatency) {
  LatencyHistogram h;
  h.Record(nanoseconds::max());
  h.Record(nanoseconds(1));
  EXPECT_EQ(h.Percentile(100), nanoseconds::max());
  EXPECT_EQ(h.Percentile(50), nanoseconds(1));
}

TEST(LatencyHistogramTest, ClearForgetsEverything) {
  LatencyHistogram h;
  h.Record(nanoseconds(42));
  h.Clear();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(50), nanoseconds(0));
  h.Record(nanoseconds(7));
  EXPECT_EQ(h.min(), nanoseconds(7));
}

}  // namespace
}  // namespace alder::tools
