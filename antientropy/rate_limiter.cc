#include "antientropy/rate_limiter.h"

#include <algorithm>

namespace alder {

RateLimiter::RateLimiter(uint64_t bytes_per_second, const clock::MonotonicClock* clock,
                         clock::Sleeper* sleeper)
    : rate_(bytes_per_second), clock_(clock), sleeper_(sleeper), refilled_(clock->Now()) {}

void RateLimiter::Acquire(uint64_t bytes) {
  if (rate_ == 0) return;
  const double rate = static_cast<double>(rate_);
  std::chrono::microseconds wait{0};
  {
    MutexLock lock(&mu_);
    const std::chrono::microseconds now = clock_->Now();
    const double elapsed = std::chrono::duration<double>(now - refilled_).count();
    refilled_ = now;
    tokens_ = std::min(rate, tokens_ + elapsed * rate);
    tokens_ -= static_cast<double>(bytes);  // may go negative: the debt is waited out
    if (tokens_ < 0) {
      wait = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::duration<double>(-tokens_ / rate));
    }
  }
  if (wait.count() > 0) sleeper_->SleepFor(wait);
}

}  // namespace alder
