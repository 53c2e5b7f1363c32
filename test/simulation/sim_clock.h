// A node's clocks in the simulation: its monotonic clock is simulated time;
// its wall clock is simulated time plus a fixed epoch and the node's own
// offset, which a fault may set (skew within or beyond max_clock_offset) or
// jump forward and back while the node runs.
#ifndef ALDER_TEST_SIMULATION_SIM_CLOCK_H_
#define ALDER_TEST_SIMULATION_SIM_CLOCK_H_

#include <chrono>
#include <cstdint>

#include "clock/physical_clock.h"
#include "test/simulation/scheduler.h"

namespace alder::sim {

// The wall-clock time at simulated time zero: 2026-01-01T00:00:00Z.
inline constexpr int64_t kEpochUs = 1'767'225'600'000'000;

class SimMonotonicClock final : public clock::MonotonicClock {
 public:
  explicit SimMonotonicClock(const Scheduler* scheduler) : scheduler_(scheduler) {}
  // Never zero, as a machine's monotonic clock is not.
  std::chrono::microseconds Now() const override {
    return scheduler_->Now() + std::chrono::seconds(1);
  }

 private:
  const Scheduler* const scheduler_;
};

class SimWallClock final : public clock::PhysicalClock {
 public:
  explicit SimWallClock(const Scheduler* scheduler) : scheduler_(scheduler) {}
  uint64_t NowMs() const override { return NowUs() / 1000; }
  uint64_t NowUs() const override {
    return static_cast<uint64_t>(kEpochUs + scheduler_->Now().count() + offset_.count());
  }
  // How far this node's clock is from true (simulated) time.
  std::chrono::microseconds offset() const { return offset_; }
  void set_offset(std::chrono::microseconds offset) { offset_ = offset; }

 private:
  const Scheduler* const scheduler_;
  std::chrono::microseconds offset_{0};
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_SIM_CLOCK_H_
