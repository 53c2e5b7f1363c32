// PeerTransport: how a node reaches the others: every internode call
// (thrift/internode.thrift) as a method on plain values (messages.h).
//
// Two implementations: ThriftTransport (server/rpc/thrift_transport.h), the
// real one, over pooled TCP connections; and the simulation's
// (test/simulation/), over a simulated network in one process.
//
// Errors, the same from both:
//   Refused / RetryLater  the peer answered with a refusal (Status::refusal()
//                         says why; RetryLater for storage failures);
//   Unavailable           the peer could not be reached at all;
//   TimedOut              it did not answer in time;
//   IoError               the connection broke or the answer was garbled.
//
// The header of each message (MessageHeader) is made by the transport as it
// sends, from the HeaderSource it was built with.
//
// Thread-safe.
#ifndef ALDER_SERVER_CLUSTER_TRANSPORT_H_
#define ALDER_SERVER_CLUSTER_TRANSPORT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/cluster/messages.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/storage/hint_store.h"

namespace alder {

// Makes the header of a message sent now (a send event of the HLC).
using HeaderSource = std::function<MessageHeader()>;

// A request sent whose reply is still to come; the transport that started
// it finishes it. Dropping an unfinished call abandons it.
class ReplicaCall {
 public:
  virtual ~ReplicaCall() = default;
};

// The calls one client request has sent to replicas, and the wait for their
// replies (DESIGN.md section 5). The coordinator starts a call to each
// replica it asks, does this node's own part meanwhile, then waits here, on
// the request's own thread, until it has the replies it needs or the
// deadline passes. The calls still in flight are then handed off: the
// transport finishes them in the background, and the request never waits on
// a reply it no longer needs. Not thread-safe: one request owns its round.
class ReplicaRound {
 public:
  // Takes a reply from `node`'s call (with the transport's Finish method).
  using OnReply = std::function<void(uint32_t node, ReplicaCall& call)>;
  // Makes the finisher of `node`'s call once it is handed off: called with
  // the call when its reply came, or nullptr when its deadline passed first.
  using OnLateReply = std::function<std::function<void(ReplicaCall*)>(uint32_t node)>;

  virtual ~ReplicaRound() = default;

  // On the transport's monotonic clock (PeerTransport::Now).
  virtual std::chrono::microseconds deadline() const = 0;
  // Calls sent whose replies this round has not taken yet.
  virtual size_t in_flight() const = 0;
  // True when every call sent was answered here (none in flight, none
  // handed off): more time would not have brought another reply.
  virtual bool all_answered() const = 0;

  virtual void Add(uint32_t node, std::unique_ptr<ReplicaCall> call) = 0;

  // Waits until at least one reply is in, or `until` (the deadline at the
  // latest), and passes each one in to `on_reply`, which may Add() calls;
  // the round then forgets those calls. Returns false when no reply came in
  // time (or none is in flight).
  virtual bool AwaitReplies(std::chrono::microseconds until, const OnReply& on_reply) = 0;
  bool AwaitReplies(const OnReply& on_reply) { return AwaitReplies(deadline(), on_reply); }

  // Hands the calls still in flight to the transport, which finishes each
  // with the finisher `late(node)` makes, by the deadline.
  virtual void HandOff(const OnLateReply& late) = 0;
};

class PeerTransport {
 public:
  virtual ~PeerTransport() = default;

  // The monotonic time rounds and call deadlines are measured on.
  virtual std::chrono::microseconds Now() const = 0;

  // Split-phase replica calls, for the coordinator: the request goes out
  // now, the reply is taken by the Finish method once a round passed it on.
  virtual Result<std::unique_ptr<ReplicaCall>> StartWrite(uint32_t node, std::string_view key,
                                                          const Record& record) = 0;
  virtual Status FinishWrite(ReplicaCall& call) = 0;
  virtual Result<std::unique_ptr<ReplicaCall>> StartRead(uint32_t node, std::string_view key) = 0;
  // What the replica holds (nothing: nullopt).
  virtual Result<std::optional<Record>> FinishRead(ReplicaCall& call) = 0;
  virtual std::unique_ptr<ReplicaRound> NewRound(std::chrono::microseconds deadline) = 0;

  // Calls that wait for their answer (bounded by the transport's timeout).
  virtual Status Write(uint32_t node, std::string_view key, const Record& record) = 0;
  virtual Result<std::optional<Record>> Read(uint32_t node, std::string_view key) = 0;
  // On connections of their own, so that a peer busy with writes still
  // answers heartbeats on time.
  virtual Result<HeartbeatAnswer> Heartbeat(uint32_t node) = 0;
  // Replays `hints` on `node`, in order, durably when it returns OK.
  virtual Status DeliverHints(uint32_t node, const std::vector<Hint>& hints) = 0;

  // The tree exchange (DESIGN.md section 7).
  virtual Result<std::vector<std::string>> TreeNodes(uint32_t node, TreeShapeId shape,
                                                     uint32_t partition, uint32_t level,
                                                     const std::vector<uint32_t>& indexes) = 0;
  virtual Result<std::vector<KeyDigest>> LeafKeys(uint32_t node, TreeShapeId shape,
                                                  uint32_t partition,
                                                  const std::vector<uint32_t>& leaves) = 0;
  virtual Result<std::vector<KeyedRecord>> FetchRecords(uint32_t node,
                                                        const std::vector<std::string>& keys) = 0;
  virtual Status PushRecords(uint32_t node, const std::vector<KeyedRecord>& records) = 0;
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_TRANSPORT_H_
