// One anti-entropy exchange: this node and one other replica of a partition
// find the keys on which they differ and send each other exactly those
// records (DESIGN.md §7).
//
//   1. Compare roots; equal roots end the exchange (one round trip).
//   2. Descend level by level into differing nodes only, asking the peer for
//      the hashes of all their children in one call per level.
//   3. List the keys (with versions) of the differing leaves on both sides.
//   4. For each key whose versions differ, send the newer record to the side
//      that lacks it: push ours, or fetch theirs and merge it (LWW) here.
// So the work follows the differences, not the data: a partition that
// agrees costs one call, and N differing keys cost N records sent.
//
// Records past gc_grace (purgeable tombstones and expired values) are never
// sent to a side that has no version of the key at all: there they could
// only be purged again. They are sent when the other side holds an older
// version, which they must replace (or the older value would come back once
// they are purged).
//
// Trees change while an exchange runs; a key written meanwhile may show up as
// a difference and be sent needlessly, which the merge makes harmless.
//
// Thread-safe: exchanges of different partitions or peers may run at once.
#ifndef ALDER_ANTIENTROPY_TREE_EXCHANGE_H_
#define ALDER_ANTIENTROPY_TREE_EXCHANGE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "antientropy/rate_limiter.h"
#include "antientropy/tree_set.h"
#include "clock/physical_clock.h"
#include "server/cluster/transport.h"
#include "server/storage/storage.h"

namespace alder {

struct ExchangeCounters {
  uint64_t tree_nodes_compared = 0;
  uint64_t keys_listed = 0;        // keys of differing leaves, both sides
  uint64_t records_sent = 0;       // both directions
  uint64_t bytes_sent = 0;         // keys and values of those records
  uint64_t records_differing = 0;  // keys whose versions differed

  void Add(const ExchangeCounters& o) {
    tree_nodes_compared += o.tree_nodes_compared;
    keys_listed += o.keys_listed;
    records_sent += o.records_sent;
    bytes_sent += o.bytes_sent;
    records_differing += o.records_differing;
  }
};

// A key on which two replicas differ, and what each holds (nullopt: nothing).
struct KeyDifference {
  std::string key;
  std::optional<IndexEntry> local;
  std::optional<IndexEntry> remote;
};

enum class ExchangeMode {
  kRepair,    // send the differing records both ways
  kPullOnly,  // only take newer records from the peer (a node syncing after a long absence)
  kCompare,   // send nothing; report the differences
};

class TreeExchange {
 public:
  // Pointers must outlive the exchange. `limiter` paces the bytes of
  // records sent, and of tree hashes and keys listed.
  TreeExchange(Storage* storage, const TreeSet* trees, PeerTransport* transport,
               const clock::PhysicalClock* clock, std::chrono::milliseconds gc_grace,
               RateLimiter* limiter);

  // Exchanges `partition` with `peer`. `differences` (may be null) receives
  // the keys that differed.
  Result<ExchangeCounters> Run(uint32_t partition, uint32_t peer, ExchangeMode mode,
                               std::vector<KeyDifference>* differences);

  // The peer's root hash of `partition`.
  Result<TreeHash> RemoteRoot(uint32_t partition, uint32_t peer);

  // What `peer` holds for `keys` (for compare's second look).
  Result<std::vector<std::optional<IndexEntry>>> RemoteVersions(
      uint32_t peer, const std::vector<std::string>& keys);

 private:
  Result<std::vector<TreeHash>> RemoteNodes(uint32_t partition, uint32_t peer, uint32_t level,
                                            const std::vector<uint32_t>& indexes);
  Status Transfer(uint32_t peer, const std::vector<KeyDifference>& to_push,
                  const std::vector<KeyDifference>& to_fetch, ExchangeCounters* counters);

  Storage* const storage_;
  const TreeSet* const trees_;
  PeerTransport* const transport_;
  const clock::PhysicalClock* const clock_;
  const std::chrono::milliseconds gc_grace_;
  RateLimiter* const limiter_;
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_TREE_EXCHANGE_H_
