// Log-linear bucketing: a value v >= 128 whose highest set bit is b falls into
// one of 128 equal-width buckets spanning [2^b, 2^(b+1)); the bucket width is
// 2^(b-7), so the width relative to any value in it is at most 1/128. Values
// below 128 get one bucket each. The index is computed with one count-leading-
// zeros and two shifts, which keeps Record() cheap enough to sit on the
// benchmark's hot path. Percentiles report a bucket's upper bound (as
// HdrHistogram's "highest equivalent value" does) so they never understate.
#include "tools/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace alder::tools {
namespace {

// Highest bit index 63 -> shift 56 -> last index 128 + 56 * 128 + 127.
constexpr size_t kBucketCount = 128 + 57 * 128;

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBucketCount, 0) {}

size_t LatencyHistogram::BucketIndex(uint64_t value_ns) {
  if (value_ns < kSubBuckets) return static_cast<size_t>(value_ns);
  const int highest_bit = 63 - std::countl_zero(value_ns);
  const int shift = highest_bit - kSubBucketBits;
  const uint64_t sub_bucket = (value_ns >> shift) - kSubBuckets;
  return static_cast<size_t>(kSubBuckets + static_cast<uint64_t>(shift) * kSubBuckets + sub_bucket);
}

uint64_t LatencyHistogram::BucketUpperBound(size_t index) {
  if (index < kSubBuckets) return index;
  const uint64_t shift = (index - kSubBuckets) / kSubBuckets;
  const uint64_t sub_bucket = (index - kSubBuckets) % kSubBuckets;
  const uint64_t lower = (kSubBuckets + sub_bucket) << shift;
  return lower + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::Record(std::chrono::nanoseconds latency) {
  const uint64_t value_ns = latency.count() < 0 ? 0 : static_cast<uint64_t>(latency.count());
  ++buckets_[BucketIndex(value_ns)];
  ++count_;
  min_ns_ = std::min(min_ns_, value_ns);
  max_ns_ = std::max(max_ns_, value_ns);
  sum_ns_ += value_ns;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  min_ns_ = std::min(min_ns_, other.min_ns_);
  max_ns_ = std::max(max_ns_, other.max_ns_);
  sum_ns_ += other.sum_ns_;
}

void LatencyHistogram::Clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  min_ns_ = UINT64_MAX;
  max_ns_ = 0;
  sum_ns_ = 0;
}

std::chrono::nanoseconds LatencyHistogram::min() const {
  return std::chrono::nanoseconds(count_ == 0 ? 0 : static_cast<int64_t>(min_ns_));
}

std::chrono::nanoseconds LatencyHistogram::max() const {
  return std::chrono::nanoseconds(static_cast<int64_t>(max_ns_));
}

std::chrono::nanoseconds LatencyHistogram::mean() const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<int64_t>(sum_ns_ / count_));
}

std::chrono::nanoseconds LatencyHistogram::Percentile(double percentile) const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  if (!(percentile > 0)) return min();  // also catches NaN
  if (percentile >= 100) return max();
  // The rank of the wanted observation, 1-based: the smallest r with
  // r >= percentile% of count.
  uint64_t rank =
      static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const uint64_t value = std::clamp(BucketUpperBound(i), min_ns_, max_ns_);
      return std::chrono::nanoseconds(static_cast<int64_t>(value));
    }
  }
  return max();
}

}  // namespace alder::tools
