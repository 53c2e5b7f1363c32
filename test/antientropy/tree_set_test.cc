// TreeSet (antientropy/tree_set.h) kept current by real WiredTiger storage
// through Storage::SetIndexObserver, rebuilt and verified from the digest
// index (Storage::ScanIndex).
#include "antientropy/tree_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "server/common/key_hash.h"
#include "test/antientropy/tree_set_fixture.h"

namespace alder::tree_set_test {
namespace {

TEST_F(TreeSetTest, LiveTreesMatchTheIndexAfterRandomWritesAndSurviveRestart) {
  constexpr uint32_t kPartitions = 8;
  const TreeShape shape{4, 3};
  Db db(dir_, "db");
  TreeSet live(kPartitions, shape, AllPartitions(kPartitions));
  db.Hook(&live);

  Workload work(42);
  for (int i = 0; i < 3000; ++i) {
    ASSERT_NO_FATAL_FAILURE(work.Step(db.get()));
  }
  ASSERT_GT(work.stale(), 100);
  ASSERT_GT(work.purges(), 50);
  ASSERT_GT(work.size(), 100u);
  for (uint32_t p = 0; p < kPartitions; ++p) EXPECT_NE(live.Root(p), TreeHash{}) << p;

  ASSERT_NO_FATAL_FAILURE(ExpectVerified(&live, db.get(), work.size()));

  TreeSet rebuilt(kPartitions, shape, AllPartitions(kPartitions));
  auto entries = rebuilt.RebuildFromIndex(db.get());
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  EXPECT_EQ(entries.value(), work.size());
  const AllTrees live_nodes = Snapshot(live);
  EXPECT_EQ(Snapshot(rebuilt), live_nodes);
  for (uint32_t p = 0; p < kPartitions; ++p) EXPECT_EQ(rebuilt.Root(p), live.Root(p)) << p;

  // Rebuilding over a tree that already holds data replaces it.
  auto again = live.RebuildFromIndex(db.get());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Snapshot(live), live_nodes);

  db.Close();
  db.Open();
  TreeSet reopened(kPartitions, shape, AllPartitions(kPartitions));
  auto after_restart = reopened.RebuildFromIndex(db.get());
  ASSERT_TRUE(after_restart.ok()) << after_restart.status().ToString();
  EXPECT_EQ(after_restart.value(), work.size());
  for (uint32_t p = 0; p < kPartitions; ++p) EXPECT_EQ(reopened.Root(p), live.Root(p)) << p;
  EXPECT_EQ(Snapshot(reopened), live_nodes);
}

TEST_F(TreeSetTest, VerifyReportsExactlyThePartitionThatDrifted) {
  constexpr uint32_t kPartitions = 8;
  const TreeShape shape{4, 3};
  Db db(dir_, "db");
  TreeSet live(kPartitions, shape, AllPartitions(kPartitions));
  db.Hook(&live);
  Workload work(7, "k", 200);
  for (int i = 0; i < 500; ++i) ASSERT_NO_FATAL_FAILURE(work.Step(db.get()));
  ASSERT_NO_FATAL_FAILURE(ExpectVerified(&live, db.get(), work.size()));

  // A change the index never saw.
  const uint64_t hash = KeyHash("never-written");
  const uint32_t partition = PartitionOf(hash, kPartitions);
  VersionDigest bogus{};
  bogus[3] = 0x5a;
  live.OnIndexChange(hash, nullptr, &bogus);
  uint64_t entries = 0;
  auto mismatched = live.Verify(db.get(), &entries);
  ASSERT_TRUE(mismatched.ok());
  EXPECT_EQ(mismatched.value(), std::vector<uint32_t>{partition});

  // A write the trees did not hear about (observer unhooked).
  live.OnIndexChange(hash, &bogus, nullptr);
  ASSERT_NO_FATAL_FAILURE(ExpectVerified(&live, db.get(), work.size()));
  db->SetIndexObserver(nullptr);
  const std::string key = "unobserved";
  ASSERT_TRUE(db->Apply(key, MakeRecord(kStart + 50'000, 0, 1, false)).ok());
  mismatched = live.Verify(db.get(), &entries);
  ASSERT_TRUE(mismatched.ok());
  EXPECT_EQ(mismatched.value(), std::vector<uint32_t>{PartitionOf(KeyHash(key), kPartitions)});
  EXPECT_EQ(entries, work.size() + 1);
}

TEST_F(TreeSetTest, EveryKindOfIndexChangeKeepsTheTreeInStep) {
  // Step by step, so that a failure names the operation.
  constexpr uint32_t kPartitions = 2;
  const TreeShape shape{16, 3};
  Db db(dir_, "db");
  TreeSet live(kPartitions, shape, AllPartitions(kPartitions));
  db.Hook(&live);
  const std::string key = "the-key";
  auto verify = [&](const char* what, uint64_t n) {
    SCOPED_TRACE(what);
    ExpectVerified(&live, db.get(), n);
  };
  ASSERT_TRUE(db->Apply(key, MakeRecord(kStart + 10, 0, 1, false)).ok());
  verify("insert", 1);
  const TreeHash after_insert = live.Root(PartitionOf(KeyHash(key), kPartitions));
  EXPECT_NE(after_insert, TreeHash{});
  ASSERT_TRUE(db->Apply(key, MakeRecord(kStart + 20, 0, 1, false, kStart + 99'999)).ok());
  verify("overwrite with TTL", 1);
  ASSERT_FALSE(db->Apply(key, MakeRecord(kStart + 15, 0, 2, false))->changed);
  verify("stale", 1);
  ASSERT_TRUE(db->Apply(key, MakeRecord(kStart + 20, 0, 2, false))->changed);
  verify("same wall time, greater node", 1);
  ASSERT_TRUE(db->Apply(key, MakeRecord(kStart + 30, 0, 1, true))->changed);
  verify("tombstone", 1);
  EXPECT_NE(live.Root(PartitionOf(KeyHash(key), kPartitions)), after_insert);
  ASSERT_FALSE(db->PurgeIfUnchanged(key, MakeRecord(kStart + 20, 0, 2, false).version).value());
  verify("purge of an older version", 1);
  ASSERT_TRUE(db->PurgeIfUnchanged(key, MakeRecord(kStart + 30, 0, 1, true).version).value());
  verify("purge", 0);
  EXPECT_EQ(Snapshot(live), Snapshot(TreeSet(kPartitions, shape, AllPartitions(kPartitions))));
  ASSERT_TRUE(db->Apply(key, MakeRecord(kStart + 10, 0, 1, false))->changed);
  verify("the first write again after the purge", 1);
  EXPECT_EQ(live.Root(PartitionOf(KeyHash(key), kPartitions)), after_insert);
}

// Writes of one key, several versions each, as a replica may receive them.
std::vector<std::pair<std::string, Record>> ReplicaStream(uint64_t seed, int keys) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<std::string, Record>> stream;
  for (int k = 0; k < keys; ++k) {
    const std::string key = "r" + std::to_string(k);
    const int versions = 1 + static_cast<int>(rng() % 3);
    for (int v = 0; v < versions; ++v) {
      stream.emplace_back(key,
                          MakeRecord(kStart + rng() % 100'000, static_cast<uint32_t>(rng() % 4),
                                     1 + static_cast<uint32_t>(rng() % 3), rng() % 5 == 0,
                                     rng() % 7 == 0 ? kStart + 5'000'000 : 0));
    }
  }
  return stream;
}

TEST_F(TreeSetTest, ReplicasWithTheSameRecordsInAnyOrderAgreeAndOneWriteIsLocatedToOneLeaf) {
  constexpr uint32_t kPartitions = 8;
  const TreeShape shape{4, 3};
  Db a(dir_, "a"), b(dir_, "b");
  TreeSet trees_a(kPartitions, shape, AllPartitions(kPartitions));
  TreeSet trees_b(kPartitions, shape, AllPartitions(kPartitions));
  a.Hook(&trees_a);
  b.Hook(&trees_b);

  auto stream = ReplicaStream(3, 600);
  for (const auto& [key, record] : stream) ASSERT_TRUE(a->Apply(key, record).ok());
  std::mt19937_64 rng(17);
  std::shuffle(stream.begin(), stream.end(), rng);
  for (const auto& [key, record] : stream) ASSERT_TRUE(b->Apply(key, record).ok());
  std::set<std::string> keys;
  for (const auto& [key, record] : stream) keys.insert(key);

  for (uint32_t p = 0; p < kPartitions; ++p) {
    EXPECT_NE(trees_a.Root(p), TreeHash{}) << p;
    EXPECT_EQ(trees_a.Root(p), trees_b.Root(p)) << p;
  }
  const AllTrees before_a = Snapshot(trees_a);
  EXPECT_EQ(before_a, Snapshot(trees_b));
  ASSERT_NO_FATAL_FAILURE(ExpectVerified(&trees_a, a.get(), keys.size()));
  ASSERT_NO_FATAL_FAILURE(ExpectVerified(&trees_b, b.get(), keys.size()));

  // One extra write to A only: a new key, then a newer version of an old one.
  size_t keys_in_a = keys.size();
  for (const std::string& key : {std::string("extra-key"), std::string("r17")}) {
    SCOPED_TRACE(key);
    const AllTrees base_a = Snapshot(trees_a);
    ASSERT_TRUE(a->Apply(key, MakeRecord(kStart + 900'000, 0, 1, false))->changed);
    if (!keys.contains(key)) ++keys_in_a;
    const uint64_t hash = KeyHash(key);
    const uint32_t partition = PartitionOf(hash, kPartitions);
    const uint32_t leaf = trees_a.LeafOf(hash);
    ASSERT_LT(leaf, shape.leaves());

    const AllTrees now_a = Snapshot(trees_a);
    const AllTrees now_b = Snapshot(trees_b);
    for (uint32_t p = 0; p < kPartitions; ++p) {
      if (p != partition) {
        EXPECT_EQ(now_a.at(p), now_b.at(p)) << "partition " << p;
        EXPECT_EQ(now_a.at(p), base_a.at(p)) << "partition " << p;
        continue;
      }
      // Exactly the leaf and its ancestors differ from B.
      std::vector<uint32_t> differing_leaves;
      for (uint32_t i = 0; i < shape.leaves(); ++i) {
        if (now_a.at(p)[shape.depth][i] != now_b.at(p)[shape.depth][i]) {
          differing_leaves.push_back(i);
        }
      }
      ASSERT_EQ(differing_leaves.size(), 1u);
      EXPECT_EQ(differing_leaves[0], leaf);
      uint32_t ancestor = leaf;
      for (uint32_t level = shape.depth + 1; level-- > 0;) {
        for (uint32_t i = 0; i < shape.NodesAt(level); ++i) {
          EXPECT_EQ(now_a.at(p)[level][i] != now_b.at(p)[level][i], i == ancestor)
              << "level " << level << " node " << i;
        }
        ancestor /= shape.fanout;
      }
    }

    // The leaf's hash range holds the key, and the index scan of it finds it.
    uint64_t first = 0, last = 0;
    trees_a.LeafRange(partition, leaf, &first, &last);
    EXPECT_LE(first, hash);
    EXPECT_GE(last, hash);
    std::set<std::string> in_leaf_a, in_leaf_b;
    ASSERT_TRUE(a->ScanIndex(first, last, [&](uint64_t h, std::string_view k, const IndexEntry&) {
                   EXPECT_GE(h, first);
                   EXPECT_LE(h, last);
                   EXPECT_EQ(h, KeyHash(k));
                   EXPECT_EQ(trees_a.LeafOf(h), leaf);
                   in_leaf_a.insert(std::string(k));
                 }).ok());
    ASSERT_TRUE(b->ScanIndex(first, last, [&](uint64_t, std::string_view k, const IndexEntry&) {
                   in_leaf_b.insert(std::string(k));
                 }).ok());
    EXPECT_TRUE(in_leaf_a.contains(key));
    EXPECT_EQ(in_leaf_b.contains(key), keys.contains(key));
    ASSERT_NO_FATAL_FAILURE(ExpectVerified(&trees_a, a.get(), keys_in_a));

    // Replaying the write on B brings the replicas together again.
    ASSERT_TRUE(b->Apply(key, MakeRecord(kStart + 900'000, 0, 1, false))->changed);
    EXPECT_EQ(Snapshot(trees_a), Snapshot(trees_b));
  }
}

TEST_F(TreeSetTest, ScanIndexVisitsExactlyTheKeysInTheRangeInHashOrder) {
  Db db(dir_, "db");
  std::map<uint64_t, std::string> by_hash;
  for (int i = 0; i < 300; ++i) {
    const std::string key = "s" + std::to_string(i);
    ASSERT_TRUE(db->Apply(key, MakeRecord(kStart + 1, 0, 1, false)).ok());
    by_hash[KeyHash(key)] = key;
  }
  std::mt19937_64 rng(9);
  for (int round = 0; round < 20; ++round) {
    uint64_t lo = rng(), hi = rng();
    if (lo > hi) std::swap(lo, hi);
    if (round == 0) lo = 0, hi = ~uint64_t{0};
    if (round == 1) {  // bounds that are exactly key hashes
      auto it = std::next(by_hash.begin(), 50);
      lo = it->first;
      hi = std::next(it, 100)->first;
    }
    std::vector<std::string> expected, seen;
    for (auto it = by_hash.lower_bound(lo); it != by_hash.end() && it->first <= hi; ++it) {
      expected.push_back(it->second);
    }
    uint64_t previous = 0;
    ASSERT_TRUE(db->ScanIndex(lo, hi, [&](uint64_t h, std::string_view k, const IndexEntry& entry) {
                    EXPECT_GE(h, previous);
                    previous = h;
                    EXPECT_EQ(entry.digest, DigestOf(k, MakeRecord(kStart + 1, 0, 1, false)));
                    seen.emplace_back(k);
                  }).ok());
    EXPECT_EQ(seen, expected) << "round " << round;
  }
  {  // a range of a single hash
    auto first = by_hash.begin();
    std::vector<std::string> seen;
    ASSERT_TRUE(db->ScanIndex(first->first, first->first,
                              [&](uint64_t, std::string_view k, const IndexEntry&) {
                                seen.emplace_back(k);
                              })
                    .ok());
    EXPECT_EQ(seen, std::vector<std::string>{first->second});
  }
}

TEST_F(TreeSetTest, ObserverReportsBeforeAndAfterDigests) {
  Db db(dir_, "db");
  struct Call {
    uint64_t hash;
    std::optional<VersionDigest> before, after;
  };
  std::vector<Call> calls;
  db->SetIndexObserver([&](uint64_t hash, const VersionDigest* before, const VersionDigest* after) {
    calls.push_back({hash, before ? std::optional(*before) : std::nullopt,
                     after ? std::optional(*after) : std::nullopt});
  });
  const std::string key = "observed";
  const Record r1 = MakeRecord(kStart + 1, 0, 1, false);
  const Record r2 = MakeRecord(kStart + 2, 0, 1, true);
  ASSERT_TRUE(db->Apply(key, r1).ok());
  ASSERT_TRUE(db->Apply(key, r1).ok());                               // no change: no call
  ASSERT_TRUE(db->Apply(key, MakeRecord(kStart, 0, 1, false)).ok());  // stale: no call
  ASSERT_TRUE(db->Apply(key, r2).ok());
  ASSERT_FALSE(db->PurgeIfUnchanged(key, r1.version).value());  // no purge: no call
  ASSERT_TRUE(db->PurgeIfUnchanged(key, r2.version).value());
  ASSERT_EQ(calls.size(), 3u);
  for (const Call& c : calls) EXPECT_EQ(c.hash, KeyHash(key));
  EXPECT_FALSE(calls[0].before.has_value());
  EXPECT_EQ(calls[0].after, DigestOf(key, r1));
  EXPECT_EQ(calls[1].before, DigestOf(key, r1));
  EXPECT_EQ(calls[1].after, DigestOf(key, r2));
  EXPECT_EQ(calls[2].before, DigestOf(key, r2));
  EXPECT_FALSE(calls[2].after.has_value());
}

struct TilingCase {
  uint32_t partitions;
  TreeShape shape;
};

TEST_F(TreeSetTest, LeafRangesTileEachPartitionsHashRangeExactly) {
  for (const TilingCase& c :
       {TilingCase{1, {2, 1}}, TilingCase{1, {16, 3}}, TilingCase{2, {2, 1}},
        TilingCase{2, {16, 3}}, TilingCase{256, {2, 1}}, TilingCase{256, {16, 3}},
        TilingCase{65536, {2, 1}}, TilingCase{8, {16, 5}}}) {
    SCOPED_TRACE(std::to_string(c.partitions) + " partitions, shape " +
                 std::to_string(c.shape.fanout) + "/" + std::to_string(c.shape.depth));
    // Ownership does not matter to the ranges: own one partition only.
    const TreeSet trees(c.partitions, c.shape, {0});
    const int partition_bits = Log2(c.partitions);
    // Check every partition when there are few, a sample otherwise.
    std::vector<uint32_t> partitions;
    for (uint32_t p = 0; p < c.partitions; p += (c.partitions > 256 ? 4099 : 1)) {
      partitions.push_back(p);
    }
    partitions.push_back(c.partitions - 1);
    for (uint32_t p : partitions) {
      const uint64_t partition_first =
          partition_bits == 0 ? 0 : uint64_t{p} << (64 - partition_bits);
      const uint64_t partition_last =
          partition_bits == 0 ? ~uint64_t{0} : partition_first | (~uint64_t{0} >> partition_bits);
      uint64_t expected_first = partition_first;
      bool ok = true;
      for (uint32_t leaf = 0; leaf < c.shape.leaves() && ok; ++leaf) {
        uint64_t first = 1, last = 0;
        trees.LeafRange(p, leaf, &first, &last);
        ok = first == expected_first && first <= last && PartitionOf(first, c.partitions) == p &&
             PartitionOf(last, c.partitions) == p && trees.LeafOf(first) == leaf &&
             trees.LeafOf(last) == leaf;
        EXPECT_TRUE(ok) << "partition " << p << " leaf " << leaf << ": [" << first << ", " << last
                        << "], expected first " << expected_first;
        if (leaf + 1 == c.shape.leaves()) {
          EXPECT_EQ(last, partition_last) << "partition " << p;
        } else {
          ok = ok && last != ~uint64_t{0};
          expected_first = last + 1;
        }
      }
    }
    // LeafOf agrees with LeafRange for random hashes.
    std::mt19937_64 rng(c.partitions * 31 + c.shape.depth);
    for (int i = 0; i < 2000; ++i) {
      const uint64_t hash = rng();
      const uint32_t leaf = trees.LeafOf(hash);
      ASSERT_LT(leaf, c.shape.leaves());
      uint64_t first = 0, last = 0;
      trees.LeafRange(PartitionOf(hash, c.partitions), leaf, &first, &last);
      ASSERT_LE(first, hash);
      ASSERT_GE(last, hash);
    }
  }
}

TEST_F(TreeSetTest, KeysOfPartitionsNotOwnedAreIgnored) {
  constexpr uint32_t kPartitions = 8;
  const TreeShape shape{4, 3};
  const std::vector<uint32_t> owned{1, 4, 6};
  Db db(dir_, "db");
  TreeSet some(kPartitions, shape, owned);
  TreeSet all(kPartitions, shape, AllPartitions(kPartitions));
  db->SetIndexObserver([&](uint64_t hash, const VersionDigest* before, const VersionDigest* after) {
    some.OnIndexChange(hash, before, after);
    all.OnIndexChange(hash, before, after);
  });
  EXPECT_EQ(some.owned(), owned);
  for (uint32_t p = 0; p < kPartitions; ++p) {
    EXPECT_EQ(some.Owns(p), std::find(owned.begin(), owned.end(), p) != owned.end()) << p;
  }
  EXPECT_FALSE(some.Owns(kPartitions));

  Workload work(5, "n", 300);
  for (int i = 0; i < 1000; ++i) ASSERT_NO_FATAL_FAILURE(work.Step(db.get()));
  size_t owned_keys = 0;
  for (const auto& [key, record] : work.records()) {
    const uint32_t p = PartitionOf(KeyHash(key), kPartitions);
    if (std::find(owned.begin(), owned.end(), p) != owned.end()) ++owned_keys;
  }
  ASSERT_GT(owned_keys, 0u);
  ASSERT_LT(owned_keys, work.size());

  const AllTrees some_nodes = Snapshot(some);
  const AllTrees all_nodes = Snapshot(all);
  ASSERT_EQ(some_nodes.size(), owned.size());
  for (uint32_t p : owned) {
    EXPECT_NE(some.Root(p), TreeHash{}) << p;
    EXPECT_EQ(some_nodes.at(p), all_nodes.at(p)) << p;
  }
  // Verify and rebuild read only the owned partitions.
  ASSERT_NO_FATAL_FAILURE(ExpectVerified(&some, db.get(), owned_keys));
  TreeSet rebuilt(kPartitions, shape, owned);
  auto entries = rebuilt.RebuildFromIndex(db.get());
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries.value(), owned_keys);
  EXPECT_EQ(Snapshot(rebuilt), some_nodes);

  // A change in a partition not owned leaves every tree as it was.
  for (const auto& [key, record] : work.records()) {
    const uint64_t hash = KeyHash(key);
    if (some.Owns(PartitionOf(hash, kPartitions))) continue;
    VersionDigest d{};
    d[0] = 1;
    some.OnIndexChange(hash, nullptr, &d);
    some.OnIndexChange(hash, &d, nullptr);
    some.OnIndexChange(hash, nullptr, &d);
  }
  EXPECT_EQ(Snapshot(some), some_nodes);
  EXPECT_EQ(some.MemoryBytes(), owned.size() * (1 + 4 + 16 + 64) * sizeof(TreeHash));
}

TEST_F(TreeSetTest, NodesOutOfRangeAreEmptyAndMemoryCountsEveryNode) {
  const TreeShape shape{16, 3};
  TreeSet trees(256, shape, AllPartitions(256));
  EXPECT_EQ(trees.partitions(), 256u);
  EXPECT_EQ(trees.shape(), shape);
  EXPECT_EQ(trees.MemoryBytes(), size_t{256} * 4369 * 16);  // 17 MiB, per merkle_tree.h
  VersionDigest d{};
  d[15] = 0xff;
  trees.OnIndexChange(KeyHash("x"), nullptr, &d);
  const uint32_t p = PartitionOf(KeyHash("x"), 256);
  const auto nodes = trees.Nodes(p, 3, {trees.LeafOf(KeyHash("x")), 4096, 1u << 31});
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0], d);
  EXPECT_EQ(nodes[1], TreeHash{});
  EXPECT_EQ(nodes[2], TreeHash{});
  EXPECT_EQ(trees.Nodes(p, 4, {0}), std::vector<TreeHash>{TreeHash{}});
  EXPECT_NE(trees.Root(p), TreeHash{});
  EXPECT_TRUE(trees.Nodes(p, 0, {}).empty());
}

}  // namespace
}  // namespace alder::tree_set_test
