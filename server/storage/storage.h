// Storage: what the rest of a node asks of its storage engine (DESIGN.md
// section 6): the records, their digest index and node metadata.
//
// A write merges the incoming record with the stored one (LWW) and updates
// record and index entry together; Apply returns only once that change is
// durable, so a restart after a crash recovers every acknowledged write.
//
// Two implementations: WtStorage (server/storage/wt_storage.h), WiredTiger
// tables on disk, which alderd runs; and the simulation's model
// (test/simulation/model_storage.h), which keeps what a crash would keep.
//
// Thread-safe: any number of threads may call any method.
#ifndef ALDER_SERVER_STORAGE_STORAGE_H_
#define ALDER_SERVER_STORAGE_STORAGE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "server/common/record.h"
#include "server/common/status.h"
#include "server/storage/digest_index.h"

namespace alder {

// What Apply did.
struct ApplyOutcome {
  Record winner;         // the record stored for the key after the merge
  bool changed = false;  // false when the stored record was already as new or newer
};

struct StorageStats {
  uint64_t applies = 0;          // Apply calls that wrote
  uint64_t stale_applies = 0;    // Apply calls that lost the merge and wrote nothing
  uint64_t write_conflicts = 0;  // transactions retried after a write-write conflict
  uint64_t purges = 0;
  uint64_t log_flushes = 0;
  uint64_t commits_flushed = 0;
  uint64_t sessions_opened = 0;  // per-thread WiredTiger sessions opened so far
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Merges `incoming` into the record stored for `key` (LWW: the greater
  // version wins) and, if it won, writes record and index entry together.
  // Durable when it returns OK. Idempotent.
  virtual Result<ApplyOutcome> Apply(std::string_view key, const Record& incoming) = 0;
  // The same, but returns once committed, without waiting for durability:
  // for batches (repair, hints), which apply every record this way and then
  // call WaitDurable() once, so a batch costs one log flush, not one each.
  // Not durable until that WaitDurable() returns.
  virtual Result<ApplyOutcome> ApplyNoWait(std::string_view key, const Record& incoming) = 0;
  // Returns once every change the caller committed without waiting (on any
  // thread) is durable.
  virtual void WaitDurable() = 0;

  // The record stored for `key` (tombstones and expired records included:
  // callers decide visibility), or nullopt if there is none.
  virtual Result<std::optional<StoredRecord>> Read(std::string_view key) = 0;

  // The digest index entry for `key`, or nullopt.
  virtual Result<std::optional<IndexEntry>> ReadIndex(std::string_view key) = 0;

  // Deletes the record and index entry of `key` if its stored version is
  // still `expected`; a newer write that raced the purge survives. Returns
  // whether it purged. Not necessarily durable when it returns: a purge a
  // crash loses is redone by the next GC pass (GC purges only what every
  // replica holds, so the record's return is harmless).
  virtual Result<bool> PurgeIfUnchanged(std::string_view key, const Version& expected) = 0;

  // Calls `visit` for up to `limit` records in key order, starting after
  // `after_key` (from the first key when `start` is true). Returns the last
  // key visited, or nullopt when the table was exhausted. `visit` must not
  // call back into Storage.
  using RecordVisitor = std::function<void(std::string_view key, const StoredRecord&)>;
  virtual Result<std::optional<std::string>> ScanRecords(std::string_view after_key, bool start,
                                                         size_t limit,
                                                         const RecordVisitor& visit) = 0;

  // Called after every committed change of a key's index entry (a write that
  // won its merge, a purge) with the key's hash and its version digest before
  // and after (null when absent): how Merkle trees stay current without
  // rescans. Set once, before any write; the observer must be thread-safe and
  // must not call back into Storage. Concurrent changes may be reported in
  // any order (trees combine them with XOR, which does not care).
  using IndexObserver = std::function<void(uint64_t key_hash, const VersionDigest* before,
                                           const VersionDigest* after)>;
  virtual void SetIndexObserver(IndexObserver observer) = 0;

  // Visits, in index order, the entries whose key hash is in
  // [first_hash, last_hash]: one partition, or one segment of it, is one such
  // range. `visit` must not call back into Storage.
  using IndexVisitor =
      std::function<void(uint64_t key_hash, std::string_view key, const IndexEntry& entry)>;
  virtual Status ScanIndex(uint64_t first_hash, uint64_t last_hash, const IndexVisitor& visit) = 0;

  // Node metadata (node id, partitions, HLC ceiling, ...). PutMetadata is
  // durable when it returns.
  virtual Result<std::optional<std::string>> GetMetadata(std::string_view name) = 0;
  virtual Status PutMetadata(std::string_view name, std::string_view value) = 0;

  virtual StorageStats stats() const = 0;
  // Where the data lives, for messages ("data directory /var/lib/alder").
  virtual std::string location() const = 0;
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_STORAGE_H_
