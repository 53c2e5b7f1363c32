// The stored record: a last-writer-wins register (DESIGN.md section 3).
//
// A record is a value or a tombstone, stamped with a Version: the coordinator's
// HLC timestamp plus the id of the node that stamped it. Merge keeps the
// record with the greater version; versions are unique per write, so an exact
// tie means the same write seen twice. Merge is therefore commutative,
// associative and idempotent (a state-based CRDT), which is what lets
// replicas, hints and repair apply records in any order, any number of times.
//
// Thread-safe: values only.
#ifndef ALDER_SERVER_COMMON_RECORD_H_
#define ALDER_SERVER_COMMON_RECORD_H_

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "clock/timestamp.h"
#include "server/common/status.h"

namespace alder {

struct Version {
  clock::Timestamp hlc;
  uint32_t node_id = 0;

  auto operator<=>(const Version&) const = default;
  std::string ToString() const;  // "wall.logical@node"
};

struct Record {
  Version version;
  bool tombstone = false;
  uint64_t expires_at_ms = 0;  // Unix ms; 0 = never expires. Always 0 on tombstones.
  std::string value;           // empty on tombstones

  // Readable at `now_ms`: not a tombstone and not expired.
  bool IsLiveAt(uint64_t now_ms) const {
    return !tombstone && (expires_at_ms == 0 || expires_at_ms > now_ms);
  }
  // When the record stopped being readable (delete time or expiry), or 0 if
  // it never will (a value without TTL).
  uint64_t DeadSinceMs() const { return tombstone ? version.hlc.wall_ms() : expires_at_ms; }
  // True when the record is dead and the GC grace period since its death has
  // passed at `now_ms`. Being purgeable is necessary, not sufficient: the
  // replicas must also be known to hold it (antientropy/tombstone_gc.h).
  bool IsPurgeableAt(uint64_t now_ms, std::chrono::milliseconds gc_grace) const {
    const uint64_t dead = DeadSinceMs();
    return dead != 0 && dead + static_cast<uint64_t>(gc_grace.count()) <= now_ms;
  }

  bool operator==(const Record&) const = default;
};

// The LWW merge: the record with the greater version; `a` on an exact tie.
const Record& Merge(const Record& a, const Record& b);

// A record as stored on this node: the replicated record plus when this node
// first stored that version (local; never replicated; used by tombstone GC).
struct StoredRecord {
  Record record;
  uint64_t stored_at_ms = 0;
};

// On-disk encoding of a StoredRecord (the data table's value). Layout, all
// integers big-endian: format(1)=1, flags(1: bit0 tombstone), hlc(8),
// node_id(4), expires_at_ms(8), stored_at_ms(8), value bytes (the rest).
std::string EncodeStoredRecord(const StoredRecord& stored);
// Returns Corruption if `bytes` is not a valid encoding.
Result<StoredRecord> DecodeStoredRecord(std::string_view bytes);

// A 128-bit digest of a key's version (key, hlc, node, tombstone, expiry): what
// anti-entropy compares. Two replicas agree on a key iff their digests match.
using VersionDigest = std::array<uint8_t, 16>;
VersionDigest DigestOf(std::string_view key, const Record& record);

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_RECORD_H_
