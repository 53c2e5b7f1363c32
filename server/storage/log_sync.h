// The seam through which group commit makes the log durable
// (server/storage/group_commit.h): the real one fdatasyncs WiredTiger's log
// files (log_file_syncer.h); tests put a failing one in front of it
// (failing_log_sync.h) to see what a failed fsync does.
//
// Not thread-safe: one caller at a time (GroupCommit's leader).
#ifndef ALDER_SERVER_STORAGE_LOG_SYNC_H_
#define ALDER_SERVER_STORAGE_LOG_SYNC_H_

#include "server/common/status.h"

namespace alder {

class LogSync {
 public:
  virtual ~LogSync() = default;

  // Makes every log record written to the operating system so far durable.
  // IoError if it cannot: then the state of the log is unknown.
  virtual Status Sync() = 0;
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_LOG_SYNC_H_
