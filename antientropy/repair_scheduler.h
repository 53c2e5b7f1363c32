// Runs anti-entropy: every anti_entropy_interval, an exchange of each
// partition this node replicates with each of its other replicas that is up
// (server/membership.h), one at a time; and on demand (alder repair). The
// replicas are those of the cluster view (server/cluster/cluster_view.h)
// when the exchange starts: during a ring change, of both rings.
//
// It remembers, per partition and peer, when the last successful two-way exchange
// started. That is what tombstone GC asks (ExchangeGuard below): a record
// may be purged only once an exchange with every other replica started after
// the record was stored here, so that every replica is known to hold it.
//
// A node back after more than gc_grace away starts `syncing`: its exchanges
// only pull, and it serves no data to others (server/internode_handler.h),
// until it has exchanged every partition with every other replica; then it
// is a normal replica again. Its old records cannot replace newer ones
// anyway (LWW), but nothing it holds is spread before it has seen what the
// others hold. A peer that refuses because it is syncing too counts as
// synced with: it holds nothing newer than what it had before its absence,
// and waiting for it would deadlock two nodes that came back together, each
// waiting for the other (simulation seeds 400 and 888).
//
// Only two-way exchanges count for GC: a pull while syncing sends nothing,
// so it does not show that the peer holds this node's records (seed 482: a
// node purged a tombstone that only it held, after pulls alone, and its
// peers then sent the value the tombstone had deleted back to it).
//
// Thread-safe.
#ifndef ALDER_ANTIENTROPY_REPAIR_SCHEDULER_H_
#define ALDER_ANTIENTROPY_REPAIR_SCHEDULER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "antientropy/tombstone_gc.h"
#include "antientropy/tree_exchange.h"
#include "server/cluster/cluster_map.h"
#include "server/cluster/membership.h"
#include "server/common/thread_annotations.h"

namespace alder {

struct RepairTotals {
  uint32_t partitions = 0;
  uint32_t exchanges = 0;
  uint32_t failed_exchanges = 0;
  ExchangeCounters counters;
  std::string first_error;
  std::chrono::milliseconds elapsed{0};
};

// Every exchange this node started since it started (background rounds
// and `alder repair`), for the metrics.
struct ExchangeTotals {
  uint64_t succeeded = 0, failed = 0;
  uint64_t records_sent = 0, bytes_sent = 0;  // both directions
};

class RepairScheduler {
 public:
  // Pointers must outlive the scheduler. `syncing` may be null.
  RepairScheduler(uint32_t self_id, const ClusterMap* map, const TreeSet* trees,
                  TreeExchange* exchange, Membership* membership, const clock::PhysicalClock* clock,
                  std::chrono::milliseconds interval, std::atomic<bool>* syncing,
                  clock::BackgroundRunner* runner = clock::RealTimeRunner());
  ~RepairScheduler();  // Stop()s
  RepairScheduler(const RepairScheduler&) = delete;
  RepairScheduler& operator=(const RepairScheduler&) = delete;

  // Runs a round every interval in the background (Start and Stop from one
  // thread, alderd's main).
  void Start();
  void Stop();

  // Exchanges `partition` (every partition this node replicates, if unset)
  // with each of its other replicas now. InvalidArgument if this node does
  // not replicate `partition`.
  Result<RepairTotals> RepairNow(std::optional<uint32_t> partition);

  // When the last successful exchange of (partition, peer) started
  // (physical ms), if there was one since this node started.
  std::optional<uint64_t> LastSuccessStartMs(uint32_t partition, uint32_t peer) const;

  // Every (partition, peer) pair this node exchanges, with its last success.
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::optional<uint64_t>>> Snapshot() const;

  ExchangeTotals totals() const;

 private:
  // The background round: every partition with each other replica, unless
  // `stop` is requested meanwhile.
  void RunRound(std::stop_token stop);
  // A syncing node retries soon; otherwise the next round waits an interval.
  std::chrono::milliseconds NextWait() const;
  std::chrono::milliseconds Since(std::chrono::microseconds start) const;
  // One partition with each other replica; adds to `totals`.
  void ExchangePartition(uint32_t partition, RepairTotals* totals) REQUIRES(run_mu_);
  void CountExchange(bool succeeded, const ExchangeCounters& counters);
  // While syncing: leaves the syncing state once every pair has exchanged.
  void MaybeFinishSync();

  const uint32_t self_id_;
  const ClusterMap* const map_;
  const TreeSet* const trees_;
  TreeExchange* const exchange_;
  Membership* const membership_;
  const clock::PhysicalClock* const clock_;
  const std::chrono::milliseconds interval_;
  std::atomic<bool>* const syncing_;
  clock::BackgroundRunner* const runner_;

  mutable Mutex mu_;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> last_success_ GUARDED_BY(mu_);
  // While syncing: the pairs pulled from, or whose peer is syncing too.
  std::set<std::pair<uint32_t, uint32_t>> synced_with_ GUARDED_BY(mu_);
  ExchangeTotals totals_ GUARDED_BY(mu_);
  Mutex run_mu_;  // one exchange round at a time (background or on demand)
  std::unique_ptr<clock::BackgroundTask> task_;
};

// Tombstone GC's condition 2 (antientropy/tombstone_gc.h) in a cluster: every
// other replica of the key's partition, in the current ring and in the one a
// change is moving to, has exchanged with this node since the record was
// stored here.
class ExchangeGuard final : public PurgeGuard {
 public:
  ExchangeGuard(uint32_t self_id, const ClusterMap* map, const RepairScheduler* scheduler)
      : self_id_(self_id), map_(map), scheduler_(scheduler) {}
  bool ReplicasHold(std::string_view key, const StoredRecord& stored) override;

 private:
  const uint32_t self_id_;
  const ClusterMap* const map_;
  const RepairScheduler* const scheduler_;
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_REPAIR_SCHEDULER_H_
