#include "clock/timestamp.h"

namespace alder::clock {

std::string Timestamp::ToString() const {
  return std::to_string(wall_ms()) + "." + std::to_string(logical());
}

}  // namespace alder::clock
