#include "server/storage/digest_index.h"

#include <cstring>

#include "server/common/big_endian.h"

namespace alder {
namespace {

constexpr size_t kValueBytes = 16 + 8 + 4 + 1 + 8;

}  // namespace

std::string EncodeIndexKey(uint64_t key_hash, std::string_view key) {
  std::string out;
  out.reserve(8 + key.size());
  PutBigEndian(&out, key_hash, 8);
  out.append(key);
  return out;
}

uint64_t DecodeIndexKeyHash(std::string_view bytes) { return GetBigEndian(bytes.data(), 8); }

IndexEntry IndexEntryOf(std::string_view key, const Record& record) {
  return IndexEntry{DigestOf(key, record), record.version, record.tombstone, record.expires_at_ms};
}

std::string EncodeIndexValue(const IndexEntry& entry) {
  std::string out(reinterpret_cast<const char*>(entry.digest.data()), entry.digest.size());
  PutBigEndian(&out, entry.version.hlc.packed(), 8);
  PutBigEndian(&out, entry.version.node_id, 4);
  out.push_back(entry.tombstone ? 1 : 0);
  PutBigEndian(&out, entry.expires_at_ms, 8);
  return out;
}

Result<IndexEntry> DecodeIndexValue(std::string_view bytes) {
  if (bytes.size() != kValueBytes) {
    return Status::Corruption("index entry of " + std::to_string(bytes.size()) +
                              " bytes, expected " + std::to_string(kValueBytes));
  }
  IndexEntry entry;
  std::memcpy(entry.digest.data(), bytes.data(), entry.digest.size());
  const char* p = bytes.data() + 16;
  entry.version.hlc = clock::Timestamp::FromPacked(GetBigEndian(p, 8));
  entry.version.node_id = static_cast<uint32_t>(GetBigEndian(p + 8, 4));
  entry.tombstone = p[12] != 0;
  entry.expires_at_ms = GetBigEndian(p + 13, 8);
  return entry;
}

}  // namespace alder
