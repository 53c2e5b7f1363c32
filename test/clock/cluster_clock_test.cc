// ClusterClock: peers' clocks estimated on the monotonic clock between
// measurements, and this node's time held to the median of all clocks.
#include "clock/cluster_clock.h"

#include <gtest/gtest.h>

#include <chrono>

namespace alder::clock {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr uint64_t kStartMs = 1'764'000'000'000;
constexpr int64_t kStartUs = static_cast<int64_t>(kStartMs) * 1000;

class ClusterClockTest : public ::testing::Test {
 protected:
  // Measures `peer` whose clock is `offset_us` off ours, over a round trip of `rtt`.
  void Measure(uint32_t peer, int64_t offset_us, microseconds rtt = microseconds(100)) {
    const microseconds sent = monotonic_.Now();
    Elapse(rtt / 2);
    const int64_t peer_wall = static_cast<int64_t>(local_.NowUs()) + offset_us;
    Elapse(rtt / 2);
    clock_.RecordSample(peer, peer_wall, sent, monotonic_.Now());
  }
  void Elapse(microseconds d) {
    monotonic_.Advance(d);
    local_.SetUs(local_.NowUs() + static_cast<uint64_t>(d.count()));
  }

  ManualClock local_{kStartMs};
  ManualMonotonicClock monotonic_;
  ClusterClock clock_{&local_, &monotonic_};
};

TEST_F(ClusterClockTest, WithNoPeerMeasuredItIsTheLocalClock) {
  EXPECT_EQ(clock_.NowUs(), local_.NowUs());
  local_.Set(kStartMs + 5000);
  EXPECT_EQ(clock_.NowMs(), kStartMs + 5000);
  EXPECT_FALSE(clock_.OffsetUs(2).has_value());
}

TEST_F(ClusterClockTest, AHealthyNodeKeepsItsOwnPreciseClock) {
  Measure(2, 30);
  Measure(3, -20);
  Elapse(milliseconds(400));
  EXPECT_EQ(clock_.NowUs(), local_.NowUs());
  EXPECT_NEAR(static_cast<double>(*clock_.OffsetUs(2)), 30.0, 1.0);
}

TEST_F(ClusterClockTest, AJumpOfTheLocalWallClockShowsAtOnceAsAnOffsetFromEveryPeer) {
  Measure(2, 0);
  Measure(3, 0);
  Elapse(milliseconds(100));
  local_.SetUs(local_.NowUs() + 5'000'000);  // NTP steps our clock; no heartbeat since
  EXPECT_NEAR(static_cast<double>(*clock_.OffsetUs(2)), -5e6, 100.0);
  EXPECT_NEAR(static_cast<double>(*clock_.OffsetUs(3)), -5e6, 100.0);
  // And the time Alder uses stays the cluster's.
  EXPECT_NEAR(static_cast<double>(clock_.NowUs()), static_cast<double>(local_.NowUs() - 5'000'000),
              100.0);
}

TEST_F(ClusterClockTest, TheOffsetWhenMeasuredStaysWhileTheEstimateFollowsOurJumps) {
  EXPECT_EQ(clock_.OffsetWhenMeasuredUs(2), std::nullopt);
  Measure(2, 3'700'000);  // the peer runs 3.7 s ahead
  Elapse(milliseconds(100));
  local_.SetUs(local_.NowUs() + 3'600'000);                           // then our clock jumps 3.6 s
  EXPECT_NEAR(static_cast<double>(*clock_.OffsetUs(2)), 1e5, 100.0);  // "in step" now
  EXPECT_NEAR(static_cast<double>(*clock_.OffsetWhenMeasuredUs(2)), 3.7e6, 100.0);
  Measure(2, 0);
  EXPECT_NEAR(static_cast<double>(*clock_.OffsetWhenMeasuredUs(2)), 0.0, 100.0);
}

TEST_F(ClusterClockTest, ANodeBehindStampsTheClustersTimeNotItsOwn) {
  Measure(2, 400'000);
  Measure(3, 400'000);
  Elapse(milliseconds(250));
  EXPECT_NEAR(static_cast<double>(clock_.NowUs()), static_cast<double>(local_.NowUs() + 400'000),
              100.0);
}

TEST_F(ClusterClockTest, OneWrongPeerDoesNotMoveTheMedian) {
  Measure(2, 0);
  Measure(3, 0);
  Measure(4, 0);
  Measure(5, 3'600'000'000);  // an hour ahead
  Elapse(milliseconds(10));
  EXPECT_EQ(clock_.NowUs(), local_.NowUs());
  Measure(5, -3'600'000'000);  // an hour behind
  EXPECT_EQ(clock_.NowUs(), local_.NowUs());
}

TEST_F(ClusterClockTest, WithTwoClocksItFollowsTheLaterOne) {
  Measure(2, 300'000);
  EXPECT_NEAR(static_cast<double>(clock_.NowUs()), static_cast<double>(local_.NowUs() + 300'000),
              100.0);
  Measure(2, -300'000);
  EXPECT_EQ(clock_.NowUs(), local_.NowUs());
}

TEST_F(ClusterClockTest, TheLocalClockIsKeptWhileWithinTheMeasurementError) {
  // Peers measured over a 2 ms round trip, both 0.8 ms ahead: within their
  // 1 ms error, so the local clock is kept.
  Measure(2, 800, microseconds(2000));
  Measure(3, 800, microseconds(2000));
  EXPECT_EQ(clock_.NowUs(), local_.NowUs());
  // 3 ms ahead is beyond it: the clock follows them, to within the error.
  Measure(2, 3000, microseconds(2000));
  Measure(3, 3000, microseconds(2000));
  EXPECT_NEAR(static_cast<double>(clock_.NowUs()), static_cast<double>(local_.NowUs() + 2000), 1.0);
}

}  // namespace
}  // namespace alder::clock
