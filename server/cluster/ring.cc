// Placement by consistent hashing with virtual nodes, plus per-rank quotas.
//
// Why a ring: a partition's replicas are found by walking clockwise from the
// partition's position to the next tokens, so adding or removing a node only
// changes the partitions whose walk meets that node's tokens. Everything else
// stays where it was and does not have to be streamed.
//
// Why virtual nodes: with one token per node, the arcs between tokens are as
// uneven as random gaps are (one node can own several times another's share),
// and a joining node takes its whole share from the one or two nodes next to
// its token. With many tokens per node, each node's share is the sum of many
// small arcs, which evens out, and a joining node takes small slices from
// every node, so the streaming load of a join is spread over the cluster too.
//
// Why quotas on top: tokens alone are not balanced enough at 256 partitions.
// A partition's owner is decided by one point of the ring, so even with
// thousands of tokens per node the owners behave like 256 independent draws:
// the count per node has a standard deviation of 16 sqrt(n - 1) / n, ±9% of
// the mean for 3 nodes and ±14% for 6. Measured with node ids 1..n and 64 to
// 1024 vnodes per node, the worst primary count is 4..8% off the mean for 3
// nodes, 5..16% for 4, and 12..31% for 5 or 6. So each rank (primaries, second
// replicas, ...) has a quota of partitions / nodes per node, rounded so that
// exactly partitions % nodes nodes get one more. A partition's walk skips the
// nodes that have used up their quota for the rank it is filling; the skipped
// partitions go to the next node clockwise, as in consistent hashing with
// bounded loads (Mirrokni, Thorup, Zadimoghaddam, 2018), with no slack.
//
// Ranks are filled one at a time over all partitions in increasing order.
// Near the end of a rank the only nodes with room left can all already be in
// a partition's list; then an earlier partition of this rank hands its node
// over and takes one of those instead (Unstick below), which keeps every node
// within its quota except in the corner cases Unstick describes.
//
// Cost of the quotas: a join moves a little more than the new node's share.
// Measured over 40 random sets of node ids (RF 3, 256 partitions, 128 vnodes),
// going from 4 to 5 nodes moves 0.22 of primaries on average and 0.25 at
// worst, where 0.20 is the least possible; 3 to 4 nodes moves 0.27 (0.30 at
// worst) where 0.25 is. Fewer vnodes move more (at 32, up to 0.33 and 0.28)
// because the plain ring is less even and the quotas push more partitions
// around; 256 or more vnodes improve nothing measurably. Hence 128.
#include "server/cluster/ring.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <limits>
#include <string>
#include <utility>

#include "server/common/key_hash.h"

namespace alder {
namespace {

constexpr uint32_t kNoNode = std::numeric_limits<uint32_t>::max();

// A point on the ring owned by a node. `node` indexes the sorted node ids.
struct Token {
  uint64_t position;
  uint32_t node;
};

// Token `vnode` of `node_id`: the first 8 bytes, big-endian, of
// SHA-256("<node_id>#<vnode>"). Part of the placement contract in ring.h.
uint64_t TokenPosition(uint32_t node_id, uint32_t vnode) {
  return KeyHash(std::to_string(node_id) + "#" + std::to_string(vnode));
}

bool InList(const std::vector<uint32_t>& list, uint32_t node) {
  return std::find(list.begin(), list.end(), node) != list.end();
}

// How many partitions each node holds at one rank, against a quota of
// floor(partitions / nodes), plus one for the first partitions % nodes nodes
// to reach it. The quotas add up to exactly `partitions`.
class RankQuota {
 public:
  RankQuota(uint32_t partitions, uint32_t nodes)
      : floor_(partitions / nodes), extra_(partitions % nodes), counts_(nodes, 0) {}

  bool HasRoom(uint32_t node) const {
    return counts_[node] < floor_ || (counts_[node] == floor_ && above_floor_ < extra_);
  }
  uint32_t count(uint32_t node) const { return counts_[node]; }

  void Add(uint32_t node) {
    if (counts_[node] == floor_) ++above_floor_;
    ++counts_[node];
  }
  void Remove(uint32_t node) {
    --counts_[node];
    if (counts_[node] == floor_) --above_floor_;
  }

 private:
  const uint32_t floor_;
  const uint32_t extra_;
  uint32_t above_floor_ = 0;  // nodes holding more than floor_
  std::vector<uint32_t> counts_;
};

// Partition p, filling rank r, found no node outside its list with room in
// the quota: every node with room is already in p's list. Find an earlier
// partition q whose rank-r node w could serve p (w not in p's list) and that
// can take a node u with room instead (u not in q's list); q takes u and w
// goes to p. Returns w. The search for q starts where the previous one of
// this rank succeeded (`next_q`) and wraps around below p: rescanning from 0
// each time made 65536 partitions take over ten times longer. u is tried in
// increasing id. Deterministic either way.
//
// If no such q exists, returns the node outside p's list with the fewest
// partitions at this rank, the lowest id on ties, over its quota. That happens
// only when replication_factor is close to the node count: at the last rank
// when they are equal (there is no choice left then), and rarely, by one, in
// the rank before.
uint32_t Unstick(std::vector<std::vector<uint32_t>>& lists, uint32_t p, uint32_t r, uint32_t nodes,
                 RankQuota& quota, uint32_t& next_q) {
  const std::vector<uint32_t>& list = lists[p];
  std::vector<uint32_t> with_room;
  for (uint32_t n = 0; n < nodes; ++n) {
    if (quota.HasRoom(n)) with_room.push_back(n);
  }
  // At the last rank of a list holding every node, q's list is full too.
  const uint32_t tries = r + 1 < nodes ? p : 0;
  if (next_q >= p) next_q = 0;
  for (uint32_t i = 0; i < tries; ++i) {
    const uint32_t q = (next_q + i) % p;
    const uint32_t w = lists[q][r];
    if (InList(list, w)) continue;
    for (uint32_t u : with_room) {
      if (InList(lists[q], u)) continue;
      lists[q][r] = u;
      quota.Add(u);
      quota.Remove(w);  // the caller adds it back for p
      next_q = q + 1;
      return w;
    }
  }
  uint32_t best = kNoNode;
  for (uint32_t n = 0; n < nodes; ++n) {
    if (InList(list, n)) continue;
    if (best == kNoNode || quota.count(n) < quota.count(best)) best = n;
  }
  assert(best != kNoNode);
  return best;
}

}  // namespace

Result<Ring> Ring::Create(std::vector<uint32_t> node_ids, uint32_t partitions,
                          uint32_t replication_factor, uint32_t vnodes_per_node) {
  if (node_ids.empty()) return Status::InvalidArgument("the ring needs at least one node");
  std::sort(node_ids.begin(), node_ids.end());
  const auto duplicate = std::adjacent_find(node_ids.begin(), node_ids.end());
  if (duplicate != node_ids.end()) {
    return Status::InvalidArgument("node id " + std::to_string(*duplicate) +
                                   " is listed more than once");
  }
  if (!std::has_single_bit(partitions) || partitions > kMaxPartitions) {
    return Status::InvalidArgument("partitions must be a power of two in 1.." +
                                   std::to_string(kMaxPartitions) + ", got " +
                                   std::to_string(partitions));
  }
  if (replication_factor == 0 || replication_factor > node_ids.size()) {
    return Status::InvalidArgument(
        "replication_factor must be in 1.." + std::to_string(node_ids.size()) +
        " (the number of nodes), got " + std::to_string(replication_factor));
  }
  if (vnodes_per_node == 0 || vnodes_per_node > kMaxVnodesPerNode) {
    return Status::InvalidArgument("vnodes_per_node must be in 1.." +
                                   std::to_string(kMaxVnodesPerNode) + ", got " +
                                   std::to_string(vnodes_per_node));
  }
  return Ring(std::move(node_ids), partitions, replication_factor, vnodes_per_node);
}

Ring::Ring(std::vector<uint32_t> sorted_node_ids, uint32_t partitions, uint32_t replication_factor,
           uint32_t vnodes_per_node)
    : node_ids_(std::move(sorted_node_ids)),
      partitions_(partitions),
      replication_factor_(replication_factor),
      vnodes_per_node_(vnodes_per_node) {
  const auto nodes = static_cast<uint32_t>(node_ids_.size());

  std::vector<Token> tokens;
  tokens.reserve(static_cast<size_t>(nodes) * vnodes_per_node_);
  for (uint32_t n = 0; n < nodes; ++n) {
    for (uint32_t v = 0; v < vnodes_per_node_; ++v) {
      tokens.push_back({TokenPosition(node_ids_[n], v), n});
    }
  }
  // Ties between positions (never seen with SHA-256) go to the lower id.
  std::sort(tokens.begin(), tokens.end(), [](const Token& a, const Token& b) {
    return a.position != b.position ? a.position < b.position : a.node < b.node;
  });

  // Where each partition's walk starts: its first token at or after the
  // start of its hash range, wrapping past the top of the ring to token 0.
  const int bits = Log2(partitions_);
  std::vector<size_t> start(partitions_);
  for (uint32_t p = 0; p < partitions_; ++p) {
    const uint64_t position = bits == 0 ? 0 : static_cast<uint64_t>(p) << (64 - bits);
    const auto it = std::lower_bound(tokens.begin(), tokens.end(), position,
                                     [](const Token& t, uint64_t pos) { return t.position < pos; });
    start[p] = it == tokens.end() ? 0 : static_cast<size_t>(it - tokens.begin());
  }

  // Lists of node indices while building; ids at the end.
  std::vector<std::vector<uint32_t>> lists(partitions_);
  for (auto& list : lists) list.reserve(replication_factor_);
  std::vector<uint32_t> seen_in_walk(nodes, 0);  // last walk that saw or skips the node
  uint32_t walk = 0;
  for (uint32_t r = 0; r < replication_factor_; ++r) {
    RankQuota quota(partitions_, nodes);
    uint32_t next_q = 0;  // for Unstick
    for (uint32_t p = 0; p < partitions_; ++p) {
      std::vector<uint32_t>& list = lists[p];
      const uint32_t candidates = nodes - static_cast<uint32_t>(list.size());
      uint32_t seen = 0;
      uint32_t pick = kNoNode;
      ++walk;
      for (uint32_t n : list) seen_in_walk[n] = walk;
      for (size_t k = 0; k < tokens.size() && seen < candidates; ++k) {
        const uint32_t n = tokens[(start[p] + k) % tokens.size()].node;
        if (seen_in_walk[n] == walk) continue;
        seen_in_walk[n] = walk;
        ++seen;
        if (quota.HasRoom(n)) {
          pick = n;
          break;
        }
      }
      if (pick == kNoNode) pick = Unstick(lists, p, r, nodes, quota, next_q);
      quota.Add(pick);
      list.push_back(pick);
    }
  }

  for (auto& list : lists) {
    for (uint32_t& n : list) n = node_ids_[n];
  }
  preference_lists_ = std::move(lists);
}

const std::vector<uint32_t>& Ring::PreferenceList(uint32_t partition) const {
  assert(partition < partitions_);
  return preference_lists_[partition];
}

uint32_t Ring::PartitionOfKey(std::string_view key) const {
  return PartitionOf(KeyHash(key), partitions_);
}

const std::vector<uint32_t>& Ring::NodesForKey(std::string_view key) const {
  return preference_lists_[PartitionOfKey(key)];
}

std::vector<uint32_t> Ring::PartitionsOf(uint32_t node_id) const {
  std::vector<uint32_t> result;
  for (uint32_t p = 0; p < partitions_; ++p) {
    if (InList(preference_lists_[p], node_id)) result.push_back(p);
  }
  return result;
}

std::vector<uint32_t> Ring::PrimaryPartitionsOf(uint32_t node_id) const {
  std::vector<uint32_t> result;
  for (uint32_t p = 0; p < partitions_; ++p) {
    if (preference_lists_[p].front() == node_id) result.push_back(p);
  }
  return result;
}

bool Ring::Contains(uint32_t node_id) const {
  return std::binary_search(node_ids_.begin(), node_ids_.end(), node_id);
}

}  // namespace alder
