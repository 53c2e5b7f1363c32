// QuorumWait: how a coordinator waits for replicas answering in parallel.
//
// `attempts` replicas are asked; each answers once, with a success (carrying
// a T, e.g. what a replica read) or a failure (a message). The coordinator
// waits until `required` successes arrived, until so many failed that
// `required` can no longer be reached, or until its deadline. Answers that
// arrive after the coordinator stopped waiting are still recorded (they are
// harmless: the object is shared with the calls still in flight).
//
// Thread-safe.
#ifndef ALDER_SERVER_QUORUM_WAIT_H_
#define ALDER_SERVER_QUORUM_WAIT_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace alder {

template <typename T>
class QuorumWait {
 public:
  QuorumWait(size_t required, size_t attempts) : required_(required), attempts_(attempts) {}

  void Succeed(T answer) {
    {
      std::lock_guard lock(mu_);
      successes_.push_back(std::move(answer));
    }
    done_.notify_all();
  }
  void Fail(std::string why) {
    {
      std::lock_guard lock(mu_);
      failures_.push_back(std::move(why));
    }
    done_.notify_all();
  }
  // One more replica will be asked (a retry on another replica).
  void AddAttempt() {
    std::lock_guard lock(mu_);
    ++attempts_;
  }

  // Waits as described above. Returns true when `required` successes arrived.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    done_.wait_until(lock, deadline, [this] {
      return successes_.size() >= required_ || attempts_ - failures_.size() < required_;
    });
    return successes_.size() >= required_;
  }

  // Snapshots of the answers so far.
  std::vector<T> successes() const {
    std::lock_guard lock(mu_);
    return successes_;
  }
  std::vector<std::string> failures() const {
    std::lock_guard lock(mu_);
    return failures_;
  }
  // True when every attempt failed fast (no replica is merely slow).
  bool AllAnswered() const {
    std::lock_guard lock(mu_);
    return successes_.size() + failures_.size() >= attempts_;
  }

 private:
  const size_t required_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  size_t attempts_;  // guarded by mu_
  std::vector<T> successes_;
  std::vector<std::string> failures_;
};

}  // namespace alder

#endif  // ALDER_SERVER_QUORUM_WAIT_H_
