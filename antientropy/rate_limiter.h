// A token bucket over bytes: anti-entropy's traffic is held to a configured
// rate so that repair does not crowd out foreground requests. Bursts up to
// one second's worth. Thread-safe.
#ifndef ALDER_ANTIENTROPY_RATE_LIMITER_H_
#define ALDER_ANTIENTROPY_RATE_LIMITER_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

#include "server/common/thread_annotations.h"

namespace alder {

class RateLimiter {
 public:
  // 0: unlimited.
  explicit RateLimiter(uint64_t bytes_per_second) : rate_(bytes_per_second) {}

  // Takes `bytes` from the bucket, sleeping until they are available.
  void Acquire(uint64_t bytes) {
    if (rate_ == 0) return;
    std::chrono::steady_clock::duration wait{};
    {
      MutexLock lock(&mu_);
      const auto now = std::chrono::steady_clock::now();
      const double elapsed = std::chrono::duration<double>(now - refilled_).count();
      refilled_ = now;
      tokens_ = std::min(static_cast<double>(rate_), tokens_ + elapsed * static_cast<double>(rate_));
      tokens_ -= static_cast<double>(bytes);  // may go negative: the debt is waited out
      if (tokens_ < 0) {
        wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(-tokens_ / static_cast<double>(rate_)));
      }
    }
    if (wait.count() > 0) std::this_thread::sleep_for(wait);
  }

 private:
  const uint64_t rate_;
  Mutex mu_;
  double tokens_ GUARDED_BY(mu_) = 0;
  std::chrono::steady_clock::time_point refilled_ GUARDED_BY(mu_) =
      std::chrono::steady_clock::now();
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_RATE_LIMITER_H_
