// ReplicaRound: the calls one client request has sent to replicas, and the
// wait for their replies (DESIGN.md section 5).
//
// The coordinator starts a call to each replica it asks, does this node's
// own part meanwhile, then waits here, on the request's own thread, until it
// has the replies it needs or the request's deadline passes. The calls still
// in flight then go to a ReplyCollector (server/reply_collector.h), which
// finishes them in the background: the request never waits on a reply it no
// longer needs, and their connections go back to the pool.
//
// Not thread-safe: one request's thread owns its round.
#ifndef ALDER_SERVER_RPC_REPLICA_ROUND_H_
#define ALDER_SERVER_RPC_REPLICA_ROUND_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "server/rpc/peer_connections.h"
#include "server/rpc/reply_collector.h"

namespace alder {

class ReplicaRound {
 public:
  using Clock = std::chrono::steady_clock;
  // Takes a reply from `node`'s call (Finish() reports a broken connection).
  using OnReply = std::function<void(uint32_t node, PendingCall& call)>;
  // Makes the finisher of `node`'s call once it is handed off.
  using OnLateReply = std::function<ReplyCollector::OnReply(uint32_t node)>;

  explicit ReplicaRound(Clock::time_point deadline) : deadline_(deadline) {}
  // Drops the calls still in flight, closing their connections: HandOff()
  // first to have them finished.
  ~ReplicaRound() = default;
  ReplicaRound(const ReplicaRound&) = delete;
  ReplicaRound& operator=(const ReplicaRound&) = delete;

  Clock::time_point deadline() const { return deadline_; }
  // Calls sent whose replies this round has not taken yet.
  size_t in_flight() const { return calls_.size(); }
  // True when every call sent was answered here (none in flight, none
  // handed off): more time would not have brought another reply.
  bool all_answered() const { return calls_.empty() && !handed_off_; }

  void Add(uint32_t node, std::unique_ptr<PendingCall> call);

  // Waits until at least one reply is readable, or `until` (the deadline at
  // the latest), and passes each readable one to `on_reply`, which may Add()
  // calls; the round then forgets those calls. Returns false when no reply
  // came in time (or none is in flight).
  bool AwaitReplies(Clock::time_point until, const OnReply& on_reply);
  bool AwaitReplies(const OnReply& on_reply) { return AwaitReplies(deadline_, on_reply); }

  // Gives the calls still in flight to `collector`, with the deadline and
  // the finisher `late(node)` makes for each.
  void HandOff(ReplyCollector* collector, const OnLateReply& late);

 private:
  struct InFlight {
    uint32_t node;
    std::unique_ptr<PendingCall> call;
  };

  const Clock::time_point deadline_;
  std::vector<InFlight> calls_;
  bool handed_off_ = false;
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_REPLICA_ROUND_H_
