#include "server/storage/group_commit.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>
#include <utility>

namespace alder {

GroupCommit::GroupCommit(WT_SESSION* flush_session, Durability durability,
                         std::unique_ptr<LogSync> log_sync)
    : flush_session_(flush_session), durability_(durability), log_sync_(std::move(log_sync)) {}

void GroupCommit::Flush() {
  const int ret = flush_session_->log_flush(flush_session_, "sync=off");
  Status synced;
  if (ret != 0) {
    synced = Status::IoError(std::string("WiredTiger log flush: ") + wiredtiger_strerror(ret));
  } else if (durability_ == Durability::kFsync) {
    synced = log_sync_->Sync();
  }
  if (!synced.ok()) {
    spdlog::critical("{}; stopping so that no write is acknowledged that may not be durable",
                     synced.ToString());
    std::abort();
  }
}

void GroupCommit::WaitDurable() {
  MutexLock lock(&mu_);
  const uint64_t ticket = ++requested_;
  while (flushed_ < ticket) {
    if (leader_active_) {
      flushed_cv_.Wait(&mu_);
      continue;
    }
    // Lead a flush. Every ticket issued so far belongs to a transaction that
    // committed before this point, so one flush now covers all of them.
    leader_active_ = true;
    const uint64_t target = requested_;
    lock.Unlock();
    Flush();
    lock.Lock();
    covered_.fetch_add(target - flushed_);
    flushes_.fetch_add(1);
    flushed_ = target;
    leader_active_ = false;
    flushed_cv_.SignalAll();
  }
}

}  // namespace alder
