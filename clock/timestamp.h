// A hybrid logical clock timestamp: 48 bits of Unix milliseconds (the "wall"
// part, l in Kulkarni et al. 2014) and a 16-bit logical counter (c), packed
// into one 64-bit integer so that integer order is timestamp order.
//
// Thread-safe: a Timestamp is an immutable value.
#ifndef ALDER_CLOCK_TIMESTAMP_H_
#define ALDER_CLOCK_TIMESTAMP_H_

#include <compare>
#include <cstdint>
#include <string>

namespace alder::clock {

class Timestamp {
 public:
  static constexpr int kLogicalBits = 16;
  static constexpr uint64_t kMaxLogical = (uint64_t{1} << kLogicalBits) - 1;
  static constexpr uint64_t kMaxWallMs = (uint64_t{1} << (64 - kLogicalBits)) - 1;

  constexpr Timestamp() = default;

  // REQUIRES: wall_ms <= kMaxWallMs, logical <= kMaxLogical.
  static constexpr Timestamp FromParts(uint64_t wall_ms, uint64_t logical) {
    return Timestamp((wall_ms << kLogicalBits) | logical);
  }
  static constexpr Timestamp FromPacked(uint64_t packed) { return Timestamp(packed); }

  constexpr uint64_t packed() const { return packed_; }
  constexpr uint64_t wall_ms() const { return packed_ >> kLogicalBits; }
  constexpr uint64_t logical() const { return packed_ & kMaxLogical; }

  // "wall_ms.logical", e.g. "1764000000000.3".
  std::string ToString() const;

  constexpr auto operator<=>(const Timestamp&) const = default;

 private:
  constexpr explicit Timestamp(uint64_t packed) : packed_(packed) {}
  uint64_t packed_ = 0;
};

}  // namespace alder::clock

#endif  // ALDER_CLOCK_TIMESTAMP_H_
