// Parsers for the values users type on alder's command line: consistency
// levels, durations, counts, ratios, ports.
//
// Contract: each parser accepts the whole text or nothing. On failure the
// result carries one line naming the flag, the offending text and what would
// have been accepted, ready to print after "alder: ". No parser throws.
#ifndef ALDER_TOOLS_ARGS_H_
#define ALDER_TOOLS_ARGS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "tools/client.h"

namespace alder::tools {

// The failure half of an ArgResult.
struct ArgError {
  std::string message;
};

// Either a parsed T or an ArgError.
template <typename T>
class ArgResult {
 public:
  ArgResult(T value) : value_(std::move(value)) {}                 // NOLINT: implicit on purpose
  ArgResult(ArgError error) : error_(std::move(error.message)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  // REQUIRES: ok()
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  // Empty when ok().
  const std::string& error() const { return error_; }

 private:
  std::optional<T> value_;
  std::string error_;
};

// "one", "quorum" or "all", in any letter case.
ArgResult<Consistency> ParseConsistencyArg(std::string_view flag, std::string_view text);

// A duration with a unit ("500ms", "30s", "10m", "3h", "10d") that is > 0.
ArgResult<std::chrono::milliseconds> ParsePositiveDurationArg(std::string_view flag,
                                                              std::string_view text);

// A whole decimal number in [min, max].
ArgResult<uint64_t> ParseUnsignedArg(std::string_view flag, std::string_view text, uint64_t min,
                                     uint64_t max);

// A decimal number in [0, 1], e.g. "0.95" or "1".
ArgResult<double> ParseRatioArg(std::string_view flag, std::string_view text);

// A TCP port, 1..65535.
ArgResult<uint16_t> ParsePortArg(std::string_view flag, std::string_view text);

}  // namespace alder::tools

#endif  // ALDER_TOOLS_ARGS_H_
