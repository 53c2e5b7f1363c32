#include "server/common/fault_injection.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>

namespace alder {
namespace {

std::atomic<int64_t>& ReplicaWriteFailures() {
  static std::atomic<int64_t> left = [] {
    const char* value = std::getenv(kReplicaWriteFailuresVariable);
    return value == nullptr ? int64_t{0} : std::max<int64_t>(0, std::atoll(value));
  }();
  return left;
}

}  // namespace

int64_t InjectedReplicaWriteFailuresLeft() { return ReplicaWriteFailures().load(); }

bool FailNextReplicaWrite() {
  std::atomic<int64_t>& left = ReplicaWriteFailures();
  int64_t n = left.load(std::memory_order_relaxed);
  while (n > 0 && !left.compare_exchange_weak(n, n - 1)) {
  }
  return n > 0;
}

std::optional<uint64_t> InjectedLogSyncFailsAfter() {
  const char* value = std::getenv(kLogSyncFailsAfterVariable);
  if (value == nullptr) return std::nullopt;
  return static_cast<uint64_t>(std::max<int64_t>(0, std::atoll(value)));
}

}  // namespace alder
