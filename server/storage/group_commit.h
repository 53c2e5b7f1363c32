// Group commit: many transactions, one log flush (DESIGN.md sections 6, 10).
//
// Writers commit without syncing, then call WaitDurable(). The first waiter
// becomes the leader and flushes the log once for everything committed so
// far; writers that commit while it flushes are covered by the next leader's
// flush. One fsync thus acknowledges a whole group, which is how durable
// throughput gets past the ~10k synced commits/s WiredTiger manages alone.
//
// Each flush writes the log to the operating system (log_flush "sync=off");
// in kFsync mode it then syncs the log through a LogSync (server/storage/
// log_sync.h; in alderd, fdatasync of the log files: log_file_syncer.h),
// so an ack survives power loss. kProcess stops after the write: an ack
// survives kill -9 of alderd, not a machine crash or power loss.
//
// Thread-safe.
#ifndef ALDER_SERVER_STORAGE_GROUP_COMMIT_H_
#define ALDER_SERVER_STORAGE_GROUP_COMMIT_H_

#include <wiredtiger.h>

#include <atomic>
#include <cstdint>
#include <memory>

#include "server/common/thread_annotations.h"
#include "server/storage/log_sync.h"

namespace alder {

enum class Durability { kFsync, kProcess };

class GroupCommit {
 public:
  // `flush_session` is used only by the leader of a flush; the caller keeps
  // ownership and must not use it for anything else. `log_sync` makes the
  // log durable in kFsync mode.
  GroupCommit(WT_SESSION* flush_session, Durability durability, std::unique_ptr<LogSync> log_sync);
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Returns once every transaction the caller committed before calling is
  // durable per the mode. A failed log flush stops the process: after a
  // failed fsync the state of the log is unknown, and acknowledging writes
  // that may not be on disk would break the promise of a database.
  void WaitDurable();

  uint64_t flushes() const { return flushes_.load(); }
  uint64_t commits_covered() const { return covered_.load(); }

 private:
  // Writes the log to the OS and, in kFsync mode, to the device.
  // REQUIRES: called by the leader only, without mu_ (writers commit meanwhile).
  void Flush() EXCLUDES(mu_);

  WT_SESSION* const flush_session_;
  const Durability durability_;
  const std::unique_ptr<LogSync> log_sync_;  // used by the leader only

  Mutex mu_;
  CondVar flushed_cv_;
  uint64_t requested_ GUARDED_BY(mu_) = 0;  // commits registered so far
  uint64_t flushed_ GUARDED_BY(mu_) = 0;    // commits known durable
  bool leader_active_ GUARDED_BY(mu_) = false;

  std::atomic<uint64_t> flushes_{0};
  std::atomic<uint64_t> covered_{0};
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_GROUP_COMMIT_H_
