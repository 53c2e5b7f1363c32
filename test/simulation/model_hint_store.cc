// Hints are rare (only while a replica is down), so one mutex serializes the
// store: it keeps sequence numbers in commit order, and makes a removal's
// check-then-erase atomic so dropped() counts each hint once. The sync an Add
// waits for runs after the mutex is released, so that concurrent Adds share
// one sync and a blocking sync hook does not stall the others.
#include "test/simulation/model_hint_store.h"

#include <algorithm>
#include <string>

namespace alder::sim {

ModelHintStore::ModelHintStore(ModelDisk* disk, const clock::PhysicalClock* clock)
    : disk_(disk), clock_(clock), crashes_at_open_(disk->crashes()) {
  for (const Hint& h : disk_->AllHints()) next_sequence_ = std::max(next_sequence_, h.sequence + 1);
}

Status ModelHintStore::Add(uint32_t target, std::string_view key, const Record& record) {
  Hint hint;
  hint.target = target;
  hint.created_ms = clock_->NowMs();
  hint.key = std::string(key);
  hint.record = record;
  uint64_t position = 0;
  {
    std::lock_guard lock(mu_);
    hint.sequence = next_sequence_++;
    position = disk_->AddHint(hint);
  }
  disk_->SyncThrough(position);
  // A crash during the sync may have lost the hint: the caller must not
  // count on it (its node is dead anyway).
  if (disk_->crashes() != crashes_at_open_) {
    return Status::IoError(disk_->name() + " crashed before the hint was durable");
  }
  return Status::Ok();
}

Result<std::vector<Hint>> ModelHintStore::Oldest(uint32_t target, size_t limit) {
  return disk_->HintsFor(target, limit);
}

Status ModelHintStore::Remove(const std::vector<Hint>& hints) {
  std::lock_guard lock(mu_);
  for (const Hint& h : hints) disk_->RemoveHint(h.target, h.sequence);
  return Status::Ok();
}

Result<uint64_t> ModelHintStore::DropOlderThan(std::chrono::milliseconds window) {
  if (window.count() < 0) return Status::InvalidArgument("hint window must not be negative");
  const uint64_t now = clock_->NowMs();
  const auto window_ms = static_cast<uint64_t>(window.count());
  std::lock_guard lock(mu_);
  uint64_t removed = 0;
  for (const Hint& h : disk_->AllHints()) {
    // created_ms + window <= now, without overflow for a huge window.
    if (h.created_ms <= now && now - h.created_ms >= window_ms) {
      disk_->RemoveHint(h.target, h.sequence);
      ++removed;
    }
  }
  dropped_ += removed;
  return removed;
}

uint64_t ModelHintStore::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace alder::sim
