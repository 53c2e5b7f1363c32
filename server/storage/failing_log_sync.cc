#include "server/storage/failing_log_sync.h"

namespace alder {

Status FailingLogSync::Sync() {
  if (successes_left_ == 0) {
    return Status::IoError("fdatasync of the WiredTiger log: injected failure");
  }
  --successes_left_;
  return real_->Sync();
}

}  // namespace alder
