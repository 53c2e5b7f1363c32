// ModelHintStore: the simulation's HintStore (server/storage/hint_store.h),
// its hints kept on the node's ModelDisk (test/simulation/model_disk.h) beside
// the records, as WtHintStore keeps them in the node's WiredTiger database.
//
// Add is durable when it returns (it syncs the disk unless a sync already
// covered it); Remove and DropOlderThan only commit, so a crash before the
// next sync may bring removed hints back — harmless, as the header of
// hint_store.h explains, and what WiredTiger would do. Sequence numbers
// continue after the highest surviving one, as in WtHintStore.
//
// Thread-safe. REQUIRES: at most one ModelHintStore over a disk at a time,
// and none used after the disk's Crash().
#ifndef ALDER_TEST_SIMULATION_MODEL_HINT_STORE_H_
#define ALDER_TEST_SIMULATION_MODEL_HINT_STORE_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "clock/physical_clock.h"
#include "server/storage/hint_store.h"
#include "test/simulation/model_disk.h"

namespace alder::sim {

class ModelHintStore final : public HintStore {
 public:
  // Reads the disk's hints to find the next sequence number. `disk` and
  // `clock` (for created_ms and DropOlderThan) must outlive the store.
  ModelHintStore(ModelDisk* disk, const clock::PhysicalClock* clock);
  ModelHintStore(const ModelHintStore&) = delete;
  ModelHintStore& operator=(const ModelHintStore&) = delete;

  Status Add(uint32_t target, std::string_view key, const Record& record) override;
  Result<std::vector<Hint>> Oldest(uint32_t target, size_t limit) override;
  Status Remove(const std::vector<Hint>& hints) override;
  Result<uint64_t> DropOlderThan(std::chrono::milliseconds window) override;
  uint64_t Pending(uint32_t target) const override { return disk_->HintCount(target); }
  uint64_t PendingTotal() const override { return disk_->HintCountTotal(); }
  uint64_t dropped() const override;

 private:
  ModelDisk* const disk_;
  const clock::PhysicalClock* const clock_;
  const uint64_t crashes_at_open_;
  mutable std::mutex mu_;
  uint64_t next_sequence_ = 1;  // guarded by mu_
  uint64_t dropped_ = 0;        // guarded by mu_
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_MODEL_HINT_STORE_H_
