// Serves the public API over TFramedTransport + TBinaryProtocol.
//
// Thread per connection (TThreadedServer): on this machine it is twice the
// throughput of a non-blocking server handing off to workers (DESIGN.md
// section 10), and a slow client only ever holds its own thread. Connections
// are bounded (max_connections; more wait in the listen backlog), frames are
// bounded by the value and key limits, and a connection that is idle or stuck
// mid-frame for client_idle_timeout is closed. A malformed, truncated or
// oversized frame ends that connection only.
#ifndef ALDER_SERVER_API_SERVER_H_
#define ALDER_SERVER_API_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

#include "Alder.h"
#include "server/config.h"
#include "server/status.h"

namespace apache::thrift::server {
class TThreadedServer;
}

namespace alder {

struct ApiServerOptions {
  HostPort listen{"127.0.0.1", 7700};
  uint32_t max_connections = 512;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
  uint32_t max_key_bytes = 2048;
  uint32_t max_value_bytes = 1 << 20;
};

class ApiServer {
 public:
  ApiServer(ApiServerOptions options, std::shared_ptr<api::AlderIf> handler);
  ~ApiServer();  // Stop()s
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts serving on a background thread. Returns once the socket
  // listens, or an error (e.g. the address is in use).
  Status Start();

  // Stops accepting, lets requests in flight finish and answer, closes every
  // connection, and joins the serving thread. Idempotent.
  void Stop();

  // The largest frame accepted: a maximal put plus room for the envelope.
  static uint32_t MaxFrameBytes(const ApiServerOptions& options);

 private:
  const ApiServerOptions options_;
  std::shared_ptr<api::AlderIf> handler_;
  std::shared_ptr<apache::thrift::server::TThreadedServer> server_;
  std::thread thread_;
};

}  // namespace alder

#endif  // ALDER_SERVER_API_SERVER_H_
