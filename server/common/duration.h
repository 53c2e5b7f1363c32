// Durations as operators write them: "500ms", "30s", "10m", "3h", "10d".
#ifndef ALDER_SERVER_COMMON_DURATION_H_
#define ALDER_SERVER_COMMON_DURATION_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace alder {

// Parses a non-negative integer followed by one unit: ms, s, m, h or d.
// Returns std::nullopt for anything else (no unit, unknown unit, negative,
// fractional, overflow), so callers can report the offending text.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The shortest exact spelling in the units above, e.g. 36000000ms -> "10h".
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_DURATION_H_
