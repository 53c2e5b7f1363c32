// FailoverClient: the generated C++ client of Alder's public API
// (alder::api::AlderClient over TSocket, TFramedTransport and TBinaryProtocol)
// on a connection to the first reachable of several nodes.
//
//   alder::example::FailoverClient alder({"10.0.0.1:7700", "10.0.0.2:7700"});
//   int64_t version = alder.Call([&](alder::api::AlderClient& api) {
//     return api.put("greeting", "hello", options);
//   });
//
// Contract:
// - The constructor connects to the addresses in order until one accepts;
//   if none does, it throws NoNodeAvailable naming each address and why.
//   A malformed address throws std::invalid_argument.
// - Call(request) runs request(client) on the current connection and
//   returns what it returns. Before it, a connection that was dropped, or
//   that the node has closed (say after its idle timeout; checked without
//   blocking), is replaced by one to the next address that accepts, starting
//   after the one that failed: fail-over. Throws NoNodeAvailable if none does.
// - The server's exceptions (InvalidArgument, NotFound, Unavailable,
//   TimedOut) pass through and leave the connection usable.
// - A TTransportException (connection lost, no reply within the request
//   timeout: type TIMED_OUT) or TProtocolException passes through and drops
//   the connection, so the next Call fails over. The request is not
//   repeated: it may have been applied, and repeating a put later could
//   overwrite a newer write (last writer wins). Repeat it yourself if that
//   is safe for you.
// - Not thread-safe: one FailoverClient per thread.
#ifndef ALDER_EXAMPLES_CPP_FAILOVER_CLIENT_H_
#define ALDER_EXAMPLES_CPP_FAILOVER_CLIENT_H_

#include <thrift/Thrift.h>
#include <thrift/protocol/TProtocolException.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TTransportException.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "Alder.h"

namespace alder::example {

struct Timeouts {
  std::chrono::milliseconds connect{2000};   // each connection attempt
  std::chrono::milliseconds request{10000};  // each send and each wait for a reply
};

// No node accepted a connection. what() lists every address and its reason.
class NoNodeAvailable : public std::runtime_error {
 public:
  struct Failure {
    std::string address;
    std::string reason;  // e.g. "Connection refused"
  };
  explicit NoNodeAvailable(std::vector<Failure> failures);
  const std::vector<Failure>& failures() const { return failures_; }

 private:
  std::vector<Failure> failures_;
};

class FailoverClient {
 public:
  // `addresses`: "host:port" or "[ipv6]:port", at least one.
  explicit FailoverClient(std::vector<std::string> addresses, Timeouts timeouts = {});
  ~FailoverClient();
  FailoverClient(const FailoverClient&) = delete;
  FailoverClient& operator=(const FailoverClient&) = delete;

  // request(client) on a live connection; see the contract above.
  template <typename Request>
  auto Call(Request&& request) -> decltype(request(std::declval<api::AlderClient&>())) {
    api::AlderClient& client = Connected();
    try {
      return request(client);
    } catch (const apache::thrift::transport::TTransportException&) {
      Disconnect();
      throw;
    } catch (const apache::thrift::protocol::TProtocolException&) {
      Disconnect();
      throw;
    }
  }

  // The address of the current connection; empty when there is none.
  const std::string& address() const;

  // Closes the connection; the next Call connects to the next address.
  void Disconnect();

 private:
  struct Node {
    std::string address;
    std::string host;
    int port = 0;
  };

  // The client of a live connection, connecting first if needed.
  api::AlderClient& Connected();
  bool ClosedByNode() const;

  std::vector<Node> nodes_;
  Timeouts timeouts_;
  size_t next_ = 0;      // index of the node the next connection tries first
  std::string address_;  // of the current connection; empty: none
  std::shared_ptr<apache::thrift::transport::TSocket> socket_;
  std::unique_ptr<api::AlderClient> client_;
};

}  // namespace alder::example

#endif  // ALDER_EXAMPLES_CPP_FAILOVER_CLIENT_H_
