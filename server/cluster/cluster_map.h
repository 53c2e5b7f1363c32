// The cluster state this node holds now (server/cluster/cluster_state.h),
// as a view (server/cluster/cluster_view.h) every request reads once and
// keeps for its whole life: a change that lands mid-request does not mix
// two placements in one answer.
//
// A state is adopted only with a version higher than the current one, and
// only after it is persisted (the `persist` callback, the node's metadata):
// a node that restarts holds at least every version it acted on.
//
// Thread-safe. Listeners run on the thread that adopted the state, after it
// is current, with no lock held; they must not call Adopt.
#ifndef ALDER_SERVER_CLUSTER_CLUSTER_MAP_H_
#define ALDER_SERVER_CLUSTER_CLUSTER_MAP_H_

#include <functional>
#include <memory>
#include <vector>

#include "server/cluster/cluster_view.h"
#include "server/common/status.h"
#include "server/common/thread_annotations.h"

namespace alder {

class ClusterMap {
 public:
  using Persist = std::function<Status(const ClusterState&)>;
  using Listener = std::function<void(const ClusterView&)>;

  // REQUIRES: initial is not null. A null `persist` persists nothing (tests,
  // the simulation).
  ClusterMap(std::shared_ptr<const ClusterView> initial, Persist persist);
  ClusterMap(const ClusterMap&) = delete;
  ClusterMap& operator=(const ClusterMap&) = delete;

  // The current view; never null.
  std::shared_ptr<const ClusterView> Current() const EXCLUDES(mu_);

  // Makes `state` current if its version is higher than the current one's.
  // Returns true when it did, false when the state is not newer (nothing
  // changes); InvalidArgument for a state that is not a valid view or is of
  // another cluster (name, partitions or replication factor differ), and the
  // persist callback's error when it fails: the state is then not adopted.
  Result<bool> AdoptIfNewer(ClusterState state) EXCLUDES(mu_);

  // Calls `listener` after each adoption, from then on.
  void OnChange(Listener listener) EXCLUDES(mu_);

 private:
  const Persist persist_;
  // Adoptions one at a time, so that persisted versions only grow.
  Mutex adopt_mu_;
  mutable Mutex mu_;
  std::shared_ptr<const ClusterView> current_ GUARDED_BY(mu_);
  std::vector<Listener> listeners_ GUARDED_BY(mu_);
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_CLUSTER_MAP_H_
