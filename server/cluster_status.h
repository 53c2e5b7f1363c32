// What `alder status` shows: the cluster as this node sees it, built from
// the ring, membership, hints and the clock.
#ifndef ALDER_SERVER_CLUSTER_STATUS_H_
#define ALDER_SERVER_CLUSTER_STATUS_H_

#include "Alder.h"
#include "clock/hlc.h"
#include "server/config.h"
#include "server/hint_store.h"
#include "server/membership.h"
#include "server/ring.h"

namespace alder {

api::ClusterStatus DescribeCluster(const NodeConfig& config, const Ring& ring,
                                   const Membership& membership, const HintStore& hints,
                                   const clock::HybridLogicalClock& clock);

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_STATUS_H_
