// Stored-record decoding (server/common/record.h): the bytes of the data
// table's value, as a damaged or foreign file could hold them. Decoding must
// reject or accept without undefined behaviour, and what it accepts must be
// exactly what EncodeStoredRecord writes: the encoding has one spelling per
// record, so re-encoding gives back the input byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/common/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = alder::DecodeStoredRecord(bytes);
  if (!decoded.ok()) return 0;
  if (alder::EncodeStoredRecord(decoded.value()) != bytes) std::abort();
  // What the rest of the node asks of a decoded record must not trip
  // either (arithmetic on its times).
  const alder::Record& record = decoded.value().record;
  (void)record.IsLiveAt(record.expires_at_ms);
  (void)record.IsPurgeableAt(decoded.value().stored_at_ms, std::chrono::hours(240));
  (void)alder::DigestOf("k", record);
  (void)record.version.ToString();
  return 0;
}
