// HintStore against real WiredTiger files in a temporary directory.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "server/storage/wt_hint_store.h"
#include "test/support/temp_dir.h"

namespace alder {
namespace {

using namespace std::chrono_literals;

Record Value(uint64_t wall_ms, uint32_t node, std::string value, uint64_t expires_at_ms = 0) {
  Record r;
  r.version = {clock::Timestamp::FromParts(wall_ms, 7), node};
  r.value = std::move(value);
  r.expires_at_ms = expires_at_ms;
  return r;
}

Record Tombstone(uint64_t wall_ms, uint32_t node) {
  Record r;
  r.version = {clock::Timestamp::FromParts(wall_ms, 3), node};
  r.tombstone = true;
  return r;
}

class HintStoreTest : public ::testing::TestWithParam<Durability> {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { Close(); }

  void Open() {
    StorageOptions options;
    options.data_dir = dir_.Sub("db");
    options.durability = GetParam();
    options.cache_size_bytes = 32ull << 20;
    auto opened = WtStorage::Open(options, &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
    auto hints = WtHintStore::Open(storage_.get(), &clock_);
    ASSERT_TRUE(hints.ok()) << hints.status().ToString();
    hints_ = std::move(hints).value();
  }
  void Close() {
    hints_.reset();  // before Storage
    storage_.reset();
  }
  void Reopen() {
    Close();
    Open();
  }

  void Add(uint32_t target, std::string_view key, const Record& record) {
    Status s = hints_->Add(target, key, record);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::vector<Hint> Oldest(uint32_t target, size_t limit = 1000) {
    auto found = hints_->Oldest(target, limit);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? found.value() : std::vector<Hint>{};
  }
  static std::vector<std::string> Keys(const std::vector<Hint>& hints) {
    std::vector<std::string> keys;
    for (const Hint& h : hints) keys.push_back(h.key);
    return keys;
  }

  testing::TempDir dir_;
  clock::ManualClock clock_{1'764'000'000'000};
  std::unique_ptr<WtStorage> storage_;
  std::unique_ptr<WtHintStore> hints_;
};

TEST_P(HintStoreTest, EmptyStore) {
  EXPECT_TRUE(Oldest(1).empty());
  EXPECT_EQ(hints_->Pending(1), 0u);
  EXPECT_EQ(hints_->PendingTotal(), 0u);
  EXPECT_EQ(hints_->dropped(), 0u);
}

TEST_P(HintStoreTest, OldestReturnsEachTargetsHintsInOrderOfAddition) {
  // Interleaved targets, including the extremes of the id range.
  Add(2, "a", Value(100, 1, "a2"));
  Add(1, "z", Value(101, 1, "z1"));
  Add(0xffffffff, "m", Value(102, 1, "m-max"));
  Add(2, "b", Value(103, 1, "b2"));
  Add(0, "n", Value(104, 1, "n0"));
  Add(1, "a", Value(105, 1, "a1"));
  Add(2, "c", Value(106, 1, "c2"));

  const auto two = Oldest(2);
  EXPECT_EQ(Keys(two), (std::vector<std::string>{"a", "b", "c"}));
  for (const Hint& h : two) EXPECT_EQ(h.target, 2u);
  EXPECT_LT(two[0].sequence, two[1].sequence);
  EXPECT_LT(two[1].sequence, two[2].sequence);
  EXPECT_EQ(two[1].record, Value(103, 1, "b2"));
  EXPECT_EQ(two[1].created_ms, clock_.NowMs());

  EXPECT_EQ(Keys(Oldest(1)), (std::vector<std::string>{"z", "a"}));
  EXPECT_EQ(Keys(Oldest(0)), (std::vector<std::string>{"n"}));
  EXPECT_EQ(Keys(Oldest(0xffffffff)), (std::vector<std::string>{"m"}));
  EXPECT_TRUE(Oldest(3).empty());

  EXPECT_EQ(hints_->Pending(0), 1u);
  EXPECT_EQ(hints_->Pending(1), 2u);
  EXPECT_EQ(hints_->Pending(2), 3u);
  EXPECT_EQ(hints_->Pending(3), 0u);
  EXPECT_EQ(hints_->Pending(0xffffffff), 1u);
  EXPECT_EQ(hints_->PendingTotal(), 7u);
}

TEST_P(HintStoreTest, LimitReturnsTheOldest) {
  for (int i = 0; i < 10; ++i) Add(5, "k" + std::to_string(i), Value(100 + i, 1, "v"));
  Add(4, "other", Value(1, 1, "v"));
  Add(6, "other", Value(1, 1, "v"));
  EXPECT_EQ(Keys(Oldest(5, 3)), (std::vector<std::string>{"k0", "k1", "k2"}));
  EXPECT_EQ(Oldest(5, 1).size(), 1u);
  EXPECT_TRUE(Oldest(5, 0).empty());
  EXPECT_EQ(Oldest(5, 100).size(), 10u);
}

TEST_P(HintStoreTest, RemoveDeletesOnlyThoseHintsAndToleratesAbsentOnes) {
  for (int i = 0; i < 5; ++i) Add(1, "k" + std::to_string(i), Value(100 + i, 1, "v"));
  Add(2, "x", Value(1, 1, "v"));
  auto first = Oldest(1, 2);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_TRUE(hints_->Remove(first).ok());
  EXPECT_EQ(Keys(Oldest(1)), (std::vector<std::string>{"k2", "k3", "k4"}));
  EXPECT_EQ(hints_->Pending(1), 3u);
  EXPECT_EQ(hints_->PendingTotal(), 4u);

  // Removing again (a redelivery) changes nothing and counts nothing twice.
  ASSERT_TRUE(hints_->Remove(first).ok());
  Hint never;
  never.target = 1;
  never.sequence = 999;
  ASSERT_TRUE(hints_->Remove({never}).ok());
  ASSERT_TRUE(hints_->Remove({}).ok());
  EXPECT_EQ(hints_->Pending(1), 3u);
  EXPECT_EQ(hints_->PendingTotal(), 4u);

  // The same sequence under another target is a different hint.
  Hint wrong_target = Oldest(1, 1)[0];
  wrong_target.target = 2;
  ASSERT_TRUE(hints_->Remove({wrong_target}).ok());
  EXPECT_EQ(hints_->Pending(1), 3u);
  EXPECT_EQ(Keys(Oldest(2)), (std::vector<std::string>{"x"}));

  ASSERT_TRUE(hints_->Remove(Oldest(1)).ok());
  EXPECT_TRUE(Oldest(1).empty());
  EXPECT_EQ(hints_->Pending(1), 0u);
  EXPECT_EQ(hints_->PendingTotal(), 1u);
  EXPECT_EQ(hints_->dropped(), 0u);  // removals are deliveries, not drops
}

TEST_P(HintStoreTest, RemovesMoreThanOneTransactionBatch) {
  for (int i = 0; i < 1200; ++i) Add(3, "k" + std::to_string(i), Value(100 + i, 1, "v"));
  auto all = Oldest(3, 5000);
  ASSERT_EQ(all.size(), 1200u);
  all.pop_back();
  ASSERT_TRUE(hints_->Remove(all).ok());
  EXPECT_EQ(Keys(Oldest(3)), (std::vector<std::string>{"k1199"}));
  EXPECT_EQ(hints_->Pending(3), 1u);
}

TEST_P(HintStoreTest, HintsOrderAndCountsSurviveRestart) {
  Add(1, "a", Value(100, 1, "va"));
  Add(2, "b", Value(101, 1, "vb"));
  Add(1, "c", Value(102, 1, "vc"));
  Add(1, "d", Value(103, 1, "vd"));
  ASSERT_TRUE(hints_->Remove(Oldest(1, 1)).ok());  // "a"
  const auto before1 = Oldest(1);
  const auto before2 = Oldest(2);
  uint64_t max_sequence = 0;
  for (const auto& h : before1) max_sequence = std::max(max_sequence, h.sequence);
  for (const auto& h : before2) max_sequence = std::max(max_sequence, h.sequence);

  Reopen();
  EXPECT_EQ(hints_->Pending(1), 2u);
  EXPECT_EQ(hints_->Pending(2), 1u);
  EXPECT_EQ(hints_->PendingTotal(), 3u);
  EXPECT_EQ(hints_->dropped(), 0u);
  const auto after1 = Oldest(1);
  ASSERT_EQ(Keys(after1), (std::vector<std::string>{"c", "d"}));
  for (size_t i = 0; i < after1.size(); ++i) {
    EXPECT_EQ(after1[i].sequence, before1[i].sequence);
    EXPECT_EQ(after1[i].created_ms, before1[i].created_ms);
    EXPECT_EQ(after1[i].record, before1[i].record);
  }
  EXPECT_EQ(Keys(Oldest(2)), (std::vector<std::string>{"b"}));

  // New hints go after the old ones, for every target.
  Add(2, "e", Value(104, 1, "ve"));
  Add(1, "f", Value(105, 1, "vf"));
  const auto now1 = Oldest(1);
  ASSERT_EQ(Keys(now1), (std::vector<std::string>{"c", "d", "f"}));
  EXPECT_GT(now1[2].sequence, max_sequence);
  const auto now2 = Oldest(2);
  ASSERT_EQ(Keys(now2), (std::vector<std::string>{"b", "e"}));
  EXPECT_GT(now2[1].sequence, max_sequence);
  EXPECT_NE(now1[2].sequence, now2[1].sequence);
  EXPECT_EQ(hints_->PendingTotal(), 5u);

  Reopen();
  EXPECT_EQ(Keys(Oldest(1)), (std::vector<std::string>{"c", "d", "f"}));
  EXPECT_EQ(Keys(Oldest(2)), (std::vector<std::string>{"b", "e"}));
  EXPECT_EQ(hints_->PendingTotal(), 5u);
}

TEST_P(HintStoreTest, AddedHintSurvivesAProcessDyingWithoutShutdown) {
  Close();
  // The child adds a hint and exits at once, with no destructor, checkpoint
  // or log flush: what kill -9 right after the acknowledgement leaves.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    StorageOptions options;
    options.data_dir = dir_.Sub("db");
    options.durability = GetParam();
    options.cache_size_bytes = 32ull << 20;
    auto storage = WtStorage::Open(options, &clock_);
    if (!storage.ok()) _exit(2);
    auto hints = WtHintStore::Open(storage.value().get(), &clock_);
    if (!hints.ok()) _exit(3);
    if (!hints.value()->Add(9, "acked", Value(100, 1, "v")).ok()) _exit(4);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  Open();
  EXPECT_EQ(hints_->Pending(9), 1u);
  EXPECT_EQ(Keys(Oldest(9)), (std::vector<std::string>{"acked"}));
}

TEST_P(HintStoreTest, DropOlderThanDropsHintsOutsideTheWindow) {
  const uint64_t t0 = clock_.NowMs();
  Add(1, "old1", Value(100, 1, "v"));
  Add(2, "old2", Value(100, 1, "v"));
  clock_.Advance(1000);
  Add(1, "mid", Value(100, 1, "v"));
  clock_.Advance(1000);
  Add(2, "new", Value(100, 1, "v"));
  ASSERT_EQ(Oldest(1)[0].created_ms, t0);

  // now = t0 + 2000. Nothing is as old as the window yet.
  auto dropped = hints_->DropOlderThan(2001ms);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(dropped.value(), 0u);
  EXPECT_EQ(hints_->PendingTotal(), 4u);

  // created_ms + window == now drops (the boundary is inclusive).
  dropped = hints_->DropOlderThan(2000ms);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped.value(), 2u);
  EXPECT_EQ(Keys(Oldest(1)), (std::vector<std::string>{"mid"}));
  EXPECT_EQ(Keys(Oldest(2)), (std::vector<std::string>{"new"}));
  EXPECT_EQ(hints_->Pending(1), 1u);
  EXPECT_EQ(hints_->Pending(2), 1u);
  EXPECT_EQ(hints_->dropped(), 2u);

  clock_.Advance(500);  // now = t0 + 2500: "mid" is 1500 old, "new" 500
  dropped = hints_->DropOlderThan(1000ms);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped.value(), 1u);
  EXPECT_TRUE(Oldest(1).empty());
  EXPECT_EQ(hints_->dropped(), 3u);

  // A huge window does not overflow into dropping everything.
  dropped = hints_->DropOlderThan(std::chrono::milliseconds::max());
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped.value(), 0u);

  // A clock set back (hint "from the future") is kept until time catches up.
  clock_.Set(t0);
  dropped = hints_->DropOlderThan(0ms);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped.value(), 0u);
  clock_.Set(t0 + 2000);
  dropped = hints_->DropOlderThan(0ms);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped.value(), 1u);
  EXPECT_EQ(hints_->PendingTotal(), 0u);
  EXPECT_EQ(hints_->dropped(), 4u);

  EXPECT_FALSE(hints_->DropOlderThan(-1ms).ok());

  // dropped() counts since open; drops persist.
  Add(1, "later", Value(100, 1, "v"));
  Reopen();
  EXPECT_EQ(hints_->dropped(), 0u);
  EXPECT_EQ(Keys(Oldest(1)), (std::vector<std::string>{"later"}));
  EXPECT_TRUE(Oldest(2).empty());
}

TEST_P(HintStoreTest, TombstonesAndTtlRecordsRoundTripExactly) {
  const Record tombstone = Tombstone(1'763'999'000'000, 42);
  const Record ttl = Value(1'763'999'000'001, 0xfffffffe, "expiring", 1'764'000'500'000);
  Record empty_value = Value(5, 9, "");
  Add(7, "deleted", tombstone);
  Add(7, "ttl", ttl);
  Add(7, "", empty_value);
  auto check = [&] {
    const auto found = Oldest(7);
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(found[0].key, "deleted");
    EXPECT_EQ(found[0].record, tombstone);
    EXPECT_TRUE(found[0].record.tombstone);
    EXPECT_EQ(found[1].key, "ttl");
    EXPECT_EQ(found[1].record, ttl);
    EXPECT_EQ(found[1].record.expires_at_ms, 1'764'000'500'000u);
    EXPECT_EQ(found[1].record.version.hlc.logical(), 7u);
    EXPECT_EQ(found[2].key, "");
    EXPECT_EQ(found[2].record, empty_value);
  };
  check();
  Reopen();
  check();
}

TEST_P(HintStoreTest, KeyWithEveryByteValueRoundTrips) {
  std::string key;
  for (int b = 0; b < 256; ++b) key.push_back(static_cast<char>(b));
  std::string value;
  for (int b = 255; b >= 0; --b) value.push_back(static_cast<char>(b));
  const Record record = Value(100, 1, value);
  Add(1, key, record);
  Add(1, key + key, record);  // same prefix, longer key
  auto found = Oldest(1);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].key, key);
  EXPECT_EQ(found[0].record, record);
  EXPECT_EQ(found[1].key, key + key);
  Reopen();
  found = Oldest(1);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].key, key);
  EXPECT_EQ(found[0].record.value, value);
}

// Writes a raw row into table:hints behind the store's back.
void PutRawRow(WtStorage* storage, std::string_view key, std::string_view value) {
  WT_CONNECTION* conn = storage->connection();
  WT_SESSION* session = nullptr;
  ASSERT_EQ(conn->open_session(conn, nullptr, nullptr, &session), 0);
  WT_CURSOR* cursor = nullptr;
  ASSERT_EQ(session->open_cursor(session, "table:hints", nullptr, nullptr, &cursor), 0);
  WT_ITEM k{}, v{};
  k.data = key.data();
  k.size = key.size();
  v.data = value.data();
  v.size = value.size();
  cursor->set_key(cursor, &k);
  cursor->set_value(cursor, &v);
  EXPECT_EQ(cursor->insert(cursor), 0);
  session->close(session, nullptr);
}

std::string RawKey(uint32_t target, uint64_t sequence) {
  std::string key;
  for (int i = 3; i >= 0; --i) key.push_back(static_cast<char>(target >> (8 * i)));
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>(sequence >> (8 * i)));
  return key;
}

TEST_P(HintStoreTest, UndecodableRowsAreCorruption) {
  Add(5, "good", Value(100, 1, "v"));
  // Too short for the header.
  PutRawRow(storage_.get(), RawKey(6, 100), "short");
  auto found = hints_->Oldest(6, 10);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Status::Code::kCorruption);
  auto dropped = hints_->DropOlderThan(0ms);
  ASSERT_FALSE(dropped.ok());
  EXPECT_EQ(dropped.status().code(), Status::Code::kCorruption);
  // A key length beyond the value.
  std::string value(8, '\0');
  value += std::string("\x00\x00\x01\x00", 4) + "abc";
  PutRawRow(storage_.get(), RawKey(7, 101), value);
  found = hints_->Oldest(7, 10);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Status::Code::kCorruption);
  // A record that does not decode.
  value = std::string(8, '\0') + std::string("\x00\x00\x00\x01", 4) + "k" + "\x09garbage";
  PutRawRow(storage_.get(), RawKey(8, 102), value);
  found = hints_->Oldest(8, 10);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Status::Code::kCorruption);
  // Other targets still read.
  EXPECT_EQ(Keys(Oldest(5)), (std::vector<std::string>{"good"}));

  // A key of the wrong size fails Open.
  PutRawRow(storage_.get(), "bad", "whatever");
  hints_.reset();
  auto reopened = WtHintStore::Open(storage_.get(), &clock_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), Status::Code::kCorruption);
}

TEST_P(HintStoreTest, ConcurrentCallersKeepCountsExact) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const auto target = static_cast<uint32_t>(t % 2);
        EXPECT_TRUE(hints_
                        ->Add(target, "k" + std::to_string(t) + "-" + std::to_string(i),
                              Value(100 + i, static_cast<uint32_t>(t), "v"))
                        .ok());
        if (i % 10 == 9) {
          auto some = hints_->Oldest(target, 3);
          EXPECT_TRUE(some.ok());
          if (some.ok()) {
            EXPECT_TRUE(hints_->Remove(some.value()).ok());
          }
        }
        (void)hints_->Pending(target);
      }
    });
  }
  for (auto& t : threads) t.join();
  const uint64_t held = Oldest(0, 10000).size() + Oldest(1, 10000).size();
  EXPECT_EQ(hints_->Pending(0), Oldest(0, 10000).size());
  EXPECT_EQ(hints_->Pending(1), Oldest(1, 10000).size());
  EXPECT_EQ(hints_->PendingTotal(), held);
  // Each thread removed up to 3 hints 10 times; racing threads may have
  // picked the same ones, so at most 120 are gone, and at least one.
  EXPECT_LT(held, uint64_t{kThreads * kPerThread});
  EXPECT_GE(held, uint64_t{kThreads * kPerThread - 120});

  // Sequence numbers are unique and in order of addition per target.
  for (uint32_t target : {0u, 1u}) {
    const auto all = Oldest(target, 10000);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].sequence, all[i].sequence);
  }
  Reopen();
  EXPECT_EQ(hints_->PendingTotal(), held);
}

INSTANTIATE_TEST_SUITE_P(BothDurabilityModes, HintStoreTest,
                         ::testing::Values(Durability::kFsync, Durability::kProcess),
                         [](const ::testing::TestParamInfo<Durability>& param_info) {
                           return param_info.param == Durability::kFsync ? "Fsync" : "Process";
                         });

}  // namespace
}  // namespace alder
