// The RateLimiter (antientropy/rate_limiter.h) on a manual monotonic clock,
// where every wait is exact and instant; and once on real time, where
// threads share one budget.
#include "antientropy/rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace alder {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint64_t kRate = 1'000'000;  // bytes per second

// Within 100 us: waits are computed in floating point and truncated.
void ExpectSlept(microseconds slept, microseconds expected) {
  EXPECT_NEAR(static_cast<double>(slept.count()), static_cast<double>(expected.count()), 100.0);
}

class ManualRateLimiterTest : public ::testing::Test {
 protected:
  // Acquires `total` bytes in `chunk`s and returns the time slept for them.
  microseconds SleptToAcquire(uint64_t total, uint64_t chunk) {
    const microseconds before = sleeper_.slept();
    for (uint64_t taken = 0; taken < total; taken += chunk) limiter_.Acquire(chunk);
    return sleeper_.slept() - before;
  }

  clock::ManualMonotonicClock clock_;
  clock::ManualSleeper sleeper_{&clock_};
  RateLimiter limiter_{kRate, &clock_, &sleeper_};
};

TEST_F(ManualRateLimiterTest, FromAnEmptyBucketTakesTotalOverRate) {
  ExpectSlept(SleptToAcquire(2 * kRate, 50'000), seconds(2));
}

TEST_F(ManualRateLimiterTest, BurstsAtMostOneSecondsWorth) {
  clock_.Advance(seconds(5));  // idle: the bucket fills, but only to one second's worth
  ExpectSlept(SleptToAcquire(kRate, 50'000), microseconds(0));
  ExpectSlept(SleptToAcquire(kRate, 50'000), seconds(1));
}

TEST_F(ManualRateLimiterTest, ABigRequestIsWaitedOutAfterwards) {
  clock_.Advance(milliseconds(500));
  ExpectSlept(SleptToAcquire(3 * kRate / 2, 3 * kRate / 2), seconds(1));   // 0.5 s saved up
  ExpectSlept(SleptToAcquire(kRate / 10, kRate / 10), milliseconds(100));  // no debt left over
}

TEST(RateLimiterTest, ZeroMeansUnlimited) {
  clock::ManualMonotonicClock clock;
  clock::ManualSleeper sleeper(&clock);
  RateLimiter limiter(0, &clock, &sleeper);
  for (int i = 0; i < 1000; ++i) limiter.Acquire(uint64_t{1} << 30);
  EXPECT_EQ(sleeper.slept(), microseconds(0));
}

TEST(RateLimiterTest, ThreadsShareOneBudgetInRealTime) {
  RateLimiter limiter(kRate);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (uint64_t taken = 0; taken < kRate / 4; taken += 32 * 1024) limiter.Acquire(32 * 1024);
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(elapsed, 0.9);  // 1 MB in all from an empty bucket
}

}  // namespace
}  // namespace alder
