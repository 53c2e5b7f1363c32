// The ring's contract: deterministic placement from the node set alone,
// distinct replicas, balance within 10% at 256 partitions, small movement when
// a node joins, and a placement function that cannot change unnoticed.
#include "server/cluster/ring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/common/key_hash.h"

namespace alder {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<uint32_t> Ids(uint32_t count, uint32_t first = 1) {
  std::vector<uint32_t> ids;
  for (uint32_t i = 0; i < count; ++i) ids.push_back(first + i);
  return ids;
}

Ring MakeRing(std::vector<uint32_t> ids, uint32_t partitions, uint32_t replication_factor,
              uint32_t vnodes = Ring::kDefaultVnodesPerNode) {
  Result<Ring> ring = Ring::Create(std::move(ids), partitions, replication_factor, vnodes);
  if (!ring.ok()) {  // a bug in the test itself: nothing below can run
    std::fprintf(stderr, "Ring::Create failed: %s\n", ring.status().ToString().c_str());
    std::abort();
  }
  return std::move(ring).value();
}

// Largest |count - mean| / mean over the ring's nodes.
double MaxDeviationFromMean(const Ring& ring, bool primaries_only) {
  std::vector<double> counts;
  for (uint32_t id : ring.node_ids()) {
    counts.push_back(static_cast<double>(primaries_only ? ring.PrimaryPartitionsOf(id).size()
                                                        : ring.PartitionsOf(id).size()));
  }
  double mean = 0;
  for (double c : counts) mean += c;
  mean /= static_cast<double>(counts.size());
  double worst = 0;
  for (double c : counts) worst = std::max(worst, std::fabs(c - mean) / mean);
  return worst;
}

// Node id sets the balance tests run on: consecutive ids as in a fresh
// cluster, and scattered ids as after some replacements.
std::vector<std::vector<uint32_t>> IdSetsOfSize(uint32_t n) {
  std::vector<uint32_t> scattered;
  for (uint32_t i = 0; i < n; ++i) scattered.push_back(7 + i * 1013 + (i * i) % 17);
  return {Ids(n), Ids(n, 100), scattered};
}

TEST(Ring, SameInputsGiveSamePreferenceLists) {
  const Ring a = MakeRing({1, 2, 3, 4, 5}, 256, 3);
  const Ring b = MakeRing({1, 2, 3, 4, 5}, 256, 3);
  const Ring shuffled = MakeRing({4, 2, 5, 1, 3}, 256, 3);
  EXPECT_THAT(shuffled.node_ids(), ElementsAre(1, 2, 3, 4, 5));
  for (uint32_t p = 0; p < 256; ++p) {
    EXPECT_EQ(a.PreferenceList(p), b.PreferenceList(p)) << "partition " << p;
    EXPECT_EQ(a.PreferenceList(p), shuffled.PreferenceList(p)) << "partition " << p;
  }
}

TEST(Ring, PreferenceListsHoldDistinctNodes) {
  for (uint32_t n = 1; n <= 7; ++n) {
    for (uint32_t rf = 1; rf <= n; ++rf) {
      for (uint32_t partitions : {1u, 8u, 256u}) {
        const Ring ring = MakeRing(Ids(n, 10), partitions, rf);
        for (uint32_t p = 0; p < partitions; ++p) {
          const std::vector<uint32_t>& list = ring.PreferenceList(p);
          ASSERT_EQ(list.size(), rf);
          const std::set<uint32_t> distinct(list.begin(), list.end());
          EXPECT_EQ(distinct.size(), rf) << n << " nodes, rf " << rf << ", partition " << p;
          for (uint32_t id : list) EXPECT_TRUE(ring.Contains(id)) << id;
        }
      }
    }
  }
}

TEST(Ring, ReplicationFactorEqualsNodeCountPutsEveryNodeEverywhere) {
  for (uint32_t n : {1u, 3u, 5u}) {
    const Ring ring = MakeRing(Ids(n), 256, n);
    for (uint32_t p = 0; p < 256; ++p) {
      std::vector<uint32_t> list = ring.PreferenceList(p);
      std::sort(list.begin(), list.end());
      EXPECT_EQ(list, Ids(n)) << "partition " << p;
    }
    for (uint32_t id : Ids(n)) EXPECT_EQ(ring.PartitionsOf(id).size(), 256u);
  }
}

TEST(Ring, PrimaryOwnershipIsBalancedWithinTenPercent) {
  for (uint32_t n = 3; n <= 6; ++n) {
    for (const std::vector<uint32_t>& ids : IdSetsOfSize(n)) {
      for (uint32_t rf : {1u, 3u}) {
        const Ring ring = MakeRing(ids, 256, rf);
        EXPECT_LE(MaxDeviationFromMean(ring, /*primaries_only=*/true), 0.10)
            << n << " nodes from id " << ids[0] << ", rf " << rf;
      }
    }
  }
}

TEST(Ring, ReplicaOwnershipIsBalancedWithinTenPercent) {
  for (uint32_t n = 3; n <= 6; ++n) {
    for (const std::vector<uint32_t>& ids : IdSetsOfSize(n)) {
      for (uint32_t rf : {1u, 2u, 3u}) {
        const Ring ring = MakeRing(ids, 256, rf);
        EXPECT_LE(MaxDeviationFromMean(ring, /*primaries_only=*/false), 0.10)
            << n << " nodes from id " << ids[0] << ", rf " << rf;
      }
    }
  }
}

TEST(Ring, PartitionsOfListsExactlyThePartitionsWhoseListsHoldTheNode) {
  const Ring ring = MakeRing({1, 2, 3, 4}, 64, 2);
  for (uint32_t id : ring.node_ids()) {
    std::vector<uint32_t> expected, expected_primary;
    for (uint32_t p = 0; p < 64; ++p) {
      const std::vector<uint32_t>& list = ring.PreferenceList(p);
      if (std::find(list.begin(), list.end(), id) != list.end()) expected.push_back(p);
      if (list.front() == id) expected_primary.push_back(p);
    }
    EXPECT_EQ(ring.PartitionsOf(id), expected);
    EXPECT_EQ(ring.PrimaryPartitionsOf(id), expected_primary);
  }
  EXPECT_TRUE(ring.PartitionsOf(99).empty());
  EXPECT_FALSE(ring.Contains(99));
}

TEST(Ring, KeysMapToTheirPartitionsPreferenceList) {
  const Ring ring = MakeRing({1, 2, 3, 4, 5}, 256, 3);
  for (int i = 0; i < 2000; ++i) {
    const std::string key = "key-" + std::to_string(i);
    const uint32_t partition = ring.PartitionOfKey(key);
    EXPECT_EQ(partition, PartitionOf(KeyHash(key), 256));
    EXPECT_EQ(ring.NodesForKey(key), ring.PreferenceList(partition));
  }
  // The partition is the top bits of SHA-256: e3b0c442... for "", bf2d13c0...
  // for "alder".
  EXPECT_EQ(ring.PartitionOfKey(""), 0xe3u);
  EXPECT_EQ(ring.PartitionOfKey("alder"), 0xbfu);
  EXPECT_EQ(MakeRing({1, 2, 3}, 65536, 3).PartitionOfKey("alder"), 0xbf2du);
  EXPECT_EQ(MakeRing({1, 2, 3}, 1, 3).PartitionOfKey("alder"), 0u);
}

TEST(Ring, RejectsBadConfigurations) {
  auto message = [](std::vector<uint32_t> ids, uint32_t partitions, uint32_t rf,
                    uint32_t vnodes = Ring::kDefaultVnodesPerNode) {
    Result<Ring> ring = Ring::Create(std::move(ids), partitions, rf, vnodes);
    EXPECT_FALSE(ring.ok());
    EXPECT_EQ(ring.status().code(), Status::Code::kInvalidArgument);
    return ring.status().message();
  };
  EXPECT_THAT(message({}, 256, 1), HasSubstr("at least one node"));
  EXPECT_THAT(message({1, 2, 3, 2}, 256, 3), HasSubstr("node id 2 is listed more than once"));
  EXPECT_THAT(message({1, 2, 3}, 0, 3),
              HasSubstr("partitions must be a power of two in 1..65536, got 0"));
  EXPECT_THAT(message({1, 2, 3}, 100, 3), HasSubstr("got 100"));
  EXPECT_THAT(message({1, 2, 3}, 131072, 3), HasSubstr("got 131072"));
  EXPECT_THAT(message({1, 2, 3}, 256, 0),
              HasSubstr("replication_factor must be in 1..3 (the number of nodes), got 0"));
  EXPECT_THAT(message({1, 2, 3}, 256, 4), HasSubstr("got 4"));
  EXPECT_THAT(message({1, 2, 3}, 256, 3, 0),
              HasSubstr("vnodes_per_node must be in 1..4096, got 0"));
  EXPECT_THAT(message({1, 2, 3}, 256, 3, 4097), HasSubstr("got 4097"));

  EXPECT_TRUE(Ring::Create({1}, 1, 1, 1).ok());
  EXPECT_TRUE(Ring::Create({1, 2, 3}, 65536, 3, 4096).ok());
}

TEST(Ring, AddingANodeMovesOnlyAFractionOfPartitions) {
  // The new node's fair share is 1/5 of the primaries; consistent hashing
  // keeps what moves close to that instead of reshuffling everything.
  for (uint32_t first : {1u, 100u}) {
    const Ring before = MakeRing(Ids(4, first), 256, 3);
    const Ring after = MakeRing(Ids(5, first), 256, 3);
    int primaries_moved = 0, replicas_gained = 0;
    for (uint32_t p = 0; p < 256; ++p) {
      const std::vector<uint32_t>& old_list = before.PreferenceList(p);
      const std::vector<uint32_t>& new_list = after.PreferenceList(p);
      primaries_moved += old_list.front() != new_list.front();
      for (uint32_t id : new_list) {
        replicas_gained += std::find(old_list.begin(), old_list.end(), id) == old_list.end();
      }
    }
    EXPECT_LT(primaries_moved / 256.0, 0.35) << primaries_moved << " primaries moved";
    EXPECT_LT(replicas_gained / (256.0 * 3), 0.35) << replicas_gained << " replicas moved";
    // The new node gets its share, taken from everyone else.
    EXPECT_NEAR(after.PrimaryPartitionsOf(first + 4).size(), 256 / 5.0, 1.0);
  }
}

// Golden preference lists. Changing the placement function would put every
// key of an existing cluster on the wrong nodes, so any change here must be
// deliberate (and come with a migration). These values were computed by this
// code and, independently, by a short Python script (hashlib) following the
// contract in ring.h.
TEST(Ring, PlacementMatchesGoldenPreferenceLists) {
  const Ring three = MakeRing({1, 2, 3}, 256, 3);
  EXPECT_THAT(three.PreferenceList(0), ElementsAre(1, 2, 3));
  EXPECT_THAT(three.PreferenceList(1), ElementsAre(1, 2, 3));
  EXPECT_THAT(three.PreferenceList(2), ElementsAre(2, 1, 3));
  EXPECT_THAT(three.PreferenceList(127), ElementsAre(3, 2, 1));
  EXPECT_THAT(three.PreferenceList(128), ElementsAre(3, 2, 1));
  EXPECT_THAT(three.PreferenceList(255), ElementsAre(1, 2, 3));

  const Ring five = MakeRing({1, 2, 3, 4, 5}, 256, 3);
  EXPECT_THAT(five.PreferenceList(0), ElementsAre(1, 5, 2));
  EXPECT_THAT(five.PreferenceList(17), ElementsAre(4, 2, 5));
  EXPECT_THAT(five.PreferenceList(100), ElementsAre(4, 2, 1));
  EXPECT_THAT(five.PreferenceList(200), ElementsAre(2, 4, 1));
  EXPECT_THAT(five.PreferenceList(255), ElementsAre(4, 2, 5));

  const Ring many = MakeRing({1, 2, 3, 4, 5}, 65536, 3);
  EXPECT_THAT(many.PreferenceList(0), ElementsAre(1, 5, 2));
  EXPECT_THAT(many.PreferenceList(12345), ElementsAre(5, 1, 4));
  EXPECT_THAT(many.PreferenceList(65535), ElementsAre(4, 5, 2));

  const Ring small = MakeRing({10, 20, 30, 40}, 16, 2);
  const std::vector<std::vector<uint32_t>> expected = {
      {40, 20}, {40, 20}, {30, 40}, {40, 30}, {10, 40}, {20, 40}, {10, 20}, {10, 40},
      {40, 10}, {20, 30}, {10, 30}, {30, 20}, {30, 10}, {30, 10}, {20, 10}, {20, 30}};
  for (uint32_t p = 0; p < 16; ++p) EXPECT_EQ(small.PreferenceList(p), expected[p]) << p;

  EXPECT_EQ(Ring::kDefaultVnodesPerNode, 128u) << "the default is part of the placement";
}

}  // namespace
}  // namespace alder
