// The disk keeps two copies of its tables: `committed_`, every change (what
// reads see), and `durable_`, the durable prefix; the changes between them
// wait in `pending_` in commit order. A sync or a crash moves a prefix of
// `pending_` into `durable_`; a crash then throws the rest away and restarts
// `committed_` from `durable_`. Two copies cost memory, but make a crash a
// copy instead of a replay, and keep reads simple: a simulated node holds
// little data.
//
// Log positions count changes since the disk was made. After a crash the
// lost changes' positions are reused, so a sync whose hook spanned the crash
// must not mark its captured position durable: the crash count tells it.
#include "test/simulation/model_disk.h"

#include <algorithm>

#include "server/common/key_hash.h"

namespace alder::sim {
namespace {

std::string IndexKeyOf(std::string_view key) { return EncodeIndexKey(KeyHash(key), key); }

std::string Quoted(std::string_view key) { return "'" + std::string(key) + "'"; }

}  // namespace

void ModelDisk::Tables::Apply(const Change& change) {
  switch (change.kind) {
    case Change::Kind::kPutRecord:
      records.insert_or_assign(change.key, change.stored);
      index.insert_or_assign(IndexKeyOf(change.key),
                             IndexEntryOf(change.key, change.stored.record));
      break;
    case Change::Kind::kEraseRecord:
      records.erase(change.key);
      index.erase(IndexKeyOf(change.key));
      break;
    case Change::Kind::kPutMetadata:
      metadata.insert_or_assign(change.key, change.value);
      break;
    case Change::Kind::kAddHint:
      hints.insert_or_assign({change.hint.target, change.hint.sequence}, change.hint);
      break;
    case Change::Kind::kRemoveHint:
      hints.erase({change.hint.target, change.hint.sequence});
      break;
  }
}

ModelDisk::ModelDisk(std::string name) : name_(std::move(name)) {}

std::optional<StoredRecord> ModelDisk::ReadRecord(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = committed_.records.find(key);
  if (it == committed_.records.end()) return std::nullopt;
  return it->second;
}

std::optional<IndexEntry> ModelDisk::ReadIndex(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = committed_.index.find(IndexKeyOf(key));
  if (it == committed_.index.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, StoredRecord>> ModelDisk::RecordsAfter(
    std::string_view after_key, bool start, size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, StoredRecord>> out;
  auto it = start ? committed_.records.begin() : committed_.records.upper_bound(after_key);
  for (; it != committed_.records.end() && out.size() < limit; ++it) out.emplace_back(*it);
  return out;
}

std::vector<std::pair<std::string, IndexEntry>> ModelDisk::IndexRange(uint64_t first_hash,
                                                                      uint64_t last_hash) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, IndexEntry>> out;
  for (auto it = committed_.index.lower_bound(EncodeIndexKey(first_hash, ""));
       it != committed_.index.end(); ++it) {
    if (DecodeIndexKeyHash(it->first) > last_hash) break;
    out.emplace_back(it->first.substr(8), it->second);
  }
  return out;
}

std::optional<std::string> ModelDisk::ReadMetadata(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = committed_.metadata.find(name);
  if (it == committed_.metadata.end()) return std::nullopt;
  return it->second;
}

std::vector<Hint> ModelDisk::HintsFor(uint32_t target, size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<Hint> out;
  for (auto it = committed_.hints.lower_bound({target, 0});
       it != committed_.hints.end() && it->first.first == target && out.size() < limit; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::vector<Hint> ModelDisk::AllHints() const {
  std::lock_guard lock(mu_);
  std::vector<Hint> out;
  for (const auto& [id, hint] : committed_.hints) out.push_back(hint);
  return out;
}

uint64_t ModelDisk::HintCount(uint32_t target) const {
  std::lock_guard lock(mu_);
  const auto first = committed_.hints.lower_bound({target, 0});
  const auto last =
      target == UINT32_MAX ? committed_.hints.end() : committed_.hints.lower_bound({target + 1, 0});
  return static_cast<uint64_t>(std::distance(first, last));
}

uint64_t ModelDisk::HintCountTotal() const {
  std::lock_guard lock(mu_);
  return committed_.hints.size();
}

uint64_t ModelDisk::PutRecord(std::string_view key, const StoredRecord& stored) {
  Change change;
  change.kind = Change::Kind::kPutRecord;
  change.key = std::string(key);
  change.stored = stored;
  std::lock_guard lock(mu_);
  return CommitLocked(std::move(change));
}

uint64_t ModelDisk::EraseRecord(std::string_view key) {
  Change change;
  change.kind = Change::Kind::kEraseRecord;
  change.key = std::string(key);
  std::lock_guard lock(mu_);
  return CommitLocked(std::move(change));
}

uint64_t ModelDisk::PutMetadata(std::string_view name, std::string_view value) {
  Change change;
  change.kind = Change::Kind::kPutMetadata;
  change.key = std::string(name);
  change.value = std::string(value);
  std::lock_guard lock(mu_);
  return CommitLocked(std::move(change));
}

uint64_t ModelDisk::AddHint(const Hint& hint) {
  Change change;
  change.kind = Change::Kind::kAddHint;
  change.hint = hint;
  std::lock_guard lock(mu_);
  return CommitLocked(std::move(change));
}

uint64_t ModelDisk::RemoveHint(uint32_t target, uint64_t sequence) {
  Change change;
  change.kind = Change::Kind::kRemoveHint;
  change.hint.target = target;
  change.hint.sequence = sequence;
  std::lock_guard lock(mu_);
  return CommitLocked(std::move(change));
}

uint64_t ModelDisk::CommitLocked(Change change) {
  CheckCommitLocked(&change);
  committed_.Apply(change);
  pending_.push_back(std::move(change));
  return durable_position_ + pending_.size();
}

void ModelDisk::SetSyncHook(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  sync_hook_ = std::move(hook);
}

uint64_t ModelDisk::Sync(bool delayed) {
  uint64_t position = 0, crashes = 0;
  std::function<void()> hook;
  {
    std::lock_guard lock(mu_);
    position = durable_position_ + pending_.size();
    crashes = crashes_;
    hook = sync_hook_;
  }
  if (hook && delayed) hook();
  std::lock_guard lock(mu_);
  if (crashes != crashes_) return 0;  // the log this sync was flushing is gone
  ++syncs_;
  return MakeDurableLocked(position);
}

std::optional<uint64_t> ModelDisk::SyncThrough(uint64_t position, bool delayed) {
  {
    std::lock_guard lock(mu_);
    if (durable_position_ >= position) return std::nullopt;
  }
  return Sync(delayed);
}

uint64_t ModelDisk::MakeDurableLocked(uint64_t position) {
  uint64_t made = 0;
  while (durable_position_ < position && !pending_.empty()) {
    durable_.Apply(pending_.front());
    RecordDurableLocked(pending_.front());
    pending_.pop_front();
    ++durable_position_;
    ++made;
  }
  return made;
}

uint64_t ModelDisk::committed_position() const {
  std::lock_guard lock(mu_);
  return durable_position_ + pending_.size();
}

uint64_t ModelDisk::durable_position() const {
  std::lock_guard lock(mu_);
  return durable_position_;
}

uint64_t ModelDisk::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

uint64_t ModelDisk::crashes() const {
  std::lock_guard lock(mu_);
  return crashes_;
}

void ModelDisk::Crash(uint64_t random_bits) {
  std::lock_guard lock(mu_);
  const uint64_t kept = random_bits % (pending_.size() + 1);
  MakeDurableLocked(durable_position_ + kept);
  pending_.clear();
  committed_ = durable_;
  ++crashes_;
  CheckAfterCrashLocked();
}

void ModelDisk::CloseCleanly() {
  std::lock_guard lock(mu_);
  MakeDurableLocked(durable_position_ + pending_.size());
}

std::optional<Version> ModelDisk::HighestDurable(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = history_.find(key);
  if (it == history_.end()) return std::nullopt;
  return it->second.highest;
}

const std::vector<std::string>& ModelDisk::violations() const {
  std::lock_guard lock(mu_);
  return violations_;
}

void ModelDisk::RecordDurableLocked(const Change& change) {
  if (change.kind == Change::Kind::kEraseRecord) {
    auto it = history_.find(change.key);
    if (it != history_.end()) it->second = KeyHistory{it->second.highest, false, true};
    return;
  }
  if (change.kind != Change::Kind::kPutRecord) return;
  const Version& version = change.stored.record.version;
  auto [it, inserted] = history_.try_emplace(change.key, KeyHistory{version, true, false});
  KeyHistory& h = it->second;
  if (inserted || version >= h.highest) {
    h = KeyHistory{version, true, false};
    return;
  }
  // An older record became durable. Usually the commit check told already;
  // if not, the newer version was not yet durable when the older one was
  // committed (both waited in the same log flush).
  if (!change.reported) {
    const char* what = h.purged ? "came back after a purge" : "went back";
    violations_.push_back(name_ + ": key " + Quoted(change.key) + " " + what + " from " +
                          h.highest.ToString() + " to " + version.ToString() + " on disk");
  }
  // The durable record is no longer at `highest`: the crash check must not
  // report it again.
  h.live = false;
  h.purged = false;
}

void ModelDisk::CheckCommitLocked(Change* change) {
  if (change->kind != Change::Kind::kPutRecord) return;
  auto it = history_.find(change->key);
  const Version& version = change->stored.record.version;
  if (it == history_.end() || !(version < it->second.highest)) return;
  const char* what = it->second.purged ? "deleted data came back after a purge"
                                       : "an older record replaced a durable one";
  violations_.push_back(name_ + ": key " + Quoted(change->key) + " got " + version.ToString() +
                        " though " + it->second.highest.ToString() + " was durable before (" +
                        what + ")");
  change->reported = true;
}

void ModelDisk::CheckAfterCrashLocked() {
  for (const auto& [key, h] : history_) {
    if (!h.live) continue;
    auto it = durable_.records.find(key);
    if (it == durable_.records.end()) {
      violations_.push_back(name_ + ": crash lost key " + Quoted(key) + " at " +
                            h.highest.ToString() + ", which was durable");
    } else if (it->second.record.version < h.highest) {
      violations_.push_back(name_ + ": crash took key " + Quoted(key) + " back from " +
                            h.highest.ToString() + " to " + it->second.record.version.ToString());
    }
  }
}

}  // namespace alder::sim
