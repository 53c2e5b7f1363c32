#include <pthread.h>

#include <condition_variable>
#include <thread>

#include "clock/background_runner.h"
#include "server/common/thread_annotations.h"  // header-only, std only

namespace alder::clock {
namespace {

class ThreadTask final : public BackgroundTask {
 public:
  ThreadTask(const std::string& name, std::chrono::milliseconds first_wait, BackgroundPass pass)
      : pass_(std::move(pass)),
        thread_([this, first_wait](std::stop_token stop) { Loop(stop, first_wait); }) {
    pthread_setname_np(thread_.native_handle(), name.substr(0, 15).c_str());
  }
  // std::jthread's destructor requests the stop and joins: declared last,
  // thread_ goes first, while the members its loop uses still exist.
  ~ThreadTask() override = default;

  void Wake() override {
    {
      MutexLock lock(&mu_);
      woken_ = true;
    }
    wake_.notify_all();
  }

 private:
  void Loop(std::stop_token stop, std::chrono::milliseconds wait) {
    while (true) {
      {
        MutexLock lock(&mu_);
        // condition_variable_any: only it wakes on a stop request.
        wake_.wait_for(mu_, stop, wait, [this]() REQUIRES(mu_) { return woken_; });
        if (stop.stop_requested()) return;
        woken_ = false;
      }
      wait = pass_(stop);
    }
  }

  const BackgroundPass pass_;
  Mutex mu_;
  std::condition_variable_any wake_;  // waits on mu_ itself
  bool woken_ GUARDED_BY(mu_) = false;
  std::jthread thread_;
};

}  // namespace

std::chrono::microseconds ThreadRunner::Now() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

std::unique_ptr<BackgroundTask> ThreadRunner::Start(std::string name,
                                                    std::chrono::milliseconds first_wait,
                                                    BackgroundPass pass) {
  return std::make_unique<ThreadTask>(name, first_wait, std::move(pass));
}

BackgroundRunner* RealTimeRunner() {
  static ThreadRunner runner;
  return &runner;
}

}  // namespace alder::clock
