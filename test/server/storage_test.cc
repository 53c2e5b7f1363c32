// Storage against real WiredTiger files in a temporary directory.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <thread>
#include <vector>

#include "server/storage/wt_storage.h"
#include "test/support/temp_dir.h"

namespace alder {
namespace {

Record Value(uint64_t wall_ms, uint32_t node, std::string value, uint64_t expires_at_ms = 0) {
  Record r;
  r.version = {clock::Timestamp::FromParts(wall_ms, 0), node};
  r.value = std::move(value);
  r.expires_at_ms = expires_at_ms;
  return r;
}

Record Tombstone(uint64_t wall_ms, uint32_t node) {
  Record r;
  r.version = {clock::Timestamp::FromParts(wall_ms, 0), node};
  r.tombstone = true;
  return r;
}

class StorageTest : public ::testing::TestWithParam<Durability> {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    StorageOptions options;
    options.data_dir = dir_.Sub("db");
    options.durability = GetParam();
    options.cache_size_bytes = 32ull << 20;
    auto opened = WtStorage::Open(options, &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
  }
  void Reopen() {
    storage_.reset();
    Open();
  }
  std::optional<Record> ReadRecord(std::string_view key) {
    auto found = storage_->Read(key);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    if (!found.ok() || !found.value()) return std::nullopt;
    return found.value()->record;
  }

  testing::TempDir dir_;
  clock::ManualClock clock_{1'764'000'000'000};
  std::unique_ptr<WtStorage> storage_;
};

TEST_P(StorageTest, ReadsBackWhatWasApplied) {
  auto outcome = storage_->Apply("k", Value(100, 1, "v1"));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(outcome->changed);
  EXPECT_EQ(ReadRecord("k")->value, "v1");
  EXPECT_FALSE(ReadRecord("absent").has_value());
}

TEST_P(StorageTest, OlderVersionLosesAndChangesNothing) {
  ASSERT_TRUE(storage_->Apply("k", Value(200, 1, "new")).ok());
  auto outcome = storage_->Apply("k", Value(100, 2, "old"));
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->changed);
  EXPECT_EQ(outcome->winner.value, "new");
  EXPECT_EQ(ReadRecord("k")->value, "new");
  EXPECT_EQ(storage_->stats().stale_applies, 1u);
}

TEST_P(StorageTest, ApplyingTheSameRecordTwiceIsANoOp) {
  const Record r = Value(100, 1, "v");
  ASSERT_TRUE(storage_->Apply("k", r).ok());
  auto again = storage_->Apply("k", r);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(*ReadRecord("k"), r);
}

TEST_P(StorageTest, TombstoneReplacesValueAndIsStoredAsSuch) {
  ASSERT_TRUE(storage_->Apply("k", Value(100, 1, "v")).ok());
  ASSERT_TRUE(storage_->Apply("k", Tombstone(101, 1)).ok());
  auto r = ReadRecord("k");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->tombstone);
  EXPECT_TRUE(r->value.empty());
}

TEST_P(StorageTest, IndexEntryIsWrittenWithTheRecord) {
  const Record r = Value(100, 3, "v", 5000);
  ASSERT_TRUE(storage_->Apply("k", r).ok());
  auto entry = storage_->ReadIndex("k");
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(entry.value().has_value());
  EXPECT_EQ(*entry.value(), IndexEntryOf("k", r));
  ASSERT_TRUE(storage_->Apply("k", Tombstone(101, 1)).ok());
  EXPECT_TRUE(storage_->ReadIndex("k").value()->tombstone);
}

TEST_P(StorageTest, EverythingSurvivesCloseAndReopen) {
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(
        storage_->Apply("key" + std::to_string(i), Value(100 + i, 1, "v" + std::to_string(i)))
            .ok());
  }
  ASSERT_TRUE(storage_->Apply("gone", Tombstone(900, 1)).ok());
  ASSERT_TRUE(storage_->PutMetadata("node_id", "7").ok());
  Reopen();
  for (int i = 0; i < 500; ++i) {
    auto r = ReadRecord("key" + std::to_string(i));
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->value, "v" + std::to_string(i));
  }
  EXPECT_TRUE(ReadRecord("gone")->tombstone);
  EXPECT_EQ(storage_->GetMetadata("node_id").value(), std::optional<std::string>("7"));
  EXPECT_EQ(storage_->GetMetadata("absent").value(), std::nullopt);
}

TEST_P(StorageTest, KeysAndValuesAreBinarySafe) {
  std::string key("a\0b\xff", 4), value;
  for (int b = 0; b < 256; ++b) value.push_back(static_cast<char>(b));
  ASSERT_TRUE(storage_->Apply(key, Value(100, 1, value)).ok());
  EXPECT_EQ(ReadRecord(key)->value, value);
  EXPECT_FALSE(ReadRecord(std::string("a\0b", 3)).has_value());
}

TEST_P(StorageTest, ConcurrentWritersConvergeToTheGreatestVersion) {
  constexpr int kThreads = 8, kWritesPerThread = 300, kKeys = 5;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> written(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kWritesPerThread; ++i) {
        const uint64_t wall = 1000 + rng() % 100000;
        const std::string key = "k" + std::to_string(i % kKeys);
        auto r = storage_->Apply(key, Value(wall, t + 1, std::to_string(wall)));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  // Recompute the winner per key from the same deterministic streams.
  for (int k = 0; k < kKeys; ++k) {
    Version best;
    for (int t = 0; t < kThreads; ++t) {
      std::mt19937 rng(t);
      for (int i = 0; i < kWritesPerThread; ++i) {
        const uint64_t wall = 1000 + rng() % 100000;
        const Version v{clock::Timestamp::FromParts(wall, 0), static_cast<uint32_t>(t + 1)};
        if (i % kKeys == k && v > best) best = v;
      }
    }
    EXPECT_EQ(ReadRecord("k" + std::to_string(k))->version, best) << "key " << k;
  }
}

TEST_P(StorageTest, ThreadsThatComeAndGoReuseSessions) {
  for (int i = 0; i < 200; ++i) {
    std::thread([&, i] {
      ASSERT_TRUE(storage_->Apply("t" + std::to_string(i), Value(100, 1, "v")).ok());
    }).join();
  }
  // One thread at a time: a session returned at thread exit serves the next.
  EXPECT_EQ(storage_->stats().sessions_opened, 1u);
  EXPECT_EQ(ReadRecord("t199")->value, "v");
}

TEST_P(StorageTest, ScanVisitsEveryRecordOnceInBatches) {
  for (int i = 0; i < 2500; ++i) {
    ASSERT_TRUE(storage_->Apply("key" + std::to_string(i), Value(100, 1, "v")).ok());
  }
  std::set<std::string> seen;
  std::string after;
  bool start = true;
  int batches = 0;
  while (true) {
    auto last =
        storage_->ScanRecords(after, start, 1000, [&](std::string_view key, const StoredRecord&) {
          EXPECT_TRUE(seen.insert(std::string(key)).second) << key;
        });
    ASSERT_TRUE(last.ok());
    ++batches;
    if (!last.value()) break;
    after = *last.value();
    start = false;
  }
  EXPECT_EQ(seen.size(), 2500u);
  EXPECT_GE(batches, 3);
}

TEST_P(StorageTest, PurgeRemovesRecordAndIndexButSparesANewerVersion) {
  const Record t = Tombstone(100, 1);
  ASSERT_TRUE(storage_->Apply("k", t).ok());
  ASSERT_TRUE(storage_->Apply("k2", Tombstone(100, 1)).ok());
  ASSERT_TRUE(storage_->Apply("k2", Value(200, 1, "newer")).ok());
  EXPECT_TRUE(storage_->PurgeIfUnchanged("k", t.version).value());
  EXPECT_FALSE(storage_->PurgeIfUnchanged("k2", t.version).value());
  EXPECT_FALSE(ReadRecord("k").has_value());
  EXPECT_FALSE(storage_->ReadIndex("k").value().has_value());
  EXPECT_EQ(ReadRecord("k2")->value, "newer");
  Reopen();
  EXPECT_FALSE(ReadRecord("k").has_value());
}

TEST_P(StorageTest, StoredAtIsTheLocalTimeOfTheWrite) {
  clock_.Set(1'800'000'000'000);
  ASSERT_TRUE(storage_->Apply("k", Value(100, 1, "v")).ok());
  EXPECT_EQ(storage_->Read("k").value()->stored_at_ms, 1'800'000'000'000u);
}

INSTANTIATE_TEST_SUITE_P(BothDurabilityModes, StorageTest,
                         ::testing::Values(Durability::kFsync, Durability::kProcess),
                         [](const ::testing::TestParamInfo<Durability>& param_info) {
                           return param_info.param == Durability::kFsync ? "Fsync" : "Process";
                         });

TEST(StorageOpen, ReportsAnUnusableDataDirectory) {
  clock::ManualClock clock(0);
  StorageOptions options;
  options.data_dir = "/proc/alder-cannot-create-this";
  auto opened = WtStorage::Open(options, &clock);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("/proc/alder-cannot-create-this"), std::string::npos);
}

}  // namespace
}  // namespace alder
