#include "server/cluster/cluster_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace alder {
namespace {

bool Contains(const std::vector<uint32_t>& nodes, uint32_t node) {
  return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
}

// The ids of the members in any of `states`.
std::vector<uint32_t> MembersIn(const ClusterState& state,
                                std::initializer_list<MemberState> states) {
  std::vector<uint32_t> ids;
  for (const Member& m : state.members) {
    if (std::find(states.begin(), states.end(), m.state) != states.end()) ids.push_back(m.node_id);
  }
  return ids;
}

Status CheckMembers(const ClusterState& state) {
  for (size_t i = 1; i < state.members.size(); ++i) {
    if (state.members[i - 1].node_id >= state.members[i].node_id) {
      return Status::InvalidArgument(
          fmt::format("members are not sorted by distinct node id "
                      "(node {} after node {})",
                      state.members[i].node_id, state.members[i - 1].node_id));
    }
  }
  const bool moving = !MembersIn(state, {MemberState::kJoining, MemberState::kLeaving}).empty();
  if (moving != (state.phase != ChangePhase::kNone)) {
    return Status::InvalidArgument(moving ? "members join or leave but no change is under way"
                                          : "a change is under way but no member joins or leaves");
  }
  return Status::Ok();
}

Result<std::shared_ptr<const Ring>> RingOf(const ClusterState& state, std::vector<uint32_t> ids,
                                           const char* which) {
  auto ring = Ring::Create(std::move(ids), state.partitions, state.replication_factor);
  if (!ring.ok()) {
    return Status::InvalidArgument(fmt::format("the {} ring: {}", which, ring.status().message()));
  }
  return std::make_shared<const Ring>(std::move(ring).value());
}

}  // namespace

const char* MemberStateName(MemberState state) {
  switch (state) {
    case MemberState::kJoining:
      return "joining";
    case MemberState::kNormal:
      return "normal";
    case MemberState::kLeaving:
      return "leaving";
    case MemberState::kLeft:
      return "left";
    case MemberState::kRemoved:
      return "removed";
  }
  return "?";
}

const Member* ClusterState::Find(uint32_t node_id) const {
  for (const Member& m : members) {
    if (m.node_id == node_id) return &m;
  }
  return nullptr;
}

Result<std::shared_ptr<const ClusterView>> ClusterView::Create(ClusterState state) {
  if (Status s = CheckMembers(state); !s.ok()) return s;
  auto old_ring =
      RingOf(state, MembersIn(state, {MemberState::kNormal, MemberState::kLeaving}), "old");
  if (!old_ring.ok()) return old_ring.status();
  std::shared_ptr<const Ring> new_ring = old_ring.value();
  if (state.phase != ChangePhase::kNone) {
    auto ring =
        RingOf(state, MembersIn(state, {MemberState::kNormal, MemberState::kJoining}), "new");
    if (!ring.ok()) return ring.status();
    new_ring = std::move(ring).value();
  }
  return std::shared_ptr<const ClusterView>(
      new ClusterView(std::move(state), std::move(old_ring).value(), std::move(new_ring)));
}

ClusterState ClusterView::Founding(std::vector<Member> members, std::string cluster_name,
                                   uint32_t partitions, uint32_t replication_factor) {
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.node_id < b.node_id; });
  for (Member& m : members) m.state = MemberState::kNormal;
  return ClusterState{.version = 1,
                      .cluster_name = std::move(cluster_name),
                      .partitions = partitions,
                      .replication_factor = replication_factor,
                      .members = std::move(members),
                      .phase = ChangePhase::kNone};
}

ClusterView::ClusterView(ClusterState state, std::shared_ptr<const Ring> old_ring,
                         std::shared_ptr<const Ring> new_ring)
    : state_(std::move(state)), old_(std::move(old_ring)), new_(std::move(new_ring)) {}

const std::vector<uint32_t>& ClusterView::ReadReplicas(uint32_t partition) const {
  const Ring& ring = state_.phase == ChangePhase::kSwitching ? *new_ : *old_;
  return ring.PreferenceList(partition);
}

WriteSets ClusterView::WritesTo(uint32_t partition) const {
  const std::vector<uint32_t>& old_set = old_->PreferenceList(partition);
  const std::vector<uint32_t>& new_set = new_->PreferenceList(partition);
  // The same nodes in another order are one set: each ack would count for
  // both, so a second set would only cost the tally work.
  const bool same = new_set.size() == old_set.size() &&
                    std::is_permutation(old_set.begin(), old_set.end(), new_set.begin());
  return WriteSets{&old_set, same ? nullptr : &new_set};
}

std::vector<uint32_t> ClusterView::AllReplicas(uint32_t partition) const {
  std::vector<uint32_t> nodes = old_->PreferenceList(partition);
  for (uint32_t node : new_->PreferenceList(partition)) {
    if (!Contains(nodes, node)) nodes.push_back(node);
  }
  return nodes;
}

std::vector<uint32_t> ClusterView::PartitionsOf(uint32_t node_id) const {
  std::vector<uint32_t> result;
  for (uint32_t p = 0; p < partitions(); ++p) {
    if (Contains(old_->PreferenceList(p), node_id) || Contains(new_->PreferenceList(p), node_id)) {
      result.push_back(p);
    }
  }
  return result;
}

std::vector<uint32_t> ClusterView::Gains(uint32_t node_id) const {
  std::vector<uint32_t> result;
  for (uint32_t p = 0; p < partitions(); ++p) {
    if (!Contains(old_->PreferenceList(p), node_id) && Contains(new_->PreferenceList(p), node_id)) {
      result.push_back(p);
    }
  }
  return result;
}

uint32_t ClusterView::GiverTo(uint32_t partition, uint32_t gainer) const {
  const std::vector<uint32_t>& old_set = old_->PreferenceList(partition);
  const std::vector<uint32_t>& new_set = new_->PreferenceList(partition);
  std::vector<uint32_t> gainers, givers;
  for (uint32_t n : new_set) {
    if (!Contains(old_set, n)) gainers.push_back(n);
  }
  for (uint32_t n : old_set) {
    if (!Contains(new_set, n)) givers.push_back(n);
  }
  std::sort(gainers.begin(), gainers.end());
  std::sort(givers.begin(), givers.end());
  const auto at = std::find(gainers.begin(), gainers.end(), gainer);
  const auto index = static_cast<size_t>(at - gainers.begin());
  return at != gainers.end() && index < givers.size() ? givers[index] : 0;
}

bool ClusterView::IsMember(uint32_t node_id) const {
  const Member* m = state_.Find(node_id);
  return m && (m->state == MemberState::kJoining || m->state == MemberState::kNormal ||
               m->state == MemberState::kLeaving);
}

}  // namespace alder
