#include "antientropy/merkle_tree.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <string>

#include "server/common/sha256.h"

namespace alder {
namespace {

constexpr TreeHash kZero{};

}  // namespace

uint32_t TreeShape::NodesAt(uint32_t level) const {
  uint32_t n = 1;
  for (uint32_t i = 0; i < level; ++i) n *= fanout;
  return n;
}

uint32_t TreeShape::leaves() const { return NodesAt(depth); }

std::string CheckTreeShape(const TreeShape& shape) {
  if (shape.fanout < 2 || shape.fanout > 256 || !std::has_single_bit(shape.fanout)) {
    return "tree_fanout must be a power of two in 2..256, got " + std::to_string(shape.fanout);
  }
  if (shape.depth < 1 || shape.depth > 8) {
    return "tree_depth must be in 1..8, got " + std::to_string(shape.depth);
  }
  if (static_cast<uint64_t>(std::countr_zero(shape.fanout)) * shape.depth > 20) {
    return "tree_fanout^tree_depth must be at most 2^20 leaves";
  }
  return "";
}

MerkleTree::MerkleTree(TreeShape shape) : shape_(shape) {
  assert(CheckTreeShape(shape).empty());
  levels_.resize(shape.depth + 1);
  for (uint32_t level = 0; level <= shape.depth; ++level) {
    levels_[level].assign(shape.NodesAt(level), kZero);
  }
}

const TreeHash& MerkleTree::Node(uint32_t level, uint32_t index) const {
  assert(level <= shape_.depth && index < levels_[level].size());
  return levels_[level][index];
}

void MerkleTree::Rehash(uint32_t level, uint32_t index) {
  const auto& children = levels_[level + 1];
  const auto first = children.begin() + static_cast<std::ptrdiff_t>(index) * shape_.fanout;
  const auto last = first + shape_.fanout;
  if (std::all_of(first, last, [](const TreeHash& h) { return h == kZero; })) {
    levels_[level][index] = kZero;
    return;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(first->data(), shape_.fanout * sizeof(TreeHash), digest, &length, Sha256(),
                 nullptr) != 1) {
    std::abort();  // OpenSSL cannot hash: nothing sensible to continue with
  }
  std::copy_n(digest, sizeof(TreeHash), levels_[level][index].begin());
}

void MerkleTree::ToggleNoRehash(uint32_t leaf, const VersionDigest& digest) {
  TreeHash& h = levels_[shape_.depth][leaf];
  for (size_t i = 0; i < h.size(); ++i) h[i] ^= digest[i];
}

void MerkleTree::Toggle(uint32_t leaf, const VersionDigest& digest) {
  ToggleNoRehash(leaf, digest);
  uint32_t index = leaf;
  for (uint32_t level = shape_.depth; level-- > 0;) {
    index /= shape_.fanout;
    Rehash(level, index);
  }
}

void MerkleTree::RehashAll() {
  for (uint32_t level = shape_.depth; level-- > 0;) {
    for (uint32_t i = 0; i < levels_[level].size(); ++i) Rehash(level, i);
  }
}

}  // namespace alder
