// The scraped half of a node's metrics (server/metrics.h): the figures its
// parts keep, under the names DESIGN.md section 15 fixes, and a few more.
// Request counts and latencies are registered by the handlers themselves.
#ifndef ALDER_SERVER_NODE_METRICS_H_
#define ALDER_SERVER_NODE_METRICS_H_

#include <cstdint>
#include <vector>

#include "antientropy/repair_scheduler.h"
#include "antientropy/tombstone_gc.h"
#include "clock/cluster_clock.h"
#include "clock/hlc.h"
#include "server/cluster/coordinator.h"
#include "server/cluster/hint_deliverer.h"
#include "server/cluster/membership.h"
#include "server/cluster/replica_service.h"
#include "server/common/metrics.h"
#include "server/rpc/thrift_server.h"
#include "server/storage/hint_store.h"
#include "server/storage/storage.h"

namespace alder {

// What the metrics read; every pointer must outlive the Metrics' last
// Collect(). `scheduler` is null when this node exchanges with nobody.
struct NodeParts {
  const Membership* membership = nullptr;
  const clock::HybridLogicalClock* clock = nullptr;
  const clock::ClusterClock* cluster_clock = nullptr;
  const Coordinator* coordinator = nullptr;
  const HintStore* hints = nullptr;
  const HintDeliverer* deliverer = nullptr;
  const Storage* storage = nullptr;
  const ReplicaService* replica_service = nullptr;
  const RepairScheduler* scheduler = nullptr;
  const TombstoneCollector* gc = nullptr;
  const ThriftServer* api = nullptr;
  std::vector<uint32_t> peer_ids;
  uint64_t started_ms = 0;  // on cluster_clock: exchanges never done count from here
};

void AddNodeMetrics(Metrics* metrics, const NodeParts& parts);

}  // namespace alder

#endif  // ALDER_SERVER_NODE_METRICS_H_
