// The receiving side of the internode protocol (thrift/internode.thrift):
// replica writes and reads, heartbeats and hint delivery from other nodes.
//
// Every message is checked before it touches storage: the sender must be one
// of our peers, of our cluster (cluster_name and partition count); its HLC,
// and every record's version, must not be more than max_clock_offset ahead of
// our clock (the cluster's time, clock/cluster_clock.h; they are merged into
// our clock, the HLC receive rule), so no replica stores a stamp more than
// max_clock_offset ahead of the clocks of a majority of the cluster;
// and our own heartbeats must not have measured its clock out of step.
// Heartbeats skip the clock checks, so that a node whose clock is off can
// still learn so. Refusals are counted and logged (rate-limited). Every
// call is counted and timed in alder_replica_requests_total and
// alder_replica_request_duration_seconds (server/request_metrics.h).
//
// Thread-safe: one handler serves every internode connection.
#ifndef ALDER_SERVER_RPC_INTERNODE_HANDLER_H_
#define ALDER_SERVER_RPC_INTERNODE_HANDLER_H_

#include <atomic>
#include <cstdint>
#include <set>
#include <string>

#include "Internode.h"
#include "antientropy/tree_set.h"
#include "clock/hlc.h"
#include "server/cluster/membership.h"
#include "server/common/metrics.h"
#include "server/common/request_metrics.h"
#include "server/storage/storage.h"

namespace alder {

struct ClusterIdentity {
  uint32_t node_id = 0;
  std::string cluster_name;
  uint32_t partitions = 0;
  std::string client_address;  // host:port of this node's client API, told to peers
};

class InternodeHandler final : public internode::InternodeIf {
 public:
  // `peer_ids` lists every other node. Pointers must outlive the handler.
  // `local_clock` is this node's own wall clock, uncorrected: heartbeats
  // answer with it, so that peers measure this node's clock as it is.
  // `syncing` (may be null) is true while this node, back after a long
  // absence, must not serve its data to others (anti-entropy reads and
  // replica reads are refused with SYNCING).
  InternodeHandler(ClusterIdentity self, std::set<uint32_t> peer_ids,
                   clock::HybridLogicalClock* clock, const clock::PhysicalClock* local_clock,
                   Membership* membership, Storage* storage, const TreeSet* trees,
                   const std::atomic<bool>* syncing, Metrics* metrics);

  void write(const internode::Sender& sender, const std::string& key,
             const internode::WireRecord& record) override;
  void read(internode::ReadReply& reply, const internode::Sender& sender,
            const std::string& key) override;
  void heartbeat(internode::HeartbeatReply& reply, const internode::Sender& sender) override;
  void deliverHints(const internode::Sender& sender,
                    const std::vector<internode::HintedWrite>& hints) override;
  void treeNodes(std::vector<std::string>& hashes, const internode::Sender& sender,
                 const internode::TreeShape& shape, int32_t partition, int32_t level,
                 const std::vector<int32_t>& indexes) override;
  void leafKeys(std::vector<internode::KeyDigest>& keys, const internode::Sender& sender,
                const internode::TreeShape& shape, int32_t partition,
                const std::vector<int32_t>& leaves) override;
  void fetchRecords(std::vector<internode::KeyedRecord>& records, const internode::Sender& sender,
                    const std::vector<std::string>& keys) override;
  void pushRecords(const internode::Sender& sender,
                   const std::vector<internode::KeyedRecord>& records) override;

  // Hinted writes applied since start.
  uint64_t hints_received() const;

 private:
  // Throws Refused unless the sender is a peer of our cluster.
  void CheckIdentity(const internode::Sender& sender);
  // CheckIdentity, then the clock checks; merges the sender's HLC.
  void CheckSender(const internode::Sender& sender);
  // Merges a record's version into our clock; throws Refused if too far ahead.
  void CheckStamp(const internode::Sender& sender, int64_t packed_hlc);
  [[noreturn]] void Refuse(const internode::Sender& sender, internode::RefusalReason::type reason,
                           const std::string& message);
  // Merges one record; durable on return when `wait_durable`, else once
  // the caller's Storage::WaitDurable() returns.
  void Apply(const internode::Sender& sender, const std::string& key,
             const internode::WireRecord& wire, bool wait_durable);
  // Throws Refused unless this node holds `partition`'s tree in `shape`.
  void CheckTree(const internode::Sender& sender, const internode::TreeShape& shape,
                 int32_t partition);
  void RefuseWhileSyncing(const internode::Sender& sender);

  const ClusterIdentity self_;
  const std::set<uint32_t> peer_ids_;
  clock::HybridLogicalClock* const clock_;
  const clock::PhysicalClock* const local_clock_;
  Membership* const membership_;
  Storage* const storage_;
  const TreeSet* const trees_;
  const std::atomic<bool>* const syncing_;

  std::atomic<uint64_t> hints_received_{0};
  std::atomic<int64_t> last_refusal_log_ms_{0};
  RequestMetrics requests_;
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_INTERNODE_HANDLER_H_
