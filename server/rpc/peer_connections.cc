#include "server/rpc/peer_connections.h"

#include <poll.h>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TTransportException.h>

#include "server/rpc/per_message_framed_transport.h"
#include "server/rpc/wire_messages.h"
#include "server/tls/tls_factory_slot.h"
#include "server/tls/tls_settings.h"
#include "server/tls/tls_socket.h"

namespace alder {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransportException;

// An idle connection has nothing to read; if poll says otherwise, the peer
// closed it (it restarted or died) and a request sent on it would be lost.
bool ClosedByPeer(TSocket& socket) {
  pollfd fd{socket.getSocketFD(), POLLIN, 0};
  return poll(&fd, 1, 0) != 0;
}

}  // namespace

struct PendingCall::Connection {
  std::shared_ptr<TSocket> socket;
  std::shared_ptr<PerMessageFramedTransport> transport;
  std::unique_ptr<internode::InternodeClient> client;
  bool reused = false;  // taken from the idle pool rather than just opened
  // Holds one of the peer's in-flight slots while the connection is leased.
  PeerConnections* slot_owner = nullptr;
  ~Connection() {
    if (slot_owner) slot_owner->ReleaseSlot();
  }
};

PendingCall::PendingCall(PeerConnections* owner, std::unique_ptr<Connection> connection)
    : owner_(owner), connection_(std::move(connection)) {}

PendingCall::~PendingCall() = default;

uint32_t PendingCall::node() const { return owner_->peer().node_id; }

int PendingCall::fd() const { return connection_ ? connection_->socket->getSocketFD() : -1; }

Status PendingCall::Finish(const std::function<void(internode::InternodeClient&)>& receive) {
  if (!connection_) return Status::IoError("call already finished");
  return owner_->Run(connection_, receive, true);
}

const char* RefusalReasonName(int32_t reason) {
  switch (reason) {
    case internode::RefusalReason::CLOCK_AHEAD:
      return "clock ahead";
    case internode::RefusalReason::CLOCK_OUT_OF_STEP:
      return "clock out of step";
    case internode::RefusalReason::CLUSTER_MISMATCH:
      return "cluster mismatch";
    case internode::RefusalReason::UNKNOWN_NODE:
      return "unknown node";
    case internode::RefusalReason::STORAGE:
      return "storage failure";
    case internode::RefusalReason::NOT_A_REPLICA:
      return "not a replica";
    case internode::RefusalReason::TREE_MISMATCH:
      return "tree shape mismatch";
    case internode::RefusalReason::SYNCING:
      return "syncing";
    case internode::RefusalReason::MALFORMED:
      return "malformed record";
  }
  return "refused";
}

PeerConnections::PeerConnections(Peer peer, PeerConnectionOptions options)
    : peer_(std::move(peer)), options_(options) {}

PeerConnections::~PeerConnections() = default;

void PeerConnections::ReleaseSlot() {
  {
    MutexLock lock(&mu_);
    --in_flight_;
  }
  slot_free_.Signal();
}

std::unique_ptr<PeerConnections::Connection> PeerConnections::Lease(Status* error) {
  {
    MutexLock lock(&mu_);
    // Backpressure: a peer that falls behind has at most max_in_flight calls
    // outstanding; callers wait for one to finish rather than open ever more
    // connections to it (which once exhausted its connection limit, so that
    // connects timed out and it was marked down while merely busy).
    if (!slot_free_.WaitFor(&mu_, options_.timeout, [this]() REQUIRES(mu_) {
          return in_flight_ < options_.max_in_flight;
        })) {
      *error = Status::TimedOut("node " + std::to_string(peer_.node_id) + " has " +
                                std::to_string(in_flight_) + " calls in flight for over " +
                                std::to_string(options_.timeout.count()) + " ms");
      return nullptr;
    }
    ++in_flight_;
    while (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      if (ClosedByPeer(*connection->socket)) continue;
      connection->reused = true;
      connection->slot_owner = this;
      return connection;
    }
  }
  const auto frame = static_cast<int>(options_.max_frame_bytes);
  auto config = std::make_shared<TConfiguration>(frame, frame);
  std::shared_ptr<TSocket> socket = NewSocket();
  socket->setConfiguration(config);
  socket->setConnTimeout(static_cast<int>(options_.connect_timeout.count()));
  socket->setRecvTimeout(static_cast<int>(options_.timeout.count()));
  socket->setSendTimeout(static_cast<int>(options_.timeout.count()));
  socket->setNoDelay(true);
  auto connection = std::make_unique<Connection>();
  connection->socket = socket;
  connection->transport = std::make_shared<PerMessageFramedTransport>(socket, config);
  try {
    connection->transport->open();
    HandshakeNow(*socket);  // a peer refusing TLS is a connect failure
  } catch (const TTransportException& e) {
    ReleaseSlot();
    *error = Status::Unavailable("cannot connect to node " + std::to_string(peer_.node_id) +
                                 " at " + peer_.internode.ToString() + ": " + e.what());
    return nullptr;
  }
  connection->client = std::make_unique<internode::InternodeClient>(
      std::make_shared<TBinaryProtocol>(connection->transport));
  connection->slot_owner = this;
  return connection;
}

std::shared_ptr<TSocket> PeerConnections::NewSocket() const {
  if (!options_.tls) return std::make_shared<TSocket>(peer_.internode.host, peer_.internode.port);
  // The peer must prove it is the node we dialled.
  return options_.tls->current()->Connecting(peer_.internode.host, peer_.internode.port,
                                             NodeCertificateName(peer_.node_id));
}

void PeerConnections::Return(std::unique_ptr<Connection> connection) {
  connection->slot_owner = nullptr;
  ReleaseSlot();
  MutexLock lock(&mu_);
  if (idle_.size() < options_.max_idle) idle_.push_back(std::move(connection));
}

Status PeerConnections::Run(std::unique_ptr<Connection>& connection,
                            const std::function<void(internode::InternodeClient&)>& step,
                            bool reply_expected) {
  const std::string who = "node " + std::to_string(peer_.node_id);
  try {
    step(*connection->client);
    if (reply_expected) Return(std::move(connection));
    return Status::Ok();
  } catch (const internode::Refused& refused) {
    Return(std::move(connection));
    const std::string message =
        who + " refused (" + RefusalReasonName(ReasonNumber(refused)) + "): " + refused.message;
    // A storage failure may pass (a write conflict, a full disk freed), so
    // it is RetryLater; the other reasons would be given again.
    return Status::RefusedFor(FromWire(refused), message);
  } catch (const TTransportException& e) {
    connection.reset();
    // The peer probably restarted or died: its other idle connections are
    // as dead as this one, and would each fail a request of their own.
    DropIdle();
    if (e.getType() == TTransportException::TIMED_OUT) {
      return Status::TimedOut(who + " did not answer within " +
                              std::to_string(options_.timeout.count()) + " ms");
    }
    return Status::IoError(who + ": " + e.what());
  } catch (const apache::thrift::TException& e) {
    connection.reset();
    DropIdle();
    return Status::IoError(who + ": " + e.what());
  }
}

void PeerConnections::DropIdle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  MutexLock lock(&mu_);
  dropped.swap(idle_);
}

Status PeerConnections::LeaseAndRun(std::unique_ptr<Connection>& connection,
                                    const std::function<void(internode::InternodeClient&)>& step,
                                    bool reply_expected) {
  Status error;
  connection = Lease(&error);
  if (!connection) return error;
  const bool reused = connection->reused;
  Status s = Run(connection, step, reply_expected);
  // A pooled connection the peer closed (it restarted) fails at once: try
  // once more on a new one. Every internode call may be repeated safely.
  if (reused && s.code() == Status::Code::kIoError) {
    connection = Lease(&error);
    if (!connection) return error;
    s = Run(connection, step, reply_expected);
  }
  return s;
}

Status PeerConnections::Call(const std::function<void(internode::InternodeClient&)>& call) {
  std::unique_ptr<Connection> connection;
  return LeaseAndRun(connection, call, true);
}

Result<std::unique_ptr<PendingCall>> PeerConnections::Start(
    const std::function<void(internode::InternodeClient&)>& send) {
  std::unique_ptr<Connection> connection;
  if (Status s = LeaseAndRun(connection, send, false); !s.ok()) return s;
  return std::unique_ptr<PendingCall>(new PendingCall(this, std::move(connection)));
}

}  // namespace alder
