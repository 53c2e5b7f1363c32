// FuzzNode: one real Alder node assembled in-process for the harnesses that
// feed bytes to the Thrift processors: WiredTiger storage in a temporary
// directory, the HLC, the ring, Merkle trees, hints, replication, the
// coordinator, the replica and exchange services, anti-entropy's admin
// calls, and the two handlers on top (server/rpc/api_handler.h,
// server/rpc/internode_handler.h). The parts are built as alderd builds
// them (server/node.cc); only the servers and background loops are left
// out: a harness hands each input to a processor itself, on one thread.
//
// Peers beyond node 1 (this node) are listed in the ring and membership but
// never listen (their address is a closed port), so a call that would reach
// one fails at once, as a down peer's would, and never waits out a timeout
// on the network.
#ifndef ALDER_TEST_FUZZ_FUZZ_NODE_H_
#define ALDER_TEST_FUZZ_FUZZ_NODE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "Alder.h"
#include "Internode.h"

namespace alder::fuzz {

class FuzzNode {
 public:
  // A node of a cluster of `nodes` nodes (1 or more), this one node 1,
  // replication factor min(3, nodes). Aborts if the node cannot start: a
  // harness without its node finds nothing.
  explicit FuzzNode(uint32_t nodes);
  ~FuzzNode();
  FuzzNode(const FuzzNode&) = delete;
  FuzzNode& operator=(const FuzzNode&) = delete;

  // The processors alderd serves, over the real handlers.
  api::AlderProcessor& api() { return *api_; }
  internode::InternodeProcessor& internode() { return *internode_; }

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<api::AlderProcessor> api_;
  std::unique_ptr<internode::InternodeProcessor> internode_;
};

// Runs `bytes` through `processor` as alderd's server runs a connection's
// bytes: messages in the binary protocol, one after another until the input
// ends or one fails, replies discarded. Framed (alderd's servers read only
// frames) unless the input starts as a bare strict message does (0x80, the
// version's first byte; no frame of a message that fits 2 GB does), so that
// the fuzzer also reaches the protocol without having to keep a frame's
// length right. Every exception the processor lets escape is swallowed, as the
// server's connection loop swallows it by closing the connection; a crash,
// leak or undefined behaviour is what the fuzzer reports.
void Process(apache::thrift::TProcessor& processor, const uint8_t* bytes, size_t size);

}  // namespace alder::fuzz

#endif  // ALDER_TEST_FUZZ_FUZZ_NODE_H_
