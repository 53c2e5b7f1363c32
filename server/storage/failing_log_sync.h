// A LogSync that passes `successes` syncs on to the real one and then fails
// every sync with IoError, as a disk that stops accepting writes would: the
// fault behind ALDER_FAULT_LOG_SYNC_FAILS_AFTER (server/common/fault_injection.h)
// and the unit tests of group commit's failure policy.
//
// Not thread-safe, like every LogSync.
#ifndef ALDER_SERVER_STORAGE_FAILING_LOG_SYNC_H_
#define ALDER_SERVER_STORAGE_FAILING_LOG_SYNC_H_

#include <cstdint>
#include <memory>

#include "server/storage/log_sync.h"

namespace alder {

class FailingLogSync final : public LogSync {
 public:
  FailingLogSync(std::unique_ptr<LogSync> real, uint64_t successes)
      : real_(std::move(real)), successes_left_(successes) {}

  Status Sync() override;

 private:
  const std::unique_ptr<LogSync> real_;
  uint64_t successes_left_;
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_FAILING_LOG_SYNC_H_
