// Pooled connections to one peer's internode port (thrift/internode.thrift).
//
// A call leases an idle connection (or opens one), runs, and returns the
// connection to the pool if the exchange completed, whether the peer answered
// or refused. A transport failure discards the connection, so a restarted
// peer is reconnected on the next call. Each call is bounded by the timeout:
// a slow or dead peer holds up only the calls made to it, never longer.
//
// At most max_in_flight calls are outstanding to the peer at once; further
// calls wait (up to the timeout) for one to end. That is the backpressure
// that keeps a replica falling behind from collecting an unbounded number of
// connections.
//
// Thread-safe: any number of threads may call at once; each uses its own
// connection.
#ifndef ALDER_SERVER_RPC_PEER_CONNECTIONS_H_
#define ALDER_SERVER_RPC_PEER_CONNECTIONS_H_

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "Internode.h"
#include "server/cluster/peer.h"
#include "server/cluster/transport.h"
#include "server/common/status.h"
#include "server/common/thread_annotations.h"

namespace apache::thrift::transport {
class TSocket;
}

namespace alder {

class TlsFactorySlot;

// No defaults: alderd sets every field, from NodeConfig (server/config.h)
// and its own limits (server/node.cc).
struct PeerConnectionOptions {
  std::chrono::milliseconds connect_timeout{};
  std::chrono::milliseconds timeout{};  // each send and each receive
  uint32_t max_frame_bytes = 0;
  size_t max_idle = 0;       // idle connections kept; more are closed on return
  size_t max_in_flight = 0;  // calls outstanding at once; more wait for one to end
  // Mutual TLS, each peer's certificate required to name it; null: plaintext.
  std::shared_ptr<TlsFactorySlot> tls;
};

class PeerConnections;

// A call whose request was sent and whose reply is still to be received, so
// that a coordinator can send to several replicas, do its own replica's work,
// and then collect the replies as they arrive (poll on fd()) without handing
// each call to another thread. Finish() exactly once, from any one thread;
// dropping an unfinished call closes its connection.
class PendingCall final : public ReplicaCall {
 public:
  ~PendingCall() override;
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;

  // The socket to wait on for the reply.
  int fd() const;
  // The node the call went to.
  uint32_t node() const;
  // Receives the reply with `receive` (e.g. client.recv_write()); returns
  // as PeerConnections::Call does.
  Status Finish(const std::function<void(internode::InternodeClient&)>& receive);

 private:
  friend class PeerConnections;
  struct Connection;
  PendingCall(PeerConnections* owner, std::unique_ptr<Connection> connection);
  PeerConnections* owner_;
  std::unique_ptr<Connection> connection_;
};

class PeerConnections {
 public:
  PeerConnections(Peer peer, PeerConnectionOptions options);
  ~PeerConnections();
  PeerConnections(const PeerConnections&) = delete;
  PeerConnections& operator=(const PeerConnections&) = delete;

  // Runs `call` on a connected client. Returns:
  //   Ok           the call completed;
  //   Refused      the peer answered with internode::Refused (its message);
  //   Unavailable  no connection could be opened (the peer is not listening);
  //   TimedOut     the peer did not answer within the timeout;
  //   IoError      the connection broke or the answer was garbled.
  // `call` may be called with a fresh or a reused connection.
  Status Call(const std::function<void(internode::InternodeClient&)>& call);

  // Sends a request with `send` (e.g. client.send_write(...)) and returns the
  // call, to be finished later; or the error, as Call returns it.
  Result<std::unique_ptr<PendingCall>> Start(
      const std::function<void(internode::InternodeClient&)>& send);

  const Peer& peer() const { return peer_; }

 private:
  friend class PendingCall;
  using Connection = PendingCall::Connection;
  std::unique_ptr<Connection> Lease(Status* error) EXCLUDES(mu_);
  void Return(std::unique_ptr<Connection> connection) EXCLUDES(mu_);
  void DropIdle() EXCLUDES(mu_);
  // A socket to the peer, not yet open: plaintext, or TLS that checks its name.
  std::shared_ptr<apache::thrift::transport::TSocket> NewSocket() const;
  void ReleaseSlot() EXCLUDES(mu_);
  // Runs one step of a call on `connection`; returns it to the pool when the
  // exchange completed, and translates failures (see Call).
  Status Run(std::unique_ptr<Connection>& connection,
             const std::function<void(internode::InternodeClient&)>& step, bool reply_expected);
  // Leases a connection into `connection` and Runs `step` on it, once more
  // on a fresh connection if a pooled one turned out closed by the peer.
  Status LeaseAndRun(std::unique_ptr<Connection>& connection,
                     const std::function<void(internode::InternodeClient&)>& step,
                     bool reply_expected);

  const Peer peer_;
  const PeerConnectionOptions options_;
  Mutex mu_;
  CondVar slot_free_;
  size_t in_flight_ GUARDED_BY(mu_) = 0;
  std::vector<std::unique_ptr<Connection>> idle_ GUARDED_BY(mu_);
};

// Translates a refusal's reason (its number, server/rpc/wire_messages.h's
// ReasonNumber) for messages: "clock ahead", ..., "refused" if unknown.
const char* RefusalReasonName(int32_t reason);

}  // namespace alder

#endif  // ALDER_SERVER_RPC_PEER_CONNECTIONS_H_
