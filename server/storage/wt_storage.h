// WtStorage: the Storage of alderd (server/storage/storage.h): records, the
// digest index and node metadata in WiredTiger tables (DESIGN.md section 6).
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
#ifndef ALDER_SERVER_STORAGE_WT_STORAGE_H_
#define ALDER_SERVER_STORAGE_WT_STORAGE_H_

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
#include "clock/sleeper.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/common/thread_annotations.h"
#include "server/storage/digest_index.h"
#include "server/storage/group_commit.h"
#include "server/storage/storage.h"
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
  // The time a write that keeps conflicting measures its retries on, and
  // how it waits between them (clock/sleeper.h).
  const clock::MonotonicClock* retry_clock = clock::RealMonotonicClock();
  clock::Sleeper* retry_sleeper = clock::RealSleeper();
};

class WtStorage final : public Storage {
 public:
  // Opens (creating if needed) the database in options.data_dir, running
  // WiredTiger recovery. `clock` (for stored_at times) must outlive WtStorage.
  static Result<std::unique_ptr<WtStorage>> Open(const StorageOptions& options,
                                                 const clock::PhysicalClock* clock);
  // Closes WiredTiger cleanly (a final checkpoint). REQUIRES: no calls in flight.
  ~WtStorage() override;
  WtStorage(const WtStorage&) = delete;
  WtStorage& operator=(const WtStorage&) = delete;

  // Storage (server/storage/storage.h). A write is one WiredTiger
  // transaction on the data and index tables; its durability is that of
  // options().durability, via group commit (server/storage/group_commit.h).
  Result<ApplyOutcome> Apply(std::string_view key, const Record& incoming) override;
  Result<ApplyOutcome> ApplyNoWait(std::string_view key, const Record& incoming) override;
  // Also covers transactions committed without sync on any session of
  // connection() (the hint store's).
  void WaitDurable() override;
  Result<std::optional<StoredRecord>> Read(std::string_view key) override;
  Result<std::optional<IndexEntry>> ReadIndex(std::string_view key) override;
  Result<bool> PurgeIfUnchanged(std::string_view key, const Version& expected) override;
  Result<std::optional<std::string>> ScanRecords(std::string_view after_key, bool start,
                                                 size_t limit, const RecordVisitor& visit) override;
  void SetIndexObserver(IndexObserver observer) override { index_observer_ = std::move(observer); }
  Status ScanIndex(uint64_t first_hash, uint64_t last_hash, const IndexVisitor& visit) override;
  // PutMetadata is synced to disk whatever the durability mode.
  Result<std::optional<std::string>> GetMetadata(std::string_view name) override;
  Status PutMetadata(std::string_view name, std::string_view value) override;
  StorageStats stats() const override;
  std::string location() const override { return options_.data_dir; }

  const StorageOptions& options() const { return options_; }
  // For components that keep their own tables in this database
  // (server/storage/wt_hint_store.h). Sessions they open must be closed
  // before WtStorage is destroyed: closing the connection would leave them
  // dangling.
  WT_CONNECTION* connection() const { return conn_; }

 private:
  WtStorage(const StorageOptions& options, const clock::PhysicalClock* clock, WT_CONNECTION* conn);
  Status Init();

  const StorageOptions options_;
  const clock::PhysicalClock* const clock_;
  WT_CONNECTION* const conn_;
  WT_SESSION* flush_session_ = nullptr;  // owned by GroupCommit's leader
  Mutex meta_mu_;
  WT_SESSION* meta_session_ GUARDED_BY(meta_mu_) = nullptr;
  std::unique_ptr<GroupCommit> group_commit_;
  std::unique_ptr<WtSessionPool> sessions_;
  IndexObserver index_observer_;

  std::atomic<uint64_t> applies_{0};
  std::atomic<uint64_t> stale_applies_{0};
  std::atomic<uint64_t> write_conflicts_{0};
  std::atomic<uint64_t> purges_{0};
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_WT_STORAGE_H_
