// What only the model does: lose on a crash what WiredTiger's log would lose,
// make syncs a seam for simulated time, and check monotonicity per key.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "test/simulation/storage_backends.h"

namespace alder::sim {
namespace {

class ModelDiskTest : public ::testing::Test {
 protected:
  ModelDiskTest() { Restart(); }

  // The node restarts on whatever its disk holds.
  void Restart() {
    hints_.reset();
    storage_ = std::make_unique<ModelStorage>(&disk_, &clock_);
    hints_ = std::make_unique<ModelHintStore>(&disk_, &clock_);
  }
  void CrashAndRestart(uint64_t random_bits) {
    storage_.reset();
    hints_.reset();
    disk_.Crash(random_bits);
    Restart();
  }
  void MustApply(std::string_view key, const Record& r) {
    auto outcome = storage_->Apply(key, r);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  }
  void MustApplyNoWait(std::string_view key, const Record& r) {
    auto outcome = storage_->ApplyNoWait(key, r);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  }
  bool Has(std::string_view key) { return storage_->Read(key).value().has_value(); }

  clock::ManualClock clock_{1'764'000'000'000};
  ModelDisk disk_{"simulated disk of node 4"};
  std::unique_ptr<ModelStorage> storage_;
  std::unique_ptr<ModelHintStore> hints_;
};

TEST_F(ModelDiskTest, CrashKeepsEveryAppliedRecordAndMetadata) {
  for (int i = 0; i < 50; ++i) MustApply("k" + std::to_string(i), Value(100 + i, 1, "v"));
  ASSERT_TRUE(storage_->PutMetadata("node_id", "4").ok());
  for (uint64_t bits : {0ull, 1ull, 0xdeadbeefull}) {
    CrashAndRestart(bits);
    for (int i = 0; i < 50; ++i) EXPECT_TRUE(Has("k" + std::to_string(i))) << i;
    EXPECT_EQ(storage_->GetMetadata("node_id").value(), std::optional<std::string>("4"));
  }
  EXPECT_EQ(storage_->location(), "simulated disk of node 4");
  EXPECT_TRUE(disk_.violations().empty());
}

// Unsynced writes survive as a prefix in commit order, its length chosen by
// the crash's random bits: some crashes lose them all, some keep them all.
TEST_F(ModelDiskTest, CrashKeepsAPrefixOfWritesNotWaitedFor) {
  constexpr int kWrites = 10;
  std::set<int> kept_counts;
  for (uint64_t bits = 0; bits < 3 * (kWrites + 1); ++bits) {
    ModelDisk disk("simulated disk of node 5");
    auto storage = std::make_unique<ModelStorage>(&disk, &clock_);
    ASSERT_TRUE(storage->Apply("durable", Value(50, 1, "v")).ok());
    for (int i = 0; i < kWrites; ++i) {
      ASSERT_TRUE(storage->ApplyNoWait("k" + std::to_string(i), Value(100 + i, 1, "v")).ok());
    }
    storage.reset();
    disk.Crash(bits);
    storage = std::make_unique<ModelStorage>(&disk, &clock_);
    int kept = 0;
    while (kept < kWrites && storage->Read("k" + std::to_string(kept)).value()) ++kept;
    for (int i = kept; i < kWrites; ++i) {
      EXPECT_FALSE(storage->Read("k" + std::to_string(i)).value()) << "a gap at " << i;
    }
    EXPECT_TRUE(storage->Read("durable").value());
    EXPECT_EQ(kept, static_cast<int>(bits % (kWrites + 1)));  // deterministic
    EXPECT_EQ(disk.durable_position(), disk.committed_position());
    kept_counts.insert(kept);
  }
  EXPECT_TRUE(kept_counts.count(0));
  EXPECT_TRUE(kept_counts.count(kWrites));
  EXPECT_GT(kept_counts.size(), 2u);
}

TEST_F(ModelDiskTest, CloseCleanlyKeepsEverything) {
  for (int i = 0; i < 10; ++i) MustApplyNoWait("k" + std::to_string(i), Value(100 + i, 1, "v"));
  ASSERT_TRUE(hints_->Add(2, "h", Value(1, 1, "v")).ok());
  ASSERT_TRUE(hints_->Remove(hints_->Oldest(2, 10).value()).ok());
  storage_.reset();
  hints_.reset();
  disk_.CloseCleanly();
  Restart();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(Has("k" + std::to_string(i))) << i;
  EXPECT_EQ(hints_->PendingTotal(), 0u);
  EXPECT_EQ(disk_.durable_position(), disk_.committed_position());
}

TEST_F(ModelDiskTest, SyncHookRunsAndAWriteDuringItNeedsTheNextSync) {
  int hook_calls = 0;
  disk_.SetSyncHook([&] {
    // The hook runs outside the disk's lock: other fibers write meanwhile.
    if (hook_calls++ == 0) MustApplyNoWait("during", Value(200, 1, "v"));
  });
  MustApply("before", Value(100, 1, "v"));
  EXPECT_EQ(hook_calls, 1);
  EXPECT_EQ(disk_.durable_position() + 1, disk_.committed_position());
  EXPECT_EQ(storage_->stats().log_flushes, 1u);
  EXPECT_EQ(storage_->stats().commits_flushed, 1u);

  MustApply("before", Value(100, 1, "v"));  // stale, but "during" awaits a sync
  EXPECT_EQ(hook_calls, 2);
  storage_->WaitDurable();  // nothing left to sync: no hook
  EXPECT_EQ(hook_calls, 2);
  EXPECT_EQ(disk_.syncs(), 2u);
  CrashAndRestart(0);
  EXPECT_TRUE(Has("before"));
  EXPECT_TRUE(Has("during"));
}

TEST_F(ModelDiskTest, AWriteCommittedDuringTheHookIsLostIfTheNodeCrashesThen) {
  disk_.SetSyncHook([&] {
    if (!Has("during")) MustApplyNoWait("during", Value(200, 1, "v"));
  });
  MustApply("before", Value(100, 1, "v"));
  disk_.SetSyncHook(nullptr);
  CrashAndRestart(0);
  EXPECT_TRUE(Has("before"));
  EXPECT_FALSE(Has("during"));
}

TEST_F(ModelDiskTest, ACrashDuringASyncFailsTheWriteWaitingForIt) {
  disk_.SetSyncHook([&] { disk_.Crash(0); });
  auto outcome = storage_->Apply("k", Value(100, 1, "v"));
  EXPECT_FALSE(outcome.ok());
  EXPECT_FALSE(storage_->ApplyNoWait("k2", Value(100, 1, "v")).ok());  // the node is dead
  EXPECT_FALSE(hints_->Add(1, "k", Value(100, 1, "v")).ok());
  disk_.SetSyncHook(nullptr);
  Restart();
  EXPECT_FALSE(Has("k"));
  EXPECT_EQ(disk_.syncs(), 0u);
  EXPECT_TRUE(disk_.violations().empty());
}

TEST_F(ModelDiskTest, HighestDurableCountsOnlyDurableVersionsAndSurvivesPurge) {
  const Record t = Tombstone(200, 1);
  EXPECT_EQ(disk_.HighestDurable("k"), std::nullopt);
  MustApplyNoWait("k", Value(100, 1, "v"));
  EXPECT_EQ(disk_.HighestDurable("k"), std::nullopt);
  MustApply("k", t);
  EXPECT_EQ(disk_.HighestDurable("k"), t.version);
  ASSERT_TRUE(storage_->PurgeIfUnchanged("k", t.version).value());
  CrashAndRestart(0);
  EXPECT_TRUE(Has("k"));  // the purge was not durable yet: the tombstone is back, as in WiredTiger
  ASSERT_TRUE(storage_->PurgeIfUnchanged("k", t.version).value());
  disk_.Sync();
  CrashAndRestart(0);
  EXPECT_FALSE(Has("k"));  // now the purge was durable
  EXPECT_EQ(disk_.HighestDurable("k"), t.version);
  MustApply("k", Value(300, 2, "newer"));  // a newer put after a purge is fine
  EXPECT_EQ(disk_.HighestDurable("k"), Value(300, 2, "").version);
  EXPECT_TRUE(disk_.violations().empty());
}

TEST_F(ModelDiskTest, AnOldWriteReturningAfterAPurgeIsAViolation) {
  MustApply("k", Value(100, 1, "old"));
  MustApply("k", Tombstone(200, 1));
  ASSERT_TRUE(storage_->PurgeIfUnchanged("k", Tombstone(200, 1).version).value());
  disk_.Sync();                          // a purge does not wait for its sync (storage.h)
  MustApply("k", Value(100, 1, "old"));  // a stale replica pushes it back
  ASSERT_EQ(disk_.violations().size(), 1u);
  EXPECT_NE(disk_.violations()[0].find("'k'"), std::string::npos) << disk_.violations()[0];
  EXPECT_NE(disk_.violations()[0].find("came back after a purge"), std::string::npos);
  EXPECT_NE(disk_.violations()[0].find("node 4"), std::string::npos) << disk_.violations()[0];
}

// A broken merge below the Storage interface: two records of one key wait
// in the same sync, the older committed last. Reported once, when durable.
TEST_F(ModelDiskTest, AnOlderRecordMadeDurableOverANewerOneIsAViolation) {
  disk_.PutRecord("k", StoredRecord{Value(200, 1, "new"), 0});
  disk_.PutRecord("k", StoredRecord{Value(100, 1, "old"), 0});
  EXPECT_TRUE(disk_.violations().empty());  // nothing was durable yet
  disk_.Sync();
  ASSERT_EQ(disk_.violations().size(), 1u);
  EXPECT_NE(disk_.violations()[0].find("went back"), std::string::npos) << disk_.violations()[0];
  CrashAndRestart(0);
  EXPECT_EQ(disk_.violations().size(), 1u);
  disk_.PutRecord("k", StoredRecord{Value(150, 1, "older still"), 0});  // told at commit
  disk_.Sync();
  ASSERT_EQ(disk_.violations().size(), 2u);
  EXPECT_NE(disk_.violations()[1].find("replaced a durable one"), std::string::npos)
      << disk_.violations()[1];
}

TEST_F(ModelDiskTest, HintRemovalsLostInACrashBringTheHintsBack) {
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(hints_->Add(7, "k" + std::to_string(i), Value(1, 1, "v")).ok());
  const uint64_t last_sequence = hints_->Oldest(7, 10).value().back().sequence;
  ASSERT_TRUE(hints_->Remove(hints_->Oldest(7, 2).value()).ok());
  clock_.Advance(10'000);
  EXPECT_EQ(hints_->DropOlderThan(std::chrono::milliseconds(1000)).value(), 1u);
  EXPECT_EQ(hints_->PendingTotal(), 0u);
  CrashAndRestart(0);
  EXPECT_EQ(hints_->Pending(7), 3u);  // every Add was durable, no removal was
  ASSERT_TRUE(hints_->Add(7, "k3", Value(1, 1, "v")).ok());
  EXPECT_GT(hints_->Oldest(7, 10).value().back().sequence, last_sequence);
}

// A seeded random workload with random crashes: every acknowledged write
// survives every crash, and the model's self-check never fires.
TEST_F(ModelDiskTest, RandomCrashesNeverLoseAcknowledgedWrites) {
  std::mt19937_64 rng(20261203);
  std::map<std::string, Version> acknowledged;
  for (int step = 0; step < 2000; ++step) {
    const std::string key = "k" + std::to_string(rng() % 30);
    const Record r = rng() % 4 == 0 ? Tombstone(100 + rng() % 1000, 1 + rng() % 3)
                                    : Value(100 + rng() % 1000, 1 + rng() % 3, "v");
    if (rng() % 2) {
      auto outcome = storage_->Apply(key, r);
      ASSERT_TRUE(outcome.ok());
      Version& v = acknowledged[key];
      v = std::max(v, outcome->winner.version);
    } else {
      MustApplyNoWait(key, r);
    }
    if (rng() % 100 == 0) CrashAndRestart(rng());
  }
  CrashAndRestart(rng());
  for (const auto& [key, version] : acknowledged) {
    auto stored = storage_->Read(key).value();
    ASSERT_TRUE(stored.has_value()) << key;
    EXPECT_GE(stored->record.version, version) << key;
  }
  EXPECT_TRUE(disk_.violations().empty()) << disk_.violations()[0];
}

}  // namespace
}  // namespace alder::sim
