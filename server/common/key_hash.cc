#include "server/common/key_hash.h"

#include <bit>
#include <cassert>
#include <cstdlib>

#include "server/common/sha256.h"

namespace alder {

uint64_t KeyHash(std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(key.data(), key.size(), digest, &length, Sha256(), nullptr) != 1) {
    std::abort();  // SHA-256 cannot fail short of memory exhaustion
  }
  uint64_t hash = 0;
  for (int i = 0; i < 8; ++i) hash = (hash << 8) | digest[i];
  return hash;
}

int Log2(uint32_t n) {
  assert(std::has_single_bit(n));
  return std::countr_zero(n);
}

}  // namespace alder
