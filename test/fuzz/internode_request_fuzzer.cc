// Hostile internode requests: the input is the bytes a peer would send on
// an internode connection (thrift/internode.thrift, binary protocol, framed
// or not; see fuzz::Process). They go through the generated
// internode::InternodeProcessor into the real InternodeHandler, its wire
// decoding (server/rpc/wire_messages.h), and the node's ReplicaService and
// ExchangeService over real WiredTiger storage. The node is node 1 of a
// two-node cluster, so a request that names node 2 as its sender, the
// cluster "alder" and 16 partitions (trees of fanout 4, depth 2: see
// fuzz_node.cc) gets past the identity checks to the
// writes, reads, hints and tree calls behind them (the seeds do).
#include <cstddef>
#include <cstdint>

#include "test/fuzz/fuzz_node.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static alder::fuzz::FuzzNode node(2);
  alder::fuzz::Process(node.internode(), data, size);
  return 0;
}
