// SimExecutor: a node's skippable background work (read repairs) as fibers
// of the node, at most kMaxPending at once, as BoundedTaskPool bounds them
// in alderd.
#ifndef ALDER_TEST_SIMULATION_SIM_EXECUTOR_H_
#define ALDER_TEST_SIMULATION_SIM_EXECUTOR_H_

#include <memory>

#include "server/common/task_executor.h"
#include "test/simulation/scheduler.h"

namespace alder::sim {

class SimExecutor final : public TaskExecutor {
 public:
  static constexpr size_t kMaxPending = 64;

  SimExecutor(Scheduler* scheduler, Owner owner) : scheduler_(scheduler), owner_(owner) {}

  bool TryPost(std::function<void()> task) override {
    if (halted_ || *pending_ >= kMaxPending) {
      ++dropped_;
      return false;
    }
    ++*pending_;
    scheduler_->Spawn(owner_, "read-repair", [pending = pending_, task = std::move(task)] {
      task();
      --*pending;
    });
    return true;
  }
  uint64_t dropped() const override { return dropped_; }
  // The node crashed: nothing more is posted.
  void Halt() { halted_ = true; }

 private:
  Scheduler* const scheduler_;
  const Owner owner_;
  std::shared_ptr<size_t> pending_ = std::make_shared<size_t>(0);
  uint64_t dropped_ = 0;
  bool halted_ = false;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_SIM_EXECUTOR_H_
