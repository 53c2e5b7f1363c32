// SHA-256 for key hashes and version digests.
#ifndef ALDER_SERVER_COMMON_SHA256_H_
#define ALDER_SERVER_COMMON_SHA256_H_

#include <openssl/evp.h>

namespace alder {

// The SHA-256 implementation, fetched from OpenSSL once. Passing EVP_sha256()
// to EVP_Digest instead makes OpenSSL 3 look the algorithm up on every call,
// under a global lock that 32 request threads then contend on.
// Thread-safe; never null (stops the process if OpenSSL has no SHA-256).
const EVP_MD* Sha256();

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_SHA256_H_
