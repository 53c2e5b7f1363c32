// Hybrid logical clock (Kulkarni, Demirbas et al., "Logical Physical Clocks",
// 2014), the source of every version Alder stamps on a write.
//
// Guarantees:
//  - Now() is strictly increasing for the lifetime of a CeilingStore: across
//    restarts too, even if the physical clock was set back, because no
//    timestamp is ever issued above a ceiling that was persisted first.
//  - Update(remote) moves the clock past a remote timestamp, unless that
//    timestamp is more than max_offset ahead of local physical time: then it
//    is rejected, counted, and the clock does not move (CockroachDB's rule).
//  - The 16-bit logical counter never wraps: when it is exhausted within one
//    millisecond the clock borrows the next millisecond.
//
// Thread-safe: all methods may be called concurrently.
#ifndef ALDER_CLOCK_HLC_H_
#define ALDER_CLOCK_HLC_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "clock/physical_clock.h"
#include "clock/timestamp.h"
#include "server/common/thread_annotations.h"  // header-only, std only

namespace alder::clock {

// Durable storage for the clock's ceiling: the highest wall time (ms) the
// clock may issue before it persists a new one.
class CeilingStore {
 public:
  virtual ~CeilingStore() = default;
  // The last persisted ceiling, or 0 if none was ever persisted.
  virtual uint64_t LoadCeilingMs() = 0;
  // Persists `ceiling_ms` durably before returning. An implementation that
  // cannot must stop the process (fail-stop): returning without persisting
  // would let a restarted node reissue timestamps.
  virtual void PersistCeilingMs(uint64_t ceiling_ms) = 0;
};

// alderd's default max_clock_offset (NodeConfig in server/config.h), shared
// with tests that build a clock without a config.
inline constexpr std::chrono::milliseconds kDefaultMaxClockOffset{500};

struct HlcOptions {
  // Remote timestamps further ahead of local physical time are rejected.
  std::chrono::milliseconds max_offset = kDefaultMaxClockOffset;
  // How far above the highest issued wall time the persisted ceiling is set.
  // A restart can start the clock at most this far ahead of physical time, so
  // keep it well below max_offset; larger values persist less often.
  std::chrono::milliseconds ceiling_window{200};
};

// The outcome of Update().
struct UpdateResult {
  bool accepted = false;
  Timestamp now;                // the clock after the call (unchanged if rejected)
  int64_t remote_ahead_ms = 0;  // remote wall time minus local physical time
  // Empty when accepted; otherwise a sentence an operator can act on, e.g.
  // "remote timestamp 1764000002000.0 is 1500 ms ahead of local physical
  // time; max_clock_offset is 500 ms".
  std::string error;
};

class HybridLogicalClock {
 public:
  // `physical` must outlive the clock. `ceiling` may be null (no persistence,
  // for tests of the clock alone); otherwise it must outlive the clock, and
  // the constructor loads the ceiling from it so that the first timestamp is
  // above every timestamp issued before the restart.
  HybridLogicalClock(const PhysicalClock* physical, HlcOptions options, CeilingStore* ceiling);
  HybridLogicalClock(const HybridLogicalClock&) = delete;
  HybridLogicalClock& operator=(const HybridLogicalClock&) = delete;

  // A new timestamp, greater than every timestamp this clock returned or
  // accepted before. May block briefly to persist a new ceiling.
  Timestamp Now();

  // Like Now(), unless the new timestamp's wall time would be more than
  // `max_lead` ahead of physical time (the clock ran ahead: it absorbed a
  // lead, or borrowed milliseconds): then none, and the clock is unchanged,
  // so that a node refusing to stamp does not move its clock further ahead.
  std::optional<Timestamp> NowIfWithin(std::chrono::milliseconds max_lead);

  // Merges a timestamp received from another node (HLC receive rule) and
  // returns a new local timestamp greater than both, or rejects it (see above).
  UpdateResult Update(Timestamp remote);

  // The most recent timestamp issued or accepted, without advancing.
  Timestamp Last() const;

  const PhysicalClock& physical() const { return *physical_; }
  std::chrono::milliseconds max_offset() const { return options_.max_offset; }

  // Counters for operators.
  uint64_t rejected_remote_count() const { return rejected_remote_.load(); }
  uint64_t logical_overflow_count() const { return logical_overflows_.load(); }
  uint64_t ceiling_persist_count() const { return ceiling_persists_.load(); }

 private:
  // Advances last_ to the next timestamp not below `floor`.
  Timestamp AdvanceLocked(Timestamp floor) REQUIRES(mu_);
  // Persists a new ceiling if `wall_ms` would exceed the current one.
  void EnsureCeilingLocked(uint64_t wall_ms) REQUIRES(mu_);

  const PhysicalClock* const physical_;
  const HlcOptions options_;
  CeilingStore* const ceiling_store_;

  mutable Mutex mu_;
  Timestamp last_ GUARDED_BY(mu_);
  uint64_t ceiling_ms_ GUARDED_BY(mu_) = 0;  // 0 when there is no store

  std::atomic<uint64_t> rejected_remote_{0};
  std::atomic<uint64_t> logical_overflows_{0};
  std::atomic<uint64_t> ceiling_persists_{0};
};

}  // namespace alder::clock

#endif  // ALDER_CLOCK_HLC_H_
