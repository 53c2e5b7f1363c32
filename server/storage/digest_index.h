// The digest index: what anti-entropy reads instead of the data (DESIGN.md
// sections 6, 7). One entry per key, written in the same WiredTiger
// transaction as the key's record.
//
// Index key: KeyHash(key) as 8 big-endian bytes, then the key. The hash's top
// bits are the partition and the next bits the segment, so every partition,
// and every segment for any power-of-two segment count, is one contiguous
// range of the index: trees can change their segment count without
// rewriting the index.
//
// Index value: the version digest (16 bytes), then hlc(8), node_id(4),
// flags(1: bit0 tombstone), expires_at_ms(8), big-endian.
#ifndef ALDER_SERVER_STORAGE_DIGEST_INDEX_H_
#define ALDER_SERVER_STORAGE_DIGEST_INDEX_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "server/common/record.h"
#include "server/common/status.h"

namespace alder {

struct IndexEntry {
  VersionDigest digest{};
  Version version;
  bool tombstone = false;
  uint64_t expires_at_ms = 0;

  bool operator==(const IndexEntry&) const = default;
};

std::string EncodeIndexKey(uint64_t key_hash, std::string_view key);
// The key hash of an index key's first 8 bytes. REQUIRES: bytes.size() >= 8.
uint64_t DecodeIndexKeyHash(std::string_view bytes);
IndexEntry IndexEntryOf(std::string_view key, const Record& record);
std::string EncodeIndexValue(const IndexEntry& entry);
Result<IndexEntry> DecodeIndexValue(std::string_view bytes);

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_DIGEST_INDEX_H_
