// Holding the calling thread back for a while: the seam for code that must
// block its caller rather than run as a background pass (the repair rate
// limiter, antientropy/rate_limiter.h). In alderd the thread sleeps; in a
// test a ManualSleeper moves a ManualMonotonicClock forward instead, so a
// wait is exact and takes no real time.
//
// Thread-safe: implementations must allow concurrent SleepFor() calls.
#ifndef ALDER_CLOCK_SLEEPER_H_
#define ALDER_CLOCK_SLEEPER_H_

#include <atomic>
#include <chrono>

#include "clock/physical_clock.h"

namespace alder::clock {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void SleepFor(std::chrono::microseconds duration) = 0;
};

// std::this_thread::sleep_for.
class ThreadSleeper final : public Sleeper {
 public:
  void SleepFor(std::chrono::microseconds duration) override;
};

// The process's ThreadSleeper and SteadyClock, the defaults of every part
// that takes a sleeper and a monotonic clock.
Sleeper* RealSleeper();
const MonotonicClock* RealMonotonicClock();

// Sleeping moves `clock` forward by the time asked, at once. For tests.
class ManualSleeper final : public Sleeper {
 public:
  explicit ManualSleeper(ManualMonotonicClock* clock) : clock_(clock) {}
  void SleepFor(std::chrono::microseconds duration) override {
    clock_->Advance(duration);
    slept_us_.fetch_add(duration.count(), std::memory_order_relaxed);
  }
  // The time asked for in all, since construction.
  std::chrono::microseconds slept() const {
    return std::chrono::microseconds(slept_us_.load(std::memory_order_relaxed));
  }

 private:
  ManualMonotonicClock* const clock_;
  std::atomic<int64_t> slept_us_{0};
};

}  // namespace alder::clock

#endif  // ALDER_CLOCK_SLEEPER_H_
