// A token bucket over bytes: anti-entropy's traffic is held to a configured
// rate so that repair does not crowd out foreground requests. Bursts up to
// one second's worth. Time and waiting come through seams (clock/sleeper.h)
// so that tests measure waits exactly. Thread-safe.
#ifndef ALDER_ANTIENTROPY_RATE_LIMITER_H_
#define ALDER_ANTIENTROPY_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>

#include "clock/physical_clock.h"
#include "clock/sleeper.h"
#include "server/common/thread_annotations.h"

namespace alder {

class RateLimiter {
 public:
  // 0: unlimited. The bucket starts empty. Pointers must outlive the limiter.
  explicit RateLimiter(uint64_t bytes_per_second,
                       const clock::MonotonicClock* clock = clock::RealMonotonicClock(),
                       clock::Sleeper* sleeper = clock::RealSleeper());

  // Takes `bytes` from the bucket, sleeping until they are available.
  void Acquire(uint64_t bytes);

 private:
  const uint64_t rate_;
  const clock::MonotonicClock* const clock_;
  clock::Sleeper* const sleeper_;
  Mutex mu_;
  double tokens_ GUARDED_BY(mu_) = 0;
  std::chrono::microseconds refilled_ GUARDED_BY(mu_);
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_RATE_LIMITER_H_
