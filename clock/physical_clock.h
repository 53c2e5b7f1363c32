// The source of physical time for the hybrid logical clock, injected so that
// tests can drive time explicitly (and set it back, or jump it forward).
#ifndef ALDER_CLOCK_PHYSICAL_CLOCK_H_
#define ALDER_CLOCK_PHYSICAL_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace alder::clock {

// Thread-safe: implementations must allow concurrent NowMs() calls.
class PhysicalClock {
 public:
  virtual ~PhysicalClock() = default;
  // Unix time in milliseconds. Not necessarily monotonic: wall clocks jump.
  virtual uint64_t NowMs() const = 0;
};

// The machine's real-time clock (CLOCK_REALTIME).
class SystemClock final : public PhysicalClock {
 public:
  uint64_t NowMs() const override;
};

// A clock that moves only when told to. For tests and simulations.
class ManualClock final : public PhysicalClock {
 public:
  explicit ManualClock(uint64_t now_ms) : now_ms_(now_ms) {}
  uint64_t NowMs() const override { return now_ms_.load(std::memory_order_relaxed); }
  void Set(uint64_t now_ms) { now_ms_.store(now_ms, std::memory_order_relaxed); }
  void Advance(uint64_t delta_ms) { now_ms_.fetch_add(delta_ms, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> now_ms_;
};

}  // namespace alder::clock

#endif  // ALDER_CLOCK_PHYSICAL_CLOCK_H_
