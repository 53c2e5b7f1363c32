#include "server/api_server.h"

#include <spdlog/spdlog.h>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <future>

namespace alder {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TBinaryProtocolFactory;
using apache::thrift::server::TServerEventHandler;
using apache::thrift::server::TThreadedServer;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TServerSocket;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportFactory;

// A framed transport whose message-size budget applies to each message.
// Thrift 0.17 charges every string a message reads against maxMessageSize
// but never restores the budget between frames, so a long-lived connection
// was cut once it had carried maxMessageSize bytes in all (100 MB by
// default). Resetting after each frame makes the limit per message.
class PerMessageFramedTransport final : public TFramedTransport {
 public:
  using TFramedTransport::TFramedTransport;

 protected:
  bool readFrame() override {
    if (!TFramedTransport::readFrame()) return false;
    resetConsumedMessageSize();
    return true;
  }
};

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

// Room in a frame beyond key and value: method name, field headers, options.
constexpr uint32_t kEnvelopeBytes = 64 * 1024;

}  // namespace

uint32_t ApiServer::MaxFrameBytes(const ApiServerOptions& options) {
  return options.max_value_bytes + options.max_key_bytes + kEnvelopeBytes;
}

ApiServer::ApiServer(ApiServerOptions options, std::shared_ptr<api::AlderIf> handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Start() {
  const auto frame = static_cast<int>(MaxFrameBytes(options_));
  // A message is one frame: both are bounded by a maximal put.
  auto config = std::make_shared<TConfiguration>(frame, frame);
  auto socket = std::make_shared<TServerSocket>(options_.listen.host, options_.listen.port);
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
  // String reads are bounded by the frame; containers do not occur in the API.
  auto protocol = std::make_shared<TBinaryProtocolFactory>(frame, 1024, false, true);

  server_ = std::make_shared<TThreadedServer>(
      std::make_shared<api::AlderProcessor>(handler_), socket,
      std::make_shared<LimitedFramedTransportFactory>(config), protocol);
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
      return Status::IoError("cannot serve clients on " + options_.listen.ToString() + ": " + why);
    }
  }
  return Status::Ok();
}

void ApiServer::Stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace alder
