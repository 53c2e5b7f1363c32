// Hinted handoff storage (DESIGN.md section 5): writes a coordinator could not
// deliver to a down replica, kept on disk until they are replayed to it or
// fall out of the hint window.
//
//   table:hints  target(4) ++ sequence(8) -> created_ms(8) ++ key length(4)
//                ++ key ++ EncodeStoredRecord({record, created_ms})
//
// Integers are big-endian (server/big_endian.h), so a cursor range over one
// target yields its hints oldest first. The table lives in the node's own
// WiredTiger database: a hint is logged and recovered like any write, and is
// durable per the storage durability mode once Add returns OK.
//
// Replaying a hint twice is harmless (the LWW merge is idempotent), so
// Remove and DropOlderThan do not wait for durability: a removal lost in a
// crash only means a hint is delivered again.
//
// Sequence numbers order the hints a store holds. After a restart numbering
// continues above the highest hint still held, so order survives restarts.
//
// Thread-safe. Hints are rare (only while a replica is down), so one
// WiredTiger session behind a mutex serves all callers. One HintStore per
// Storage.
#ifndef ALDER_SERVER_STORAGE_HINT_STORE_H_
#define ALDER_SERVER_STORAGE_HINT_STORE_H_

#include <wiredtiger.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "clock/physical_clock.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/storage/storage.h"

namespace alder {

struct Hint {
  uint32_t target = 0;      // node id the write is for
  uint64_t sequence = 0;    // order of addition (per HintStore, survives restarts)
  uint64_t created_ms = 0;  // physical clock when stored
  std::string key;
  Record record;            // server/record.h
};

class HintStore {
 public:
  // Opens (creating if needed) table:hints on storage's WiredTiger connection with its own
  // session (guarded by a mutex: hints are rare, only while a replica is down), scans it
  // once to count pending hints per target and find the next sequence number.
  // `storage` and `clock` must outlive the store.
  static Result<std::unique_ptr<HintStore>> Open(Storage* storage, const clock::PhysicalClock* clock);
  ~HintStore();  // closes its session. REQUIRES: destroyed before Storage.
  HintStore(const HintStore&) = delete;
  HintStore& operator=(const HintStore&) = delete;

  // Stores a hint for `target`; durable (per the storage durability mode) when it returns OK.
  Status Add(uint32_t target, std::string_view key, const Record& record);
  // Up to `limit` hints for `target`, oldest (lowest sequence) first.
  Result<std::vector<Hint>> Oldest(uint32_t target, size_t limit);
  // Removes these hints (delivered). Removing an absent hint is not an error.
  // Only target and sequence are used to find them.
  Status Remove(const std::vector<Hint>& hints);
  // Drops every hint with created_ms + window <= now (for all targets); returns how many.
  Result<uint64_t> DropOlderThan(std::chrono::milliseconds window);
  uint64_t Pending(uint32_t target) const;   // hints held for target
  uint64_t PendingTotal() const;
  uint64_t dropped() const;                  // total dropped by DropOlderThan since open

 private:
  struct HintId {
    uint32_t target;
    uint64_t sequence;
  };

  HintStore(Storage* storage, const clock::PhysicalClock* clock, WT_SESSION* session);
  Status Init();
  // Removes `ids` in transactions of bounded size (a huge one could exceed
  // the WiredTiger cache); adds the number actually removed to *removed.
  // REQUIRES: mu_ held.
  Status RemoveLocked(const std::vector<HintId>& ids, uint64_t* removed);
  void CountRemoved(uint32_t target, uint64_t n);  // takes counts_mu_

  Storage* const storage_;
  const clock::PhysicalClock* const clock_;

  std::mutex mu_;                  // guards the session, its cursor and next_sequence_
  WT_SESSION* const session_;
  WT_CURSOR* cursor_ = nullptr;    // table:hints, overwrite=false
  uint64_t next_sequence_ = 1;

  // Separate from mu_ so that Pending() never waits behind a table scan.
  mutable std::mutex counts_mu_;
  std::map<uint32_t, uint64_t> pending_;  // target -> hints held; no zero entries
  uint64_t pending_total_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_HINT_STORE_H_
