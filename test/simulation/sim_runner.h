// SimRunner: a node's background tasks (heartbeats, hint delivery,
// anti-entropy rounds, tombstone GC, the alive record) on simulated time.
// Each task is a fiber of the node that waits on the scheduler between
// passes. When the node crashes, Halt() stops every task: a pass in progress
// ends as soon as it next waits, and no pass starts after.
#ifndef ALDER_TEST_SIMULATION_SIM_RUNNER_H_
#define ALDER_TEST_SIMULATION_SIM_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "clock/background_runner.h"
#include "test/simulation/scheduler.h"

namespace alder::sim {

class SimRunner final : public clock::BackgroundRunner {
 public:
  SimRunner(Scheduler* scheduler, Owner owner) : scheduler_(scheduler), owner_(owner) {}

  std::chrono::microseconds Now() const override {
    return scheduler_->Now() + std::chrono::seconds(1);
  }
  std::unique_ptr<clock::BackgroundTask> Start(std::string name,
                                               std::chrono::milliseconds first_wait,
                                               clock::BackgroundPass pass) override;

  // Stops every task started here (the node crashed).
  void Halt();

  struct TaskState;

 private:
  Scheduler* const scheduler_;
  const Owner owner_;
  std::vector<std::weak_ptr<TaskState>> tasks_;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_SIM_RUNNER_H_
