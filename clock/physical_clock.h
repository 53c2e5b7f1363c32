// The source of physical time for the hybrid logical clock, injected so that
// tests can drive time explicitly (and set it back, or jump it forward).
#ifndef ALDER_CLOCK_PHYSICAL_CLOCK_H_
#define ALDER_CLOCK_PHYSICAL_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace alder::clock {

// Thread-safe: implementations must allow concurrent NowMs() calls.
class PhysicalClock {
 public:
  virtual ~PhysicalClock() = default;
  // Unix time in milliseconds. Not necessarily monotonic: wall clocks jump.
  virtual uint64_t NowMs() const = 0;
  // The same time in microseconds, for measurements finer than a stamp's
  // millisecond. Defaults to NowMs() * 1000.
  virtual uint64_t NowUs() const { return NowMs() * 1000; }
};

// A clock that never jumps (CLOCK_MONOTONIC): the base for measuring how
// much time passed, whatever the wall clock does meanwhile.
// Thread-safe: implementations must allow concurrent Now() calls.
class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  // Time since an arbitrary fixed point.
  virtual std::chrono::microseconds Now() const = 0;
};

// The machine's monotonic clock (std::chrono::steady_clock).
class SteadyClock final : public MonotonicClock {
 public:
  std::chrono::microseconds Now() const override;
};

// The machine's real-time clock (CLOCK_REALTIME).
class SystemClock final : public PhysicalClock {
 public:
  uint64_t NowMs() const override;
  uint64_t NowUs() const override;
};

// A clock that moves only when told to. For tests and simulations.
class ManualClock final : public PhysicalClock {
 public:
  explicit ManualClock(uint64_t now_ms) : now_us_(now_ms * 1000) {}
  uint64_t NowMs() const override { return NowUs() / 1000; }
  uint64_t NowUs() const override { return now_us_.load(std::memory_order_relaxed); }
  void Set(uint64_t now_ms) { now_us_.store(now_ms * 1000, std::memory_order_relaxed); }
  void SetUs(uint64_t now_us) { now_us_.store(now_us, std::memory_order_relaxed); }
  void Advance(uint64_t delta_ms) { now_us_.fetch_add(delta_ms * 1000, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> now_us_;
};

// A monotonic clock that moves only when told to. For tests and simulations.
class ManualMonotonicClock final : public MonotonicClock {
 public:
  std::chrono::microseconds Now() const override {
    return std::chrono::microseconds(now_us_.load(std::memory_order_relaxed));
  }
  void Advance(std::chrono::microseconds delta) {
    now_us_.fetch_add(delta.count(), std::memory_order_relaxed);
  }

 private:
  std::atomic<int64_t> now_us_{1'000'000};
};

}  // namespace alder::clock

#endif  // ALDER_CLOCK_PHYSICAL_CLOCK_H_
