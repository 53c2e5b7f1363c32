// The write path is read-merge-commit under one mutex, which stands in for
// WiredTiger's snapshot transaction and conflict retry: the merge sees the
// record it replaces. The index observer and the sync run after the mutex is
// released, so that a sync hook that blocks its fiber does not stall other
// writers, and an observer never runs under a storage lock.
#include "test/simulation/model_storage.h"

#include <vector>

#include "server/common/key_hash.h"

namespace alder::sim {

ModelStorage::ModelStorage(ModelDisk* disk, const clock::PhysicalClock* clock)
    : disk_(disk), clock_(clock), crashes_at_open_(disk->crashes()) {}

Status ModelStorage::CheckAlive() const {
  if (disk_->crashes() == crashes_at_open_) return Status::Ok();
  return Status::IoError(disk_->name() + " crashed under this storage");
}

void ModelStorage::NoteCommit(uint64_t position) {
  uint64_t seen = last_commit_.load();
  while (seen < position && !last_commit_.compare_exchange_weak(seen, position)) {
  }
}

void ModelStorage::Notify(std::string_view key, const Record* before, const Record* after) const {
  if (!index_observer_) return;
  const VersionDigest before_digest = before ? DigestOf(key, *before) : VersionDigest{};
  const VersionDigest after_digest = after ? IndexEntryOf(key, *after).digest : VersionDigest{};
  index_observer_(KeyHash(key), before ? &before_digest : nullptr, after ? &after_digest : nullptr);
}

Result<ApplyOutcome> ModelStorage::Apply(std::string_view key, const Record& incoming) {
  auto outcome = ApplyNoWait(key, incoming);
  if (!outcome.ok()) return outcome;
  // Also when the incoming record lost: the winner may still await its sync.
  WaitDurable();
  if (Status alive = CheckAlive(); !alive.ok()) return alive;
  return outcome;
}

Result<ApplyOutcome> ModelStorage::ApplyNoWait(std::string_view key, const Record& incoming) {
  if (Status alive = CheckAlive(); !alive.ok()) return alive;
  std::optional<StoredRecord> current;
  {
    std::lock_guard lock(write_mu_);
    current = disk_->ReadRecord(key);
    if (current && &Merge(current->record, incoming) != &incoming) {
      stale_applies_.fetch_add(1);
      return ApplyOutcome{current->record, false};
    }
    NoteCommit(disk_->PutRecord(key, StoredRecord{incoming, clock_->NowMs()}));
  }
  Notify(key, current ? &current->record : nullptr, &incoming);
  applies_.fetch_add(1);
  return ApplyOutcome{incoming, true};
}

void ModelStorage::WaitDurable() {
  const std::optional<uint64_t> made = disk_->SyncThrough(last_commit_.load());
  if (!made) return;
  log_flushes_.fetch_add(1);
  commits_flushed_.fetch_add(*made);
}

Result<std::optional<StoredRecord>> ModelStorage::Read(std::string_view key) {
  return disk_->ReadRecord(key);
}

Result<std::optional<IndexEntry>> ModelStorage::ReadIndex(std::string_view key) {
  return disk_->ReadIndex(key);
}

Result<bool> ModelStorage::PurgeIfUnchanged(std::string_view key, const Version& expected) {
  if (Status alive = CheckAlive(); !alive.ok()) return alive;
  std::optional<StoredRecord> current;
  {
    std::lock_guard lock(write_mu_);
    current = disk_->ReadRecord(key);
    if (!current || current->record.version != expected) return false;
    NoteCommit(disk_->EraseRecord(key));
  }
  Notify(key, &current->record, nullptr);
  purges_.fetch_add(1);
  return true;  // not synced, as in WtStorage: a crash may lose the purge
}

Result<std::optional<std::string>> ModelStorage::ScanRecords(std::string_view after_key, bool start,
                                                             size_t limit,
                                                             const RecordVisitor& visit) {
  // Copied first, so that `visit` runs without the disk's lock.
  const auto batch = disk_->RecordsAfter(after_key, start, limit);
  for (const auto& [key, stored] : batch) visit(key, stored);
  // Like WtStorage: the last key when the limit was reached (even if nothing
  // follows it), nullopt when the table ran out first.
  if (limit == 0 || batch.size() < limit) return std::optional<std::string>();
  return std::optional<std::string>(batch.back().first);
}

Status ModelStorage::ScanIndex(uint64_t first_hash, uint64_t last_hash, const IndexVisitor& visit) {
  for (const auto& [key, entry] : disk_->IndexRange(first_hash, last_hash)) {
    visit(KeyHash(key), key, entry);
  }
  return Status::Ok();
}

Result<std::optional<std::string>> ModelStorage::GetMetadata(std::string_view name) {
  return disk_->ReadMetadata(name);
}

Status ModelStorage::PutMetadata(std::string_view name, std::string_view value) {
  if (Status alive = CheckAlive(); !alive.ok()) return alive;
  // Durable at once, without the simulated fsync time: the HLC persists its
  // ceiling here with its mutex held, which would stall every fiber that
  // needs the clock (alderd's threads just wait; fibers cannot).
  disk_->SyncThrough(disk_->PutMetadata(name, value), /*delayed=*/false);
  return CheckAlive();
}

StorageStats ModelStorage::stats() const {
  StorageStats s;
  s.applies = applies_.load();
  s.stale_applies = stale_applies_.load();
  s.purges = purges_.load();
  s.log_flushes = log_flushes_.load();
  s.commits_flushed = commits_flushed_.load();
  return s;
}

}  // namespace alder::sim
