// The public API's anti-entropy methods (repair, compare, verifyTrees in
// thrift/alder.thrift), on top of the scheduler, the exchange and the trees.
// The only anti-entropy code that speaks the API's generated types.
//
// Thread-safe.
#ifndef ALDER_SERVER_RPC_ADMIN_API_H_
#define ALDER_SERVER_RPC_ADMIN_API_H_

#include "Alder.h"
#include "antientropy/repair_scheduler.h"
#include "antientropy/tree_exchange.h"
#include "antientropy/tree_set.h"
#include "clock/sleeper.h"
#include "server/cluster/cluster_map.h"
#include "server/storage/storage.h"

namespace alder {

class AntiEntropyAdmin {
 public:
  // Pointers must outlive the object. `sleeper` holds a request back before
  // it looks again at what differed (clock/sleeper.h).
  AntiEntropyAdmin(uint32_t self_id, const ClusterMap* map, TreeSet* trees, TreeExchange* exchange,
                   RepairScheduler* scheduler, Storage* storage,
                   clock::Sleeper* sleeper = clock::RealSleeper());

  // Throw api::InvalidArgument on a bad request.
  api::RepairReport Repair(const api::RepairRequest& request);
  api::Comparison Compare(const api::CompareRequest& request);
  api::TreeVerification VerifyTrees();

  // Adds the anti-entropy part of `alder status`: last successful exchange
  // per partition and peer, the oldest, records purged, syncing.
  void DescribeInto(api::ClusterStatus* status, uint64_t now_ms, uint64_t records_purged,
                    bool syncing) const;

 private:
  // The partition a request names (by number or by key), or none for all.
  std::optional<uint32_t> PartitionOf(bool has_partition, int32_t partition, bool has_key,
                                      const std::string& key) const;
  // Compares one partition's roots (and, with list_keys, keys). A pause
  // before looking again at what differed happens only when `may_pause`:
  // one pause per request is enough for writes in flight to land.
  api::PartitionComparison ComparePartition(uint32_t partition, bool list_keys,
                                            int32_t* unreachable, bool may_pause);
  api::PartitionComparison CompareKey(const std::string& key, int32_t* unreachable);

  const uint32_t self_id_;
  const ClusterMap* const map_;
  TreeSet* const trees_;
  TreeExchange* const exchange_;
  RepairScheduler* const scheduler_;
  Storage* const storage_;
  clock::Sleeper* const sleeper_;
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_ADMIN_API_H_
