// InFlightCount: how many pieces of work an object handed to others are
// still running, so that its destructor can wait for them to finish before
// the state they use goes away.
//
// Thread-safe.
#ifndef ALDER_SERVER_COMMON_IN_FLIGHT_COUNT_H_
#define ALDER_SERVER_COMMON_IN_FLIGHT_COUNT_H_

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace alder {

class InFlightCount {
 public:
  void Add() {
    std::lock_guard lock(mu_);
    ++count_;
  }
  void Done() {
    std::lock_guard lock(mu_);
    if (--count_ == 0) zero_.notify_all();
  }
  // Returns once every Add() had its Done().
  void WaitForZero() {
    std::unique_lock lock(mu_);
    zero_.wait(lock, [this] { return count_ == 0; });
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable zero_;
  size_t count_ = 0;  // guarded by mu_
};

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_IN_FLIGHT_COUNT_H_
