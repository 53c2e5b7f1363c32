// Validation of client input against the configured limits (DESIGN.md
// section 8). Each check returns InvalidArgument with a message that says what
// is wrong and what the limit is; nothing is stored when a check fails.
#ifndef ALDER_SERVER_RPC_REQUEST_LIMITS_H_
#define ALDER_SERVER_RPC_REQUEST_LIMITS_H_

#include <chrono>
#include <cstdint>
#include <string_view>

#include "server/common/status.h"

namespace alder {

// alderd's default limits (NodeConfig in server/config.h), shared with tests
// that validate input without a config.
inline constexpr uint32_t kDefaultMaxKeyBytes = 2048;
inline constexpr uint32_t kDefaultMaxValueBytes = 1 << 20;

struct RequestLimits {
  uint32_t max_key_bytes = kDefaultMaxKeyBytes;
  uint32_t max_value_bytes = kDefaultMaxValueBytes;
  // TTLs run from 1 ms to 10 years (3650 days).
  static constexpr int64_t kMaxTtlMs = int64_t{3650} * 24 * 3600 * 1000;
};

Status ValidateKey(std::string_view key, const RequestLimits& limits);
Status ValidateValue(std::string_view value, const RequestLimits& limits);
Status ValidateTtlMs(int64_t ttl_ms);

}  // namespace alder

#endif  // ALDER_SERVER_RPC_REQUEST_LIMITS_H_
