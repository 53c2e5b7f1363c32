#include "test/support/alderd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "server/tls/tls_context.h"
#include "server/tls/tls_socket.h"

#ifndef ALDERD_PATH
#error "ALDERD_PATH must name the alderd binary"
#endif

namespace alder::testing {

namespace {

bool Bindable(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// Test processes run in parallel and each picks its ports well before its
// nodes bind them: a port merely bindable now may be picked by another test
// meanwhile, and one of the two nodes then fails with "address in use". The
// test process that holds the flock on a port's file owns the port until it
// exits (the open descriptor is kept on purpose; the kernel drops the lock).
bool ReserveAcrossTestProcesses(uint16_t port) {
  const char* dir = "/tmp/alder-test-ports";
  mkdir(dir, 0777);  // may exist already
  const std::string path = std::string(dir) + "/" + std::to_string(port);
  const int fd = open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) return true;  // no lock to take: fall back on Bindable alone
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return false;
  }
  return true;
}

}  // namespace

// Ports come from below the kernel's ephemeral range (32768 and up here):
// a restarted node keeps its port, and a port from the ephemeral range can be
// taken meanwhile by any outgoing connection on the machine, which makes the
// restart fail with "address in use".
// OpenSSL writes to its sockets with write(2): a node closing a TLS
// connection must fail the test's call, not kill the test with SIGPIPE.
[[maybe_unused]] const bool kSigpipeIgnored = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();

uint16_t FreePort() {
  static std::mt19937 rng(static_cast<uint32_t>(getpid()) * 7919u ^
                          static_cast<uint32_t>(std::random_device{}()));
  std::uniform_int_distribution<int> pick(20000, 32000);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const auto port = static_cast<uint16_t>(pick(rng));
    if (ReserveAcrossTestProcesses(port) && Bindable(port)) return port;
  }
  std::abort();  // 1000 random ports all taken: something is badly wrong
}

namespace {

bool Accepts(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

AlderdProcess::AlderdProcess(std::string data_dir, std::vector<std::string> extra_args,
                             std::vector<std::string> wrapper)
    : data_dir_(std::move(data_dir)),
      extra_args_(std::move(extra_args)),
      wrapper_(std::move(wrapper)) {}

AlderdProcess::~AlderdProcess() {
  if (running()) Kill();
}

pid_t AlderdProcess::Spawn(const std::vector<std::string>& args) {
  std::vector<std::string> command = wrapper_;
  command.push_back(ALDERD_PATH);
  command.insert(command.end(), args.begin(), args.end());
  // The log sits beside the data directory, whose parent alderd would only
  // create after the log is opened: without it the node would write to the
  // test's own output (and hold CTest's pipe open if it outlived the test).
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(log_path()).parent_path(), ignored);
  const pid_t pid = fork();
  if (pid == 0) {
    const int log = open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : command) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

bool AlderdProcess::Start(std::chrono::milliseconds timeout) {
  // Ports are chosen afresh only the first time: a restarted node keeps its
  // address, as it would in production.
  if (port_ == 0) port_ = FreePort();
  if (metrics_port_ == 0) metrics_port_ = FreePort();
  std::vector<std::string> args = {
      "--data_dir",
      data_dir_,
      "--listen",
      "127.0.0.1:" + std::to_string(port_),
      "--internode_listen",
      "127.0.0.1:" + std::to_string(internode_port_ != 0 ? internode_port_ : FreePort())};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  if (std::find(args.begin(), args.end(), "--metrics_listen") == args.end()) {
    args.insert(args.end(), {"--metrics_listen", "127.0.0.1:" + std::to_string(metrics_port_)});
  }
  pid_ = Spawn(args);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (Accepts(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return false;
}

int AlderdProcess::Terminate() {
  if (!running()) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

namespace {

// The state letter of /proc/PID/stat ('T' when stopped), or 0.
char ProcessState(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() ? 0 : line[paren + 2];
}

}  // namespace

void AlderdProcess::Signal(int signal) {
  if (!running()) return;
  kill(pid_, signal);
  if (signal != SIGSTOP) return;
  // A stop takes effect when each thread next returns to user space; wait
  // for it, so that a test's next request cannot be served before it.
  for (int i = 0; i < 2000 && ProcessState(pid_) != 'T'; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void AlderdProcess::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::optional<int> AlderdProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (!running()) return std::nullopt;
  // A pidfd becomes readable when the process ends: no polling loop.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd < 0) return std::nullopt;
  pollfd ready{pidfd, POLLIN, 0};
  const int polled = poll(&ready, 1, static_cast<int>(timeout.count()));
  close(pidfd);
  if (polled != 1) return std::nullopt;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int AlderdProcess::RunToExit(const std::vector<std::string>& args) {
  // Tests run side by side: no metrics endpoint on the default port.
  std::vector<std::string> all = args;
  if (std::find(args.begin(), args.end(), "--metrics_listen") == args.end()) {
    all.insert(all.begin(), {"--metrics_listen", ""});
  }
  const pid_t pid = Spawn(all);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string AlderdProcess::ReadLog() const {
  std::ifstream in(log_path());
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

ApiClient::ApiClient(uint16_t port, std::chrono::milliseconds timeout,
                     const std::optional<TestTls>& tls) {
  using namespace apache::thrift;
  std::shared_ptr<transport::TSocket> socket;
  if (tls) {
    auto factory =
        MakeTlsFactory(TlsContextSpec{.role = {.server = false,
                                               .listener = TlsListener::kClients,
                                               .refusals = nullptr,
                                               .require_node_name = false},
                                      .files = {.cert = tls->cert, .key = tls->key, .ca = tls->ca},
                                      .verify_peer = true,
                                      .own_name = ""});
    if (!factory.ok()) throw TException(factory.status().message());
    socket = factory.value()->Connecting("127.0.0.1", port, "");
    tls_factory_ = factory.value();
  } else {
    socket = std::make_shared<transport::TSocket>("127.0.0.1", port);
  }
  socket->setConnTimeout(static_cast<int>(timeout.count()));
  socket->setRecvTimeout(static_cast<int>(timeout.count()));
  socket->setSendTimeout(static_cast<int>(timeout.count()));
  transport_ = std::make_shared<transport::TFramedTransport>(socket);
  client_ =
      std::make_unique<api::AlderClient>(std::make_shared<protocol::TBinaryProtocol>(transport_));
  transport_->open();
  HandshakeNow(*socket);  // with TLS, a refusal throws here
}

ApiClient::~ApiClient() {
  try {
    transport_->close();
  } catch (...) {  // closing a broken connection may throw; nothing to do
  }
}

}  // namespace alder::testing
