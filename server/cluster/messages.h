// The internode messages as the cluster layer sees them: plain C++ values,
// one for each of thrift/internode.thrift's structs. Only the Thrift
// transport (server/rpc/) translates them to and from the wire.
#ifndef ALDER_SERVER_CLUSTER_MESSAGES_H_
#define ALDER_SERVER_CLUSTER_MESSAGES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "server/common/record.h"
#include "server/storage/digest_index.h"

namespace alder {

// Who this node is, as its messages tell peers.
struct ClusterIdentity {
  uint32_t node_id = 0;
  std::string cluster_name;
  uint32_t partitions = 0;
  std::string client_address;  // host:port of this node's client API, told to peers
};

// The header every internode message carries (internode::Sender).
struct MessageHeader {
  uint32_t node_id = 0;
  uint64_t hlc = 0;  // packed: a new timestamp of the sender's HLC (a send event)
  std::string cluster_name;
  uint32_t partitions = 0;
  std::optional<int64_t> wall_us;  // the sender's own wall clock as it sent
};

// A heartbeat's answer (internode::HeartbeatReply).
struct HeartbeatAnswer {
  uint32_t node_id = 0;
  uint64_t hlc = 0;            // packed
  int64_t wall_us = 0;         // the responder's own wall clock as it answered
  std::string client_address;  // empty when it did not say
};

// The shape of the Merkle trees two replicas compare (antientropy's
// TreeShape; both sides must keep the same one).
struct TreeShapeId {
  uint32_t fanout = 0;
  uint32_t depth = 0;
};

// One key of a leaf, with its index entry (internode::KeyDigest).
struct KeyDigest {
  std::string key;
  IndexEntry entry;
};

// A key and what a replica holds for it (internode::KeyedRecord).
struct KeyedRecord {
  std::string key;
  std::optional<Record> record;  // none: the replica holds nothing
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_MESSAGES_H_
