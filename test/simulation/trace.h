// Trace: what a schedule did, as lines of text, folded into a hash as they
// come (FNV-1a), and printed when asked (`alder_simulation --seed S
// --trace`). Two runs of one seed must give the same hash: that is what the
// determinism test compares.
#ifndef ALDER_TEST_SIMULATION_TRACE_H_
#define ALDER_TEST_SIMULATION_TRACE_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace alder::sim {

class Trace {
 public:
  explicit Trace(std::FILE* print_to = nullptr) : print_to_(print_to) {}

  // Records `line`, which happened at simulated time `at_us`.
  void Add(int64_t at_us, std::string_view line) {
    Fold(&at_us, sizeof at_us);
    Fold(line.data(), line.size());
    ++lines_;
    if (print_to_ != nullptr) {
      std::fprintf(print_to_, "%10.6f %.*s\n", static_cast<double>(at_us) / 1e6,
                   static_cast<int>(line.size()), line.data());
    }
  }
  uint64_t hash() const { return hash_; }
  uint64_t lines() const { return lines_; }

 private:
  void Fold(const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) hash_ = (hash_ ^ bytes[i]) * 0x100000001b3ULL;
  }

  std::FILE* const print_to_;
  uint64_t hash_ = 0xcbf29ce484222325ULL;
  uint64_t lines_ = 0;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_TRACE_H_
