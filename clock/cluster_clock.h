// The cluster's time: this node's wall clock, held to the median of the
// clocks of the whole cluster (this node's and each peer's, as measured),
// so that a minority of nodes whose wall clocks jump, drift or are set wrong
// cannot move the time Alder stamps, expires or collects by (issue 8).
//
// How a peer's clock is known between measurements: a heartbeat measures the
// peer's wall clock against this node's *monotonic* clock (NTP's estimate:
// the peer read its clock at about the midpoint of our send and receive; the
// error is at most half the round trip). From then on the peer's clock is
// estimated as that reading plus the monotonic time elapsed, which no step
// of our own wall clock disturbs. So when this node's wall clock jumps, the
// estimates of its peers' clocks do not, and the jump shows at once as an
// offset from all of them — before the next write, not after the next
// heartbeat.
//
// NowMs() is this node's wall clock while it lies within the median's
// measurement error of the median (so a healthy node stamps by its own
// precise clock), and the median otherwise: a node running 400 ms behind
// stamps the cluster's time, not its own, so a sequential client's next
// write through it still wins; one running ahead does not make clients wait
// out its lead. The median is the upper median of the known clocks, this
// node's own included; with no peer measured it is this node's clock.
// A majority of correct clocks therefore decides, whatever the rest say.
//
// Offsets (OffsetUs) compare a peer's estimated clock with this node's own
// wall clock, uncorrected: they are what fencing judges (server/membership.h).
//
// Thread-safe.
#ifndef ALDER_CLOCK_CLUSTER_CLOCK_H_
#define ALDER_CLOCK_CLUSTER_CLOCK_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "clock/physical_clock.h"
#include "server/common/thread_annotations.h"  // header-only, std only

namespace alder::clock {

class ClusterClock final : public PhysicalClock {
 public:
  // `local` (this node's wall clock) and `monotonic` must outlive this.
  ClusterClock(const PhysicalClock* local, const MonotonicClock* monotonic);
  ClusterClock(const ClusterClock&) = delete;
  ClusterClock& operator=(const ClusterClock&) = delete;

  // The cluster's time (see above), in ms and µs.
  uint64_t NowMs() const override { return NowUs() / 1000; }
  uint64_t NowUs() const override;

  // This node's own wall clock, uncorrected: what it tells its peers when
  // they measure it.
  const PhysicalClock& local() const { return *local_; }
  const MonotonicClock& monotonic() const { return *monotonic_; }

  // Records a measurement of `peer`'s clock: it read `peer_wall_us` while
  // our monotonic clock went from `sent` to `received`. Replaces the last
  // measurement of that peer.
  void RecordSample(uint32_t peer, int64_t peer_wall_us, std::chrono::microseconds sent,
                    std::chrono::microseconds received);

  // `peer`'s clock minus this node's own wall clock, estimated now; none if
  // the peer was never measured.
  std::optional<int64_t> OffsetUs(uint32_t peer) const;

  // `peer`'s clock minus this node's wall clock when the last measurement
  // was recorded; none if the peer was never measured.
  std::optional<int64_t> OffsetWhenMeasuredUs(uint32_t peer) const;

 private:
  struct Sample {
    uint32_t peer;
    int64_t base_us;         // the peer's wall clock minus our monotonic clock
    int64_t error_us;        // half the round trip of the measurement
    int64_t offset_then_us;  // the peer's clock minus our wall clock, when recorded
  };
  // The upper median of every known clock, as a base (add the monotonic
  // clock for the time), and its measurement error.
  Sample MedianLocked(int64_t local_base_us) const REQUIRES(mu_);

  const PhysicalClock* const local_;
  const MonotonicClock* const monotonic_;
  mutable Mutex mu_;
  // The last sample of each peer, sorted by base_us, so that the median is a
  // binary search away (clocks are read on every stamp).
  std::vector<Sample> samples_ GUARDED_BY(mu_);
};

}  // namespace alder::clock

#endif  // ALDER_CLOCK_CLUSTER_CLOCK_H_
