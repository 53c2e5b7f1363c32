// Duration parsing (server/common/duration.h), which reads every time
// setting of the command line and config file. Anything it accepts must
// print back (FormatDuration) as a spelling it parses to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/common/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = alder::ParseDuration(text);
  if (!parsed) return 0;
  if (parsed->count() < 0) std::abort();  // documented: non-negative only
  const auto again = alder::ParseDuration(alder::FormatDuration(*parsed));
  if (!again || *again != *parsed) std::abort();
  return 0;
}
