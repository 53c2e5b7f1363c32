// A framed transport whose message-size budget applies to each message.
//
// Thrift 0.17 charges every string a message reads against maxMessageSize
// but never restores the budget between frames, so a long-lived connection
// was cut once it had carried maxMessageSize bytes in all (100 MB by
// default; found by a test that put 130 values of 1 MiB on one connection).
// Resetting after each frame read makes the limit per message. Used on both
// ends of long-lived connections: client connections on the server, and
// pooled internode connections.
#ifndef ALDER_SERVER_RPC_PER_MESSAGE_FRAMED_TRANSPORT_H_
#define ALDER_SERVER_RPC_PER_MESSAGE_FRAMED_TRANSPORT_H_

#include <thrift/transport/TBufferTransports.h>

namespace alder {

class PerMessageFramedTransport final : public apache::thrift::transport::TFramedTransport {
 public:
  using TFramedTransport::TFramedTransport;

 protected:
  bool readFrame() override {
    if (!TFramedTransport::readFrame()) return false;
    resetConsumedMessageSize();
    return true;
  }
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_PER_MESSAGE_FRAMED_TRANSPORT_H_
