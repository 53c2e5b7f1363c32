// Why a median and not an average: one clock that is hours off moves an
// average by hours/n, but moves the median not at all while a majority
// agree. Why the upper median for an even count: with two clocks that
// disagree there is no majority to follow, and stamping by the later of two
// clocks only makes stamps later, never reorders a write before one that was
// already acknowledged. (Fencing stops such a pair from writing at all when
// they are more than max_clock_offset apart.)
//
// Why this node keeps its own clock within the median's error: the estimate
// of a peer's clock is only as good as half a heartbeat's round trip, while
// this node's own clock is exact to the microsecond; preferring it while it
// agrees keeps stamps as precise as the hardware allows.
#include "clock/cluster_clock.h"

#include <algorithm>

namespace alder::clock {

ClusterClock::ClusterClock(const PhysicalClock* local, const MonotonicClock* monotonic)
    : local_(local), monotonic_(monotonic) {}

void ClusterClock::RecordSample(uint32_t peer, int64_t peer_wall_us, std::chrono::microseconds sent,
                                std::chrono::microseconds received) {
  const int64_t midpoint_us = (sent.count() + received.count()) / 2;
  const int64_t error_us = std::max<int64_t>(0, (received.count() - sent.count()) / 2);
  const int64_t base_us = peer_wall_us - midpoint_us;
  const int64_t offset_then_us =
      base_us + monotonic_->Now().count() - static_cast<int64_t>(local_->NowUs());
  const Sample sample{peer, base_us, error_us, offset_then_us};
  MutexLock lock(&mu_);
  std::erase_if(samples_, [peer](const Sample& s) { return s.peer == peer; });
  samples_.insert(
      std::upper_bound(samples_.begin(), samples_.end(), sample,
                       [](const Sample& a, const Sample& b) { return a.base_us < b.base_us; }),
      sample);
}

std::optional<int64_t> ClusterClock::OffsetUs(uint32_t peer) const {
  const int64_t monotonic_us = monotonic_->Now().count();
  const int64_t local_us = static_cast<int64_t>(local_->NowUs());
  MutexLock lock(&mu_);
  for (const Sample& s : samples_) {
    if (s.peer == peer) return s.base_us + monotonic_us - local_us;
  }
  return std::nullopt;
}

std::optional<int64_t> ClusterClock::OffsetWhenMeasuredUs(uint32_t peer) const {
  MutexLock lock(&mu_);
  for (const Sample& s : samples_) {
    if (s.peer == peer) return s.offset_then_us;
  }
  return std::nullopt;
}

ClusterClock::Sample ClusterClock::MedianLocked(int64_t local_base_us) const {
  // The known clocks are the sorted samples plus this node's own, which
  // would sit at `at`; the upper median is element size/2 of all of them.
  const size_t at = static_cast<size_t>(
      std::lower_bound(samples_.begin(), samples_.end(), local_base_us,
                       [](const Sample& s, int64_t base) { return s.base_us < base; }) -
      samples_.begin());
  const size_t median = (samples_.size() + 1) / 2;
  if (median < at) return samples_[median];
  if (median == at) return Sample{0, local_base_us, 0, 0};
  return samples_[median - 1];
}

uint64_t ClusterClock::NowUs() const {
  const int64_t monotonic_us = monotonic_->Now().count();
  const int64_t local_us = static_cast<int64_t>(local_->NowUs());
  MutexLock lock(&mu_);
  if (samples_.empty()) return static_cast<uint64_t>(local_us);
  const Sample median = MedianLocked(local_us - monotonic_us);
  const int64_t median_us = median.base_us + monotonic_us;
  return static_cast<uint64_t>(
      std::clamp(local_us, median_us - median.error_us, median_us + median.error_us));
}

}  // namespace alder::clock
