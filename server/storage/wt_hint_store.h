// WtHintStore: the HintStore of alderd (server/storage/hint_store.h), in a
// WiredTiger table of the node's own database.
//
//   table:hints  target(4) ++ sequence(8) -> created_ms(8) ++ key length(4)
//                ++ key ++ EncodeStoredRecord({record, created_ms})
//
// Integers are big-endian (server/big_endian.h), so a cursor range over one
// target yields its hints oldest first. The table lives in the node's own
// WiredTiger database: a hint is logged and recovered like any write, and is
// durable per the storage durability mode once Add returns OK.
//
// Thread-safe. Hints are rare (only while a replica is down), so one
// WiredTiger session behind a mutex serves all callers. One HintStore per
// Storage.
#ifndef ALDER_SERVER_STORAGE_WT_HINT_STORE_H_
#define ALDER_SERVER_STORAGE_WT_HINT_STORE_H_

#include <wiredtiger.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clock/physical_clock.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/common/thread_annotations.h"
#include "server/storage/hint_store.h"
#include "server/storage/wt_storage.h"

namespace alder {

class WtHintStore final : public HintStore {
 public:
  // Opens (creating if needed) table:hints on storage's WiredTiger connection with its own
  // session (guarded by a mutex: hints are rare, only while a replica is down), scans it
  // once to count pending hints per target and find the next sequence number.
  // `storage` and `clock` must outlive the store.
  static Result<std::unique_ptr<WtHintStore>> Open(WtStorage* storage,
                                                   const clock::PhysicalClock* clock);
  ~WtHintStore() override;  // closes its session. REQUIRES: destroyed before WtStorage.
  WtHintStore(const WtHintStore&) = delete;
  WtHintStore& operator=(const WtHintStore&) = delete;

  // HintStore (server/storage/hint_store.h). Add is durable per the
  // storage durability mode.
  Status Add(uint32_t target, std::string_view key, const Record& record) override;
  Result<std::vector<Hint>> Oldest(uint32_t target, size_t limit) override;
  Status Remove(const std::vector<Hint>& hints) override;
  Result<uint64_t> DropOlderThan(std::chrono::milliseconds window) override;
  uint64_t Pending(uint32_t target) const override;
  uint64_t PendingTotal() const override;
  uint64_t dropped() const override;

 private:
  struct HintId {
    uint32_t target;
    uint64_t sequence;
  };

  WtHintStore(WtStorage* storage, const clock::PhysicalClock* clock, WT_SESSION* session);
  Status Init();
  // Removes `ids` in transactions of bounded size (a huge one could exceed
  // the WiredTiger cache); adds the number actually removed to *removed.
  Status RemoveLocked(const std::vector<HintId>& ids, uint64_t* removed) REQUIRES(mu_);
  void CountRemoved(uint32_t target, uint64_t n) EXCLUDES(counts_mu_);  // takes counts_mu_

  WtStorage* const storage_;
  const clock::PhysicalClock* const clock_;

  Mutex mu_;  // guards the session, its cursor and next_sequence_
  WT_SESSION* const session_ PT_GUARDED_BY(mu_);
  WT_CURSOR* cursor_ GUARDED_BY(mu_) = nullptr;  // table:hints, overwrite=false
  uint64_t next_sequence_ GUARDED_BY(mu_) = 1;

  // Separate from mu_ so that Pending() never waits behind a table scan.
  mutable Mutex counts_mu_;
  // Target -> hints held; no zero entries.
  std::map<uint32_t, uint64_t> pending_ GUARDED_BY(counts_mu_);
  uint64_t pending_total_ GUARDED_BY(counts_mu_) = 0;
  uint64_t dropped_ GUARDED_BY(counts_mu_) = 0;
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_WT_HINT_STORE_H_
