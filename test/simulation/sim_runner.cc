// A task's state is shared by its handle and its fiber, so that either may
// go first: a handle destroyed while the fiber waits stops it, and a fiber
// that outlives its handle (it was in a pass) ends at its next wait.
#include "test/simulation/sim_runner.h"

#include <stop_token>

namespace alder::sim {

struct SimRunner::TaskState {
  std::stop_source stop;
  uint64_t fiber = 0;    // its fiber's id
  bool waiting = false;  // between passes
  bool wake_pending = false;
  bool finished = false;
};

namespace {

class SimTask final : public clock::BackgroundTask {
 public:
  SimTask(Scheduler* scheduler, std::shared_ptr<SimRunner::TaskState> state)
      : scheduler_(scheduler), state_(std::move(state)) {}
  // Waits (from a fiber) for a pass in progress to end, as ThreadRunner does.
  ~SimTask() override {
    state_->stop.request_stop();
    if (state_->waiting) scheduler_->Wake(state_->fiber);
    while (!state_->finished && scheduler_->current_id() != 0 &&
           scheduler_->current_id() != state_->fiber) {
      scheduler_->SleepFor(std::chrono::milliseconds(1));
    }
  }
  void Wake() override {
    state_->wake_pending = true;
    if (state_->waiting) scheduler_->Wake(state_->fiber);
  }

 private:
  Scheduler* const scheduler_;
  const std::shared_ptr<SimRunner::TaskState> state_;
};

}  // namespace

std::unique_ptr<clock::BackgroundTask> SimRunner::Start(std::string name,
                                                        std::chrono::milliseconds first_wait,
                                                        clock::BackgroundPass pass) {
  auto state = std::make_shared<TaskState>();
  tasks_.push_back(state);
  scheduler_->Spawn(
      owner_, name, [scheduler = scheduler_, state, first_wait, pass = std::move(pass)] {
        state->fiber = scheduler->current_id();
        SimTime next = scheduler->Now() + first_wait;
        while (!state->stop.stop_requested()) {
          state->waiting = true;
          while (!state->wake_pending && !state->stop.stop_requested() && scheduler->Now() < next) {
            scheduler->Block(next);
          }
          state->waiting = false;
          if (state->stop.stop_requested()) break;
          state->wake_pending = false;
          next = scheduler->Now() + pass(state->stop.get_token());
        }
        state->finished = true;
      });
  return std::make_unique<SimTask>(scheduler_, std::move(state));
}

void SimRunner::Halt() {
  for (auto& weak : tasks_) {
    if (auto state = weak.lock()) {
      state->stop.request_stop();
      if (state->waiting) scheduler_->Wake(state->fiber);
    }
  }
  tasks_.clear();
}

}  // namespace alder::sim
