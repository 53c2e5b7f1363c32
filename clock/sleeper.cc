#include "clock/sleeper.h"

#include <thread>

namespace alder::clock {

void ThreadSleeper::SleepFor(std::chrono::microseconds duration) {
  std::this_thread::sleep_for(duration);
}

Sleeper* RealSleeper() {
  static ThreadSleeper sleeper;
  return &sleeper;
}

const MonotonicClock* RealMonotonicClock() {
  static const SteadyClock clock;
  return &clock;
}

}  // namespace alder::clock
