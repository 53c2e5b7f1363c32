// The public API as one connection may use it. Under client_tls = mutual,
// each call first checks that the connection's client certificate carries
// the permission the call needs (DESIGN.md section 13: read for get and
// status, write for put and remove, admin for repair, compare and verify);
// a call without it fails with a TApplicationException naming the missing
// permission, changes nothing, and is counted and logged as a refusal. Then
// the call goes to the node's one ApiHandler. Otherwise every call passes.
//
// One handler per connection, made and freed by ApiHandlerFactory; Thrift's
// threaded server calls it from that connection's thread only.
#ifndef ALDER_SERVER_RPC_AUTHORIZED_API_HANDLER_H_
#define ALDER_SERVER_RPC_AUTHORIZED_API_HANDLER_H_

#include <thrift/transport/TTransport.h>

#include <memory>
#include <optional>
#include <string>

#include "Alder.h"
#include "server/tls/permissions.h"
#include "server/tls/tls_refusals.h"

namespace alder {

class ApiHandlerFactory final : public api::AlderIfFactory {
 public:
  // `permissions` is null unless client_tls is mutual. Both pointers must
  // outlive the factory.
  ApiHandlerFactory(std::shared_ptr<api::AlderIf> handler, const ClientPermissions* permissions,
                    TlsRefusals* refusals);

  api::AlderIf* getHandler(const apache::thrift::TConnectionInfo& connection) override;
  void releaseHandler(api::AlderIf* handler) override;

 private:
  const std::shared_ptr<api::AlderIf> handler_;
  const ClientPermissions* const permissions_;
  TlsRefusals* const refusals_;
};

class AuthorizedApiHandler final : public api::AlderIf {
 public:
  AuthorizedApiHandler(std::shared_ptr<api::AlderIf> handler,
                       std::shared_ptr<apache::thrift::transport::TTransport> socket,
                       const ClientPermissions* permissions, TlsRefusals* refusals);

  int64_t put(const std::string& key, const std::string& value,
              const api::WriteOptions& options) override;
  void get(api::Entry& entry, const std::string& key, const api::ReadOptions& options) override;
  int64_t remove(const std::string& key, const api::WriteOptions& options) override;
  void status(api::ClusterStatus& status) override;
  void repair(api::RepairReport& report, const api::RepairRequest& request) override;
  void compare(api::Comparison& comparison, const api::CompareRequest& request) override;
  void verifyTrees(api::TreeVerification& verification) override;

 private:
  // Throws unless the connection holds `needed`.
  void Require(Permission needed, const char* op);
  // The connection's permission, read from its certificate at the first call
  // (the handshake is done by then).
  Permission Granted();

  const std::shared_ptr<api::AlderIf> handler_;
  const std::shared_ptr<apache::thrift::transport::TTransport> socket_;
  const ClientPermissions* const permissions_;
  TlsRefusals* const refusals_;
  std::optional<Permission> granted_;
  std::string common_name_;
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_AUTHORIZED_API_HANDLER_H_
