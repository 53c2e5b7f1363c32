#include "server/cluster/cluster_map.h"

#include <fmt/format.h>

#include <cassert>
#include <utility>

namespace alder {

ClusterMap::ClusterMap(std::shared_ptr<const ClusterView> initial, Persist persist)
    : persist_(std::move(persist)), current_(std::move(initial)) {
  assert(current_);
}

std::shared_ptr<const ClusterView> ClusterMap::Current() const {
  MutexLock lock(&mu_);
  return current_;
}

Result<bool> ClusterMap::AdoptIfNewer(ClusterState state) {
  MutexLock adopting(&adopt_mu_);
  const std::shared_ptr<const ClusterView> current = Current();
  if (state.version <= current->version()) return false;
  const ClusterState& mine = current->state();
  if (state.cluster_name != mine.cluster_name || state.partitions != mine.partitions ||
      state.replication_factor != mine.replication_factor) {
    return Status::InvalidArgument(fmt::format(
        "cluster state version {} is of cluster '{}' with {} partitions and replication factor "
        "{}; this node's is '{}' with {} and {}",
        state.version, state.cluster_name, state.partitions, state.replication_factor,
        mine.cluster_name, mine.partitions, mine.replication_factor));
  }
  auto view = ClusterView::Create(std::move(state));
  if (!view.ok()) return view.status();
  if (persist_) {
    if (Status s = persist_(view.value()->state()); !s.ok()) return s;
  }
  std::vector<Listener> listeners;
  {
    MutexLock lock(&mu_);
    current_ = view.value();
    listeners = listeners_;
  }
  for (const Listener& listener : listeners) listener(*view.value());
  return true;
}

void ClusterMap::OnChange(Listener listener) {
  MutexLock lock(&mu_);
  listeners_.push_back(std::move(listener));
}

}  // namespace alder
