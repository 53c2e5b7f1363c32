#include "antientropy/tree_set.h"

#include <bit>

#include "server/common/key_hash.h"

namespace alder {

TreeSet::TreeSet(uint32_t partitions, TreeShape shape, const std::vector<uint32_t>& owned)
    : partitions_(partitions),
      partition_bits_(Log2(partitions)),
      leaf_bits_(std::countr_zero(shape.leaves())),
      shape_(shape),
      owned_(owned) {
  for (uint32_t p : owned) trees_.emplace(p, std::make_unique<Guarded>(shape));
}

uint32_t TreeSet::LeafOf(uint64_t key_hash) const {
  const uint64_t below_partition = partition_bits_ == 0 ? key_hash : key_hash << partition_bits_;
  return static_cast<uint32_t>(below_partition >> (64 - leaf_bits_));
}

void TreeSet::LeafRange(uint32_t partition, uint32_t leaf, uint64_t* first, uint64_t* last) const {
  const int low_bits = 64 - partition_bits_ - leaf_bits_;
  const uint64_t prefix =
      partition_bits_ == 0 ? uint64_t{leaf} : (uint64_t{partition} << leaf_bits_) | leaf;
  *first = prefix << low_bits;
  *last = *first | (low_bits == 0 ? 0 : (~uint64_t{0} >> (64 - low_bits)));
}

void TreeSet::OnIndexChange(uint64_t key_hash, const VersionDigest* before,
                            const VersionDigest* after) {
  auto it = trees_.find(PartitionOf(key_hash, partitions_));
  if (it == trees_.end()) return;
  const uint32_t leaf = LeafOf(key_hash);
  Guarded& guarded = *it->second;
  MutexLock lock(&guarded.mu);
  if (before && after) {
    VersionDigest delta;
    for (size_t i = 0; i < delta.size(); ++i) delta[i] = (*before)[i] ^ (*after)[i];
    guarded.tree.Toggle(leaf, delta);
  } else if (before || after) {
    guarded.tree.Toggle(leaf, before ? *before : *after);
  }
}

Result<uint64_t> TreeSet::BuildFromIndex(Storage* storage,
                                         std::map<uint32_t, MerkleTree>* trees) const {
  uint64_t entries = 0;
  for (auto& [partition, fresh] : *trees) {
    MerkleTree& tree = fresh;  // a lambda cannot capture a structured binding (clang 14)
    uint64_t first = 0, last = 0;
    LeafRange(partition, 0, &first, &last);
    uint64_t end_first = 0, end_last = 0;
    LeafRange(partition, shape_.leaves() - 1, &end_first, &end_last);
    Status s = storage->ScanIndex(first, end_last,
                                  [&](uint64_t hash, std::string_view, const IndexEntry& entry) {
                                    tree.ToggleNoRehash(LeafOf(hash), entry.digest);
                                    ++entries;
                                  });
    if (!s.ok()) return s;
    tree.RehashAll();
  }
  return entries;
}

Result<uint64_t> TreeSet::RebuildFromIndex(Storage* storage) {
  std::map<uint32_t, MerkleTree> fresh;
  for (uint32_t p : owned_) fresh.emplace(p, shape_);
  auto entries = BuildFromIndex(storage, &fresh);
  if (!entries.ok()) return entries;
  for (auto& [partition, tree] : fresh) {
    Guarded& live = *trees_.at(partition);
    MutexLock lock(&live.mu);
    live.tree = tree;
  }
  return entries;
}

Result<std::vector<uint32_t>> TreeSet::Verify(Storage* storage, uint64_t* entries) {
  std::map<uint32_t, MerkleTree> fresh;
  for (uint32_t p : owned_) fresh.emplace(p, shape_);
  auto read = BuildFromIndex(storage, &fresh);
  if (!read.ok()) return read.status();
  *entries = read.value();
  std::vector<uint32_t> mismatched;
  for (auto& [partition, tree] : fresh) {
    const Guarded& live = *trees_.at(partition);
    MutexLock lock(&live.mu);
    if (!(live.tree == tree)) mismatched.push_back(partition);
  }
  return mismatched;
}

std::vector<TreeHash> TreeSet::Nodes(uint32_t partition, uint32_t level,
                                     const std::vector<uint32_t>& indexes) const {
  const Guarded& guarded = *trees_.at(partition);
  std::vector<TreeHash> out;
  out.reserve(indexes.size());
  MutexLock lock(&guarded.mu);
  for (uint32_t index : indexes) {
    const bool valid = level <= shape_.depth && index < shape_.NodesAt(level);
    out.push_back(valid ? guarded.tree.Node(level, index) : TreeHash{});
  }
  return out;
}

TreeHash TreeSet::Root(uint32_t partition) const { return Nodes(partition, 0, {0}).front(); }

size_t TreeSet::MemoryBytes() const {
  size_t nodes = 0;
  for (uint32_t level = 0; level <= shape_.depth; ++level) nodes += shape_.NodesAt(level);
  return nodes * sizeof(TreeHash) * trees_.size();
}

}  // namespace alder
