#include "clock/physical_clock.h"

#include <time.h>

namespace alder::clock {

uint64_t SystemClock::NowMs() const { return NowUs() / 1000; }

uint64_t SystemClock::NowUs() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

std::chrono::microseconds SteadyClock::Now() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

}  // namespace alder::clock
