// Tombstone GC on real storage, with time driven by a manual clock.
#include "antientropy/tombstone_gc.h"

#include <gtest/gtest.h>

#include "clock/manual_runner.h"
#include "server/storage/wt_storage.h"
#include "test/support/temp_dir.h"

namespace alder {
namespace {

using std::chrono::milliseconds;
constexpr uint64_t kStart = 1'764'000'000'000;
constexpr milliseconds kGrace{10'000};

class RefusingGuard final : public PurgeGuard {
 public:
  bool ReplicasHold(std::string_view, const StoredRecord&) override { return false; }
};

class TombstoneGcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions options;
    options.data_dir = dir_.Sub("db");
    options.cache_size_bytes = 32ull << 20;
    storage_ = std::move(WtStorage::Open(options, &clock_)).value();
  }
  void Put(const std::string& key, uint64_t wall_ms, uint64_t expires_at_ms = 0) {
    Record r;
    r.version = {clock::Timestamp::FromParts(wall_ms, 0), 1};
    r.value = "v";
    r.expires_at_ms = expires_at_ms;
    ASSERT_TRUE(storage_->Apply(key, r).ok());
  }
  void Delete(const std::string& key, uint64_t wall_ms) {
    Record r;
    r.version = {clock::Timestamp::FromParts(wall_ms, 0), 1};
    r.tombstone = true;
    ASSERT_TRUE(storage_->Apply(key, r).ok());
  }
  bool Stored(const std::string& key) { return storage_->Read(key).value().has_value(); }
  GcPassStats Pass(PurgeGuard* guard) {
    TombstoneCollector gc(storage_.get(), &clock_, guard,
                          TombstoneGcOptions{kGrace, milliseconds(1000), 7});
    auto pass = gc.RunOnce();
    EXPECT_TRUE(pass.ok()) << pass.status().ToString();
    return pass.ok() ? pass.value() : GcPassStats{};
  }

  testing::TempDir dir_;
  clock::ManualClock clock_{kStart};
  std::unique_ptr<WtStorage> storage_;
  SoleReplicaGuard sole_;
};

TEST_F(TombstoneGcTest, PurgesATombstoneOnlyAfterTheGracePeriod) {
  Put("k", kStart);
  Delete("k", kStart + 1);
  clock_.Set(kStart + 1 + kGrace.count() - 1);
  EXPECT_EQ(Pass(&sole_).purged, 0u);
  EXPECT_TRUE(Stored("k"));
  clock_.Set(kStart + 1 + kGrace.count());
  const GcPassStats pass = Pass(&sole_);
  EXPECT_EQ(pass.purged, 1u);
  EXPECT_FALSE(Stored("k"));
  EXPECT_FALSE(storage_->ReadIndex("k").value().has_value());
}

TEST_F(TombstoneGcTest, PurgesAnExpiredRecordGraceAfterItsExpiry) {
  Put("ttl", kStart, kStart + 5000);
  clock_.Set(kStart + 5000 + kGrace.count() - 1);
  EXPECT_EQ(Pass(&sole_).purged, 0u);
  clock_.Set(kStart + 5000 + kGrace.count());
  EXPECT_EQ(Pass(&sole_).purged, 1u);
  EXPECT_FALSE(Stored("ttl"));
}

TEST_F(TombstoneGcTest, NeverPurgesLiveRecords) {
  for (int i = 0; i < 50; ++i) Put("live" + std::to_string(i), kStart);
  clock_.Set(kStart + 1000 * kGrace.count());
  const GcPassStats pass = Pass(&sole_);
  EXPECT_EQ(pass.scanned, 50u);
  EXPECT_EQ(pass.purged, 0u);
  EXPECT_TRUE(Stored("live49"));
}

TEST_F(TombstoneGcTest, HoldsBackWhenReplicasAreNotKnownToHoldTheTombstone) {
  Delete("k", kStart);
  clock_.Set(kStart + 2 * kGrace.count());
  RefusingGuard refusing;
  const GcPassStats pass = Pass(&refusing);
  EXPECT_EQ(pass.purgeable, 1u);
  EXPECT_EQ(pass.held_back, 1u);
  EXPECT_EQ(pass.purged, 0u);
  EXPECT_TRUE(Stored("k"));
}

TEST_F(TombstoneGcTest, PurgesAcrossManyScanBatches) {
  for (int i = 0; i < 100; ++i) Delete("d" + std::to_string(i), kStart);
  for (int i = 0; i < 100; ++i) Put("p" + std::to_string(i), kStart);
  clock_.Set(kStart + kGrace.count());
  const GcPassStats pass = Pass(&sole_);  // batch of 7: many steps
  EXPECT_EQ(pass.scanned, 200u);
  EXPECT_EQ(pass.purged, 100u);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(Stored("p" + std::to_string(i)));
}

TEST_F(TombstoneGcTest, BackgroundThreadPurgesOnItsInterval) {
  Delete("k", kStart);
  clock_.Set(kStart + kGrace.count());
  TombstoneCollector gc(storage_.get(), &clock_, &sole_,
                        TombstoneGcOptions{kGrace, milliseconds(20), 100});
  gc.Start();
  for (int i = 0; i < 500 && Stored("k"); ++i) std::this_thread::sleep_for(milliseconds(10));
  gc.Stop();
  EXPECT_FALSE(Stored("k"));
  EXPECT_GE(gc.passes(), 1u);
  EXPECT_EQ(gc.totals().purged, 1u);
}

// In the background the collector runs a pass every interval on its runner
// and none after Stop(); driven here by a ManualRunner, without waiting.
TEST_F(TombstoneGcTest, RunsAPassEveryIntervalOnItsRunnerUntilStopped) {
  Delete("k", kStart);
  clock_.Set(kStart + kGrace.count() + 1);
  clock::ManualRunner runner;
  TombstoneCollector gc(storage_.get(), &clock_, &sole_,
                        TombstoneGcOptions{kGrace, milliseconds(1000), 7}, &runner);
  gc.Start();
  runner.Advance(milliseconds(999));
  EXPECT_EQ(gc.passes(), 0u);
  EXPECT_TRUE(Stored("k"));
  runner.Advance(milliseconds(1));
  EXPECT_EQ(gc.passes(), 1u);
  EXPECT_FALSE(Stored("k"));
  runner.Advance(milliseconds(3000));
  EXPECT_EQ(gc.passes(), 4u);
  gc.Stop();
  runner.Advance(milliseconds(5000));
  EXPECT_EQ(gc.passes(), 4u);
  EXPECT_EQ(runner.running_tasks(), 0u);
}

}  // namespace
}  // namespace alder
