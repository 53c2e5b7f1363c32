// The internode protocol as one connection may use it. Under internode_tls =
// mutual, every message names its sender (Sender.node_id), and the
// connection's certificate must name that node (alder-node-<id>, DESIGN.md
// section 13): a holder of node 3's certificate cannot write, read, deliver
// hints or answer tree exchanges as node 2. A message that fails the check is
// counted and logged as an identity refusal and answered with a
// TApplicationException; nothing is applied. Then the call goes to the node's
// one InternodeHandler. Without internode TLS every message passes.
//
// One handler per connection, made and freed by InternodeHandlerFactory.
#ifndef ALDER_SERVER_RPC_AUTHENTICATED_INTERNODE_HANDLER_H_
#define ALDER_SERVER_RPC_AUTHENTICATED_INTERNODE_HANDLER_H_

#include <thrift/transport/TTransport.h>

#include <memory>
#include <string>
#include <vector>

#include "Internode.h"
#include "server/tls/tls_refusals.h"

namespace alder {

class InternodeHandlerFactory final : public internode::InternodeIfFactory {
 public:
  // `refusals` is null unless internode_tls is mutual; it must outlive the factory.
  InternodeHandlerFactory(std::shared_ptr<internode::InternodeIf> handler, TlsRefusals* refusals);

  internode::InternodeIf* getHandler(const apache::thrift::TConnectionInfo& connection) override;
  void releaseHandler(internode::InternodeIf* handler) override;

 private:
  const std::shared_ptr<internode::InternodeIf> handler_;
  TlsRefusals* const refusals_;
};

class AuthenticatedInternodeHandler final : public internode::InternodeIf {
 public:
  AuthenticatedInternodeHandler(std::shared_ptr<internode::InternodeIf> handler,
                                std::shared_ptr<apache::thrift::transport::TTransport> socket,
                                TlsRefusals* refusals);

  void write(const internode::Sender& sender, const std::string& key,
             const internode::WireRecord& record) override;
  void read(internode::ReadReply& reply, const internode::Sender& sender,
            const std::string& key) override;
  void heartbeat(internode::HeartbeatReply& reply, const internode::Sender& sender) override;
  void deliverHints(const internode::Sender& sender,
                    const std::vector<internode::HintedWrite>& hints) override;
  void treeNodes(std::vector<std::string>& hashes, const internode::Sender& sender,
                 const internode::TreeShape& shape, int32_t partition, int32_t level,
                 const std::vector<int32_t>& indexes) override;
  void leafKeys(std::vector<internode::KeyDigest>& keys, const internode::Sender& sender,
                const internode::TreeShape& shape, int32_t partition,
                const std::vector<int32_t>& leaves) override;
  void fetchRecords(std::vector<internode::KeyedRecord>& records, const internode::Sender& sender,
                    const std::vector<std::string>& keys) override;
  void pushRecords(const internode::Sender& sender,
                   const std::vector<internode::KeyedRecord>& records) override;

 private:
  // Throws unless the connection's certificate names `sender`.
  void Authenticate(const internode::Sender& sender);

  const std::shared_ptr<internode::InternodeIf> handler_;
  const std::shared_ptr<apache::thrift::transport::TTransport> socket_;
  TlsRefusals* const refusals_;
  int64_t authenticated_node_ = -1;  // the sender last checked, to check each once
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_AUTHENTICATED_INTERNODE_HANDLER_H_
