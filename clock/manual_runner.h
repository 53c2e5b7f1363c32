// A BackgroundRunner on time that moves only when told to: passes run on
// the caller's thread, in the order they fall due, when the caller advances
// time. The same sequence of calls gives the same sequence of passes, which
// is what unit tests of background work and the simulation (test/simulation)
// need.
//
// Not thread-safe: one thread starts tasks, advances time and destroys
// tasks. A pass may start, wake or destroy other tasks (not itself).
#ifndef ALDER_CLOCK_MANUAL_RUNNER_H_
#define ALDER_CLOCK_MANUAL_RUNNER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <stop_token>
#include <string>

#include "clock/background_runner.h"

namespace alder::clock {

class ManualRunner final : public BackgroundRunner {
 public:
  std::chrono::microseconds Now() const override { return now_; }
  std::unique_ptr<BackgroundTask> Start(std::string name, std::chrono::milliseconds first_wait,
                                        BackgroundPass pass) override;

  // Moves time forward by `duration`, running each pass that falls due on
  // the way with Now() at its due time; ties run in the order the tasks
  // were started. A pass that asks for no wait is due again 1 us later.
  void Advance(std::chrono::microseconds duration);
  // Moves time to the next due pass and runs it; false if no task runs.
  bool RunNext();
  // Passes run so far, by every task.
  uint64_t passes() const { return passes_; }
  size_t running_tasks() const { return tasks_.size(); }

 private:
  class Task;
  struct Entry {
    std::chrono::microseconds due;
    BackgroundPass pass;
    std::stop_source stop;
  };
  // The started task due first (earliest due, then lowest id); end() if none.
  std::map<uint64_t, Entry>::iterator NextDue();
  void RunPass(std::map<uint64_t, Entry>::iterator task);

  std::chrono::microseconds now_{std::chrono::seconds(1)};
  uint64_t next_id_ = 0;
  uint64_t passes_ = 0;
  std::map<uint64_t, Entry> tasks_;  // by id, in the order started
};

}  // namespace alder::clock

#endif  // ALDER_CLOCK_MANUAL_RUNNER_H_
