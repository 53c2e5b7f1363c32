// Pooled connections to one peer's internode port (thrift/internode.thrift).
//
// A call leases an idle connection (or opens one), runs, and returns the
// connection to the pool if the exchange completed, whether the peer answered
// or refused. A transport failure discards the connection, so a restarted
// peer is reconnected on the next call. Each call is bounded by the timeout:
// a slow or dead peer holds up only the calls made to it, never longer.
//
// Thread-safe: any number of threads may call at once; each uses its own
// connection.
#ifndef ALDER_SERVER_PEER_CONNECTIONS_H_
#define ALDER_SERVER_PEER_CONNECTIONS_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "Internode.h"
#include "server/config.h"
#include "server/status.h"

namespace alder {

struct PeerConnectionOptions {
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds timeout{2000};  // each send and each receive
  uint32_t max_frame_bytes = 16 << 20;
  size_t max_idle = 64;  // idle connections kept; more are closed on return
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

  const Peer& peer() const { return peer_; }

 private:
  struct Connection;
  std::unique_ptr<Connection> Lease(Status* error);
  void Return(std::unique_ptr<Connection> connection);

  const Peer peer_;
  const PeerConnectionOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
};

// Translates a refusal's reason for messages: "clock ahead", ...
const char* RefusalReasonName(internode::RefusalReason::type reason);

}  // namespace alder

#endif  // ALDER_SERVER_PEER_CONNECTIONS_H_
