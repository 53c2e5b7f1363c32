// Replicas: the one way the coordinator and hint delivery reach a replica,
// whether it is this node (storage, no network) or another node (the
// transport, server/cluster/transport.h).
//
// Thread-safe.
#ifndef ALDER_SERVER_CLUSTER_REPLICAS_H_
#define ALDER_SERVER_CLUSTER_REPLICAS_H_

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "clock/hlc.h"
#include "clock/physical_clock.h"
#include "server/cluster/messages.h"
#include "server/cluster/transport.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/storage/hint_store.h"
#include "server/storage/storage.h"

namespace alder {

// The headers of the messages `self` sends: each carries a new timestamp of
// `clock` (a send event) and `local_clock`'s reading, this node's own wall
// clock, uncorrected, for the receiver to judge. Both must outlive it.
HeaderSource MakeHeaderSource(ClusterIdentity self, clock::HybridLogicalClock* clock,
                              const clock::PhysicalClock* local_clock);

class Replicas {
 public:
  // `transport` reaches the other nodes; it and `storage` must outlive
  // Replicas.
  Replicas(ClusterIdentity self, PeerTransport* transport, Storage* storage)
      : self_(std::move(self)), transport_(transport), storage_(storage) {}

  uint32_t self_id() const { return self_.node_id; }
  const ClusterIdentity& identity() const { return self_; }
  PeerTransport* transport() const { return transport_; }

  // Stores `record` on `node` (LWW merge), durably. Errors as the
  // transport's, or the local storage error.
  Status Write(uint32_t node, std::string_view key, const Record& record);

  // What `node` holds for `key` (tombstones and expired records included).
  Result<std::optional<Record>> Read(uint32_t node, std::string_view key);

 private:
  const ClusterIdentity self_;
  PeerTransport* const transport_;
  Storage* const storage_;
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_REPLICAS_H_
