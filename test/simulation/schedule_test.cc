// The simulation itself: one seed gives one schedule (the same trace twice),
// and the schedules of bugs it found and that were fixed stay clean.
#include "test/simulation/schedule.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

namespace alder::sim {
namespace {

// Runs each seed's schedule (3 nodes) and reports every violation it finds.
void ExpectClean(std::initializer_list<uint64_t> seeds) {
  for (uint64_t seed : seeds) {
    for (const std::string& v : RunSchedule({.seed = seed}).violations) {
      ADD_FAILURE() << "seed " << seed << ": " << v;
    }
  }
}

TEST(ScheduleTest, ASeedReplaysTheSameTrace) {
  const ScheduleResult first = RunSchedule({.seed = 7});
  const ScheduleResult second = RunSchedule({.seed = 7});
  EXPECT_GT(first.trace_lines, 1000u);
  EXPECT_GT(first.acknowledged, 100u);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_EQ(first.steps, second.steps);
  const ScheduleResult other = RunSchedule({.seed = 8});
  EXPECT_NE(first.trace_hash, other.trace_hash);
}

// Seeds that caught a node stamping writes seconds ahead: restarted with its
// clock off (or its clock jumped) while a peer it had not yet measured was
// unreachable, it saw one peer off and one unknown and did not fence itself
// (Membership::CheckClockInStep counted all peers, not those measured).
TEST(ScheduleTest, ClockFencingCountsOnlyMeasuredPeers) { ExpectClean({54, 124, 174}); }

// Seeds that caught a node restarted while cut off from its peers stamping
// writes with its own clock, seconds ahead, that later overwrote newer
// acknowledged ones (Membership::CheckClockInStep now asks for a majority
// measured).
TEST(ScheduleTest, ANodeThatMeasuredTooFewPeersDoesNotStampWrites) {
  ExpectClean({423, 480, 620, 693, 810, 896});
}

// Seeds that caught a node whose clock jumped judged in step by its stale
// estimate of a peer that had gone down while itself out of step
// (Membership::VouchesForClock).
TEST(ScheduleTest, APeerDownAndOutOfStepDoesNotVouchForAClock) {
  ExpectClean({26103, 51707, 81199, 91477});
}

// Seeds that caught two nodes back after more than gc_grace each waiting for
// the other to sync, forever; and one that caught a node purging a
// tombstone after pulls alone, which had sent it to no peer
// (antientropy/repair_scheduler.h).
TEST(ScheduleTest, SyncingNodesFinishAndPurgeOnlyWhatPeersHold) { ExpectClean({400, 482, 888}); }

// Seeds the checker judged wrongly: a replica that has nothing for a key
// whose newest version is dead (deleted or expired) on another replica, or
// was purged there, lost nothing (anti-entropy never hands a record past
// gc_grace to a replica that has nothing for the key).
TEST(ScheduleTest, AReplicaWithNothingForADeadKeyLostNothing) {
  ExpectClean({2511, 81241, 91179, 96032});
}

// A seed that caught a hint replayed after the tombstone that superseded it
// was purged: the sender's clock ran behind, so by its reckoning the hint
// was within hint_window (ReplicaService::DeliverHints now drops hints
// older than gc_grace by the receiver's clock).
TEST(ScheduleTest, AHintOlderThanGcGraceBringsNothingBack) { ExpectClean({3538}); }

TEST(ScheduleTest, FiveAndSevenNodesRunClean) {
  for (uint32_t nodes : {5u, 7u}) {
    const ScheduleResult result = RunSchedule({.seed = 3, .nodes = nodes});
    EXPECT_GT(result.acknowledged, 0u);
    for (const std::string& v : result.violations) ADD_FAILURE() << nodes << " nodes: " << v;
  }
}

}  // namespace
}  // namespace alder::sim
