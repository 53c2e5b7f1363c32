// ThriftTransport: alderd's PeerTransport (server/cluster/transport.h), the
// internode protocol over pooled TCP connections (server/rpc/
// peer_connections.h), one pool per peer for data and a small one for
// heartbeats. Replies nobody waits for any more are finished by its
// ReplyCollector, so their connections go back to the pool.
//
// Thread-safe.
#ifndef ALDER_SERVER_RPC_THRIFT_TRANSPORT_H_
#define ALDER_SERVER_RPC_THRIFT_TRANSPORT_H_

#include <map>
#include <memory>
#include <vector>

#include "server/cluster/peer.h"
#include "server/cluster/transport.h"
#include "server/rpc/peer_connections.h"
#include "server/rpc/reply_collector.h"

namespace alder {

class ThriftTransport final : public PeerTransport {
 public:
  // `peers` may list this node too (`self_id`): it is skipped. `header`
  // makes each message's header as it is sent.
  ThriftTransport(uint32_t self_id, const std::vector<Peer>& peers, PeerConnectionOptions options,
                  HeaderSource header);
  ~ThriftTransport() override;  // finishes the calls handed off

  std::chrono::microseconds Now() const override;
  Result<std::unique_ptr<ReplicaCall>> StartWrite(uint32_t node, std::string_view key,
                                                  const Record& record) override;
  Status FinishWrite(ReplicaCall& call) override;
  Result<std::unique_ptr<ReplicaCall>> StartRead(uint32_t node, std::string_view key) override;
  Result<std::optional<Record>> FinishRead(ReplicaCall& call) override;
  std::unique_ptr<ReplicaRound> NewRound(std::chrono::microseconds deadline) override;

  Status Write(uint32_t node, std::string_view key, const Record& record) override;
  Result<std::optional<Record>> Read(uint32_t node, std::string_view key) override;
  Result<HeartbeatAnswer> Heartbeat(uint32_t node) override;
  Status DeliverHints(uint32_t node, const std::vector<Hint>& hints) override;
  Result<std::vector<std::string>> TreeNodes(uint32_t node, TreeShapeId shape, uint32_t partition,
                                             uint32_t level,
                                             const std::vector<uint32_t>& indexes) override;
  Result<std::vector<KeyDigest>> LeafKeys(uint32_t node, TreeShapeId shape, uint32_t partition,
                                          const std::vector<uint32_t>& leaves) override;
  Result<std::vector<KeyedRecord>> FetchRecords(uint32_t node,
                                                const std::vector<std::string>& keys) override;
  Status PushRecords(uint32_t node, const std::vector<KeyedRecord>& records) override;

  // Replica calls whose replies nobody waits for, still being finished.
  size_t calls_outstanding() const { return collector_.outstanding(); }

 private:
  using Call = std::function<void(internode::InternodeClient&, const internode::Sender&)>;
  // Runs `call` on a pooled data connection to `node` with a fresh header.
  Status CallPeer(uint32_t node, const Call& call);
  PeerConnections* Pool(uint32_t node) const;  // null if not a peer

  const HeaderSource header_;
  std::map<uint32_t, std::unique_ptr<PeerConnections>> data_;
  std::map<uint32_t, std::unique_ptr<PeerConnections>> heartbeats_;
  ReplyCollector collector_;  // destroyed before the pools its calls return to
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_THRIFT_TRANSPORT_H_
