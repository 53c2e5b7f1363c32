// The ring: which nodes hold which partitions.
//
// A cluster has a fixed number of partitions (a power of two); a key's
// partition is the top bits of KeyHash(key) (server/key_hash.h). The ring
// places partitions on nodes by consistent hashing with virtual nodes, and
// gives each partition a preference list: `replication_factor` distinct node
// ids, primary first. Those nodes are the partition's replicas.
//
// Placement, in short (ring.cc explains why):
//   - each node owns `vnodes_per_node` tokens on a 64-bit ring; token v of
//     node n is the first 8 bytes, big-endian, of SHA-256("<n>#<v>"), with n
//     and v in decimal;
//   - partition p sits at the start of its hash range,
//     p << (64 - log2(partitions)) (0 when there is one partition);
//   - rank by rank (primaries, then second replicas, ...), each partition
//     walks clockwise from the first token >= its position, wrapping, and
//     takes the first node that is not yet in its list and that still has
//     room in that rank's quota, which is partitions / nodes rounded so that
//     every node ends up with floor or ceil of it. The quota is what keeps
//     ownership balanced: with tokens alone, some node of 5 or 6 is 12% or
//     more off its share of 256 partitions at every vnode count tried
//     (16..1024).
//
// Contract:
//   - Deterministic: the same (set of node ids, partitions,
//     replication_factor, vnodes_per_node) gives the same preference lists on
//     every node, every platform and every run, whatever the order in which
//     node ids are given. Every node computes placement from `peers` alone.
//   - Changing this function misplaces every key of an existing cluster;
//     ring_test pins golden preference lists so that it cannot happen quietly.
//   - Balanced: every node is the primary of floor or ceil of
//     partitions / nodes partitions. The same holds at every later rank, so
//     replica counts per node differ by at most replication_factor, except
//     when replication_factor is close to the node count, where a rank can be
//     off by one more (replication_factor == node count puts every node in
//     every list, which is balanced anyway).
//   - Adding a node moves only a little more than the new node's share of
//     partitions (about 0.22 of primaries going from 4 to 5 nodes, where 0.20
//     is the least possible).
//   - Immutable after Create(), so thread-safe for any number of readers.
//     Cheap to move; copying copies the precomputed lists.
#ifndef ALDER_SERVER_CLUSTER_RING_H_
#define ALDER_SERVER_CLUSTER_RING_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "server/common/status.h"

namespace alder {

class Ring {
 public:
  // Balance holds at any count thanks to the quotas; 128 keeps what a join
  // moves close to the new node's share (measurements in ring.cc).
  static constexpr uint32_t kDefaultVnodesPerNode = 128;
  static constexpr uint32_t kMaxPartitions = 65536;
  static constexpr uint32_t kMaxVnodesPerNode = 4096;

  // Builds the ring and precomputes every partition's preference list.
  // Returns InvalidArgument, and builds nothing, unless: node_ids is non-empty
  // and holds no id twice; partitions is a power of two in 1..65536;
  // 1 <= replication_factor <= node count; 1 <= vnodes_per_node <= 4096.
  // Cost: partitions * replication_factor short walks over the tokens; about
  // 1 ms for the defaults and 3 ms for 65536 partitions at RF 3. It grows
  // with replication_factor * nodes: 0.1 s at 20 nodes with RF 20, seconds
  // only when both are in the hundreds.
  static Result<Ring> Create(std::vector<uint32_t> node_ids, uint32_t partitions,
                             uint32_t replication_factor,
                             uint32_t vnodes_per_node = kDefaultVnodesPerNode);

  // The replicas of `partition`: replication_factor distinct node ids, the
  // primary first. The reference lives as long as the Ring.
  // REQUIRES: partition < partitions().
  const std::vector<uint32_t>& PreferenceList(uint32_t partition) const;

  // The partition `key` belongs to.
  uint32_t PartitionOfKey(std::string_view key) const;

  // The replicas of the partition `key` belongs to:
  // PreferenceList(PartitionOfKey(key)).
  const std::vector<uint32_t>& NodesForKey(std::string_view key) const;

  // The partitions whose preference list holds `node_id`, in increasing
  // order; empty if the node is not in the ring.
  std::vector<uint32_t> PartitionsOf(uint32_t node_id) const;

  // The partitions whose primary (first replica) is `node_id`, in increasing
  // order; empty if the node is not in the ring.
  std::vector<uint32_t> PrimaryPartitionsOf(uint32_t node_id) const;

  // Whether `node_id` is one of the ring's nodes.
  bool Contains(uint32_t node_id) const;

  // The ring's node ids in increasing order.
  const std::vector<uint32_t>& node_ids() const { return node_ids_; }
  uint32_t partitions() const { return partitions_; }
  uint32_t replication_factor() const { return replication_factor_; }
  uint32_t vnodes_per_node() const { return vnodes_per_node_; }

 private:
  Ring(std::vector<uint32_t> sorted_node_ids, uint32_t partitions, uint32_t replication_factor,
       uint32_t vnodes_per_node);

  std::vector<uint32_t> node_ids_;  // sorted, distinct
  uint32_t partitions_;
  uint32_t replication_factor_;
  uint32_t vnodes_per_node_;
  std::vector<std::vector<uint32_t>> preference_lists_;  // indexed by partition
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_RING_H_
