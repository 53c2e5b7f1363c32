// Runs a real alderd process for integration tests: picks a free loopback
// port, starts the binary with the given settings, waits until it accepts
// connections, and stops it with SIGTERM (clean) or SIGKILL (crash).
#ifndef ALDER_TEST_SUPPORT_ALDERD_PROCESS_H_
#define ALDER_TEST_SUPPORT_ALDERD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Alder.h"

namespace alder::testing {

// A loopback TCP port that was free a moment ago.
uint16_t FreePort();

class AlderdProcess {
 public:
  // `data_dir` is created by alderd if missing. `extra_args` are more flags,
  // e.g. {"--gc_grace", "1s"}. `wrapper` is a command line to run alderd
  // under, e.g. {"faketime", "-f", "-1h"}.
  AlderdProcess(std::string data_dir, std::vector<std::string> extra_args = {},
                std::vector<std::string> wrapper = {});
  ~AlderdProcess();  // SIGKILL if still running
  AlderdProcess(const AlderdProcess&) = delete;
  AlderdProcess& operator=(const AlderdProcess&) = delete;

  // Starts the process on fresh ports, metrics included (or the previous
  // ones when restarting)
  // and waits up to `timeout` for it to accept connections. Returns false if
  // it exited or never listened; its log is then in log_path().
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Sends SIGTERM and waits; returns the exit status (0 on a clean stop).
  int Terminate();
  // Sends SIGKILL and reaps the process.
  void Kill();
  // Waits up to `timeout` for the process to end by itself and reaps it.
  // Returns its exit status as Terminate() does, or nothing if it still runs.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);
  // Runs alderd to completion with `args` (no listen wait) and returns its
  // exit code; stderr is appended to log_path().
  int RunToExit(const std::vector<std::string>& args);

  // Fixes the client and internode ports (before the first Start()), for
  // nodes whose addresses other nodes must know in advance.
  void UsePorts(uint16_t client_port, uint16_t internode_port) {
    port_ = client_port;
    internode_port_ = internode_port;
  }
  // Sends `signal` (e.g. SIGSTOP to make a node hang; for SIGSTOP it
  // returns once the process is stopped).
  void Signal(int signal);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  uint16_t metrics_port() const { return metrics_port_; }
  uint16_t internode_port() const { return internode_port_; }  // 0 unless UsePorts fixed it
  const std::string& data_dir() const { return data_dir_; }
  std::string log_path() const { return data_dir_ + ".log"; }
  std::string ReadLog() const;

 private:
  pid_t Spawn(const std::vector<std::string>& args);

  std::string data_dir_;
  std::vector<std::string> extra_args_;
  std::vector<std::string> wrapper_;
  uint16_t port_ = 0;
  uint16_t internode_port_ = 0;  // 0: a fresh one at each start (one-node clusters)
  uint16_t metrics_port_ = 0;
  pid_t pid_ = -1;
};

// The PEM files a test client speaks TLS with: the CA it trusts servers by,
// and its own certificate and key (both empty: it presents none).
struct TestTls {
  std::string ca;
  std::string cert;
  std::string key;
};

// A connected client for the public API (framed transport, binary protocol),
// over TLS when `tls` is given (the handshake done before it returns).
// Throws apache::thrift::TException if it cannot connect.
class ApiClient {
 public:
  explicit ApiClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                     const std::optional<TestTls>& tls = std::nullopt);
  ~ApiClient();
  api::AlderClient* operator->() { return client_.get(); }
  api::AlderClient& get() { return *client_; }

 private:
  std::shared_ptr<void> tls_factory_;  // outlives the socket, as Thrift asks
  std::shared_ptr<apache::thrift::transport::TTransport> transport_;
  std::unique_ptr<api::AlderClient> client_;
};

}  // namespace alder::testing

#endif  // ALDER_TEST_SUPPORT_ALDERD_PROCESS_H_
