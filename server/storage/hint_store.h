// HintStore: writes a coordinator could not deliver to a down replica, kept
// until they are replayed to it or fall out of the hint window (hinted
// handoff, DESIGN.md section 5).
//
// Replaying a hint twice is harmless (the LWW merge is idempotent), so
// Remove and DropOlderThan need not be durable: a removal lost in a crash
// only means a hint is delivered again. Add is durable when it returns OK.
// Sequence numbers order a target's hints, across restarts too.
//
// Two implementations: WtHintStore (server/storage/wt_hint_store.h), a
// WiredTiger table beside the node's data, and the simulation's model.
//
// Thread-safe.
#ifndef ALDER_SERVER_STORAGE_HINT_STORE_H_
#define ALDER_SERVER_STORAGE_HINT_STORE_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/common/record.h"
#include "server/common/status.h"

namespace alder {

struct Hint {
  uint32_t target = 0;      // node id the write is for
  uint64_t sequence = 0;    // order of addition (per HintStore, survives restarts)
  uint64_t created_ms = 0;  // physical clock when stored
  std::string key;
  Record record;  // server/common/record.h
};

class HintStore {
 public:
  virtual ~HintStore() = default;

  // Stores a hint for `target`; durable when it returns OK.
  virtual Status Add(uint32_t target, std::string_view key, const Record& record) = 0;
  // Up to `limit` hints for `target`, oldest (lowest sequence) first.
  virtual Result<std::vector<Hint>> Oldest(uint32_t target, size_t limit) = 0;
  // Removes these hints (delivered). Removing an absent hint is not an error.
  // Only target and sequence are used to find them.
  virtual Status Remove(const std::vector<Hint>& hints) = 0;
  // Drops every hint with created_ms + window <= now (for all targets);
  // returns how many.
  virtual Result<uint64_t> DropOlderThan(std::chrono::milliseconds window) = 0;
  virtual uint64_t Pending(uint32_t target) const = 0;  // hints held for target
  virtual uint64_t PendingTotal() const = 0;
  virtual uint64_t dropped() const = 0;  // total dropped by DropOlderThan since open
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_HINT_STORE_H_
