// ModelStorage: the simulation's Storage (server/storage/storage.h) on a
// ModelDisk (test/simulation/model_disk.h). It keeps no state of its own
// beyond counters: records, index and metadata live on the disk, so a store
// built over a disk after a Crash() sees exactly what survived.
//
// Semantics follow WtStorage: the same LWW merge (Merge, server/common/record.h),
// the same index entries and digests (IndexEntryOf, DigestOf), the same scan
// orders (bytes of the key; index key = KeyHash ++ key), stored_at_ms from the
// clock. Apply is ApplyNoWait then WaitDurable; PurgeIfUnchanged and
// PutMetadata are durable when they return (the Storage contract).
//
// Thread-safe. REQUIRES: at most one ModelStorage over a disk at a time, and
// none used after the disk's Crash() (writes then fail with IoError: the
// node they belonged to is dead).
#ifndef ALDER_TEST_SIMULATION_MODEL_STORAGE_H_
#define ALDER_TEST_SIMULATION_MODEL_STORAGE_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "clock/physical_clock.h"
#include "server/storage/storage.h"
#include "test/simulation/model_disk.h"

namespace alder::sim {

class ModelStorage final : public Storage {
 public:
  // `disk` and `clock` (for stored_at_ms) must outlive the store.
  ModelStorage(ModelDisk* disk, const clock::PhysicalClock* clock);
  ModelStorage(const ModelStorage&) = delete;
  ModelStorage& operator=(const ModelStorage&) = delete;

  Result<ApplyOutcome> Apply(std::string_view key, const Record& incoming) override;
  Result<ApplyOutcome> ApplyNoWait(std::string_view key, const Record& incoming) override;
  // Syncs the disk (calling its hook) only if a change this store committed
  // is not yet durable.
  void WaitDurable() override;
  Result<std::optional<StoredRecord>> Read(std::string_view key) override;
  Result<std::optional<IndexEntry>> ReadIndex(std::string_view key) override;
  Result<bool> PurgeIfUnchanged(std::string_view key, const Version& expected) override;
  Result<std::optional<std::string>> ScanRecords(std::string_view after_key, bool start,
                                                 size_t limit, const RecordVisitor& visit) override;
  void SetIndexObserver(IndexObserver observer) override { index_observer_ = std::move(observer); }
  Status ScanIndex(uint64_t first_hash, uint64_t last_hash, const IndexVisitor& visit) override;
  Result<std::optional<std::string>> GetMetadata(std::string_view name) override;
  Status PutMetadata(std::string_view name, std::string_view value) override;
  StorageStats stats() const override;
  std::string location() const override { return disk_->name(); }

 private:
  // IoError if the disk crashed since this store was made.
  Status CheckAlive() const;
  // Notes that this store committed up to `position`.
  void NoteCommit(uint64_t position);
  void Notify(std::string_view key, const Record* before, const Record* after) const;

  ModelDisk* const disk_;
  const clock::PhysicalClock* const clock_;
  const uint64_t crashes_at_open_;
  std::mutex write_mu_;                   // makes read-merge-commit atomic
  std::atomic<uint64_t> last_commit_{0};  // highest log position this store committed
  IndexObserver index_observer_;

  std::atomic<uint64_t> applies_{0};
  std::atomic<uint64_t> stale_applies_{0};
  std::atomic<uint64_t> purges_{0};
  std::atomic<uint64_t> log_flushes_{0};
  std::atomic<uint64_t> commits_flushed_{0};
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_MODEL_STORAGE_H_
