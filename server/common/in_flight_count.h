// InFlightCount: how many pieces of work an object handed to others are
// still running, so that its destructor can wait for them to finish before
// the state they use goes away.
//
// Thread-safe.
#ifndef ALDER_SERVER_COMMON_IN_FLIGHT_COUNT_H_
#define ALDER_SERVER_COMMON_IN_FLIGHT_COUNT_H_

#include <cstddef>

#include "server/common/thread_annotations.h"

namespace alder {

class InFlightCount {
 public:
  void Add() {
    MutexLock lock(&mu_);
    ++count_;
  }
  void Done() {
    MutexLock lock(&mu_);
    if (--count_ == 0) zero_.SignalAll();
  }
  // Returns once every Add() had its Done().
  void WaitForZero() {
    MutexLock lock(&mu_);
    zero_.Wait(&mu_, [this]() REQUIRES(mu_) { return count_ == 0; });
  }
  size_t count() const {
    MutexLock lock(&mu_);
    return count_;
  }

 private:
  mutable Mutex mu_;
  CondVar zero_;
  size_t count_ GUARDED_BY(mu_) = 0;
};

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_IN_FLIGHT_COUNT_H_
