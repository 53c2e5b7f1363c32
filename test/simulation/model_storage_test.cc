// The Storage contract (server/storage/storage.h), checked against both
// WtStorage and the simulation's ModelStorage: the model is only worth its
// simulations if it behaves as the real engine does.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "server/common/key_hash.h"
#include "test/simulation/storage_backends.h"

namespace alder::sim {
namespace {

template <typename Backend>
class StorageConformance : public ::testing::Test {
 protected:
  Storage& storage() { return *backend_.storage(); }
  std::optional<Record> ReadRecord(std::string_view key) {
    auto found = storage().Read(key);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    if (!found.ok() || !found.value()) return std::nullopt;
    return found.value()->record;
  }
  void MustApply(std::string_view key, const Record& r) {
    auto outcome = storage().Apply(key, r);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  }
  // Scans all records in batches of `limit`; returns keys and the batch count.
  std::pair<std::vector<std::string>, int> ScanAll(size_t limit) {
    std::vector<std::string> keys;
    std::string after;
    bool start = true;
    for (int batches = 1;; ++batches) {
      auto last = storage().ScanRecords(
          after, start, limit,
          [&](std::string_view k, const StoredRecord&) { keys.emplace_back(k); });
      EXPECT_TRUE(last.ok());
      if (!last.ok() || !last.value()) return {keys, batches};
      after = *last.value();
      start = false;
    }
  }

  clock::ManualClock clock_{1'764'000'000'000};
  Backend backend_{&clock_};
};

TYPED_TEST_SUITE(StorageConformance, Backends);

TYPED_TEST(StorageConformance, ReadsBackWhatWasApplied) {
  auto outcome = this->storage().Apply("k", Value(100, 1, "v1"));
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->changed);
  EXPECT_EQ(outcome->winner, Value(100, 1, "v1"));
  EXPECT_EQ(this->ReadRecord("k")->value, "v1");
  EXPECT_FALSE(this->ReadRecord("absent").has_value());
  EXPECT_EQ(this->storage().stats().applies, 1u);
  EXPECT_FALSE(this->storage().location().empty());
}

TYPED_TEST(StorageConformance, OlderVersionLosesAndChangesNothing) {
  this->MustApply("k", Value(200, 1, "new"));
  auto outcome = this->storage().Apply("k", Value(100, 2, "old"));
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->changed);
  EXPECT_EQ(outcome->winner.value, "new");
  EXPECT_EQ(this->ReadRecord("k")->value, "new");
  EXPECT_EQ(this->storage().stats().stale_applies, 1u);
}

TYPED_TEST(StorageConformance, NodeIdBreaksATieOfTimestamps) {
  this->MustApply("k", Value(100, 2, "from 2"));
  this->MustApply("k", Value(100, 1, "from 1"));
  EXPECT_EQ(this->ReadRecord("k")->value, "from 2");
  this->MustApply("k", Value(100, 3, "from 3"));
  EXPECT_EQ(this->ReadRecord("k")->value, "from 3");
}

TYPED_TEST(StorageConformance, ApplyingTheSameRecordTwiceIsANoOp) {
  const Record r = Value(100, 1, "v");
  this->MustApply("k", r);
  auto again = this->storage().Apply("k", r);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(*this->ReadRecord("k"), r);
}

// Merge is commutative and associative: every order ends at the greatest.
TYPED_TEST(StorageConformance, EveryApplyOrderEndsAtTheGreatestVersion) {
  std::vector<Record> records = {Value(100, 1, "a"), Tombstone(300, 2), Value(200, 3, "c"),
                                 Value(300, 1, "d")};
  std::sort(records.begin(), records.end(),
            [](const Record& a, const Record& b) { return a.version < b.version; });
  int order = 0;
  do {
    const std::string key = "k" + std::to_string(order++);
    for (const Record& r : records) this->MustApply(key, r);
    EXPECT_EQ(*this->ReadRecord(key), Tombstone(300, 2)) << key;
  } while (std::next_permutation(
      records.begin(), records.end(),
      [](const Record& a, const Record& b) { return a.version < b.version; }));
  EXPECT_EQ(order, 24);
}

TYPED_TEST(StorageConformance, TombstoneReplacesValueAndOlderValuesLoseToIt) {
  this->MustApply("k", Value(100, 1, "v"));
  this->MustApply("k", Tombstone(101, 1));
  this->MustApply("k", Value(100, 5, "late"));
  auto r = this->ReadRecord("k");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->tombstone);
  EXPECT_TRUE(r->value.empty());
}

TYPED_TEST(StorageConformance, IndexEntryIsWrittenWithTheRecord) {
  const Record r = Value(100, 3, "v", 5000);
  this->MustApply("k", r);
  auto entry = this->storage().ReadIndex("k");
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(entry.value().has_value());
  EXPECT_EQ(*entry.value(), IndexEntryOf("k", r));
  this->MustApply("k", Tombstone(101, 1));
  EXPECT_EQ(*this->storage().ReadIndex("k").value(), IndexEntryOf("k", Tombstone(101, 1)));
  EXPECT_FALSE(this->storage().ReadIndex("absent").value().has_value());
}

TYPED_TEST(StorageConformance, ObserverSeesEveryIndexChangeAndNothingElse) {
  using Call = std::tuple<uint64_t, std::optional<VersionDigest>, std::optional<VersionDigest>>;
  std::vector<Call> calls;
  this->storage().SetIndexObserver(
      [&](uint64_t hash, const VersionDigest* before, const VersionDigest* after) {
        calls.emplace_back(hash, before ? std::optional(*before) : std::nullopt,
                           after ? std::optional(*after) : std::nullopt);
      });
  const Record v1 = Value(100, 1, "v1"), t2 = Tombstone(200, 1);
  this->MustApply("k", v1);
  this->MustApply("k", t2);
  this->MustApply("k", v1);  // loses: no index change
  ASSERT_TRUE(this->storage().PurgeIfUnchanged("k", t2.version).value());
  const uint64_t h = KeyHash("k");
  const std::vector<Call> expected = {Call{h, std::nullopt, DigestOf("k", v1)},
                                      Call{h, DigestOf("k", v1), DigestOf("k", t2)},
                                      Call{h, DigestOf("k", t2), std::nullopt}};
  EXPECT_EQ(calls, expected);
}

TYPED_TEST(StorageConformance, PurgeRemovesRecordAndIndexButSparesANewerVersion) {
  const Record t = Tombstone(100, 1);
  this->MustApply("k", t);
  this->MustApply("k2", t);
  this->MustApply("k2", Value(200, 1, "newer"));
  EXPECT_TRUE(this->storage().PurgeIfUnchanged("k", t.version).value());
  EXPECT_FALSE(this->storage().PurgeIfUnchanged("k2", t.version).value());
  EXPECT_FALSE(this->storage().PurgeIfUnchanged("absent", t.version).value());
  EXPECT_FALSE(this->ReadRecord("k").has_value());
  EXPECT_FALSE(this->storage().ReadIndex("k").value().has_value());
  EXPECT_EQ(this->ReadRecord("k2")->value, "newer");
  EXPECT_EQ(this->storage().stats().purges, 1u);
  this->backend_.Reopen();
  EXPECT_FALSE(this->ReadRecord("k").has_value());
  EXPECT_EQ(this->ReadRecord("k2")->value, "newer");
}

TYPED_TEST(StorageConformance, ScanVisitsKeysInByteOrderInBatches) {
  const std::vector<std::string> keys = {
      "b", "a", std::string("\xff", 1), "ab", std::string("a\0", 2), "c", "B"};
  for (const auto& k : keys) this->MustApply(k, Value(100, 1, "v"));
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());  // std::string orders bytes as unsigned
  for (size_t limit : {1u, 3u, 7u, 100u}) {
    auto [seen, batches] = this->ScanAll(limit);
    EXPECT_EQ(seen, sorted) << "limit " << limit;
    // A batch that ends on the limit names its last key even when nothing
    // follows, so an exact fit costs one more, empty, batch.
    EXPECT_EQ(batches, static_cast<int>(keys.size() / limit + 1)) << "limit " << limit;
  }
}

TYPED_TEST(StorageConformance, ScanStartsAfterTheGivenKey) {
  for (const char* k : {"a", "c", "e"}) this->MustApply(k, Value(100, 1, "v"));
  std::vector<std::string> seen;
  auto last = this->storage().ScanRecords(
      "b", false, 10, [&](std::string_view k, const StoredRecord&) { seen.emplace_back(k); });
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(last.value().has_value());
  EXPECT_EQ(seen, (std::vector<std::string>{"c", "e"}));
  seen.clear();
  last = this->storage().ScanRecords(
      "c", false, 1, [&](std::string_view k, const StoredRecord&) { seen.emplace_back(k); });
  EXPECT_EQ(seen, (std::vector<std::string>{"e"}));
  EXPECT_EQ(last.value(), std::optional<std::string>("e"));
}

TYPED_TEST(StorageConformance, ScanIndexVisitsAHashRangeInIndexOrder) {
  std::vector<std::pair<uint64_t, std::string>> all;
  for (int i = 0; i < 60; ++i) {
    const std::string key = "key" + std::to_string(i);
    this->MustApply(key, Value(100 + i, 1, "v"));
    all.emplace_back(KeyHash(key), key);
  }
  std::sort(all.begin(), all.end());
  const uint64_t first = all[10].first, last = all[40].first;
  std::vector<std::pair<uint64_t, std::string>> seen;
  Status s = this->storage().ScanIndex(
      first, last, [&](uint64_t hash, std::string_view key, const IndexEntry& entry) {
        EXPECT_EQ(entry, IndexEntryOf(key, *this->ReadRecord(key)));
        seen.emplace_back(hash, std::string(key));
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(seen, std::vector(all.begin() + 10, all.begin() + 41));
}

TYPED_TEST(StorageConformance, MetadataIsReadBackAndSurvivesReopen) {
  EXPECT_EQ(this->storage().GetMetadata("node_id").value(), std::nullopt);
  ASSERT_TRUE(this->storage().PutMetadata("node_id", "7").ok());
  ASSERT_TRUE(this->storage().PutMetadata("node_id", "8").ok());
  ASSERT_TRUE(this->storage().PutMetadata("cluster", "c1").ok());
  this->backend_.Reopen();
  EXPECT_EQ(this->storage().GetMetadata("node_id").value(), std::optional<std::string>("8"));
  EXPECT_EQ(this->storage().GetMetadata("cluster").value(), std::optional<std::string>("c1"));
}

TYPED_TEST(StorageConformance, NoWaitWritesAreVisibleAtOnceAndSurviveReopen) {
  for (int i = 0; i < 20; ++i) {
    auto outcome = this->storage().ApplyNoWait("k" + std::to_string(i), Value(100, 1, "v"));
    ASSERT_TRUE(outcome.ok());
    EXPECT_TRUE(this->ReadRecord("k" + std::to_string(i)).has_value());
  }
  this->storage().WaitDurable();
  this->backend_.Reopen();
  EXPECT_EQ(this->ScanAll(100).first.size(), 20u);
}

TYPED_TEST(StorageConformance, StoredAtIsTheLocalTimeOfTheWrite) {
  this->clock_.Set(1'800'000'000'000);
  this->MustApply("k", Value(100, 1, "v"));
  EXPECT_EQ(this->storage().Read("k").value()->stored_at_ms, 1'800'000'000'000u);
}

}  // namespace
}  // namespace alder::sim
