// PollingRound: the ThriftTransport's ReplicaRound (server/cluster/
// transport.h). It waits for replies by polling the calls' sockets all at
// once on the request's own thread, so that collecting a reply costs no
// thread hand-off; calls still in flight at the end go to a ReplyCollector
// (server/rpc/reply_collector.h).
//
// Not thread-safe: one request's thread owns its round.
#ifndef ALDER_SERVER_RPC_POLLING_ROUND_H_
#define ALDER_SERVER_RPC_POLLING_ROUND_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "server/cluster/transport.h"
#include "server/rpc/peer_connections.h"
#include "server/rpc/reply_collector.h"

namespace alder {

class PollingRound final : public ReplicaRound {
 public:
  // `deadline` on the steady clock (clock::SteadyClock); `collector` takes
  // the calls handed off and must outlive them.
  PollingRound(std::chrono::microseconds deadline, ReplyCollector* collector)
      : deadline_(deadline), collector_(collector) {}
  // Drops the calls still in flight, closing their connections: HandOff()
  // first to have them finished.
  ~PollingRound() override = default;
  PollingRound(const PollingRound&) = delete;
  PollingRound& operator=(const PollingRound&) = delete;

  std::chrono::microseconds deadline() const override { return deadline_; }
  size_t in_flight() const override { return calls_.size(); }
  bool all_answered() const override { return calls_.empty() && !handed_off_; }

  // REQUIRES: `call` is a PendingCall (ThriftTransport's).
  void Add(uint32_t node, std::unique_ptr<ReplicaCall> call) override;
  // A reply is in once its socket is readable (or in error: the transport's
  // Finish method then reports it).
  bool AwaitReplies(std::chrono::microseconds until, const OnReply& on_reply) override;
  using ReplicaRound::AwaitReplies;
  void HandOff(const OnLateReply& late) override;

 private:
  struct InFlight {
    uint32_t node;
    std::unique_ptr<PendingCall> call;
  };

  const std::chrono::microseconds deadline_;
  ReplyCollector* const collector_;
  std::vector<InFlight> calls_;
  bool handed_off_ = false;
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_POLLING_ROUND_H_
