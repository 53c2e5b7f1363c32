// A cluster state (server/cluster/cluster_state.h) read as placement: for
// each partition, which nodes a read asks and which sets a write must reach
// a quorum in (issue 13, "correct while data moves").
//
// Two rings, both by the placement rule of server/cluster/ring.h:
//   old ring  the normal and leaving members: who holds the data now;
//   new ring  the normal and joining members: who will hold it.
// Without a change they are the same ring. During one:
//   - a write goes to the union of the partition's old and new replicas and
//     is acknowledged only when the level holds in each set separately (a
//     QUORUM write during a join is a quorum of the old replicas and a
//     quorum of the new ones), so that whichever ring reads use, before or
//     after the switch, a read quorum meets a write quorum. Cassandra's
//     "pending replica + 1" rule does not give that, and can lose writes;
//   - reads use the old ring while the gaining nodes stream (kStreaming), so
//     a joining node answers no read for a partition it does not hold yet,
//     and a leaving node serves until the new owner holds its data; then
//     the new ring (kSwitching), once every gain is streamed.
//
// Immutable once built, so thread-safe for any number of readers.
#ifndef ALDER_SERVER_CLUSTER_CLUSTER_VIEW_H_
#define ALDER_SERVER_CLUSTER_CLUSTER_VIEW_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "server/cluster/cluster_state.h"
#include "server/cluster/ring.h"
#include "server/common/status.h"

namespace alder {

// The replica sets a write must reach its level in: the old set, and the new
// one while it differs (null otherwise).
struct WriteSets {
  const std::vector<uint32_t>* old_set;
  const std::vector<uint32_t>* new_set;
};

class ClusterView {
 public:
  // Returns InvalidArgument, and builds nothing, unless: members are sorted
  // by id with no id twice; partitions and replication_factor suit
  // Ring::Create for both rings (each needs replication_factor members);
  // phase is kNone exactly when no member is joining or leaving.
  static Result<std::shared_ptr<const ClusterView>> Create(ClusterState state);

  // The state of a cluster just created from `members` (its `peers`):
  // version 1, every member normal, sorted by id.
  static ClusterState Founding(std::vector<Member> members, std::string cluster_name,
                               uint32_t partitions, uint32_t replication_factor);

  const ClusterState& state() const { return state_; }
  int64_t version() const { return state_.version; }
  uint32_t partitions() const { return state_.partitions; }
  uint32_t replication_factor() const { return state_.replication_factor; }
  bool changing() const { return state_.phase != ChangePhase::kNone; }

  uint32_t PartitionOfKey(std::string_view key) const { return old_->PartitionOfKey(key); }

  // The replicas a read of `partition` asks: the old ring's until the
  // switch, the new ring's from it. REQUIRES: partition < partitions().
  const std::vector<uint32_t>& ReadReplicas(uint32_t partition) const;
  WriteSets WritesTo(uint32_t partition) const;
  // Every node of either set, the old set's first, in preference order.
  std::vector<uint32_t> AllReplicas(uint32_t partition) const;

  // The partitions `node_id` is a replica of in either ring, increasing.
  std::vector<uint32_t> PartitionsOf(uint32_t node_id) const;
  // The partitions `node_id` replicates in the new ring and not the old,
  // increasing: what it must stream during this change.
  std::vector<uint32_t> Gains(uint32_t node_id) const;
  // The node that gives `partition` up to `gainer` (old ring, not new), if
  // there is one: gainers and givers of a partition are paired in order of
  // id. Returns 0 when there is none (a node joined, none left).
  uint32_t GiverTo(uint32_t partition, uint32_t gainer) const;

  // Whether `node_id` is joining, normal or leaving: a member whose messages
  // are served.
  bool IsMember(uint32_t node_id) const;

  const Ring& old_ring() const { return *old_; }
  const Ring& new_ring() const { return *new_; }

 private:
  ClusterView(ClusterState state, std::shared_ptr<const Ring> old_ring,
              std::shared_ptr<const Ring> new_ring);

  ClusterState state_;
  std::shared_ptr<const Ring> old_;
  std::shared_ptr<const Ring> new_;  // the same as old_ when no change runs
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_CLUSTER_VIEW_H_
