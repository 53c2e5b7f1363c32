// Serves one Thrift service (the public API, or the internode protocol) over
// TFramedTransport + TBinaryProtocol.
//
// Thread per connection (TThreadedServer): on this machine it is twice the
// throughput of a non-blocking server handing off to workers (DESIGN.md
// section 10), and a slow client only ever holds its own thread. Connections
// are bounded (max_connections; more wait in the listen backlog), frames are
// bounded by the value and key limits, and a connection that is idle or stuck
// mid-frame for client_idle_timeout is closed. A malformed, truncated or
// oversized frame ends that connection only. With a TLS factory slot every
// accepted connection speaks TLS (server/tls/tls_socket.h); the handshake
// runs on the connection's own thread under the same timeouts.
#ifndef ALDER_SERVER_RPC_THRIFT_SERVER_H_
#define ALDER_SERVER_RPC_THRIFT_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "server/cluster/peer.h"
#include "server/common/status.h"

namespace apache::thrift {
class TProcessorFactory;
namespace server {
class TThreadedServer;
}
}  // namespace apache::thrift

namespace alder {

class TlsFactorySlot;

// Room in a frame beyond key and value: method name, field headers, options.
inline constexpr uint32_t kFrameEnvelopeBytes = 64 * 1024;

// The largest frame a request carrying one key and one value may need.
inline uint32_t MaxFrameBytesFor(uint32_t max_key_bytes, uint32_t max_value_bytes) {
  return max_value_bytes + max_key_bytes + kFrameEnvelopeBytes;
}

// No defaults: alderd sets every field from NodeConfig (server/config.h).
struct ThriftServerOptions {
  std::string name;  // what is served, for messages: "clients", "internode"
  HostPort listen;
  uint32_t max_connections = 0;
  std::chrono::milliseconds idle_timeout{};
  uint32_t max_frame_bytes = 0;
  std::shared_ptr<TlsFactorySlot> tls;  // null: plaintext
};

class ThriftServer {
 public:
  // `processors` makes each connection's processor (and handler).
  ThriftServer(ThriftServerOptions options,
               std::shared_ptr<apache::thrift::TProcessorFactory> processors);
  ~ThriftServer();  // Stop()s
  ThriftServer(const ThriftServer&) = delete;
  ThriftServer& operator=(const ThriftServer&) = delete;

  // Binds and starts serving on a background thread. Returns once the socket
  // listens, or an error (e.g. the address is in use).
  Status Start();

  // Stops accepting, lets requests in flight finish and answer, closes every
  // connection, and joins the serving thread. Idempotent.
  void Stop();

  // Connections open now (0 before Start and after Stop).
  int64_t connections() const;

 private:
  const ThriftServerOptions options_;
  std::shared_ptr<apache::thrift::TProcessorFactory> processors_;
  std::shared_ptr<apache::thrift::server::TThreadedServer> server_;
  std::thread thread_;
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_THRIFT_SERVER_H_
