// Where Alder's background work waits and runs: the seam between its
// periodic loops (tombstone GC, anti-entropy rounds, hint delivery, the
// record that this node is alive) and time. In alderd each task is a thread
// waiting on the monotonic clock (ThreadRunner); a simulation runs the same
// passes as events on simulated time, so the loops themselves hold no
// thread, condition variable or sleep of their own.
#ifndef ALDER_CLOCK_BACKGROUND_RUNNER_H_
#define ALDER_CLOCK_BACKGROUND_RUNNER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

namespace alder::clock {

// One pass of a task. `stop` is requested when the task is being stopped;
// a long pass checks it between steps and returns early. Returns how long
// to wait before the next pass.
using BackgroundPass = std::function<std::chrono::milliseconds(std::stop_token stop)>;

// A running task. Destroying it stops it: a pass in progress is asked to
// stop and has returned before the destructor does; no pass starts after.
class BackgroundTask {
 public:
  virtual ~BackgroundTask() = default;
  // Starts the next pass now rather than when its wait ends.
  virtual void Wake() = 0;
};

class BackgroundRunner {
 public:
  virtual ~BackgroundRunner() = default;
  // Monotonic time since an arbitrary fixed point, the time passes measure
  // intervals in (steady_clock in alderd, simulated time in a simulation).
  virtual std::chrono::microseconds Now() const = 0;
  // Runs `pass` once `first_wait` has passed, then again after each wait
  // it returns, until the task is destroyed. `name` names the task in
  // debuggers and logs (at most 15 characters are kept).
  virtual std::unique_ptr<BackgroundTask> Start(std::string name,
                                                std::chrono::milliseconds first_wait,
                                                BackgroundPass pass) = 0;
};

// Real time: a thread per task, waiting on the steady clock.
class ThreadRunner final : public BackgroundRunner {
 public:
  std::chrono::microseconds Now() const override;
  std::unique_ptr<BackgroundTask> Start(std::string name, std::chrono::milliseconds first_wait,
                                        BackgroundPass pass) override;
};

// The process's ThreadRunner, the default of every part that takes a runner.
BackgroundRunner* RealTimeRunner();

}  // namespace alder::clock

#endif  // ALDER_CLOCK_BACKGROUND_RUNNER_H_
