// The simulation's random choices: one seeded generator (SplitMix64, whose
// output is fixed by its definition, unlike the standard distributions'),
// so that a seed replays the same schedule on any machine.
#ifndef ALDER_TEST_SIMULATION_RANDOM_H_
#define ALDER_TEST_SIMULATION_RANDOM_H_

#include <chrono>
#include <cstdint>

namespace alder::sim {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); 0 when n is 0.
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  // Uniform in [low, high].
  int64_t Between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Below(static_cast<uint64_t>(high - low) + 1));
  }
  // True with probability `p`.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  template <typename Rep, typename Period>
  std::chrono::duration<Rep, Period> Between(std::chrono::duration<Rep, Period> low,
                                             std::chrono::duration<Rep, Period> high) {
    return std::chrono::duration<Rep, Period>(
        Between(static_cast<int64_t>(low.count()), static_cast<int64_t>(high.count())));
  }

 private:
  uint64_t state_;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_RANDOM_H_
