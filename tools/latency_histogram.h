// LatencyHistogram: a log-linear histogram of latencies with percentiles, in
// the manner of HdrHistogram (Debian packages no C++ HDR histogram).
//
// Contract:
// - Record() is O(1) and never allocates; the bucket array is allocated once in
//   the constructor (about 60 KB).
// - Every latency from 0 to 2^64-1 ns is representable. Below 128 ns buckets
//   are exact; above, each power of two is split into 128 linear buckets, so a
//   reported percentile is at most 1/128 (0.8%) above the true value and never
//   below it. min(), max(), mean() and count() are exact.
// - Not thread-safe: give each thread its own histogram and Merge() them after
//   the threads are joined.
#ifndef ALDER_TOOLS_LATENCY_HISTOGRAM_H_
#define ALDER_TOOLS_LATENCY_HISTOGRAM_H_

#include <chrono>
#include <cstdint>
#include <vector>

namespace alder::tools {

class LatencyHistogram {
 public:
  // The largest relative error of Percentile() against the exact value.
  static constexpr double kMaxRelativeError = 1.0 / 128;

  LatencyHistogram();

  // Adds one observation. Negative durations count as 0.
  void Record(std::chrono::nanoseconds latency);

  // Adds every observation of `other` to this histogram.
  void Merge(const LatencyHistogram& other);

  // Forgets every observation.
  void Clear();

  uint64_t count() const { return count_; }
  // 0 when empty.
  std::chrono::nanoseconds min() const;
  std::chrono::nanoseconds max() const;
  std::chrono::nanoseconds mean() const;

  // The smallest recorded-bucket value v such that at least `percentile` % of
  // the observations are <= v, reported as the bucket's upper bound capped at
  // max(). `percentile` is clamped to [0, 100]; Percentile(100) == max(),
  // Percentile(0) == min(). Returns 0 when empty.
  std::chrono::nanoseconds Percentile(double percentile) const;

 private:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;

  static size_t BucketIndex(uint64_t value_ns);
  // The largest value that maps to bucket `index`.
  static uint64_t BucketUpperBound(size_t index);

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t min_ns_ = UINT64_MAX;
  uint64_t max_ns_ = 0;
  // Sum for the mean: 2^64 ns is 584 years of summed latency.
  uint64_t sum_ns_ = 0;
};

}  // namespace alder::tools

#endif  // ALDER_TOOLS_LATENCY_HISTOGRAM_H_
