// ThreadRunner: passes run after their wait and again after the wait each
// returns, Wake() starts one early, and destroying a task stops a pass in
// progress and lets no further pass start.
#include "clock/background_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "clock/manual_runner.h"

namespace alder::clock {
namespace {

using namespace std::chrono_literals;

// Counts passes and lets the test wait for a count, bounded.
class PassCounter {
 public:
  void Count() {
    {
      std::lock_guard lock(mu_);
      ++passes_;
    }
    changed_.notify_all();
  }
  bool WaitFor(int passes, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return passes_ >= passes; });
  }
  int passes() {
    std::lock_guard lock(mu_);
    return passes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int passes_ = 0;
};

TEST(ThreadRunner, RunsPassesAgainAfterTheWaitEachReturns) {
  PassCounter counter;
  const auto started = std::chrono::steady_clock::now();
  auto task = RealTimeRunner()->Start("test", 50ms, [&](std::stop_token) {
    counter.Count();
    return 10ms;
  });
  ASSERT_TRUE(counter.WaitFor(5, 10s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms + 4 * 10ms);
}

TEST(ThreadRunner, WakeStartsThePassWithoutWaiting) {
  PassCounter counter;
  auto task = RealTimeRunner()->Start("test", std::chrono::hours(1), [&](std::stop_token) {
    counter.Count();
    return std::chrono::milliseconds(std::chrono::hours(1));
  });
  task->Wake();
  EXPECT_TRUE(counter.WaitFor(1, 10s));
  task->Wake();
  EXPECT_TRUE(counter.WaitFor(2, 10s));
}

TEST(ThreadRunner, DestroyingATaskStopsItsPassAndStartsNoOther) {
  PassCounter counter;
  std::atomic<bool> pass_saw_stop{false};
  auto task = RealTimeRunner()->Start("test", 0ms, [&](std::stop_token stop) {
    counter.Count();
    // A long pass that checks for the stop between steps (bounded: 10 s).
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::yield();
    }
    pass_saw_stop = stop.stop_requested();
    return 0ms;
  });
  ASSERT_TRUE(counter.WaitFor(1, 10s));
  const auto stopping = std::chrono::steady_clock::now();
  task.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 5s) << "the pass ignored its stop";
  EXPECT_TRUE(pass_saw_stop);
  const int passes = counter.passes();
  EXPECT_FALSE(counter.WaitFor(passes + 1, 200ms)) << "a pass started after the task was gone";
}

// ManualRunner: passes run only when time is advanced, in due order, with
// Now() at their due time; the same calls give the same order every time.
TEST(ManualRunner, RunsPassesInDueOrderAtTheirTimes) {
  ManualRunner runner;
  const auto start = runner.Now();
  std::vector<std::string> ran;
  auto every_30 = runner.Start("a", 30ms, [&](std::stop_token) {
    ran.push_back("a@" + std::to_string((runner.Now() - start) / 1ms));
    return 30ms;
  });
  auto every_20 = runner.Start("b", 20ms, [&](std::stop_token) {
    ran.push_back("b@" + std::to_string((runner.Now() - start) / 1ms));
    return 20ms;
  });
  runner.Advance(19ms);
  EXPECT_TRUE(ran.empty());
  runner.Advance(61ms);  // to 80 ms; at 60 both are due: "a" was started first
  EXPECT_EQ(ran, (std::vector<std::string>{"b@20", "a@30", "b@40", "a@60", "b@60", "b@80"}));
  EXPECT_EQ(runner.Now() - start, 80ms);
  EXPECT_EQ(runner.passes(), 6u);
}

TEST(ManualRunner, WakeRunsAtTheNextAdvanceAndADestroyedTaskNeverRuns) {
  ManualRunner runner;
  int passes = 0;
  auto task = runner.Start("t", std::chrono::hours(1), [&](std::stop_token) {
    ++passes;
    return std::chrono::milliseconds(std::chrono::hours(1));
  });
  task->Wake();
  runner.Advance(0ms);
  EXPECT_EQ(passes, 1);
  EXPECT_TRUE(runner.RunNext());  // jumps an hour ahead to the next pass
  EXPECT_EQ(passes, 2);
  task.reset();
  EXPECT_EQ(runner.running_tasks(), 0u);
  EXPECT_FALSE(runner.RunNext());
  runner.Advance(std::chrono::hours(5));
  EXPECT_EQ(passes, 2);
}

TEST(ManualRunner, APassThatAsksForNoWaitStillLetsTimeMove) {
  ManualRunner runner;
  int passes = 0;
  auto task = runner.Start("busy", 0ms, [&](std::stop_token) {
    ++passes;
    return 0ms;
  });
  runner.Advance(1ms);  // ends: each pass moves time by 1 us
  EXPECT_EQ(passes, 1001);
}

}  // namespace
}  // namespace alder::clock
