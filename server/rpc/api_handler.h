// The public API (thrift/alder.thrift) on top of the coordinator: validates
// input against the limits, calls the coordinator, and translates Status into
// the API's exceptions with messages a user can act on. The only place that
// speaks both Thrift's generated types and Alder's own. Every call is counted
// and timed in alder_client_requests_total and
// alder_client_request_duration_seconds (server/request_metrics.h).
//
// Thread-safe: one handler serves every connection.
#ifndef ALDER_SERVER_RPC_API_HANDLER_H_
#define ALDER_SERVER_RPC_API_HANDLER_H_

#include <functional>

#include "Alder.h"
#include "server/cluster/coordinator.h"
#include "server/common/metrics.h"
#include "server/common/request_metrics.h"
#include "server/rpc/request_limits.h"

namespace alder {

class ApiHandler final : public api::AlderIf {
 public:
  // Describes the cluster as this node sees it (server/cluster_status.h).
  using StatusSource = std::function<api::ClusterStatus()>;
  // The anti-entropy methods (antientropy/admin_api.h); unset ones answer
  // with an application exception.
  struct AdminHooks {
    std::function<api::RepairReport(const api::RepairRequest&)> repair;
    std::function<api::Comparison(const api::CompareRequest&)> compare;
    std::function<api::TreeVerification()> verify_trees;
  };

  // `coordinator` and `metrics` must outlive the handler.
  ApiHandler(Coordinator* coordinator, RequestLimits limits, StatusSource status, AdminHooks admin,
             Metrics* metrics);

  int64_t put(const std::string& key, const std::string& value,
              const api::WriteOptions& options) override;
  void get(api::Entry& entry, const std::string& key, const api::ReadOptions& options) override;
  int64_t remove(const std::string& key, const api::WriteOptions& options) override;
  void status(api::ClusterStatus& status) override;
  void repair(api::RepairReport& report, const api::RepairRequest& request) override;
  void compare(api::Comparison& comparison, const api::CompareRequest& request) override;
  void verifyTrees(api::TreeVerification& verification) override;

 private:
  Coordinator* const coordinator_;
  const RequestLimits limits_;
  const StatusSource status_;
  const AdminHooks admin_;
  RequestMetrics requests_;
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_API_HANDLER_H_
