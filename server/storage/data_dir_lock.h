// One alderd per data directory. WiredTiger refuses a second opener too, but
// with two raw lines of its own; this lock comes first and names the holder.
//
// The lock is flock(2) on DATA_DIR/alderd.pid, which also holds the holder's
// pid for the message. The kernel drops the lock when the holder exits, kill
// -9 included, so a pid file left behind never blocks a start: only a live
// lock does.
#ifndef ALDER_SERVER_STORAGE_DATA_DIR_LOCK_H_
#define ALDER_SERVER_STORAGE_DATA_DIR_LOCK_H_

#include <memory>
#include <string>

#include "server/common/status.h"

namespace alder {

class DataDirLock {
 public:
  // Creates `data_dir` if missing and locks it for this process. Returns
  // InvalidArgument "data directory D is in use by another alderd (pid P)"
  // when a live process holds it, IoError when the file cannot be made.
  static Result<std::unique_ptr<DataDirLock>> Acquire(const std::string& data_dir);

  ~DataDirLock();  // releases the lock; the file stays, unlocked
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_DATA_DIR_LOCK_H_
