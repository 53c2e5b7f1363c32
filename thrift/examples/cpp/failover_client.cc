// Fail-over happens only between requests: a request is sent once, on one
// connection. Before each request the connection is checked without
// blocking (poll and a peek), because a node closes idle client connections
// and a request written into such a socket would be lost with no way to
// tell whether it was applied; a connection found closed is replaced first.
#include "failover_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <utility>

namespace alder::example {
namespace {

using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransportException;

std::string Describe(const std::vector<NoNodeAvailable::Failure>& failures) {
  std::string message = "no Alder node available:";
  for (const NoNodeAvailable::Failure& failure : failures) {
    message += " " + failure.address + " (" + failure.reason + ");";
  }
  message.pop_back();
  return message;
}

// Thrift says where it failed, then the errno text ("connect() failed:
// Connection refused"); the errno text is what a user needs.
std::string ReasonOf(const TTransportException& e) {
  const std::string reason = e.what();
  if (reason.ends_with("timed out")) return "timed out";  // "open() timed out"
  const size_t colon = reason.rfind(": ");
  return colon == std::string::npos ? reason : reason.substr(colon + 2);
}

// "host:port" or "[ipv6]:port"; false if malformed.
bool ParseAddress(const std::string& address, std::string& host, int& port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return false;  // an IPv6 address needs brackets
  }
  const char* end = address.data() + address.size();
  const auto [parsed_end, error] = std::from_chars(address.data() + colon + 1, end, port);
  return !host.empty() && error == std::errc() && parsed_end == end && port >= 1 && port <= 65535;
}

int Milliseconds(std::chrono::milliseconds duration) {
  return static_cast<int>(std::clamp<int64_t>(duration.count(), 1, INT_MAX));
}

}  // namespace

NoNodeAvailable::NoNodeAvailable(std::vector<Failure> failures)
    : std::runtime_error(Describe(failures)), failures_(std::move(failures)) {}

FailoverClient::FailoverClient(std::vector<std::string> addresses, Timeouts timeouts)
    : timeouts_(timeouts) {
  if (addresses.empty()) throw std::invalid_argument("no node addresses given");
  for (std::string& address : addresses) {
    Node node;
    if (!ParseAddress(address, node.host, node.port)) {
      throw std::invalid_argument("bad node address \"" + address +
                                  "\": expected host:port or [ipv6]:port");
    }
    node.address = std::move(address);
    nodes_.push_back(std::move(node));
  }
  Connected();
}

FailoverClient::~FailoverClient() { Disconnect(); }

const std::string& FailoverClient::address() const { return address_; }

void FailoverClient::Disconnect() {
  if (!socket_) return;
  socket_->close();
  socket_.reset();
  client_.reset();
  address_.clear();
  next_ = (next_ + 1) % nodes_.size();
}

bool FailoverClient::ClosedByNode() const {
  pollfd fd{.fd = socket_->getSocketFD(), .events = POLLIN, .revents = 0};
  if (poll(&fd, 1, 0) == 0) return false;  // nothing to read: still open
  char byte;
  const ssize_t peeked = recv(fd.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

api::AlderClient& FailoverClient::Connected() {
  // A node that closed the connection is tried again, but last: it may
  // have closed it for being idle, or be going away.
  if (socket_ && ClosedByNode()) Disconnect();
  if (socket_) return *client_;
  std::vector<NoNodeAvailable::Failure> failures;
  for (size_t offset = 0; offset < nodes_.size(); ++offset) {
    const size_t index = (next_ + offset) % nodes_.size();
    const Node& node = nodes_[index];
    auto socket = std::make_shared<TSocket>(node.host, node.port);
    socket->setConnTimeout(Milliseconds(timeouts_.connect));
    socket->setRecvTimeout(Milliseconds(timeouts_.request));
    socket->setSendTimeout(Milliseconds(timeouts_.request));
    auto transport = std::make_shared<TFramedTransport>(socket);
    try {
      transport->open();
    } catch (const TTransportException& e) {
      failures.push_back({node.address, ReasonOf(e)});
      continue;
    }
    next_ = index;
    address_ = node.address;
    socket_ = std::move(socket);
    client_ = std::make_unique<api::AlderClient>(std::make_shared<TBinaryProtocol>(transport));
    return *client_;
  }
  throw NoNodeAvailable(std::move(failures));
}

}  // namespace alder::example
