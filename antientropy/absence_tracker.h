// How long this node was away: it records "last alive" in its metadata
// every few seconds, and at start-up compares that with the clock. A node
// away longer than gc_grace syncs with its peers before it serves its data
// (antientropy/repair_scheduler.h).
//
// Thread-safe.
#ifndef ALDER_ANTIENTROPY_ABSENCE_TRACKER_H_
#define ALDER_ANTIENTROPY_ABSENCE_TRACKER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "clock/physical_clock.h"
#include "server/storage.h"

namespace alder {

class AbsenceTracker {
 public:
  // Records every `every`. `storage` and `clock` must outlive the tracker.
  AbsenceTracker(Storage* storage, const clock::PhysicalClock* clock,
                 std::chrono::milliseconds every);
  ~AbsenceTracker();  // Stop()s

  // How long ago this node last recorded that it was alive; nullopt on its
  // first start. Call before Start().
  Result<std::optional<std::chrono::milliseconds>> TimeAway();

  void Start();
  void Stop();

 private:
  void Record();

  Storage* const storage_;
  const clock::PhysicalClock* const clock_;
  const std::chrono::milliseconds every_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_ABSENCE_TRACKER_H_
