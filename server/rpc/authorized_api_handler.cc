#include "server/rpc/authorized_api_handler.h"

#include <thrift/TApplicationException.h>
#include <thrift/TProcessor.h>

#include "server/tls/tls_socket.h"

namespace alder {

using apache::thrift::TApplicationException;

ApiHandlerFactory::ApiHandlerFactory(std::shared_ptr<api::AlderIf> handler,
                                     const ClientPermissions* permissions, TlsRefusals* refusals)
    : handler_(std::move(handler)), permissions_(permissions), refusals_(refusals) {}

api::AlderIf* ApiHandlerFactory::getHandler(const apache::thrift::TConnectionInfo& connection) {
  return new AuthorizedApiHandler(handler_, connection.transport, permissions_, refusals_);
}

void ApiHandlerFactory::releaseHandler(api::AlderIf* handler) { delete handler; }

AuthorizedApiHandler::AuthorizedApiHandler(
    std::shared_ptr<api::AlderIf> handler,
    std::shared_ptr<apache::thrift::transport::TTransport> socket,
    const ClientPermissions* permissions, TlsRefusals* refusals)
    : handler_(std::move(handler)),
      socket_(std::move(socket)),
      permissions_(permissions),
      refusals_(refusals) {}

Permission AuthorizedApiHandler::Granted() {
  if (permissions_ == nullptr) return Permission::kAdmin;
  if (!granted_) {
    auto tls = std::dynamic_pointer_cast<TlsSocket>(socket_);
    common_name_ = tls ? tls->peer_names().common_name : "";
    granted_ = tls && tls->handshake_done() ? permissions_->For(common_name_) : Permission::kNone;
  }
  return *granted_;
}

void AuthorizedApiHandler::Require(Permission needed, const char* op) {
  const Permission granted = Granted();
  if (granted >= needed) return;
  const std::string why =
      std::string("permission denied: ") + op + " needs the " + PermissionName(needed) +
      " permission; the client certificate CN=" + common_name_ + " has " + PermissionName(granted);
  if (refusals_)
    refusals_->Record(TlsListener::kClients, TlsRefusal::kPermission, PeerAddressOf(*socket_), why);
  throw TApplicationException(why);
}

int64_t AuthorizedApiHandler::put(const std::string& key, const std::string& value,
                                  const api::WriteOptions& options) {
  Require(Permission::kWrite, "put");
  return handler_->put(key, value, options);
}

void AuthorizedApiHandler::get(api::Entry& entry, const std::string& key,
                               const api::ReadOptions& options) {
  Require(Permission::kRead, "get");
  handler_->get(entry, key, options);
}

int64_t AuthorizedApiHandler::remove(const std::string& key, const api::WriteOptions& options) {
  Require(Permission::kWrite, "remove");
  return handler_->remove(key, options);
}

void AuthorizedApiHandler::status(api::ClusterStatus& status) {
  Require(Permission::kRead, "status");
  handler_->status(status);
}

void AuthorizedApiHandler::repair(api::RepairReport& report, const api::RepairRequest& request) {
  Require(Permission::kAdmin, "repair");
  handler_->repair(report, request);
}

void AuthorizedApiHandler::compare(api::Comparison& comparison,
                                   const api::CompareRequest& request) {
  Require(Permission::kAdmin, "compare");
  handler_->compare(comparison, request);
}

void AuthorizedApiHandler::verifyTrees(api::TreeVerification& verification) {
  Require(Permission::kAdmin, "verifyTrees");
  handler_->verifyTrees(verification);
}

}  // namespace alder
