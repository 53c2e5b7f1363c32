// BoundedTaskPool: tasks beyond the bound are refused and counted, never
// queued, however many threads post at once.
#include "server/common/bounded_task_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace alder {
namespace {

using namespace std::chrono_literals;

// Waits up to a few seconds for the pool to finish every task it accepted.
bool WaitUntilIdle(const BoundedTaskPool& pool) {
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (pool.pending() != 0) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(BoundedTaskPoolTest, RefusesTasksBeyondTheBoundAndCountsThem) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  BoundedTaskPool pool(2, 3);
  auto blocked_task = [&] {
    released.wait();
    ran.fetch_add(1);
  };
  // Two tasks running (one per thread), one queued: the bound is reached.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(pool.TryPost(blocked_task)) << i;
  EXPECT_EQ(pool.pending(), 3u);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(pool.TryPost(blocked_task)) << i;
  EXPECT_EQ(pool.dropped(), 5u);
  EXPECT_EQ(pool.pending(), 3u);

  release.set_value();
  ASSERT_TRUE(WaitUntilIdle(pool));
  EXPECT_EQ(ran.load(), 3);
  // The slots are free again.
  EXPECT_TRUE(pool.TryPost([&] { ran.fetch_add(1); }));
  ASSERT_TRUE(WaitUntilIdle(pool));
  EXPECT_EQ(ran.load(), 4);
  EXPECT_EQ(pool.dropped(), 5u);
}

TEST(BoundedTaskPoolTest, ConcurrentPostersNeverGetMoreThanTheBoundAccepted) {
  constexpr size_t kBound = 8;
  constexpr int kPosters = 4, kPostsEach = 200;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  BoundedTaskPool pool(1, kBound);
  std::atomic<int> accepted{0};
  std::vector<std::thread> posters;
  for (int p = 0; p < kPosters; ++p) {
    posters.emplace_back([&] {
      for (int i = 0; i < kPostsEach; ++i) {
        const bool ok = pool.TryPost([&] {
          released.wait();
          ran.fetch_add(1);
        });
        if (ok) accepted.fetch_add(1);
      }
    });
  }
  for (std::thread& t : posters) t.join();
  EXPECT_EQ(accepted.load(), static_cast<int>(kBound));
  EXPECT_EQ(pool.dropped(), static_cast<uint64_t>(kPosters * kPostsEach) - kBound);
  release.set_value();
  ASSERT_TRUE(WaitUntilIdle(pool));
  EXPECT_EQ(ran.load(), static_cast<int>(kBound));
}

TEST(BoundedTaskPoolTest, DestructorRunsEveryAcceptedTask) {
  std::atomic<int> ran{0};
  {
    BoundedTaskPool pool(2, 100);
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(pool.TryPost([&] {
        std::this_thread::sleep_for(100us);
        ran.fetch_add(1);
      }));
    }
  }
  EXPECT_EQ(ran.load(), 50);
}

}  // namespace
}  // namespace alder
