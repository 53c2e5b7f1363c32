// One Alder node in alderd: its parts, built from a NodeConfig in the order
// they depend on each other, started, and stopped again in order. alderd
// (server/main.cc) opens the node's storage, then builds and runs a Node on
// it until SIGTERM or SIGINT.
#ifndef ALDER_SERVER_NODE_H_
#define ALDER_SERVER_NODE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "Alder.h"
#include "antientropy/absence_tracker.h"
#include "antientropy/exchange_service.h"
#include "antientropy/rate_limiter.h"
#include "antientropy/repair_scheduler.h"
#include "antientropy/tombstone_gc.h"
#include "antientropy/tree_exchange.h"
#include "antientropy/tree_set.h"
#include "clock/cluster_clock.h"
#include "clock/hlc.h"
#include "server/cluster/cluster_map.h"
#include "server/cluster/coordinator.h"
#include "server/cluster/hint_deliverer.h"
#include "server/cluster/membership.h"
#include "server/cluster/replica_service.h"
#include "server/cluster/replicas.h"
#include "server/common/metrics.h"
#include "server/config.h"
#include "server/metrics_endpoint.h"
#include "server/node_tls.h"
#include "server/rpc/admin_api.h"
#include "server/rpc/internode_handler.h"
#include "server/rpc/thrift_server.h"
#include "server/rpc/thrift_transport.h"
#include "server/storage/data_dir_lock.h"
#include "server/storage/node_metadata.h"
#include "server/storage/wt_hint_store.h"
#include "server/storage/wt_storage.h"

namespace alder {

// Every part of the node keeps time by the cluster's clock: this machine's
// wall clock held to the median of the cluster's (clock/cluster_clock.h).
struct Clocks {
  clock::SystemClock wall;
  clock::SteadyClock steady;
  clock::ClusterClock cluster{&wall, &steady};
};

// The data directory, locked for this process, and the storage in it. The
// storage is declared last so that it closes before the lock is released.
struct NodeStorage {
  std::unique_ptr<DataDirLock> lock;
  std::unique_ptr<WtStorage> storage;
};

// Locks the data directory, opens its storage and checks that it belongs to
// this node of this cluster (or records that it does, on a first start).
// Returns why it could not, or "" when `out` holds both.
std::string OpenNodeStorage(const NodeConfig& config, const clock::PhysicalClock* clock,
                            NodeStorage* out);

// The cluster map of the cluster `config.peers` found: every peer normal,
// version 1. Returns InvalidArgument when the peers cannot form a ring.
Result<std::unique_ptr<ClusterMap>> FoundingClusterMap(const NodeConfig& config);

// The node's parts, declared in the order they are built so that each is
// destroyed before the parts it uses. Call the steps below once each, in
// order; those returning a string return why the node cannot start, or ""
// when it can go on. Not thread-safe; the parts are.
class Node {
 public:
  // `config`, `clocks` and `storage` must outlive the node.
  Node(const NodeConfig& config, Clocks* clocks, WtStorage* storage);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // The parts that keep state in this node's storage: hints, the ring, the
  // Merkle trees, and how long this node was away.
  std::string OpenLocalParts();
  // Replication, anti-entropy, tombstone GC and the client API, not started.
  void BuildClusterParts();
  // Joins the cluster (internode server, heartbeats) and starts every loop.
  std::string StartBackgroundLoops();
  // Serves metrics and clients.
  std::string Serve();
  // Reads the TLS certificates and keys again (SIGHUP); new connections use
  // them. A failure is logged and changes nothing. Thread-safe.
  Status ReloadTls();
  // Stops serving and every loop, in order, and logs what was served.
  void Shutdown();

 private:
  std::string BuildTrees();
  std::string CheckTimeAway();
  void BuildReplication();
  void BuildAntiEntropy();
  void BuildClientApi();
  api::ClusterStatus DescribeNode() const;
  void LogServing() const;
  void LogServed() const;

  const NodeConfig& config_;
  Clocks& clocks_;
  WtStorage* const storage_;

  std::unique_ptr<NodeTls> tls_;  // built first: both ports and every peer connection use it
  StorageCeilingStore ceiling_;
  clock::HybridLogicalClock hlc_;
  std::unique_ptr<HintStore> hints_;
  std::unique_ptr<ClusterMap> cluster_map_;
  std::unique_ptr<TreeSet> trees_;
  AbsenceTracker absence_;
  // True while this node syncs after an absence longer than gc_grace.
  std::atomic<bool> syncing_{false};

  // One registry every part reports into (server/metrics.h).
  Metrics metrics_;
  uint64_t started_ms_ = 0;        // on clocks_.cluster
  std::set<uint32_t> peer_ids_;    // the other nodes
  std::vector<uint32_t> targets_;  // the same, for hint delivery
  std::unique_ptr<ThriftTransport> transport_;
  std::unique_ptr<Replicas> replicas_;
  std::unique_ptr<Membership> membership_;
  std::unique_ptr<ReplicaService> replica_service_;
  std::unique_ptr<ExchangeService> exchange_service_;
  std::shared_ptr<InternodeHandler> internode_handler_;
  std::unique_ptr<ThriftServer> internode_;
  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<HintDeliverer> deliverer_;
  std::unique_ptr<RateLimiter> repair_limiter_;
  std::unique_ptr<TreeExchange> exchange_;
  std::unique_ptr<RepairScheduler> scheduler_;
  std::unique_ptr<AntiEntropyAdmin> admin_;
  std::unique_ptr<ExchangeGuard> guard_;
  std::unique_ptr<TombstoneCollector> gc_;
  std::unique_ptr<ThriftServer> api_;
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;
};

}  // namespace alder

#endif  // ALDER_SERVER_NODE_H_
