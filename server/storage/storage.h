// Alder's storage engine: records, the digest index and node metadata in
// WiredTiger tables (DESIGN.md section 6).
//
//   table:data          key -> StoredRecord (server/record.h)
//   table:digest_index  KeyHash(key) ++ key -> IndexEntry (server/digest_index.h)
//   table:metadata      name -> value (node id, partitions, HLC ceiling, ...)
//
// A write merges the incoming record with the stored one (LWW) and updates the
// data and index rows in one transaction; it returns only once that
// transaction is durable per the configured Durability (server/group_commit.h).
// Logging is always on, so a restart after kill -9 recovers every
// acknowledged write. Checkpoints run in the background.
//
// Thread-safe: any number of threads may call any method; each thread uses
// its own WiredTiger session (server/wt_session_pool.h).
#ifndef ALDER_SERVER_STORAGE_STORAGE_H_
#define ALDER_SERVER_STORAGE_STORAGE_H_

#include <wiredtiger.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "clock/physical_clock.h"
#include "server/storage/digest_index.h"
#include "server/storage/group_commit.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/storage/wt_session_pool.h"

namespace alder {

// alderd's defaults (NodeConfig in server/config.h), shared with tests that
// open storage without a config.
inline constexpr Durability kDefaultDurability = Durability::kFsync;
inline constexpr uint64_t kDefaultCacheSizeBytes = 256ull << 20;
inline constexpr std::chrono::seconds kDefaultCheckpointInterval{60};

struct StorageOptions {
  std::string data_dir;  // created if missing
  Durability durability = kDefaultDurability;
  uint64_t cache_size_bytes = kDefaultCacheSizeBytes;  // WiredTiger cache (most of the memory used)
  std::chrono::seconds checkpoint_interval = kDefaultCheckpointInterval;
  // Upper bound on WiredTiger sessions: one per thread that touches storage
  // (client connections plus background threads), plus headroom.
  int max_sessions = 1100;
};

// What Apply did.
struct ApplyOutcome {
  Record winner;         // the record stored for the key after the merge
  bool changed = false;  // false when the stored record was already as new or newer
};

struct StorageStats {
  uint64_t applies = 0;        // Apply calls that wrote
  uint64_t stale_applies = 0;  // Apply calls that lost the merge and wrote nothing
  uint64_t write_conflicts = 0;  // transactions retried after a write-write conflict
  uint64_t purges = 0;
  uint64_t log_flushes = 0;
  uint64_t commits_flushed = 0;
  uint64_t sessions_opened = 0;  // per-thread WiredTiger sessions opened so far
};

class Storage {
 public:
  // Opens (creating if needed) the database in options.data_dir, running
  // WiredTiger recovery. `clock` (for stored_at times) must outlive Storage.
  static Result<std::unique_ptr<Storage>> Open(const StorageOptions& options,
                                               const clock::PhysicalClock* clock);
  // Closes WiredTiger cleanly (a final checkpoint). REQUIRES: no calls in flight.
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  // Merges `incoming` into the record stored for `key` (LWW: the greater
  // version wins) and, if it won, writes record and index entry in one
  // transaction. Durable when it returns OK. Idempotent.
  Result<ApplyOutcome> Apply(std::string_view key, const Record& incoming);
  // The same, but returns once committed, without waiting for durability:
  // for batches (repair, hints), which apply every record this way and then
  // call WaitDurable() once, so a batch costs one log flush, not one each.
  // Not durable until that WaitDurable() returns.
  Result<ApplyOutcome> ApplyNoWait(std::string_view key, const Record& incoming);

  // The record stored for `key` (tombstones and expired records included:
  // callers decide visibility), or nullopt if there is none.
  Result<std::optional<StoredRecord>> Read(std::string_view key);

  // The digest index entry for `key`, or nullopt.
  Result<std::optional<IndexEntry>> ReadIndex(std::string_view key);

  // Deletes the record and index entry of `key` if its stored version is
  // still `expected`; a newer write that raced the purge survives. Returns
  // whether it purged. Durable per the mode when it returns.
  Result<bool> PurgeIfUnchanged(std::string_view key, const Version& expected);

  // Calls `visit` for up to `limit` records in key order, starting after
  // `after_key` (from the first key when `start` is true). Returns the last
  // key visited, or nullopt when the table was exhausted. `visit` must not
  // call back into Storage.
  using RecordVisitor = std::function<void(std::string_view key, const StoredRecord&)>;
  Result<std::optional<std::string>> ScanRecords(std::string_view after_key, bool start,
                                                 size_t limit, const RecordVisitor& visit);

  // Called after every committed change of a key's index entry (a write that
  // won its merge, a purge) with the key's hash and its version digest before
  // and after (null when absent): how Merkle trees stay current without
  // rescans. Set once, before any write; the observer must be thread-safe and
  // must not call back into Storage. Concurrent changes may be reported in
  // any order (trees combine them with XOR, which does not care).
  using IndexObserver = std::function<void(uint64_t key_hash, const VersionDigest* before,
                                           const VersionDigest* after)>;
  void SetIndexObserver(IndexObserver observer) { index_observer_ = std::move(observer); }

  // Visits, in index order, the entries whose key hash is in
  // [first_hash, last_hash]: one partition, or one segment of it, is one such
  // range. `visit` must not call back into Storage.
  using IndexVisitor =
      std::function<void(uint64_t key_hash, std::string_view key, const IndexEntry& entry)>;
  Status ScanIndex(uint64_t first_hash, uint64_t last_hash, const IndexVisitor& visit);

  // Node metadata. PutMetadata is synced to disk whatever the durability mode.
  Result<std::optional<std::string>> GetMetadata(std::string_view name);
  Status PutMetadata(std::string_view name, std::string_view value);

  StorageStats stats() const;
  const StorageOptions& options() const { return options_; }

  // For components that keep their own tables in this database
  // (server/hint_store.h). Sessions they open must be closed before Storage
  // is destroyed: closing the connection would leave them dangling.
  WT_CONNECTION* connection() const { return conn_; }
  // Returns once every transaction the caller committed (without sync, on
  // any session of connection()) is durable per options().durability, via
  // group commit as Apply does.
  void WaitDurable();

 private:
  Storage(const StorageOptions& options, const clock::PhysicalClock* clock, WT_CONNECTION* conn);
  Status Init();

  const StorageOptions options_;
  const clock::PhysicalClock* const clock_;
  WT_CONNECTION* const conn_;
  WT_SESSION* flush_session_ = nullptr;  // owned by GroupCommit's leader
  WT_SESSION* meta_session_ = nullptr;   // guarded by meta_mu_
  std::mutex meta_mu_;
  std::unique_ptr<GroupCommit> group_commit_;
  std::unique_ptr<WtSessionPool> sessions_;
  IndexObserver index_observer_;

  std::atomic<uint64_t> applies_{0};
  std::atomic<uint64_t> stale_applies_{0};
  std::atomic<uint64_t> write_conflicts_{0};
  std::atomic<uint64_t> purges_{0};
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_STORAGE_H_
