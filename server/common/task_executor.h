// TaskExecutor: where background work that may be skipped runs (read
// repairs): a thread pool in alderd (BoundedTaskPool), the simulation's
// scheduler in tests. A task refused is counted, not queued.
#ifndef ALDER_SERVER_COMMON_TASK_EXECUTOR_H_
#define ALDER_SERVER_COMMON_TASK_EXECUTOR_H_

#include <cstdint>
#include <functional>

namespace alder {

class TaskExecutor {
 public:
  virtual ~TaskExecutor() = default;
  // Runs `task` later and returns true, or returns false (and counts it in
  // dropped()) when too much work is already pending. `task` must not throw.
  virtual bool TryPost(std::function<void()> task) = 0;
  virtual uint64_t dropped() const = 0;
};

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_TASK_EXECUTOR_H_
