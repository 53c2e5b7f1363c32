// The HintStore contract (server/storage/hint_store.h), checked against both
// WtHintStore and the simulation's ModelHintStore.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/simulation/storage_backends.h"

namespace alder::sim {
namespace {

using namespace std::chrono_literals;

template <typename Backend>
class HintStoreConformance : public ::testing::Test {
 protected:
  HintStore& hints() { return *backend_.hints(); }
  void Add(uint32_t target, std::string_view key, const Record& record) {
    Status s = hints().Add(target, key, record);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::vector<Hint> Oldest(uint32_t target, size_t limit = 1000) {
    auto found = hints().Oldest(target, limit);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? found.value() : std::vector<Hint>{};
  }
  std::vector<std::string> Keys(uint32_t target) {
    std::vector<std::string> keys;
    for (const Hint& h : Oldest(target)) keys.push_back(h.key);
    return keys;
  }

  clock::ManualClock clock_{1'764'000'000'000};
  Backend backend_{&clock_};
};

TYPED_TEST_SUITE(HintStoreConformance, Backends);

TYPED_TEST(HintStoreConformance, OldestReturnsEachTargetsHintsInSequenceOrder) {
  this->Add(2, "a", Value(100, 1, "a2"));
  this->Add(1, "z", Value(101, 1, "z1"));
  this->Add(0xffffffff, "m", Tombstone(102, 1));
  this->Add(2, "b", Value(103, 1, "b2", 9000));
  this->Add(0, "n", Value(104, 1, "n0"));
  this->Add(2, "c", Value(106, 1, "c2"));
  const auto two = this->Oldest(2);
  ASSERT_EQ(two.size(), 3u);
  EXPECT_LT(two[0].sequence, two[1].sequence);
  EXPECT_LT(two[1].sequence, two[2].sequence);
  EXPECT_EQ(two[1].key, "b");
  EXPECT_EQ(two[1].target, 2u);
  EXPECT_EQ(two[1].record, Value(103, 1, "b2", 9000));
  EXPECT_EQ(two[1].created_ms, this->clock_.NowMs());
  EXPECT_EQ(this->Oldest(0xffffffff)[0].record, Tombstone(102, 1));
  EXPECT_EQ(this->Keys(2), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(this->Keys(1), (std::vector<std::string>{"z"}));
  EXPECT_TRUE(this->Oldest(3).empty());
  EXPECT_EQ(this->Oldest(2, 2).size(), 2u);
  EXPECT_TRUE(this->Oldest(2, 0).empty());
  EXPECT_EQ(this->hints().Pending(2), 3u);
  EXPECT_EQ(this->hints().Pending(0xffffffff), 1u);
  EXPECT_EQ(this->hints().PendingTotal(), 6u);
}

TYPED_TEST(HintStoreConformance, RemoveDeletesOnlyThoseHintsAndToleratesAbsentOnes) {
  for (int i = 0; i < 5; ++i) this->Add(1, "k" + std::to_string(i), Value(100 + i, 1, "v"));
  this->Add(2, "x", Value(1, 1, "v"));
  const auto first = this->Oldest(1, 2);
  ASSERT_TRUE(this->hints().Remove(first).ok());
  EXPECT_EQ(this->Keys(1), (std::vector<std::string>{"k2", "k3", "k4"}));
  ASSERT_TRUE(this->hints().Remove(first).ok());  // a redelivery
  Hint wrong_target = this->Oldest(1, 1)[0];
  wrong_target.target = 2;
  ASSERT_TRUE(this->hints().Remove({wrong_target}).ok());
  EXPECT_EQ(this->hints().Pending(1), 3u);
  EXPECT_EQ(this->hints().PendingTotal(), 4u);
  EXPECT_EQ(this->hints().dropped(), 0u);
}

TYPED_TEST(HintStoreConformance, DropOlderThanDropsExactlyTheHintsOutOfTheWindow) {
  this->Add(1, "old", Value(100, 1, "v"));
  this->clock_.Advance(1000);
  this->Add(2, "middle", Value(101, 1, "v"));
  this->clock_.Advance(1000);
  this->Add(1, "new", Value(102, 1, "v"));
  // "old" is 2000 ms old: created_ms + window <= now drops it at 2000.
  EXPECT_EQ(this->hints().DropOlderThan(2001ms).value(), 0u);
  EXPECT_EQ(this->hints().DropOlderThan(2000ms).value(), 1u);
  EXPECT_EQ(this->Keys(1), (std::vector<std::string>{"new"}));
  EXPECT_EQ(this->hints().DropOlderThan(1000ms).value(), 1u);
  EXPECT_TRUE(this->Oldest(2).empty());
  EXPECT_EQ(this->hints().dropped(), 2u);
  EXPECT_EQ(this->hints().PendingTotal(), 1u);
  EXPECT_EQ(this->hints().DropOlderThan(std::chrono::milliseconds::max()).value(), 0u);
  EXPECT_FALSE(this->hints().DropOlderThan(-1ms).ok());
}

TYPED_TEST(HintStoreConformance, HintsAndTheirOrderSurviveRestart) {
  this->Add(1, "a", Value(100, 1, "va"));
  this->Add(2, "b", Value(101, 1, "vb"));
  this->Add(1, "c", Value(102, 1, "vc"));
  const auto before = this->Oldest(1);
  this->backend_.Reopen();
  const auto after = this->Oldest(1);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].sequence, before[i].sequence);
    EXPECT_EQ(after[i].created_ms, before[i].created_ms);
    EXPECT_EQ(after[i].record, before[i].record);
  }
  EXPECT_EQ(this->hints().PendingTotal(), 3u);
  this->Add(1, "d", Value(103, 1, "vd"));  // new hints go after the old ones
  EXPECT_EQ(this->Keys(1), (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_GT(this->Oldest(1).back().sequence, this->Oldest(2).back().sequence);
}

}  // namespace
}  // namespace alder::sim
