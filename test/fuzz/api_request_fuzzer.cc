// Hostile client requests: the input is the bytes a client would send on a
// connection to the public API (thrift/alder.thrift, binary protocol,
// framed or not; see fuzz::Process). They go through the generated
// api::AlderProcessor into the real ApiHandler, over the coordinator of a
// one-node cluster on real WiredTiger storage, so whatever a request names
// (a key, a value, a TTL, a consistency, a partition to repair) reaches the
// code that acts on it. A one-node cluster keeps every call local: no
// replica to wait for, nothing timing-dependent.
#include <cstddef>
#include <cstdint>

#include "test/fuzz/fuzz_node.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One node for the whole run: opening WiredTiger per input would be most
  // of the run's time. Inputs see what earlier inputs stored, as requests
  // on a live node do.
  static alder::fuzz::FuzzNode node(1);
  alder::fuzz::Process(node.api(), data, size);
  return 0;
}
