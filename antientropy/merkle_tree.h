// One partition's Merkle tree, kept current on every write (DESIGN.md §7).
//
// Shape: `fanout` children per node and `depth` levels below the root, so
// fanout^depth leaves. A leaf covers one segment of the partition's key
// space: the bits of KeyHash(key) that follow the partition bits, which is a
// contiguous range of the digest index (server/digest_index.h).
//
// A leaf's hash is the XOR of the version digests of its keys, so a write
// updates it in O(1) without reading the leaf's other keys (XOR out the old
// digest, XOR in the new), whatever order concurrent writes land in. An
// inner node's hash is the first 16 bytes of SHA-256 over its children's
// hashes (all zeros while every child is zero, so empty trees cost nothing to
// build); a write recomputes the path to the root: O(depth) hashes of
// fanout x 16 bytes.
//
// Memory: (fanout^(depth+1) - 1) / (fanout - 1) nodes of 16 bytes; for the
// default 16 and 3, 4,369 nodes = 68 KiB per partition (17 MiB for 256
// partitions, every one replicated here).
//
// Not thread-safe: TreeSet serializes access.
#ifndef ALDER_ANTIENTROPY_MERKLE_TREE_H_
#define ALDER_ANTIENTROPY_MERKLE_TREE_H_

#include <array>
#include <cstdint>
#include <vector>

#include "server/common/record.h"

namespace alder {

using TreeHash = std::array<uint8_t, 16>;

struct TreeShape {
  uint32_t fanout = 16;  // power of two, 2..256
  uint32_t depth = 3;    // levels below the root, 1..8; fanout^depth <= 2^20

  uint32_t leaves() const;
  uint32_t NodesAt(uint32_t level) const;  // fanout^level
  bool operator==(const TreeShape&) const = default;
};

// Empty when the shape is valid, else what is wrong with it.
std::string CheckTreeShape(const TreeShape& shape);

class MerkleTree {
 public:
  explicit MerkleTree(TreeShape shape);

  // XORs `digest` into `leaf` and rehashes the path to the root.
  void Toggle(uint32_t leaf, const VersionDigest& digest);
  // XORs `digest` into `leaf` without rehashing; call RehashAll() after a
  // batch of these (a rebuild).
  void ToggleNoRehash(uint32_t leaf, const VersionDigest& digest);
  void RehashAll();

  // The hash of node `index` at `level` (0: the root; depth: the leaves).
  // REQUIRES: level <= depth and index < fanout^level.
  const TreeHash& Node(uint32_t level, uint32_t index) const;
  const TreeHash& Root() const { return Node(0, 0); }
  const TreeShape& shape() const { return shape_; }

  bool operator==(const MerkleTree& other) const { return levels_ == other.levels_; }

 private:
  void Rehash(uint32_t level, uint32_t index);  // node from its children

  TreeShape shape_;
  std::vector<std::vector<TreeHash>> levels_;  // levels_[0] is the root
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_MERKLE_TREE_H_
