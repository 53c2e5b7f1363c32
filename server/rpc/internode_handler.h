// The Thrift edge of the internode protocol (thrift/internode.thrift): each
// call is translated to plain values (server/rpc/wire_messages.h) and served
// by the node's ReplicaService (replica calls) or ExchangeService (the tree
// exchange); a refusal goes back as internode::Refused with its reason.
// Every call is counted and timed in alder_replica_requests_total and
// alder_replica_request_duration_seconds (server/common/request_metrics.h).
//
// Thread-safe: one handler serves every internode connection.
#ifndef ALDER_SERVER_RPC_INTERNODE_HANDLER_H_
#define ALDER_SERVER_RPC_INTERNODE_HANDLER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "Internode.h"
#include "antientropy/exchange_service.h"
#include "server/cluster/replica_service.h"
#include "server/common/metrics.h"
#include "server/common/request_metrics.h"

namespace alder {

class InternodeHandler final : public internode::InternodeIf {
 public:
  // The services and `metrics` must outlive the handler.
  InternodeHandler(ReplicaService* replicas, ExchangeService* exchange, Metrics* metrics);

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
  ReplicaService* const replicas_;
  ExchangeService* const exchange_;
  RequestMetrics requests_;
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_INTERNODE_HANDLER_H_
