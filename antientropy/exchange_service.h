// ExchangeService: the receiving side of the tree exchange (DESIGN.md
// section 7): tree nodes, a leaf's keys, records fetched and pushed, on
// plain values whatever transport brought them. The sender is checked by
// the node's ReplicaService, as for replica calls; a node that syncs after
// a long absence serves none of its data (kSyncing).
//
// Thread-safe.
#ifndef ALDER_ANTIENTROPY_EXCHANGE_SERVICE_H_
#define ALDER_ANTIENTROPY_EXCHANGE_SERVICE_H_

#include <string>
#include <vector>

#include "antientropy/tree_set.h"
#include "server/cluster/messages.h"
#include "server/cluster/replica_service.h"
#include "server/common/status.h"

namespace alder {

class ExchangeService {
 public:
  // `replicas` checks senders and applies records; `trees` (may be null: no
  // trees kept) are this node's. Both must outlive the service.
  ExchangeService(ReplicaService* replicas, const TreeSet* trees)
      : replicas_(replicas), trees_(trees) {}

  Result<std::vector<std::string>> TreeNodes(const MessageHeader& sender, TreeShapeId shape,
                                             uint32_t partition, uint32_t level,
                                             const std::vector<uint32_t>& indexes);
  // Leaves out of range are skipped.
  Result<std::vector<KeyDigest>> LeafKeys(const MessageHeader& sender, TreeShapeId shape,
                                          uint32_t partition, const std::vector<uint32_t>& leaves);
  Result<std::vector<KeyedRecord>> FetchRecords(const MessageHeader& sender,
                                                const std::vector<std::string>& keys);
  // Applies every record, then makes them durable at once (one log flush).
  Status PushRecords(const MessageHeader& sender, const std::vector<KeyedRecord>& records);

 private:
  // Refused unless this node holds `partition`'s tree in `shape`.
  Status CheckTree(const MessageHeader& sender, TreeShapeId shape, uint32_t partition);
  // CheckSender, RefuseWhileSyncing and CheckTree.
  Status CheckTreeRequest(const MessageHeader& sender, TreeShapeId shape, uint32_t partition);

  ReplicaService* const replicas_;
  const TreeSet* const trees_;
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_EXCHANGE_SERVICE_H_
