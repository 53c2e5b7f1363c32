#include "server/rpc/authenticated_internode_handler.h"

#include <thrift/TApplicationException.h>
#include <thrift/TProcessor.h>

#include "server/tls/tls_settings.h"
#include "server/tls/tls_socket.h"

namespace alder {

using apache::thrift::TApplicationException;

InternodeHandlerFactory::InternodeHandlerFactory(std::shared_ptr<internode::InternodeIf> handler,
                                                 TlsRefusals* refusals)
    : handler_(std::move(handler)), refusals_(refusals) {}

internode::InternodeIf* InternodeHandlerFactory::getHandler(
    const apache::thrift::TConnectionInfo& connection) {
  return new AuthenticatedInternodeHandler(handler_, connection.transport, refusals_);
}

void InternodeHandlerFactory::releaseHandler(internode::InternodeIf* handler) { delete handler; }

AuthenticatedInternodeHandler::AuthenticatedInternodeHandler(
    std::shared_ptr<internode::InternodeIf> handler,
    std::shared_ptr<apache::thrift::transport::TTransport> socket, TlsRefusals* refusals)
    : handler_(std::move(handler)), socket_(std::move(socket)), refusals_(refusals) {}

void AuthenticatedInternodeHandler::Authenticate(const internode::Sender& sender) {
  if (refusals_ == nullptr || sender.node_id == authenticated_node_) return;
  auto tls = std::dynamic_pointer_cast<TlsSocket>(socket_);
  const std::string name = NodeCertificateName(static_cast<uint32_t>(sender.node_id));
  if (tls && tls->handshake_done() && tls->peer_names().Includes(name)) {
    authenticated_node_ = sender.node_id;
    return;
  }
  const std::string why = "a message from node " + std::to_string(sender.node_id) +
                          " on a connection whose certificate names " +
                          (tls ? tls->peer_names().Describe() : std::string("nothing")) + ", not " +
                          name;
  refusals_->Record(TlsListener::kInternode, TlsRefusal::kIdentity, PeerAddressOf(*socket_), why);
  throw TApplicationException("refused: " + why);
}

void AuthenticatedInternodeHandler::write(const internode::Sender& sender, const std::string& key,
                                          const internode::WireRecord& record) {
  Authenticate(sender);
  handler_->write(sender, key, record);
}

void AuthenticatedInternodeHandler::read(internode::ReadReply& reply,
                                         const internode::Sender& sender, const std::string& key) {
  Authenticate(sender);
  handler_->read(reply, sender, key);
}

void AuthenticatedInternodeHandler::heartbeat(internode::HeartbeatReply& reply,
                                              const internode::Sender& sender) {
  Authenticate(sender);
  handler_->heartbeat(reply, sender);
}

void AuthenticatedInternodeHandler::deliverHints(const internode::Sender& sender,
                                                 const std::vector<internode::HintedWrite>& hints) {
  Authenticate(sender);
  handler_->deliverHints(sender, hints);
}

void AuthenticatedInternodeHandler::treeNodes(std::vector<std::string>& hashes,
                                              const internode::Sender& sender,
                                              const internode::TreeShape& shape, int32_t partition,
                                              int32_t level, const std::vector<int32_t>& indexes) {
  Authenticate(sender);
  handler_->treeNodes(hashes, sender, shape, partition, level, indexes);
}

void AuthenticatedInternodeHandler::leafKeys(std::vector<internode::KeyDigest>& keys,
                                             const internode::Sender& sender,
                                             const internode::TreeShape& shape, int32_t partition,
                                             const std::vector<int32_t>& leaves) {
  Authenticate(sender);
  handler_->leafKeys(keys, sender, shape, partition, leaves);
}

void AuthenticatedInternodeHandler::fetchRecords(std::vector<internode::KeyedRecord>& records,
                                                 const internode::Sender& sender,
                                                 const std::vector<std::string>& keys) {
  Authenticate(sender);
  handler_->fetchRecords(records, sender, keys);
}

void AuthenticatedInternodeHandler::pushRecords(
    const internode::Sender& sender, const std::vector<internode::KeyedRecord>& records) {
  Authenticate(sender);
  handler_->pushRecords(sender, records);
}

}  // namespace alder
