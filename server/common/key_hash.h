// Where a key lives: a stable 64-bit hash of the key, whose top bits are its
// partition and whose next bits are its segment within the partition.
//
// The hash is the first 8 bytes of SHA-256(key), big-endian: the same on every
// platform and in every language, so clients and tools can compute placement.
// Thread-safe: pure functions.
#ifndef ALDER_SERVER_COMMON_KEY_HASH_H_
#define ALDER_SERVER_COMMON_KEY_HASH_H_

#include <cstdint>
#include <string_view>

namespace alder {

uint64_t KeyHash(std::string_view key);

// log2 of a power of two. REQUIRES: n is a power of two, n >= 1.
int Log2(uint32_t n);

// The partition of a key hash when there are `partitions` partitions.
// REQUIRES: partitions is a power of two in 1..65536.
inline uint32_t PartitionOf(uint64_t key_hash, uint32_t partitions) {
  const int bits = Log2(partitions);
  return bits == 0 ? 0 : static_cast<uint32_t>(key_hash >> (64 - bits));
}

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_KEY_HASH_H_
