#include "server/rpc/thrift_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>

#include <future>

#include "server/rpc/per_message_framed_transport.h"
#include "server/tls/tls_server_socket.h"

namespace alder {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TBinaryProtocolFactory;
using apache::thrift::server::TServerEventHandler;
using apache::thrift::server::TThreadedServer;
using apache::thrift::transport::TServerSocket;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportFactory;

// Wraps each accepted socket in a framed transport that enforces our limits;
// Thrift's own factory would use its 16 MB default.
class LimitedFramedTransportFactory final : public TTransportFactory {
 public:
  explicit LimitedFramedTransportFactory(std::shared_ptr<TConfiguration> config)
      : config_(std::move(config)) {}
  std::shared_ptr<TTransport> getTransport(std::shared_ptr<TTransport> trans) override {
    trans->setConfiguration(config_);
    return std::make_shared<PerMessageFramedTransport>(trans, config_);
  }

 private:
  std::shared_ptr<TConfiguration> config_;
};

// Tells Start() when the socket listens.
class ReadySignal final : public TServerEventHandler {
 public:
  explicit ReadySignal(std::promise<void>* ready) : ready_(ready) {}
  void preServe() override { ready_->set_value(); }

 private:
  std::promise<void>* ready_;
};

}  // namespace

ThriftServer::ThriftServer(ThriftServerOptions options,
                           std::shared_ptr<apache::thrift::TProcessorFactory> processors)
    : options_(std::move(options)), processors_(std::move(processors)) {}

ThriftServer::~ThriftServer() { Stop(); }

Status ThriftServer::Start() {
  const auto frame = static_cast<int>(options_.max_frame_bytes);
  // A message is one frame: both are bounded by a maximal put.
  auto config = std::make_shared<TConfiguration>(frame, frame);
  std::shared_ptr<TServerSocket> socket;
  if (options_.tls) {
    socket =
        std::make_shared<TlsServerSocket>(options_.listen.host, options_.listen.port, options_.tls);
  } else {
    socket = std::make_shared<TServerSocket>(options_.listen.host, options_.listen.port);
  }
  const int idle_ms = static_cast<int>(options_.idle_timeout.count());
  socket->setRecvTimeout(idle_ms);
  socket->setSendTimeout(idle_ms);
  socket->setKeepAlive(true);
  socket->setAcceptBacklog(1024);
  // Requests are small and answered at once: do not let Nagle delay them.
  socket->setAcceptCallback([](THRIFT_SOCKET fd) {
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  });
  // String reads are bounded by the frame, containers (hint batches, status
  // lists) by a count far above what either side sends.
  auto protocol = std::make_shared<TBinaryProtocolFactory>(frame, 65536, false, true);

  server_ = std::make_shared<TThreadedServer>(
      processors_, socket, std::make_shared<LimitedFramedTransportFactory>(config), protocol);
  server_->setConcurrentClientLimit(options_.max_connections);

  std::promise<void> ready;
  std::future<void> listening = ready.get_future();
  server_->setServerEventHandler(std::make_shared<ReadySignal>(&ready));
  auto failure = std::make_shared<std::promise<std::string>>();
  std::future<std::string> failed = failure->get_future();
  thread_ = std::thread([this, failure] {
    try {
      server_->serve();
      failure->set_value("");
    } catch (const std::exception& e) {
      failure->set_value(e.what());
    }
  });
  // Whichever comes first: listening, or serve() giving up.
  while (true) {
    if (listening.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready) break;
    if (failed.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready) {
      const std::string why = failed.get();
      thread_.join();
      server_.reset();
      return Status::IoError("cannot serve " + options_.name + " on " + options_.listen.ToString() +
                             ": " + why);
    }
  }
  return Status::Ok();
}

void ThriftServer::Stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

int64_t ThriftServer::connections() const {
  return server_ ? server_->getConcurrentClientCount() : 0;
}

}  // namespace alder
