// TreeSet (antientropy/tree_set.h) under concurrent writers on real
// WiredTiger storage: the trees stay exactly those of the digest index.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "antientropy/tree_set.h"
#include "test/antientropy/tree_set_fixture.h"

namespace alder::tree_set_test {
namespace {

TEST_F(TreeSetTest, ConcurrentWritersKeepTheTreesExact) {
  constexpr uint32_t kPartitions = 8;
  const TreeShape shape{4, 3};
  Db db(dir_, "db");
  TreeSet live(kPartitions, shape, AllPartitions(kPartitions));
  db.Hook(&live);

  constexpr int kThreads = 4;
  std::vector<Workload> work;
  for (int t = 0; t < kThreads; ++t) work.emplace_back(100 + t, "t" + std::to_string(t) + "-", 150);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 600; ++i) work[static_cast<size_t>(t)].Step(db.get());
    });
  }
  for (auto& t : threads) t.join();
  size_t total = 0;
  for (const Workload& w : work) {
    EXPECT_GT(w.writes(), 100);
    total += w.size();
  }
  ASSERT_NO_FATAL_FAILURE(ExpectVerified(&live, db.get(), total));
  TreeSet rebuilt(kPartitions, shape, AllPartitions(kPartitions));
  ASSERT_TRUE(rebuilt.RebuildFromIndex(db.get()).ok());
  EXPECT_EQ(Snapshot(rebuilt), Snapshot(live));
}

TEST_F(TreeSetTest, ConcurrentIndexChangesToOneTreeAreAllApplied) {
  // Without storage in between, so that the threads really collide on one
  // tree: every change must land, whatever the interleaving.
  const TreeShape shape{2, 2};
  TreeSet shared(1, shape, {0});
  TreeSet sequential(1, shape, {0});
  constexpr int kThreads = 4;
  constexpr int kChanges = 20'000;
  auto change = [](int t, int i, VersionDigest* before, VersionDigest* after) {
    std::mt19937_64 rng(static_cast<uint64_t>(t) * 1'000'003 + static_cast<uint64_t>(i));
    for (auto& b : *before) b = static_cast<uint8_t>(rng());
    for (auto& b : *after) b = static_cast<uint8_t>(rng());
    return rng();  // the key hash
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kChanges; ++i) {
        VersionDigest before{}, after{};
        const uint64_t hash = change(t, i, &before, &after);
        shared.OnIndexChange(hash, i % 3 == 0 ? nullptr : &before, i % 3 == 1 ? nullptr : &after);
      }
    });
  }
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kChanges; ++i) {
      VersionDigest before{}, after{};
      const uint64_t hash = change(t, i, &before, &after);
      sequential.OnIndexChange(hash, i % 3 == 0 ? nullptr : &before, i % 3 == 1 ? nullptr : &after);
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_NE(sequential.Root(0), TreeHash{});
  EXPECT_EQ(Snapshot(shared), Snapshot(sequential));
}

TEST_F(TreeSetTest, ConcurrentWritersOfTheSameKeysKeepTheTreesExact) {
  // Racing writes to one key are reported in any order; XOR must absorb it.
  constexpr uint32_t kPartitions = 4;
  const TreeShape shape{4, 2};
  Db db(dir_, "db");
  TreeSet live(kPartitions, shape, AllPartitions(kPartitions));
  db.Hook(&live);
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<uint64_t>(t));
      for (int i = 0; i < 400; ++i) {
        const std::string key = "shared-" + std::to_string(rng() % 20);
        auto outcome = db->Apply(key, MakeRecord(kStart + static_cast<uint64_t>(i), 0,
                                                 static_cast<uint32_t>(t + 1), rng() % 4 == 0));
        EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
        if (rng() % 10 == 0 && outcome.ok()) {
          auto purged = db->PurgeIfUnchanged(key, outcome->winner.version);
          EXPECT_TRUE(purged.ok());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  uint64_t stored = 0;
  ASSERT_TRUE(db->ScanIndex(0, ~uint64_t{0}, [&](uint64_t, std::string_view, const IndexEntry&) {
                  ++stored;
                }).ok());
  ASSERT_NO_FATAL_FAILURE(ExpectVerified(&live, db.get(), stored));
}

}  // namespace
}  // namespace alder::tree_set_test
