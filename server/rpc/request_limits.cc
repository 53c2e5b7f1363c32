#include "server/rpc/request_limits.h"

#include <fmt/format.h>

namespace alder {

Status ValidateKey(std::string_view key, const RequestLimits& limits) {
  if (key.empty()) {
    return Status::InvalidArgument(
        fmt::format("key is empty; keys are 1 to {} bytes", limits.max_key_bytes));
  }
  if (key.size() > limits.max_key_bytes) {
    return Status::InvalidArgument(
        fmt::format("key is {} bytes; the limit is {} bytes (max_key_bytes)", key.size(),
                    limits.max_key_bytes));
  }
  return Status::Ok();
}

Status ValidateValue(std::string_view value, const RequestLimits& limits) {
  if (value.size() > limits.max_value_bytes) {
    return Status::InvalidArgument(
        fmt::format("value is {} bytes; the limit is {} bytes (max_value_bytes)", value.size(),
                    limits.max_value_bytes));
  }
  return Status::Ok();
}

Status ValidateTtlMs(int64_t ttl_ms) {
  if (ttl_ms <= 0) {
    return Status::InvalidArgument(fmt::format(
        "ttl_ms must be positive, got {}; omit it for a value that never expires", ttl_ms));
  }
  if (ttl_ms > RequestLimits::kMaxTtlMs) {
    return Status::InvalidArgument(
        fmt::format("ttl_ms {} is longer than the maximum of 10 years ({} ms)", ttl_ms,
                    RequestLimits::kMaxTtlMs));
  }
  return Status::Ok();
}

}  // namespace alder
