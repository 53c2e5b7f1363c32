#include "tools/args.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "fmt/format.h"
#include "server/common/duration.h"

namespace alder::tools {

ArgResult<Consistency> ParseConsistencyArg(std::string_view flag, std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "one") return Consistency::kOne;
  if (lower == "quorum") return Consistency::kQuorum;
  if (lower == "all") return Consistency::kAll;
  return ArgError{fmt::format("{}: '{}' is not a consistency level; use one, quorum or all", flag,
                              Printable(text))};
}

ArgResult<std::chrono::milliseconds> ParsePositiveDurationArg(std::string_view flag,
                                                              std::string_view text) {
  const auto parsed = ParseDuration(text);
  if (!parsed) {
    return ArgError{fmt::format(
        "{}: '{}' is not a duration; write a whole number with a unit: 500ms, 30s, 10m, 3h, 10d",
        flag, Printable(text))};
  }
  if (parsed->count() == 0) return ArgError{fmt::format("{}: must be greater than 0", flag)};
  return *parsed;
}

ArgResult<uint64_t> ParseUnsignedArg(std::string_view flag, std::string_view text, uint64_t min,
                                     uint64_t max) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return ArgError{fmt::format("{}: {} is too large (at most {})", flag, Printable(text), max)};
  }
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return ArgError{fmt::format("{}: '{}' is not a whole number", flag, Printable(text))};
  }
  if (value < min || value > max) {
    return ArgError{fmt::format("{}: {} is out of range {}..{}", flag, value, min, max)};
  }
  return value;
}

ArgResult<double> ParseRatioArg(std::string_view flag, std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return ArgError{fmt::format("{}: '{}' is not a number", flag, Printable(text))};
  }
  if (value < 0 || value > 1) {
    return ArgError{fmt::format("{}: {} is out of range 0..1", flag, Printable(text))};
  }
  return value;
}

ArgResult<uint16_t> ParsePortArg(std::string_view flag, std::string_view text) {
  auto port = ParseUnsignedArg(flag, text, 1, 65535);
  if (!port.ok()) return ArgError{port.error()};
  return static_cast<uint16_t>(port.value());
}

}  // namespace alder::tools
