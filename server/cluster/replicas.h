// Replicas: the one way the coordinator and hint delivery reach a replica,
// whether it is this node (storage, no network) or another node (pooled
// internode connections). Every message sent carries this node's Sender
// header: its id, its HLC (a new timestamp: a send event) and its cluster
// identity.
//
// Thread-safe.
#ifndef ALDER_SERVER_CLUSTER_REPLICAS_H_
#define ALDER_SERVER_CLUSTER_REPLICAS_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "Internode.h"
#include "clock/hlc.h"
#include "server/config.h"
#include "server/storage/hint_store.h"
#include "server/rpc/internode_handler.h"
#include "server/rpc/peer_connections.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/storage/storage.h"

namespace alder {

class Replicas {
 public:
  // `peers` is every node of the cluster, this one included. The clocks and
  // `storage` must outlive Replicas; `local_clock` is this node's own wall
  // clock, uncorrected, which each message carries for the receiver to judge.
  Replicas(ClusterIdentity self, const std::vector<Peer>& peers, PeerConnectionOptions options,
           clock::HybridLogicalClock* clock, const clock::PhysicalClock* local_clock,
           Storage* storage);

  uint32_t self_id() const { return self_.node_id; }
  const ClusterIdentity& identity() const { return self_; }

  // The header of a message sent now.
  internode::Sender MakeSender();

  // Connections for heartbeats to the other nodes, by node id (for
  // Membership): separate from the data path, so that a peer busy with
  // writes still answers heartbeats on time.
  std::map<uint32_t, PeerConnections*> HeartbeatConnectionsById() const;

  // Stores `record` on `node` (LWW merge), durably. Errors as
  // PeerConnections::Call, or the local storage error.
  Status Write(uint32_t node, std::string_view key, const Record& record);

  // What `node` holds for `key` (tombstones and expired records included).
  Result<std::optional<Record>> Read(uint32_t node, std::string_view key);

  // Split-phase calls to another node (REQUIRES: node is not this one): the
  // request goes out now, the reply is taken later with the Finish method,
  // so that a coordinator can work on its own replica meanwhile and collect
  // replies as they arrive (PendingCall::fd()).
  Result<std::unique_ptr<PendingCall>> StartWrite(uint32_t node, std::string_view key,
                                                  const Record& record);
  static Status FinishWrite(PendingCall& call);
  Result<std::unique_ptr<PendingCall>> StartRead(uint32_t node, std::string_view key);
  static Result<std::optional<Record>> FinishRead(uint32_t node, PendingCall& call);

  // Runs `call` on a pooled connection to `node` with a fresh Sender header.
  // REQUIRES: node is not this one. Errors as PeerConnections::Call.
  Status CallPeer(
      uint32_t node,
      const std::function<void(internode::InternodeClient&, const internode::Sender&)>& call);

  // Replays `hints` on their target, in order. REQUIRES: node is not this one.
  Status DeliverHints(uint32_t node, const std::vector<Hint>& hints);

 private:
  const ClusterIdentity self_;
  clock::HybridLogicalClock* const clock_;
  const clock::PhysicalClock* const local_clock_;
  Storage* const storage_;
  std::map<uint32_t, std::unique_ptr<PeerConnections>> peers_;  // other nodes only
  std::map<uint32_t, std::unique_ptr<PeerConnections>> heartbeat_peers_;
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_REPLICAS_H_
