// The cluster's membership as every node agrees on it (DESIGN.md section
// 14): which nodes are members, in what state, and whether a ring change is
// under way. Each change makes a new state with a higher version; nodes keep
// the highest version they have seen (server/cluster/cluster_map.h) and
// persist it in their metadata, so `peers` is read only when a cluster is
// first created.
//
// A change moves partitions from the ring of the normal and leaving members
// (the old ring) to the ring of the normal and joining members (the new
// ring), in phases (server/cluster/cluster_view.h says what each means for
// reads and writes):
//   kNone       no change: the two rings are the same;
//   kStreaming  writes go to both rings; reads to the old one while the
//               nodes that gain partitions stream them;
//   kSwitching  writes still go to both rings; reads to the new one.
// After kSwitching, joiners become normal and leavers left, and the phase
// is kNone again.
//
// Plain values; copyable.
#ifndef ALDER_SERVER_CLUSTER_CLUSTER_STATE_H_
#define ALDER_SERVER_CLUSTER_CLUSTER_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace alder {

// The numbers are those of the internode and client Thrift enums.
enum class MemberState { kJoining = 1, kNormal = 2, kLeaving = 3, kLeft = 4, kRemoved = 5 };
enum class ChangePhase { kNone = 0, kStreaming = 1, kSwitching = 2 };

// "joining", "normal", "leaving", "left" or "removed", as status shows it.
const char* MemberStateName(MemberState state);

struct Member {
  uint32_t node_id = 0;
  std::string internode_address;  // host:port
  MemberState state = MemberState::kNormal;

  bool operator==(const Member&) const = default;
};

struct ClusterState {
  // 1 for the state a cluster is created with; each change adds one.
  int64_t version = 0;
  std::string cluster_name;
  uint32_t partitions = 0;
  uint32_t replication_factor = 0;
  std::vector<Member> members;  // sorted by node_id, each id once
  ChangePhase phase = ChangePhase::kNone;

  bool operator==(const ClusterState&) const = default;

  // The member with `node_id`, or null.
  const Member* Find(uint32_t node_id) const;
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_CLUSTER_STATE_H_
