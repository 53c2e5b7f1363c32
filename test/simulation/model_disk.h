// ModelDisk: the simulated disk of one node (DESIGN.md section 16). It
// outlives the node's storage objects (ModelStorage, ModelHintStore), so a
// simulated crash and restart is: destroy them, Crash() the disk, build new
// ones over it.
//
// The disk is a log of committed changes in commit order — a record with its
// digest index entry set or erased (one change, as WiredTiger writes both in
// one transaction), a metadata value set, a hint added or removed — and a
// durable position in that log. A committed change is visible at once (reads
// see it, as in WiredTiger); it becomes durable when a sync covers it. A
// crash keeps the durable prefix plus a random-length prefix of the rest and
// loses everything after, as WiredTiger's log would.
//
// The disk also checks what storage must never do:
//   - after a crash, a key's surviving record is older than one that was
//     durable before (a self-check of the model: it must never happen);
//   - a commit installs a record older than the key's highest durable version
//     (the key was purged and an older write came back: resurrection).
// Both are recorded in violations().
//
// Thread-safe: a mutex guards all state. The sync hook is never called with
// it held, so the hook may block its fiber while others use the disk.
#ifndef ALDER_TEST_SIMULATION_MODEL_DISK_H_
#define ALDER_TEST_SIMULATION_MODEL_DISK_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/common/record.h"
#include "server/storage/digest_index.h"
#include "server/storage/hint_store.h"

namespace alder::sim {

class ModelDisk {
 public:
  // `name` is for messages: "simulated disk of node 3".
  explicit ModelDisk(std::string name);
  ModelDisk(const ModelDisk&) = delete;
  ModelDisk& operator=(const ModelDisk&) = delete;

  const std::string& name() const { return name_; }

  // Reads see every committed change, durable or not.
  std::optional<StoredRecord> ReadRecord(std::string_view key) const;
  std::optional<IndexEntry> ReadIndex(std::string_view key) const;
  // Up to `limit` records in key order after `after_key` (from the first key
  // when `start`), copied.
  std::vector<std::pair<std::string, StoredRecord>> RecordsAfter(std::string_view after_key,
                                                                 bool start, size_t limit) const;
  // Index entries whose key hash is in [first_hash, last_hash], in index
  // order, as (key, entry).
  std::vector<std::pair<std::string, IndexEntry>> IndexRange(uint64_t first_hash,
                                                             uint64_t last_hash) const;
  std::optional<std::string> ReadMetadata(std::string_view name) const;
  // Up to `limit` hints for `target`, lowest sequence first.
  std::vector<Hint> HintsFor(uint32_t target, size_t limit) const;
  std::vector<Hint> AllHints() const;  // by target, then sequence
  uint64_t HintCount(uint32_t target) const;
  uint64_t HintCountTotal() const;

  // Commits one change, visible at once, durable after a sync covers it.
  // Each returns the change's log position (1 for the first change ever).
  uint64_t PutRecord(std::string_view key, const StoredRecord& stored);  // and its index entry
  uint64_t EraseRecord(std::string_view key);                            // and its index entry
  uint64_t PutMetadata(std::string_view name, std::string_view value);
  uint64_t AddHint(const Hint& hint);
  uint64_t RemoveHint(uint32_t target, uint64_t sequence);  // no-op change if absent

  // Called by every sync, outside the lock, before it marks durable: the
  // simulation makes an fsync take simulated time with it. Set it before
  // any sync runs.
  void SetSyncHook(std::function<void()> hook);
  // A log flush: captures the committed position, calls the hook, then marks
  // that position durable. Changes committed while the hook runs need the
  // next sync. Returns how many changes it made durable (0 if a crash came
  // during the hook: the captured position was lost).
  // `delayed` false: without the hook, for syncs made while the caller holds
  // a lock another fiber may want (the HLC's, persisting its ceiling).
  uint64_t Sync(bool delayed = true);
  // Syncs unless every change up to `position` is already durable. Returns
  // the number of changes made durable, or nullopt if it did not sync.
  std::optional<uint64_t> SyncThrough(uint64_t position, bool delayed = true);

  uint64_t committed_position() const;
  uint64_t durable_position() const;
  uint64_t syncs() const;    // syncs that completed
  uint64_t crashes() const;  // Crash() calls so far

  // Keeps the durable prefix plus the first (random_bits mod (n + 1)) of the
  // n changes not yet durable; loses the rest. What is kept is durable.
  void Crash(uint64_t random_bits);
  // A clean shutdown: every committed change is kept and durable.
  void CloseCleanly();

  // The highest version of `key` ever durable on this disk, tombstones
  // included and kept after a purge; nullopt if none.
  std::optional<Version> HighestDurable(std::string_view key) const;
  // What the checks found, in order. Read while no change is being committed.
  const std::vector<std::string>& violations() const;

 private:
  struct Change {
    enum class Kind { kPutRecord, kEraseRecord, kPutMetadata, kAddHint, kRemoveHint };
    Kind kind = Kind::kPutRecord;
    std::string key;        // record key or metadata name
    StoredRecord stored;    // kPutRecord
    std::string value;      // kPutMetadata
    Hint hint;              // kAddHint; kRemoveHint uses target and sequence only
    bool reported = false;  // a violation was recorded at commit: not again when durable
  };
  // The tables, as they stand after some prefix of the log.
  struct Tables {
    std::map<std::string, StoredRecord, std::less<>> records;
    std::map<std::string, IndexEntry, std::less<>> index;  // by EncodeIndexKey
    std::map<std::string, std::string, std::less<>> metadata;
    std::map<std::pair<uint32_t, uint64_t>, Hint> hints;  // (target, sequence)

    void Apply(const Change& change);
  };
  // What became durable for one key, kept from the change stream apart from
  // the tables so that the crash self-check is not the tables checking
  // themselves.
  struct KeyHistory {
    Version highest;      // highest version ever durable
    bool live = false;    // the durable tables hold a record at `highest`
    bool purged = false;  // its last durable change erased it
  };

  uint64_t CommitLocked(Change change);  // REQUIRES: mu_ held
  // Makes the log durable through `position`. REQUIRES: mu_ held.
  uint64_t MakeDurableLocked(uint64_t position);
  void RecordDurableLocked(const Change& change);  // REQUIRES: mu_ held
  void CheckCommitLocked(Change* change);          // REQUIRES: mu_ held
  void CheckAfterCrashLocked();                    // REQUIRES: mu_ held

  const std::string name_;
  mutable std::mutex mu_;
  Tables committed_;                 // guarded by mu_: every committed change
  Tables durable_;                   // guarded by mu_: the durable prefix
  std::deque<Change> pending_;       // guarded by mu_: committed, not durable, in order
  uint64_t durable_position_ = 0;    // guarded by mu_
  uint64_t syncs_ = 0;               // guarded by mu_
  uint64_t crashes_ = 0;             // guarded by mu_
  std::function<void()> sync_hook_;  // guarded by mu_
  std::map<std::string, KeyHistory, std::less<>> history_;  // guarded by mu_
  std::vector<std::string> violations_;                     // guarded by mu_
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_MODEL_DISK_H_
