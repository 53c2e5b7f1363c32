// ClusterView's two rings during a change, and AckTally's per-set quorum:
// the rules a join or decommission relies on to lose no acknowledged write.
#include "server/cluster/cluster_view.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "server/cluster/ack_tally.h"
#include "server/cluster/cluster_map.h"
#include "server/cluster/ring.h"

namespace alder {
namespace {

constexpr uint32_t kPartitions = 64;

std::vector<Member> Members(uint32_t count) {
  std::vector<Member> out;
  for (uint32_t id = 1; id <= count; ++id) {
    out.push_back({id, "10.0.0." + std::to_string(id) + ":7001", MemberState::kNormal});
  }
  return out;
}

ClusterState Joining(ChangePhase phase) {
  ClusterState state = ClusterView::Founding(Members(4), "c", kPartitions, 3);
  state.members[3].state = MemberState::kJoining;
  state.version = 2;
  state.phase = phase;
  return state;
}

std::shared_ptr<const ClusterView> ViewOf(ClusterState state) {
  auto view = ClusterView::Create(std::move(state));
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  return view.ok() ? std::move(view).value() : nullptr;
}

TEST(ClusterViewTest, FoundingViewIsTheStaticRing) {
  auto view = ViewOf(ClusterView::Founding(Members(3), "c", kPartitions, 3));
  auto ring = Ring::Create({1, 2, 3}, kPartitions, 3);
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(view->version(), 1);
  EXPECT_FALSE(view->changing());
  for (uint32_t p = 0; p < kPartitions; ++p) {
    EXPECT_EQ(view->ReadReplicas(p), ring.value().PreferenceList(p));
    EXPECT_EQ(view->WritesTo(p).new_set, nullptr);
  }
}

TEST(ClusterViewTest, ReadsMoveToTheNewRingOnlyAtTheSwitch) {
  auto streaming = ViewOf(Joining(ChangePhase::kStreaming));
  auto switching = ViewOf(Joining(ChangePhase::kSwitching));
  size_t moved = 0;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    EXPECT_EQ(streaming->ReadReplicas(p), streaming->old_ring().PreferenceList(p));
    EXPECT_EQ(switching->ReadReplicas(p), switching->new_ring().PreferenceList(p));
    if (streaming->old_ring().PreferenceList(p) != streaming->new_ring().PreferenceList(p)) ++moved;
  }
  EXPECT_GT(moved, 0u);  // node 4 gains something
}

TEST(ClusterViewTest, WritesGoToBothSetsExactlyWhereTheyDiffer) {
  auto view = ViewOf(Joining(ChangePhase::kStreaming));
  const std::vector<uint32_t> gains = view->Gains(4);
  for (uint32_t p = 0; p < kPartitions; ++p) {
    const WriteSets sets = view->WritesTo(p);
    const bool gained = std::find(gains.begin(), gains.end(), p) != gains.end();
    EXPECT_EQ(sets.new_set != nullptr, gained) << "partition " << p;
    if (gained) {
      EXPECT_NE(view->GiverTo(p, 4), 0u);
    }
  }
  EXPECT_TRUE(view->Gains(1).empty());
}

TEST(ClusterViewTest, RefusesInconsistentStates) {
  ClusterState moving_without_phase = Joining(ChangePhase::kNone);
  EXPECT_FALSE(ClusterView::Create(moving_without_phase).ok());
  ClusterState phase_without_mover = ClusterView::Founding(Members(3), "c", kPartitions, 3);
  phase_without_mover.phase = ChangePhase::kStreaming;
  EXPECT_FALSE(ClusterView::Create(phase_without_mover).ok());
  ClusterState twice = ClusterView::Founding(Members(3), "c", kPartitions, 3);
  twice.members[2].node_id = 2;
  EXPECT_FALSE(ClusterView::Create(twice).ok());
}

TEST(AckTallyTest, AQuorumOfTheUnionIsNotEnough) {
  const std::vector<uint32_t> old_set{1, 2, 3};
  const std::vector<uint32_t> new_set{1, 2, 4};
  AckTally tally(WriteSets{&old_set, &new_set}, Consistency::kQuorum);
  EXPECT_EQ(tally.targets(), (std::vector<uint32_t>{1, 2, 3, 4}));
  tally.Ack(3);
  tally.Ack(4);
  EXPECT_FALSE(tally.enough());  // one in each set; each needs two
  tally.Ack(1);                  // in both sets: counts for both
  EXPECT_TRUE(tally.enough());
  tally.Ack(1);  // a repeated ack counts once
  EXPECT_EQ(tally.total_acks(), 3u);
}

TEST(ClusterMapTest, AdoptsOnlyANewerStateOfTheSameCluster) {
  int persisted = 0;
  ClusterMap map(ViewOf(ClusterView::Founding(Members(3), "c", kPartitions, 3)),
                 [&](const ClusterState&) {
                   ++persisted;
                   return Status::Ok();
                 });
  int changes = 0;
  map.OnChange([&](const ClusterView&) { ++changes; });
  auto same = map.AdoptIfNewer(ClusterView::Founding(Members(3), "c", kPartitions, 3));
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same.value());
  ClusterState other = Joining(ChangePhase::kStreaming);
  other.cluster_name = "other";
  EXPECT_FALSE(map.AdoptIfNewer(other).ok());
  auto newer = map.AdoptIfNewer(Joining(ChangePhase::kStreaming));
  ASSERT_TRUE(newer.ok()) << newer.status().ToString();
  EXPECT_TRUE(newer.value());
  EXPECT_EQ(map.Current()->version(), 2);
  EXPECT_EQ(persisted, 1);
  EXPECT_EQ(changes, 1);
}

}  // namespace
}  // namespace alder
