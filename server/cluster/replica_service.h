// ReplicaService: the receiving side of the replica calls (write, read,
// heartbeat, hint delivery), on plain values, whatever transport brought
// them (server/rpc/internode_handler.h for Thrift; the simulation's network).
//
// Every message is checked before it touches storage: the sender must be one
// of our peers, of our cluster (cluster_name and partition count); its HLC,
// and every record's version, must not be more than max_clock_offset ahead of
// our clock (the cluster's time, clock/cluster_clock.h; they are merged into
// our clock, the HLC receive rule), so no replica stores a stamp more than
// max_clock_offset ahead of the clocks of a majority of the cluster;
// and our own heartbeats must not have measured its clock out of step.
// Heartbeats skip the clock checks, so that a node whose clock is off can
// still learn so. A check that fails is a refusal (Status::RefusedFor),
// logged at most once a second.
//
// Thread-safe.
#ifndef ALDER_SERVER_CLUSTER_REPLICA_SERVICE_H_
#define ALDER_SERVER_CLUSTER_REPLICA_SERVICE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "clock/hlc.h"
#include "server/cluster/membership.h"
#include "server/cluster/messages.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/storage/hint_store.h"
#include "server/storage/storage.h"

namespace alder {

class ReplicaService {
 public:
  // `peer_ids` lists every other node. Pointers must outlive the service.
  // `local_clock` is this node's own wall clock, uncorrected: heartbeats
  // answer with it, so that peers measure this node's clock as it is.
  // `syncing` (may be null) is true while this node, back after a long
  // absence, must not serve its data to others (reads are refused with
  // kSyncing).
  // `gc_grace` is tombstone GC's: hints older than it are dropped.
  ReplicaService(ClusterIdentity self, std::set<uint32_t> peer_ids,
                 clock::HybridLogicalClock* clock, const clock::PhysicalClock* local_clock,
                 Membership* membership, Storage* storage, std::chrono::milliseconds gc_grace,
                 const std::atomic<bool>* syncing);

  // Stores `record` (LWW merge); durable when it returns OK.
  Status Write(const MessageHeader& sender, std::string_view key, const Record& record);
  Result<std::optional<Record>> Read(const MessageHeader& sender, std::string_view key);
  Result<HeartbeatAnswer> Heartbeat(const MessageHeader& sender);
  // Applies every hint, then makes them durable at once (one log flush).
  // A hint whose version is older than gc_grace by this node's clock (the
  // cluster's time, which its GC purges by) is dropped, not applied: its
  // key may have been deleted since and the tombstone purged here, and the
  // old value would come back (simulation seed 3538: the sender's clock ran
  // 2.3 s behind, so by its own reckoning the hint was still within
  // hint_window). If the write still stands, anti-entropy brings it.
  Status DeliverHints(const MessageHeader& sender, const std::vector<Hint>& hints);

  // The checks, for the other services of this node (anti-entropy's):
  // CheckIdentity, then the clock checks; merges the sender's HLC.
  Status CheckSender(const MessageHeader& sender);
  // Refused with kSyncing while this node syncs.
  Status RefuseWhileSyncing(const MessageHeader& sender);
  // Checks `record`'s stamp and merges it into storage: durable on return
  // when `wait_durable`, else once Storage::WaitDurable() returns.
  Status Apply(const MessageHeader& sender, std::string_view key, const Record& record,
               bool wait_durable);
  // A refusal, logged (rate-limited).
  Status Refuse(const MessageHeader& sender, Status::Refusal reason, const std::string& message);

  const ClusterIdentity& identity() const { return self_; }
  Storage* storage() const { return storage_; }
  // Hinted writes applied since start.
  uint64_t hints_received() const { return hints_received_.load(); }
  // Hints dropped as older than gc_grace since start.
  uint64_t stale_hints_dropped() const { return stale_hints_dropped_.load(); }

 private:
  // OK if the sender is a peer of our cluster (then it is up: HeardFrom).
  Status CheckIdentity(const MessageHeader& sender);
  // Merges a version into our clock; refused if too far ahead.
  Status CheckStamp(const MessageHeader& sender, uint64_t packed_hlc);

  const ClusterIdentity self_;
  const std::set<uint32_t> peer_ids_;
  clock::HybridLogicalClock* const clock_;
  const clock::PhysicalClock* const local_clock_;
  Membership* const membership_;
  Storage* const storage_;
  const uint64_t gc_grace_ms_;
  const std::atomic<bool>* const syncing_;

  std::atomic<uint64_t> hints_received_{0};
  std::atomic<uint64_t> stale_hints_dropped_{0};
  std::atomic<int64_t> last_refusal_log_ms_{0};
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_REPLICA_SERVICE_H_
