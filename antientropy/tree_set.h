// The Merkle trees of every partition this node replicates, kept current by
// the storage engine's index observer (Storage::SetIndexObserver) and rebuilt
// from the digest index at start-up (DESIGN.md §7).
//
// A key's tree is its partition's (the top bits of KeyHash); its leaf is the
// segment given by the next log2(leaves) bits. Keys of partitions this node
// does not replicate (none, with static membership) are ignored.
//
// Thread-safe: one mutex per tree; a write holds one for O(depth) hashes.
#ifndef ALDER_ANTIENTROPY_TREE_SET_H_
#define ALDER_ANTIENTROPY_TREE_SET_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "antientropy/merkle_tree.h"
#include "server/common/status.h"
#include "server/common/thread_annotations.h"
#include "server/storage/storage.h"

namespace alder {

class TreeSet {
 public:
  TreeSet(uint32_t partitions, TreeShape shape, const std::vector<uint32_t>& owned);

  // For Storage::SetIndexObserver.
  void OnIndexChange(uint64_t key_hash, const VersionDigest* before, const VersionDigest* after);

  // Rebuilds every tree from `storage`'s digest index (at start-up, before
  // any write). Returns the number of index entries read.
  Result<uint64_t> RebuildFromIndex(Storage* storage);

  // Builds fresh trees from the index and compares each with the live one;
  // returns the partitions that differ. Writes during the check can show up
  // as differences; callers retry those.
  Result<std::vector<uint32_t>> Verify(Storage* storage, uint64_t* entries);

  bool Owns(uint32_t partition) const { return trees_.contains(partition); }
  const std::vector<uint32_t>& owned() const { return owned_; }
  const TreeShape& shape() const { return shape_; }
  uint32_t partitions() const { return partitions_; }

  // Hashes of nodes `indexes` at `level` of `partition`'s tree; empty
  // hashes for indexes out of range. REQUIRES: Owns(partition).
  std::vector<TreeHash> Nodes(uint32_t partition, uint32_t level,
                              const std::vector<uint32_t>& indexes) const;
  TreeHash Root(uint32_t partition) const;

  // The leaf of a key hash, and the key-hash range [first, last] of a leaf.
  uint32_t LeafOf(uint64_t key_hash) const;
  void LeafRange(uint32_t partition, uint32_t leaf, uint64_t* first, uint64_t* last) const;

  size_t MemoryBytes() const;

 private:
  struct Guarded {
    explicit Guarded(TreeShape shape) : tree(shape) {}
    mutable Mutex mu;
    MerkleTree tree GUARDED_BY(mu);
  };
  // Fills `trees` (fresh, for these partitions, not shared) from the index.
  Result<uint64_t> BuildFromIndex(Storage* storage, std::map<uint32_t, MerkleTree>* trees) const;

  const uint32_t partitions_;
  const int partition_bits_;
  const int leaf_bits_;
  const TreeShape shape_;
  const std::vector<uint32_t> owned_;
  std::map<uint32_t, std::unique_ptr<Guarded>> trees_;  // keys fixed at construction
};

}  // namespace alder

#endif  // ALDER_ANTIENTROPY_TREE_SET_H_
