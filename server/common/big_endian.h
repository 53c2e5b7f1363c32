// Big-endian integer encoding for on-disk formats: big-endian keeps byte
// order equal to numeric order, which WiredTiger's raw-key comparison relies on.
#ifndef ALDER_SERVER_COMMON_BIG_ENDIAN_H_
#define ALDER_SERVER_COMMON_BIG_ENDIAN_H_

#include <cstdint>
#include <string>

namespace alder {

// Appends the low `bytes` bytes of `value`, most significant first.
inline void PutBigEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// Reads `bytes` bytes written by PutBigEndian. REQUIRES: `in` has that many.
inline uint64_t GetBigEndian(const char* in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<uint8_t>(in[i]);
  return value;
}

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_BIG_ENDIAN_H_
