#include "server/common/duration.h"

#include <array>
#include <charconv>
#include <limits>
#include <utility>

namespace alder {
namespace {

using std::chrono::milliseconds;

// Longest unit first so FormatDuration picks the shortest spelling.
constexpr std::array<std::pair<std::string_view, int64_t>, 5> kUnits = {
    {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

}  // namespace

std::optional<milliseconds> ParseDuration(std::string_view text) {
  int64_t count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end == text.data() || count < 0) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  for (const auto& [name, unit_ms] : kUnits) {
    if (unit != name) continue;
    if (count > std::numeric_limits<int64_t>::max() / unit_ms) return std::nullopt;
    return milliseconds(count * unit_ms);
  }
  return std::nullopt;
}

std::string FormatDuration(milliseconds duration) {
  const int64_t ms = duration.count();
  for (const auto& [name, unit_ms] : kUnits) {
    if (ms != 0 && ms % unit_ms == 0) return std::to_string(ms / unit_ms) + std::string(name);
  }
  return std::to_string(ms) + "ms";
}

}  // namespace alder
