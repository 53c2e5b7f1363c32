// Why a ceiling makes restarts safe: the clock never holds a timestamp whose
// wall part exceeds a ceiling that is already durable. After a restart it
// starts just above the persisted ceiling, so it is above everything it ever
// issued, whatever the physical clock now says. The cost is one synced write
// per ceiling_window of stamping (a few per second under load), and a node
// that restarts within ceiling_window of its last stamp starts up to that far
// ahead of its physical clock, which is why the window is kept well below
// max_offset.
//
// Counter overflow: 65,536 stamps within one millisecond (or while the
// physical clock stands behind the HLC) exhaust the logical counter; the
// clock then borrows the next millisecond rather than wrap, running slightly
// ahead of physical time until physical time catches up.
#include "clock/hlc.h"

#include <algorithm>

namespace alder::clock {

HybridLogicalClock::HybridLogicalClock(const PhysicalClock* physical, HlcOptions options,
                                       CeilingStore* ceiling)
    : physical_(physical), options_(options), ceiling_store_(ceiling) {
  if (ceiling_store_ != nullptr) {
    ceiling_ms_ = ceiling_store_->LoadCeilingMs();
    if (ceiling_ms_ > 0) last_ = Timestamp::FromParts(ceiling_ms_, Timestamp::kMaxLogical);
  }
}

void HybridLogicalClock::EnsureCeilingLocked(uint64_t wall_ms) {
  if (ceiling_store_ == nullptr || wall_ms <= ceiling_ms_) return;
  const uint64_t ceiling = wall_ms + static_cast<uint64_t>(options_.ceiling_window.count());
  ceiling_store_->PersistCeilingMs(ceiling);
  ceiling_ms_ = ceiling;
  ceiling_persists_.fetch_add(1);
}

Timestamp HybridLogicalClock::AdvanceLocked(Timestamp floor) {
  // The next timestamp is the least one greater than both last_ and floor,
  // and not below physical time.
  const uint64_t pt = physical_->NowMs();
  const Timestamp base = std::max(last_, floor);
  uint64_t wall = base.wall_ms();
  uint64_t logical = base.logical() + 1;
  if (pt > wall) {
    wall = pt;
    logical = 0;
  } else if (logical > Timestamp::kMaxLogical) {
    wall += 1;  // borrow the next millisecond rather than wrap
    logical = 0;
    logical_overflows_.fetch_add(1);
  }
  EnsureCeilingLocked(wall);
  last_ = Timestamp::FromParts(wall, logical);
  return last_;
}

Timestamp HybridLogicalClock::Now() {
  MutexLock lock(&mu_);
  return AdvanceLocked(last_);
}

std::optional<Timestamp> HybridLogicalClock::NowIfWithin(std::chrono::milliseconds max_lead) {
  MutexLock lock(&mu_);
  // The next timestamp's wall time is at least last_'s (and one more when
  // the counter is exhausted); physical time only raises it to physical
  // time, which is never a lead.
  const uint64_t pt = physical_->NowMs();
  const uint64_t next_wall =
      last_.logical() == Timestamp::kMaxLogical ? last_.wall_ms() + 1 : last_.wall_ms();
  if (next_wall > pt + static_cast<uint64_t>(max_lead.count())) return std::nullopt;
  return AdvanceLocked(last_);
}

UpdateResult HybridLogicalClock::Update(Timestamp remote) {
  const uint64_t pt = physical_->NowMs();
  UpdateResult result;
  result.remote_ahead_ms = static_cast<int64_t>(remote.wall_ms()) - static_cast<int64_t>(pt);
  if (result.remote_ahead_ms > options_.max_offset.count()) {
    rejected_remote_.fetch_add(1);
    result.accepted = false;
    result.now = Last();
    result.error = "remote timestamp " + remote.ToString() + " is " +
                   std::to_string(result.remote_ahead_ms) +
                   " ms ahead of local physical time; max_clock_offset is " +
                   std::to_string(options_.max_offset.count()) + " ms";
    return result;
  }
  MutexLock lock(&mu_);
  result.accepted = true;
  result.now = AdvanceLocked(remote);
  return result;
}

Timestamp HybridLogicalClock::Last() const {
  MutexLock lock(&mu_);
  return last_;
}

}  // namespace alder::clock
