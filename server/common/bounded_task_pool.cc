#include "server/common/bounded_task_pool.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace alder {

BoundedTaskPool::BoundedTaskPool(size_t threads, size_t max_pending)
    : max_pending_(max_pending), pool_(threads) {}

BoundedTaskPool::~BoundedTaskPool() { pool_.join(); }  // waits for the tasks accepted

bool BoundedTaskPool::TryPost(std::function<void()> task) {
  // Take a slot only while one is free, so that pending_ never exceeds the
  // bound even for a moment, however many threads post at once.
  size_t pending = pending_.load();
  do {
    if (pending >= max_pending_) {
      dropped_.fetch_add(1);
      return false;
    }
  } while (!pending_.compare_exchange_weak(pending, pending + 1));
  boost::asio::post(pool_, [this, task = std::move(task)] {
    task();
    pending_.fetch_sub(1);
  });
  return true;
}

}  // namespace alder
