#include "server/peer_connections.h"

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TTransportException.h>

#include "server/per_message_framed_transport.h"

namespace alder {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransportException;

}  // namespace

struct PeerConnections::Connection {
  std::shared_ptr<PerMessageFramedTransport> transport;
  std::unique_ptr<internode::InternodeClient> client;
};

const char* RefusalReasonName(internode::RefusalReason::type reason) {
  switch (reason) {
    case internode::RefusalReason::CLOCK_AHEAD: return "clock ahead";
    case internode::RefusalReason::CLOCK_OUT_OF_STEP: return "clock out of step";
    case internode::RefusalReason::CLUSTER_MISMATCH: return "cluster mismatch";
    case internode::RefusalReason::UNKNOWN_NODE: return "unknown node";
    case internode::RefusalReason::STORAGE: return "storage failure";
  }
  return "refused";
}

PeerConnections::PeerConnections(Peer peer, PeerConnectionOptions options)
    : peer_(std::move(peer)), options_(options) {}

PeerConnections::~PeerConnections() = default;

std::unique_ptr<PeerConnections::Connection> PeerConnections::Lease(Status* error) {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  const auto frame = static_cast<int>(options_.max_frame_bytes);
  auto config = std::make_shared<TConfiguration>(frame, frame);
  auto socket = std::make_shared<TSocket>(peer_.internode.host, peer_.internode.port, config);
  socket->setConnTimeout(static_cast<int>(options_.connect_timeout.count()));
  socket->setRecvTimeout(static_cast<int>(options_.timeout.count()));
  socket->setSendTimeout(static_cast<int>(options_.timeout.count()));
  socket->setNoDelay(true);
  auto connection = std::make_unique<Connection>();
  connection->transport = std::make_shared<PerMessageFramedTransport>(socket, config);
  try {
    connection->transport->open();
  } catch (const TTransportException& e) {
    *error = Status::Unavailable("cannot connect to node " + std::to_string(peer_.node_id) +
                                 " at " + peer_.internode.ToString() + ": " + e.what());
    return nullptr;
  }
  connection->client = std::make_unique<internode::InternodeClient>(
      std::make_shared<TBinaryProtocol>(connection->transport));
  return connection;
}

void PeerConnections::Return(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  if (idle_.size() < options_.max_idle) idle_.push_back(std::move(connection));
}

Status PeerConnections::Call(const std::function<void(internode::InternodeClient&)>& call) {
  Status error;
  auto connection = Lease(&error);
  if (!connection) return error;
  const std::string who = "node " + std::to_string(peer_.node_id);
  try {
    call(*connection->client);
    Return(std::move(connection));
    return Status::Ok();
  } catch (const internode::Refused& refused) {
    Return(std::move(connection));
    return Status::Refused(who + " refused (" + RefusalReasonName(refused.reason) +
                           "): " + refused.message);
  } catch (const TTransportException& e) {
    if (e.getType() == TTransportException::TIMED_OUT) {
      return Status::TimedOut(who + " did not answer within " +
                              std::to_string(options_.timeout.count()) + " ms");
    }
    return Status::IoError(who + ": " + e.what());
  } catch (const apache::thrift::TException& e) {
    return Status::IoError(who + ": " + e.what());
  }
}

}  // namespace alder
