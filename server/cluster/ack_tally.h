// The acknowledgements of one write, counted per replica set: during a ring
// change a write must reach its level in the old set and in the new set
// separately (server/cluster/cluster_view.h), so one node that is in both
// counts for both, and a quorum of the union is not enough.
//
// Not thread-safe: one request's thread uses it.
#ifndef ALDER_SERVER_CLUSTER_ACK_TALLY_H_
#define ALDER_SERVER_CLUSTER_ACK_TALLY_H_

#include <cstdint>
#include <vector>

#include "server/cluster/cluster_view.h"
#include "server/cluster/consistency.h"

namespace alder {

class AckTally {
 public:
  // The sets must outlive the tally.
  AckTally(WriteSets sets, Consistency level);

  // Every node of the sets, each once: the old set's in preference order,
  // then the new set's others.
  const std::vector<uint32_t>& targets() const { return targets_; }
  // The sets, one or two, each with the acks it needs.
  size_t set_count() const { return sets_.size(); }
  const std::vector<uint32_t>& set(size_t i) const { return *sets_[i].nodes; }
  uint32_t required() const { return sets_[0].required; }
  // "" with one set; "old " or "new " with two, as errors name them.
  const char* set_name(size_t i) const;

  // Records `node`'s acknowledgement, once per node.
  void Ack(uint32_t node);
  // Whether every set has its level's acks.
  bool enough() const;
  // Acks in the set furthest from its level: what the write can claim.
  uint32_t weakest_acks() const;
  // Nodes that acknowledged, in any set.
  uint32_t total_acks() const { return static_cast<uint32_t>(acked_.size()); }

 private:
  struct Set {
    const std::vector<uint32_t>* nodes;
    uint32_t required;
    uint32_t acks = 0;
  };
  std::vector<Set> sets_;
  std::vector<uint32_t> targets_;
  std::vector<uint32_t> acked_;
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_ACK_TALLY_H_
