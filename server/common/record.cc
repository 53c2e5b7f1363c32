#include "server/common/record.h"

#include <cstdlib>
#include <cstring>

#include "server/common/big_endian.h"
#include "server/common/sha256.h"

namespace alder {
namespace {

constexpr uint8_t kFormat = 1;
constexpr uint8_t kTombstoneFlag = 1;
constexpr size_t kHeaderBytes = 1 + 1 + 8 + 4 + 8 + 8;

}  // namespace

std::string Version::ToString() const { return hlc.ToString() + "@" + std::to_string(node_id); }

const Record& Merge(const Record& a, const Record& b) { return b.version > a.version ? b : a; }

std::string EncodeStoredRecord(const StoredRecord& stored) {
  const Record& r = stored.record;
  std::string out;
  out.reserve(kHeaderBytes + r.value.size());
  out.push_back(static_cast<char>(kFormat));
  out.push_back(static_cast<char>(r.tombstone ? kTombstoneFlag : 0));
  PutBigEndian(&out, r.version.hlc.packed(), 8);
  PutBigEndian(&out, r.version.node_id, 4);
  PutBigEndian(&out, r.expires_at_ms, 8);
  PutBigEndian(&out, stored.stored_at_ms, 8);
  out.append(r.value);
  return out;
}

Result<StoredRecord> DecodeStoredRecord(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes) {
    return Status::Corruption("record of " + std::to_string(bytes.size()) +
                              " bytes is shorter than its header");
  }
  if (static_cast<uint8_t>(bytes[0]) != kFormat) {
    return Status::Corruption("unknown record format " +
                              std::to_string(static_cast<uint8_t>(bytes[0])));
  }
  const uint8_t flags = static_cast<uint8_t>(bytes[1]);
  if ((flags & ~kTombstoneFlag) != 0) {
    return Status::Corruption("unknown record flags " + std::to_string(flags));
  }
  StoredRecord stored;
  Record& r = stored.record;
  const char* p = bytes.data() + 2;
  r.tombstone = (flags & kTombstoneFlag) != 0;
  r.version.hlc = clock::Timestamp::FromPacked(GetBigEndian(p, 8));
  r.version.node_id = static_cast<uint32_t>(GetBigEndian(p + 8, 4));
  r.expires_at_ms = GetBigEndian(p + 12, 8);
  stored.stored_at_ms = GetBigEndian(p + 20, 8);
  r.value.assign(bytes.substr(kHeaderBytes));
  if (r.tombstone && !r.value.empty()) return Status::Corruption("tombstone carries a value");
  return stored;
}

VersionDigest DigestOf(std::string_view key, const Record& record) {
  // The key is length-prefixed so that (key, version) pairs cannot collide by
  // shifting bytes between the two.
  std::string input;
  input.reserve(8 + key.size() + 21);
  PutBigEndian(&input, key.size(), 8);
  input.append(key);
  PutBigEndian(&input, record.version.hlc.packed(), 8);
  PutBigEndian(&input, record.version.node_id, 4);
  input.push_back(record.tombstone ? 1 : 0);
  PutBigEndian(&input, record.expires_at_ms, 8);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, Sha256(), nullptr) != 1) {
    std::abort();  // SHA-256 cannot fail short of memory exhaustion
  }
  VersionDigest out;
  std::memcpy(out.data(), digest, out.size());
  return out;
}

}  // namespace alder
