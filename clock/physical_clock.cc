#include "clock/physical_clock.h"

#include <time.h>

namespace alder::clock {

uint64_t SystemClock::NowMs() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1'000'000;
}

}  // namespace alder::clock
