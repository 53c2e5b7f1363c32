#include "clock/manual_runner.h"

#include <algorithm>
#include <utility>

namespace alder::clock {

// Removes its entry when destroyed, so no pass of it runs afterwards.
class ManualRunner::Task final : public BackgroundTask {
 public:
  Task(ManualRunner* runner, uint64_t id) : runner_(runner), id_(id) {}
  ~Task() override {
    auto entry = runner_->tasks_.find(id_);
    entry->second.stop.request_stop();
    runner_->tasks_.erase(entry);
  }
  void Wake() override { runner_->tasks_.at(id_).due = runner_->now_; }

 private:
  ManualRunner* const runner_;
  const uint64_t id_;
};

std::unique_ptr<BackgroundTask> ManualRunner::Start(std::string,
                                                    std::chrono::milliseconds first_wait,
                                                    BackgroundPass pass) {
  const uint64_t id = next_id_++;
  tasks_.emplace(id, Entry{now_ + first_wait, std::move(pass), {}});
  return std::make_unique<Task>(this, id);
}

std::map<uint64_t, ManualRunner::Entry>::iterator ManualRunner::NextDue() {
  auto first = tasks_.end();
  for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
    if (first == tasks_.end() || it->second.due < first->second.due) first = it;
  }
  return first;
}

void ManualRunner::RunPass(std::map<uint64_t, Entry>::iterator task) {
  if (task->second.due > now_) now_ = task->second.due;
  const uint64_t id = task->first;
  // The pass may start or end other tasks: copy what it needs, and find
  // its entry again afterwards.
  BackgroundPass pass = task->second.pass;
  const std::chrono::milliseconds wait = pass(task->second.stop.get_token());
  ++passes_;
  // A zero wait is taken as 1 us, so that time moves and Advance() ends.
  const auto next = std::max<std::chrono::microseconds>(wait, std::chrono::microseconds(1));
  if (auto again = tasks_.find(id); again != tasks_.end()) again->second.due = now_ + next;
}

void ManualRunner::Advance(std::chrono::microseconds duration) {
  const auto until = now_ + duration;
  for (auto next = NextDue(); next != tasks_.end() && next->second.due <= until; next = NextDue()) {
    RunPass(next);
  }
  now_ = until;
}

bool ManualRunner::RunNext() {
  auto next = NextDue();
  if (next == tasks_.end()) return false;
  RunPass(next);
  return true;
}

}  // namespace alder::clock
