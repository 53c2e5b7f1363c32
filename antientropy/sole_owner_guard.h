// The purge guard of a cluster before anti-entropy can vouch for replicas:
// a record may be purged only where this node is the key's only replica
// (replication_factor 1). Elsewhere nothing is known about the other
// replicas, so nothing is purged: a tombstone kept too long costs disk, a
// tombstone purged too early resurrects a delete (DESIGN.md section 3).
#ifndef ALDER_ANTIENTROPY_SOLE_OWNER_GUARD_H_
#define ALDER_ANTIENTROPY_SOLE_OWNER_GUARD_H_

#include <cstdint>

#include "antientropy/tombstone_gc.h"
#include "server/ring.h"

namespace alder {

class SoleOwnerGuard final : public PurgeGuard {
 public:
  // `ring` must outlive the guard.
  SoleOwnerGuard(const Ring* ring, uint32_t self_id) : ring_(ring), self_id_(self_id) {}

  bool ReplicasHold(std::string_view key, const StoredRecord&) override {
    const std::vector<uint32_t>& replicas = ring_->NodesForKey(key);
    return replicas.size() == 1 && replicas.front() == self_id_;
  }

 private:
  const Ring* const ring_;
  const uint32_t self_id_;
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_SOLE_OWNER_GUARD_H_
