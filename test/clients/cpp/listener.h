// Listener: a loopback TCP listener that is not an Alder node, for tests of
// what a client does when a "node" never answers or closes the connection.
// Plain POSIX sockets; every wait is bounded (kWait).
#ifndef ALDER_TEST_CLIENTS_CPP_LISTENER_H_
#define ALDER_TEST_CLIENTS_CPP_LISTENER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace alder::example {

class Listener {
 public:
  static constexpr std::chrono::milliseconds kWait{5000};

  Listener() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    address_ = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  }
  ~Listener() { close(fd_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  const std::string& address() const { return address_; }

  // The next connection's descriptor (the caller closes it), or -1 if none
  // came within kWait.
  int Accept() const {
    pollfd ready{.fd = fd_, .events = POLLIN, .revents = 0};
    if (poll(&ready, 1, static_cast<int>(kWait.count())) != 1) return -1;
    return accept(fd_, nullptr, nullptr);
  }

  static void Close(int connection) { close(connection); }

  // Closes `connection` once the peer's kernel has acknowledged our FIN
  // (FIN_WAIT2), so the peer's socket already reads end of file. False if
  // that did not happen within kWait.
  static bool CloseAndAwaitPeerAck(int connection) {
    shutdown(connection, SHUT_WR);
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    bool acknowledged = false;
    while (!acknowledged && std::chrono::steady_clock::now() < deadline) {
      tcp_info info{};
      socklen_t length = sizeof(info);
      acknowledged = getsockopt(connection, IPPROTO_TCP, TCP_INFO, &info, &length) == 0 &&
                     info.tcpi_state == TCP_FIN_WAIT2;
      if (!acknowledged) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    close(connection);
    return acknowledged;
  }

 private:
  int fd_;
  std::string address_;
};

}  // namespace alder::example

#endif  // ALDER_TEST_CLIENTS_CPP_LISTENER_H_
