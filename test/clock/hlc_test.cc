// The hybrid logical clock's guarantees (clock/hlc.h), driven by a manual
// physical clock and an in-memory ceiling store.
#include "clock/hlc.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <thread>
#include <vector>

namespace alder::clock {
namespace {

using std::chrono::milliseconds;
constexpr uint64_t kStart = 1'764'000'000'000;

// Stands in for the metadata table: survives the clock, as the disk does.
class MemoryCeilingStore final : public CeilingStore {
 public:
  uint64_t LoadCeilingMs() override { return ceiling_ms; }
  void PersistCeilingMs(uint64_t value) override {
    ceiling_ms = value;
    ++persists;
  }
  uint64_t ceiling_ms = 0;
  int persists = 0;
};

TEST(Hlc, PacksFortyEightBitsOfMillisecondsAndSixteenOfCounter) {
  const Timestamp t = Timestamp::FromParts(kStart, 7);
  EXPECT_EQ(t.packed(), (kStart << 16) | 7);
  EXPECT_EQ(t.wall_ms(), kStart);
  EXPECT_EQ(t.logical(), 7u);
  EXPECT_EQ(t.ToString(), "1764000000000.7");
  EXPECT_LT(Timestamp::FromParts(kStart, 65535), Timestamp::FromParts(kStart + 1, 0));
}

TEST(Hlc, NowFollowsPhysicalTimeWhenItAdvances) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, {}, nullptr);
  EXPECT_EQ(hlc.Now(), Timestamp::FromParts(kStart, 0));
  physical.Advance(5);
  EXPECT_EQ(hlc.Now(), Timestamp::FromParts(kStart + 5, 0));
}

TEST(Hlc, NowIsStrictlyIncreasingWhenPhysicalTimeStandsStill) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, {}, nullptr);
  Timestamp previous = hlc.Now();
  for (int i = 0; i < 1000; ++i) {
    const Timestamp next = hlc.Now();
    ASSERT_GT(next, previous);
    ASSERT_EQ(next.wall_ms(), kStart);
    previous = next;
  }
}

TEST(Hlc, NowIsStrictlyIncreasingWhenThePhysicalClockGoesBackwards) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, {}, nullptr);
  const Timestamp before = hlc.Now();
  physical.Set(kStart - 3'600'000);
  const Timestamp after = hlc.Now();
  EXPECT_GT(after, before);
  EXPECT_EQ(after.wall_ms(), kStart);
}

TEST(Hlc, LogicalCounterOverflowBorrowsTheNextMillisecondAndNeverWraps) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, {}, nullptr);
  Timestamp previous = hlc.Now();
  for (int i = 0; i < 70'000; ++i) {
    const Timestamp next = hlc.Now();
    ASSERT_GT(next, previous) << "stamp " << i;
    previous = next;
  }
  EXPECT_EQ(previous.wall_ms(), kStart + 1);
  EXPECT_EQ(hlc.logical_overflow_count(), 1u);
}

TEST(Hlc, UpdateMovesTheClockPastARemoteTimestamp) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, {}, nullptr);
  const Timestamp remote = Timestamp::FromParts(kStart + 200, 9);
  const UpdateResult result = hlc.Update(remote);
  ASSERT_TRUE(result.accepted) << result.error;
  EXPECT_EQ(result.now, Timestamp::FromParts(kStart + 200, 10));
  EXPECT_EQ(result.remote_ahead_ms, 200);
  EXPECT_GT(hlc.Now(), remote);
}

TEST(Hlc, UpdateWithAnOlderRemoteStillAdvancesLocally) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, {}, nullptr);
  const Timestamp local = hlc.Now();
  const UpdateResult result = hlc.Update(Timestamp::FromParts(kStart - 1000, 3));
  ASSERT_TRUE(result.accepted);
  EXPECT_GT(result.now, local);
  EXPECT_EQ(result.remote_ahead_ms, -1000);
}

TEST(Hlc, AcceptsARemoteExactlyAtMaxOffset) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, HlcOptions{milliseconds(500), milliseconds(200)}, nullptr);
  EXPECT_TRUE(hlc.Update(Timestamp::FromParts(kStart + 500, 0)).accepted);
  EXPECT_EQ(hlc.rejected_remote_count(), 0u);
}

TEST(Hlc, RejectsRemoteTimestampBeyondMaxOffsetAndDoesNotMove) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, HlcOptions{milliseconds(500), milliseconds(200)}, nullptr);
  const Timestamp before = hlc.Now();
  const UpdateResult result = hlc.Update(Timestamp::FromParts(kStart + 1500, 0));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.remote_ahead_ms, 1500);
  EXPECT_EQ(hlc.Last(), before);
  EXPECT_EQ(result.now, before);
  EXPECT_EQ(hlc.rejected_remote_count(), 1u);
  EXPECT_NE(result.error.find("1500 ms ahead"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("max_clock_offset is 500 ms"), std::string::npos) << result.error;
  EXPECT_LT(hlc.Now().wall_ms(), kStart + 1500);
}

TEST(Hlc, NowIfWithinStampsWhileTheClockHasNoLead) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, HlcOptions{milliseconds(500), milliseconds(200)}, nullptr);
  const std::optional<Timestamp> stamp = hlc.NowIfWithin(milliseconds(100));
  ASSERT_TRUE(stamp.has_value());
  EXPECT_EQ(stamp->wall_ms(), kStart);
  EXPECT_EQ(hlc.Last(), *stamp);
}

TEST(Hlc, NowIfWithinRefusesALeadAndLeavesTheClockWhereItWas) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, HlcOptions{milliseconds(500), milliseconds(200)}, nullptr);
  physical.Set(kStart + 5000);  // the wall clock jumps ahead, and the clock stamps once
  const Timestamp ahead = hlc.Now();
  physical.Set(kStart + 10);  // and back: the clock now leads physical time by ~5 s
  EXPECT_FALSE(hlc.NowIfWithin(milliseconds(490)).has_value());
  EXPECT_EQ(hlc.Last(), ahead);
  physical.Set(kStart + 4600);  // the lead is down to 400 ms: stamps again, above the lead
  const std::optional<Timestamp> stamp = hlc.NowIfWithin(milliseconds(490));
  ASSERT_TRUE(stamp.has_value());
  EXPECT_GT(*stamp, ahead);
}

TEST(Hlc, ARestartWithThePhysicalClockSetBackAnHourNeverReissuesAStamp) {
  MemoryCeilingStore store;
  ManualClock physical(kStart);
  Timestamp highest;
  {
    HybridLogicalClock hlc(&physical, {}, &store);
    for (int i = 0; i < 1000; ++i) {
      highest = hlc.Now();
      if (i % 100 == 0) physical.Advance(7);
    }
  }
  ManualClock set_back(kStart - 3'600'000);
  HybridLogicalClock restarted(&set_back, {}, &store);
  for (int i = 0; i < 100'000; ++i) {
    const Timestamp next = restarted.Now();
    ASSERT_GT(next, highest) << "stamp " << i << " after the restart";
    highest = next;
  }
}

TEST(Hlc, ARestartRightAfterACeilingPersistStartsAboveTheCeiling) {
  MemoryCeilingStore store;
  ManualClock physical(kStart);
  Timestamp issued;
  {
    HybridLogicalClock hlc(&physical, {}, &store);
    issued = hlc.Now();  // persists the first ceiling
  }
  ASSERT_EQ(store.ceiling_ms, kStart + 200);
  HybridLogicalClock restarted(&physical, {}, &store);
  EXPECT_GT(restarted.Now(), Timestamp::FromParts(store.ceiling_ms - 200, Timestamp::kMaxLogical));
  EXPECT_GT(restarted.Now().wall_ms(), kStart + 200 - 1);
  EXPECT_GT(restarted.Last(), issued);
}

TEST(Hlc, PersistsTheCeilingOncePerWindowNotPerStamp) {
  MemoryCeilingStore store;
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, {}, &store);
  for (int i = 0; i < 10'000; ++i) {
    hlc.Now();
    if (i % 100 == 0) physical.Advance(1);  // 100 ms of physical time in all
  }
  EXPECT_EQ(store.persists, 1);
  physical.Advance(1000);
  hlc.Now();
  EXPECT_EQ(store.persists, 2);
  EXPECT_EQ(hlc.ceiling_persist_count(), 2u);
}

TEST(Hlc, AcceptedRemoteTimestampsAreCoveredByTheCeilingToo) {
  MemoryCeilingStore store;
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, {}, &store);
  hlc.Update(Timestamp::FromParts(kStart + 450, 0));
  EXPECT_GE(store.ceiling_ms, kStart + 450);
}

TEST(Hlc, ConcurrentNowFromManyThreadsYieldsUniqueIncreasingStamps) {
  ManualClock physical(kStart);
  HybridLogicalClock hlc(&physical, {}, nullptr);
  constexpr int kThreads = 8, kStamps = 20'000;
  std::vector<std::vector<Timestamp>> stamps(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kStamps; ++i) {
        stamps[t].push_back(hlc.Now());
        if (t == 0 && i % 1000 == 0) physical.Advance(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> unique;
  for (const auto& per_thread : stamps) {
    for (size_t i = 1; i < per_thread.size(); ++i) ASSERT_GT(per_thread[i], per_thread[i - 1]);
    for (const Timestamp& s : per_thread) unique.insert(s.packed());
  }
  EXPECT_EQ(unique.size(), static_cast<size_t>(kThreads * kStamps));
}

// Law: under any interleaving of local stamps, remote updates and physical
// jumps (forward or back), Now() is strictly increasing and above every
// accepted remote timestamp.
TEST(Hlc, RandomInterleavingsKeepNowIncreasingAndAboveAcceptedRemotes) {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    std::mt19937_64 rng(seed);
    ManualClock physical(kStart);
    MemoryCeilingStore store;
    auto hlc = std::make_unique<HybridLogicalClock>(&physical, HlcOptions{}, &store);
    Timestamp floor;
    for (int step = 0; step < 3000; ++step) {
      switch (rng() % 6) {
        case 0:
          physical.Advance(rng() % 50);
          break;
        case 1:
          physical.Set(physical.NowMs() - rng() % 5000);
          break;
        case 2: {
          const Timestamp remote =
              Timestamp::FromParts(physical.NowMs() + rng() % 1200 - 600, rng() % 100);
          const UpdateResult r = hlc->Update(remote);
          if (r.accepted) {
            ASSERT_GT(r.now, remote);
            ASSERT_GT(r.now, floor);
            floor = r.now;
          }
          break;
        }
        case 3:
          if (rng() % 20 == 0) {  // restart
            hlc = std::make_unique<HybridLogicalClock>(&physical, HlcOptions{}, &store);
          }
          break;
        default: {
          const Timestamp now = hlc->Now();
          ASSERT_GT(now, floor) << "seed " << seed << " step " << step;
          floor = now;
        }
      }
    }
  }
}

}  // namespace
}  // namespace alder::clock
