// Tombstone garbage collection (DESIGN.md section 3).
//
// Deleted and expired records are kept for the GC grace period so that every
// replica learns of the delete before the evidence is gone; only then may
// they be purged. Purging too early resurrects data: a replica that missed
// the delete would repair the old value back. So a record is purged only when
//   1. it is purgeable: dead for at least gc_grace (Record::IsPurgeableAt), and
//   2. the PurgeGuard confirms every other replica of its partition holds it.
// The second condition is the seam for anti-entropy, which knows when each
// replica last completed an exchange. A one-node cluster has no other replica.
//
// The collector scans the data table in batches on its own thread, purging
// with PurgeIfUnchanged so that a write racing the purge always survives.
#ifndef ALDER_ANTIENTROPY_TOMBSTONE_GC_H_
#define ALDER_ANTIENTROPY_TOMBSTONE_GC_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "clock/background_runner.h"
#include "clock/physical_clock.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/common/thread_annotations.h"
#include "server/storage/storage.h"

namespace alder {

// Decides condition 2 above. Thread-safe implementations required.
class PurgeGuard {
 public:
  virtual ~PurgeGuard() = default;
  // True when every other replica of `key` is known to hold `stored` (or a
  // newer version).
  virtual bool ReplicasHold(std::string_view key, const StoredRecord& stored) = 0;
};

// For a node that is the only replica of every key.
class SoleReplicaGuard final : public PurgeGuard {
 public:
  bool ReplicasHold(std::string_view, const StoredRecord&) override { return true; }
};

struct TombstoneGcOptions {
  // No default here: alderd sets these two from NodeConfig (server/config.h).
  std::chrono::milliseconds gc_grace{};
  std::chrono::milliseconds interval{};  // between passes
  size_t batch = 1000;                   // records read per scan step
};

struct GcPassStats {
  uint64_t scanned = 0;    // records read
  uint64_t purgeable = 0;  // dead longer than gc_grace
  uint64_t held_back = 0;  // purgeable but a replica is not known to hold it
  uint64_t purged = 0;     // removed (a record rewritten meanwhile is not)
};

class TombstoneCollector {
 public:
  // All pointers must outlive the collector. Passes run on `runner`.
  TombstoneCollector(Storage* storage, const clock::PhysicalClock* clock, PurgeGuard* guard,
                     TombstoneGcOptions options,
                     clock::BackgroundRunner* runner = clock::RealTimeRunner());
  ~TombstoneCollector();  // Stop()s
  TombstoneCollector(const TombstoneCollector&) = delete;
  TombstoneCollector& operator=(const TombstoneCollector&) = delete;

  // One full pass over the data table, now. Not to be run concurrently with
  // itself (the background task is the only caller in alderd).
  Result<GcPassStats> RunOnce();

  // Runs a pass every `interval` in the background until Stop().
  void Start();
  void Stop();

  // Totals over all passes, for operators.
  GcPassStats totals() const;
  uint64_t passes() const { return passes_.load(); }

 private:
  void LogPass(const Result<GcPassStats>& pass);

  Storage* const storage_;
  const clock::PhysicalClock* const clock_;
  PurgeGuard* const guard_;
  const TombstoneGcOptions options_;
  clock::BackgroundRunner* const runner_;
  Mutex task_mu_;  // Start and Stop from any thread
  std::unique_ptr<clock::BackgroundTask> task_ GUARDED_BY(task_mu_);

  std::atomic<uint64_t> passes_{0};
  std::atomic<uint64_t> scanned_{0}, purgeable_{0}, held_back_{0}, purged_{0};
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_TOMBSTONE_GC_H_
