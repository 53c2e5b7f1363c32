// Shared by the TreeSet tests (tree_set_test.cc, tree_set_concurrency_test.cc):
// real WiredTiger storage in a temporary directory, a random workload with a
// model of what storage holds, and snapshots and verification of the trees.
#ifndef ALDER_TEST_ANTIENTROPY_TREE_SET_FIXTURE_H_
#define ALDER_TEST_ANTIENTROPY_TREE_SET_FIXTURE_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "antientropy/tree_set.h"
#include "clock/physical_clock.h"
#include "server/storage/wt_storage.h"
#include "test/support/temp_dir.h"

namespace alder::tree_set_test {

constexpr uint64_t kStart = 1'764'000'000'000;

inline std::vector<uint32_t> AllPartitions(uint32_t partitions) {
  std::vector<uint32_t> all;
  for (uint32_t p = 0; p < partitions; ++p) all.push_back(p);
  return all;
}

inline Record MakeRecord(uint64_t wall_ms, uint32_t logical, uint32_t node, bool tombstone,
                         uint64_t expires_at_ms = 0, std::string value = "v") {
  Record r;
  r.version = {clock::Timestamp::FromParts(wall_ms, logical), node};
  r.tombstone = tombstone;
  if (!tombstone) {
    r.value = std::move(value);
    r.expires_at_ms = expires_at_ms;
  }
  return r;
}

// One database in its own directory, reopenable.
class Db {
 public:
  explicit Db(const testing::TempDir& dir, const std::string& name) : path_(dir.Sub(name)) {
    Open();
  }
  void Open() {
    StorageOptions options;
    options.data_dir = path_;
    options.durability = Durability::kProcess;
    options.cache_size_bytes = 32ull << 20;
    auto opened = WtStorage::Open(options, &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
  }
  void Close() { storage_.reset(); }
  void Hook(TreeSet* trees) {
    storage_->SetIndexObserver(
        [trees](uint64_t hash, const VersionDigest* before, const VersionDigest* after) {
          trees->OnIndexChange(hash, before, after);
        });
  }
  Storage* operator->() const { return storage_.get(); }
  Storage* get() const { return storage_.get(); }

 private:
  const std::string path_;
  clock::ManualClock clock_{kStart};
  std::unique_ptr<WtStorage> storage_;
};

// Every node of every owned tree.
using AllTrees = std::map<uint32_t, std::vector<std::vector<TreeHash>>>;
inline AllTrees Snapshot(const TreeSet& trees) {
  AllTrees out;
  for (uint32_t p : trees.owned()) {
    for (uint32_t level = 0; level <= trees.shape().depth; ++level) {
      std::vector<uint32_t> indexes(trees.shape().NodesAt(level));
      for (uint32_t i = 0; i < indexes.size(); ++i) indexes[i] = i;
      out[p].push_back(trees.Nodes(p, level, indexes));
    }
  }
  return out;
}

inline void ExpectVerified(TreeSet* trees, Storage* storage, uint64_t expected_entries) {
  uint64_t entries = 0;
  auto mismatched = trees->Verify(storage, &entries);
  ASSERT_TRUE(mismatched.ok()) << mismatched.status().ToString();
  EXPECT_EQ(mismatched.value(), std::vector<uint32_t>{});
  EXPECT_EQ(entries, expected_entries);
}

// A random mix of writes against one storage, with a model of what it holds.
class Workload {
 public:
  explicit Workload(uint64_t seed, std::string prefix = "key-", int keys = 400)
      : rng_(seed), prefix_(std::move(prefix)), keys_(keys) {}

  // One random operation; checks what storage says it did.
  void Step(Storage* storage) {
    const std::string key = prefix_ + std::to_string(rng_() % static_cast<uint64_t>(keys_));
    auto it = model_.find(key);
    const int op = static_cast<int>(rng_() % 100);
    if (it != model_.end() && op < 12) {  // stale: loses the merge
      const Version& cur = it->second;
      if (cur.hlc.wall_ms() <= kStart) return;
      Record r = MakeRecord(cur.hlc.wall_ms() - 1 - rng_() % 5, 0, 3, rng_() % 2 == 0);
      auto outcome = storage->Apply(key, r);
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
      EXPECT_FALSE(outcome->changed);
      ++stale_;
      return;
    }
    if (it != model_.end() && op < 17) {  // the same write again
      Record r = current_records_.at(key);
      auto outcome = storage->Apply(key, r);
      ASSERT_TRUE(outcome.ok());
      EXPECT_FALSE(outcome->changed);
      return;
    }
    if (it != model_.end() && op < 25) {  // purge
      const bool right_version = rng_() % 4 != 0;
      Version expected = it->second;
      if (!right_version) expected.node_id += 100;
      auto purged = storage->PurgeIfUnchanged(key, expected);
      ASSERT_TRUE(purged.ok()) << purged.status().ToString();
      EXPECT_EQ(purged.value(), right_version);
      if (right_version) {
        model_.erase(key);
        current_records_.erase(key);
        ++purges_;
      }
      return;
    }
    if (op < 25) return;  // no such key to purge or go stale on
    // A newer write: value, value with TTL, or tombstone; a newer version
    // than anything before (same wall time, higher logical or node, too).
    ++wall_;
    const uint32_t node = 1 + static_cast<uint32_t>(rng_() % 3);
    const bool tombstone = op >= 80;
    const uint64_t expires = op >= 70 && op < 80 ? kStart + 1'000'000 + rng_() % 1000 : 0;
    Record r = MakeRecord(wall_, static_cast<uint32_t>(rng_() % 3), node, tombstone, expires,
                          "value-" + std::to_string(rng_()));
    auto outcome = storage->Apply(key, r);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_TRUE(outcome->changed);
    model_[key] = r.version;
    current_records_[key] = r;
    ++writes_;
  }

  const std::map<std::string, Record>& records() const { return current_records_; }
  size_t size() const { return model_.size(); }
  int stale() const { return stale_; }
  int purges() const { return purges_; }
  int writes() const { return writes_; }

 private:
  std::mt19937_64 rng_;
  std::string prefix_;
  int keys_;
  uint64_t wall_ = kStart;
  std::map<std::string, Version> model_;
  std::map<std::string, Record> current_records_;
  int stale_ = 0, purges_ = 0, writes_ = 0;
};

class TreeSetTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

}  // namespace alder::tree_set_test

#endif  // ALDER_TEST_ANTIENTROPY_TREE_SET_FIXTURE_H_
