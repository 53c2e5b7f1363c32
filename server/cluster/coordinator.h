// The coordinator: the write and read path a client request takes through
// the node it reached (DESIGN.md section 5). Any node coordinates any key.
//
// Writes: the replicas are the key's preference list in the cluster view
// (server/cluster/cluster_view.h), read once per request; during a ring
// change, the old and the new list, and the level must hold in each (an
// AckTally, server/cluster/ack_tally.h). If fewer of them are up than the
// consistency level needs, the answer is Unavailable at once, without
// waiting on nodes known to be down; so it is while this node's clock is
// fenced (server/membership.h). Otherwise the
// write is stamped once with this node's HLC and sent to every replica in
// parallel (this node's own replica is written directly, no network); the
// answer comes when the level's acks arrived, or TimedOut after
// request_timeout (the write may still land). A replica that is down, fails
// or times out gets the write as a hint (server/hint_store.h), replayed when
// it is back, unless hints are disabled (hint_window 0).
//
// Reads ask as many live replicas of the view's read set as the level needs
// (this node first, then the preference order), asking the next live
// replica when one fails or has not answered after a tenth of
// request_timeout (speculative retry), and
// return the greatest version; tombstones and expired records read as
// NotFound. Replicas that answered with an older version, or nothing, are
// repaired in the background with the winner (read repair), at most
// max_pending_repairs at once: beyond that a repair is dropped (and
// counted), left to anti-entropy.
//
// Thread-safe. The request's own thread sends to the replicas, does this
// node's part, and collects the replies it needs (a ReplicaRound of the
// transport, server/cluster/transport.h). Replies not needed for the answer
// are finished by the transport, read repairs on a TaskExecutor. The
// destructor waits for both.
#ifndef ALDER_SERVER_CLUSTER_COORDINATOR_H_
#define ALDER_SERVER_CLUSTER_COORDINATOR_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "clock/hlc.h"
#include "server/cluster/cluster_map.h"
#include "server/cluster/consistency.h"
#include "server/cluster/membership.h"
#include "server/cluster/replicas.h"
#include "server/cluster/transport.h"
#include "server/common/bounded_task_pool.h"
#include "server/common/in_flight_count.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/common/task_executor.h"
#include "server/storage/hint_store.h"

namespace alder {

struct WriteOptions {
  std::optional<std::chrono::milliseconds> ttl;  // none: never expires
  Consistency consistency = Consistency::kQuorum;
};

struct CoordinatorOptions {
  // No default here: alderd sets these two from NodeConfig (server/config.h).
  std::chrono::milliseconds request_timeout{};
  std::chrono::milliseconds hint_window{};  // 0: no hints
  size_t repair_threads = 4;                // read repairs in flight at once
  // True while this node syncs after a long absence: it coordinates no
  // reads then (its own replica may be stale beyond what hints cover).
  const std::atomic<bool>* syncing = nullptr;
  // Read repairs queued or running at most; more are dropped. Each holds a
  // copy of its record, so the bound is on memory too.
  size_t max_pending_repairs = 1024;
  // Where read repairs run; null: a BoundedTaskPool of the coordinator's own
  // (repair_threads, max_pending_repairs).
  TaskExecutor* repair_executor = nullptr;
};

struct CoordinatorStats {
  uint64_t puts = 0, removes = 0, gets = 0, get_misses = 0, failures = 0;
  uint64_t hints_stored = 0, read_repairs = 0, speculative_reads = 0;
  uint64_t read_repairs_dropped = 0;  // over max_pending_repairs; not in read_repairs
};

class AckTally;

class Coordinator {
 public:
  // All pointers must outlive the coordinator.
  Coordinator(const ClusterMap* map, clock::HybridLogicalClock* clock, Replicas* replicas,
              Membership* membership, HintStore* hints, CoordinatorOptions options);
  ~Coordinator();  // waits for the read repairs and the replies handed off
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Stores `value` under `key` with a new version, which it returns.
  // REQUIRES: key, value and ttl already validated (server/request_limits.h).
  Result<Version> Put(std::string_view key, std::string value, const WriteOptions& options);

  // Writes a tombstone with a new version, which it returns. Removing an
  // absent key is not an error: the tombstone still orders later writes.
  Result<Version> Remove(std::string_view key, const WriteOptions& options);

  // The live record for `key`, or NotFound (absent, deleted or expired).
  Result<Record> Get(std::string_view key, Consistency consistency);

  CoordinatorStats stats() const;

 private:
  // One request's calls to its replicas, and what came back.
  class WriteRound;
  class ReadRound;
  // A replica's answer to a read: its record, or nothing held.
  using Answer = std::pair<uint32_t, std::optional<Record>>;

  Result<Version> Write(std::string_view key, Record record, Consistency consistency);
  // The fewest replicas up in any of the write's sets, or Unavailable when
  // a set has fewer up than the level needs.
  Result<uint32_t> UpInEachSet(const AckTally& tally, Consistency level);
  // The live replicas of `replicas` a read may ask, this node first.
  std::vector<uint32_t> ReadCandidates(const std::vector<uint32_t>& replicas, uint32_t required);
  // The read's answer from the replicas' `answers`: the newest record, or
  // NotFound; replicas that answered with less are repaired.
  Result<Record> Newest(const std::string& key, const std::vector<Answer>& answers);
  // Counts a failed request; returns `status`.
  Status Failed(Status status);
  // After a replica write failed: marks an unreachable node down, and keeps
  // the write as a hint unless the replica refused it.
  void AfterFailedReplicaWrite(uint32_t node, const std::string& key, const Record& record,
                               const Status& status);
  // Keeps `record` for `node` to replay later (unless hints are disabled).
  void StoreHint(uint32_t node, const std::string& key, const Record& record);
  void ReadRepair(const std::string& key, const Record& winner, const std::vector<Answer>& answers);
  // How many of `replicas` are up; when fewer than `required`, first tries
  // those marked down (Membership::ConfirmUp).
  uint32_t AliveCount(const std::vector<uint32_t>& replicas, uint32_t required);

  const ClusterMap* const map_;
  clock::HybridLogicalClock* const clock_;
  Replicas* const replicas_;
  Membership* const membership_;
  HintStore* const hints_;
  const CoordinatorOptions options_;
  PeerTransport* const transport_;
  // Replies handed off to the transport, whose finishers use this object.
  InFlightCount late_replies_;
  std::unique_ptr<BoundedTaskPool> own_repairs_;  // unless options name an executor
  TaskExecutor* const repairs_;

  std::atomic<uint64_t> puts_{0}, removes_{0}, gets_{0}, get_misses_{0}, failures_{0};
  std::atomic<uint64_t> hints_stored_{0}, read_repairs_{0}, speculative_reads_{0};
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_COORDINATOR_H_
