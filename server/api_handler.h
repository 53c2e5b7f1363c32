// The public API (thrift/alder.thrift) on top of the coordinator: validates
// input against the limits, calls the coordinator, and translates Status into
// the API's exceptions with messages a user can act on. The only place that
// speaks both Thrift's generated types and Alder's own.
//
// Thread-safe: one handler serves every connection.
#ifndef ALDER_SERVER_API_HANDLER_H_
#define ALDER_SERVER_API_HANDLER_H_

#include <functional>

#include "Alder.h"
#include "server/coordinator.h"
#include "server/request_limits.h"

namespace alder {

class ApiHandler final : public api::AlderIf {
 public:
  // Describes the cluster as this node sees it (server/cluster_status.h).
  using StatusSource = std::function<api::ClusterStatus()>;

  // `coordinator` must outlive the handler.
  ApiHandler(Coordinator* coordinator, RequestLimits limits, StatusSource status);

  int64_t put(const std::string& key, const std::string& value,
              const api::WriteOptions& options) override;
  void get(api::Entry& entry, const std::string& key, const api::ReadOptions& options) override;
  int64_t remove(const std::string& key, const api::WriteOptions& options) override;
  void status(api::ClusterStatus& status) override;

 private:
  Coordinator* const coordinator_;
  const RequestLimits limits_;
  const StatusSource status_;
};

}  // namespace alder

#endif  // ALDER_SERVER_API_HANDLER_H_
