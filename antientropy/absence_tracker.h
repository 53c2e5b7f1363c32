// How long this node was away: it records "last alive" in its metadata
// every few seconds, and at start-up compares that with the clock. A node
// away longer than gc_grace syncs with its peers before it serves its data
// (antientropy/repair_scheduler.h).
//
// Thread-safe, but for Start and Stop.
#ifndef ALDER_ANTIENTROPY_ABSENCE_TRACKER_H_
#define ALDER_ANTIENTROPY_ABSENCE_TRACKER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "clock/background_runner.h"
#include "clock/physical_clock.h"
#include "server/storage/storage.h"

namespace alder {

class AbsenceTracker {
 public:
  // Records every `every`, on `runner`. `storage` and `clock` must outlive
  // the tracker.
  AbsenceTracker(Storage* storage, const clock::PhysicalClock* clock,
                 std::chrono::milliseconds every,
                 clock::BackgroundRunner* runner = clock::RealTimeRunner());
  ~AbsenceTracker();  // Stop()s

  // How long ago this node last recorded that it was alive; nullopt on its
  // first start. Call before Start().
  Result<std::optional<std::chrono::milliseconds>> TimeAway();

  // Start and Stop from one thread (alderd's main).
  void Start();
  void Stop();

 private:
  void Record();

  Storage* const storage_;
  const clock::PhysicalClock* const clock_;
  const std::chrono::milliseconds every_;
  clock::BackgroundRunner* const runner_;
  std::unique_ptr<clock::BackgroundTask> task_;
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_ABSENCE_TRACKER_H_
