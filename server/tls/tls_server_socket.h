// A listening socket whose accepted connections speak TLS with the factory
// in a TlsFactorySlot at the moment of accept. Unlike Thrift's
// TSSLServerSocket, its factory can be replaced while it listens
// (certificate rotation). Timeouts and options are TServerSocket's: the
// accepted socket gets the receive and send timeouts before its handshake.
#ifndef ALDER_SERVER_TLS_TLS_SERVER_SOCKET_H_
#define ALDER_SERVER_TLS_TLS_SERVER_SOCKET_H_

#include <thrift/transport/TServerSocket.h>

#include <memory>
#include <string>

#include "server/tls/tls_factory_slot.h"

namespace alder {

class TlsServerSocket final : public apache::thrift::transport::TServerSocket {
 public:
  TlsServerSocket(const std::string& host, int port, std::shared_ptr<TlsFactorySlot> slot)
      : TServerSocket(host, port), slot_(std::move(slot)) {}

 protected:
  // As TServerSocket's own: a child that Stop() can interrupt, mid-handshake too.
  std::shared_ptr<apache::thrift::transport::TSocket> createSocket(THRIFT_SOCKET fd) override {
    return slot_->current()->Accepted(
        fd, interruptableChildren_ ? pChildInterruptSockReader_ : nullptr);
  }

 private:
  const std::shared_ptr<TlsFactorySlot> slot_;
};

}  // namespace alder

#endif  // ALDER_SERVER_TLS_TLS_SERVER_SOCKET_H_
