// BoundedTaskPool: a few threads that run tasks in the background, with at
// most `max_pending` tasks queued or running at once. A task beyond that is
// refused (and counted) instead of queued: for work that may be skipped
// because something else does it later anyway, such as read repairs, which
// anti-entropy would otherwise do. A queue that may not grow without bound
// keeps a burst of such work from holding memory and delaying the rest.
//
// Thread-safe. The destructor runs every task already accepted, then joins.
#ifndef ALDER_SERVER_COMMON_BOUNDED_TASK_POOL_H_
#define ALDER_SERVER_COMMON_BOUNDED_TASK_POOL_H_

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "server/common/task_executor.h"

namespace alder {

class BoundedTaskPool final : public TaskExecutor {
 public:
  // REQUIRES: threads >= 1, max_pending >= 1.
  BoundedTaskPool(size_t threads, size_t max_pending);
  ~BoundedTaskPool() override;
  BoundedTaskPool(const BoundedTaskPool&) = delete;
  BoundedTaskPool& operator=(const BoundedTaskPool&) = delete;

  // Queues `task` to run on one of the threads and returns true, or returns
  // false (and counts it in dropped()) when max_pending tasks are already
  // queued or running. `task` must not throw.
  bool TryPost(std::function<void()> task) override;

  size_t pending() const { return pending_.load(); }  // queued or running now
  uint64_t dropped() const override { return dropped_.load(); }

 private:
  const size_t max_pending_;
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> dropped_{0};
  boost::asio::thread_pool pool_;  // last: joined before the counters go
};

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_BOUNDED_TASK_POOL_H_
