// What `alder status` shows: the cluster as this node sees it, built from
// the ring, membership and the node's metrics (server/metrics.h), which it
// carries whole; every figure it shows comes from those metrics, so it
// agrees with /metrics.
#ifndef ALDER_SERVER_CLUSTER_STATUS_H_
#define ALDER_SERVER_CLUSTER_STATUS_H_

#include "Alder.h"
#include "server/cluster/membership.h"
#include "server/cluster/ring.h"
#include "server/common/metrics.h"
#include "server/config.h"

namespace alder {

api::ClusterStatus DescribeCluster(const NodeConfig& config, const Ring& ring,
                                   const Membership& membership, const Metrics& metrics);

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_STATUS_H_
