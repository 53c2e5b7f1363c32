// The client wraps the generated AlderClient at the edge: requests go out in
// Alder's types, and every exception Thrift or the server can raise comes back
// as a CallStatus. Transport exceptions leave a framed connection in an
// unknown state (half a frame may have been read), so they close it; declared
// exceptions and TApplicationException arrive as complete messages, so the
// connection stays usable after them.
#include "tools/client.h"

#include <thrift/TApplicationException.h>
#include <thrift/TOutput.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TProtocolException.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TTransportException.h>

#include <algorithm>
#include <climits>
#include <mutex>

#include "Alder.h"
#include "alder_types.h"
#include "fmt/format.h"
#include "server/common/duration.h"
#include "server/rpc/per_message_framed_transport.h"
#include "server/tls/tls_context.h"
#include "server/tls/tls_socket.h"

namespace alder::tools {
namespace {

using apache::thrift::TApplicationException;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransportException;

// DESIGN.md section 8: the server's default limits, for servers that do not
// report theirs.
constexpr size_t kDefaultMaxKeyBytes = 2048;
constexpr size_t kDefaultMaxValueBytes = size_t{1} << 20;
// A server's frame holds its largest put plus 64 KiB (server/thrift_server.h),
// so a put this small always reaches it and gets a proper answer, whatever
// its limits. A larger one over the limits would be cut off mid-send (the
// server closes the connection: "Broken pipe"), so the client checks first.
constexpr size_t kAlwaysFramedBytes = 32 * 1024;

void DiscardThriftOutput(const char* /*message*/) {}

void SilenceThriftLogging() {
  static std::once_flag once;
  std::call_once(once, [] { apache::thrift::GlobalOutput.setOutputFunction(DiscardThriftOutput); });
}

// Thrift's socket errors read "write() send(): Broken pipe" or "socket open()
// error: Connection refused": where it failed, then the errno text. Users need
// the errno text.
std::string ReasonOf(const std::exception& e) {
  std::string reason = e.what();
  const size_t colon = reason.rfind(": ");
  if (colon != std::string::npos && reason.substr(0, colon).find("()") != std::string::npos) {
    reason.erase(0, colon + 2);
  }
  return Printable(reason);
}

int TimeoutMs(std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return 1;
  if (timeout.count() > INT_MAX) return INT_MAX;
  return static_cast<int>(timeout.count());
}

api::Consistency::type ToThrift(Consistency level) {
  switch (level) {
    case Consistency::kOne:
      return api::Consistency::ONE;
    case Consistency::kQuorum:
      return api::Consistency::QUORUM;
    case Consistency::kAll:
      return api::Consistency::ALL;
  }
  return api::Consistency::QUORUM;
}

api::WriteOptions ToThrift(const WriteParams& params) {
  api::WriteOptions options;
  if (params.ttl) options.__set_ttl_ms(params.ttl->count());
  if (params.consistency) options.__set_consistency(ToThrift(*params.consistency));
  return options;
}

api::ReadOptions ToThrift(const ReadParams& params) {
  api::ReadOptions options;
  if (params.consistency) options.__set_consistency(ToThrift(*params.consistency));
  return options;
}

}  // namespace

std::string_view ConsistencyName(Consistency level) {
  switch (level) {
    case Consistency::kOne:
      return "one";
    case Consistency::kQuorum:
      return "quorum";
    case Consistency::kAll:
      return "all";
  }
  return "?";
}

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnect:
      return "connect";
    case ErrorKind::kIo:
      return "io";
    case ErrorKind::kReplyTimeout:
      return "reply_timeout";
    case ErrorKind::kInvalidArgument:
      return "invalid_argument";
    case ErrorKind::kNotFound:
      return "not_found";
    case ErrorKind::kUnavailable:
      return "unavailable";
    case ErrorKind::kTimedOut:
      return "timed_out";
    case ErrorKind::kServerError:
      return "server_error";
  }
  return "unknown";
}

bool IsConnectionError(ErrorKind kind) {
  return kind == ErrorKind::kConnect || kind == ErrorKind::kIo || kind == ErrorKind::kReplyTimeout;
}

std::string Printable(std::string_view bytes, size_t max_bytes) {
  std::string out;
  const size_t n = std::min(bytes.size(), max_bytes);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (bytes.size() > n) out += "...";
  return out;
}

struct Client::Impl {
  ClientOptions options;
  std::shared_ptr<TlsSocketFactory> tls;  // made at the first TLS connection
  std::shared_ptr<TSocket> socket;
  // Per-message budget: a long bench reads more than Thrift 0.17's 100 MB
  // cumulative default on one connection.
  std::shared_ptr<PerMessageFramedTransport> transport;
  std::unique_ptr<api::AlderClient> rpc;  // non-null while connected
  // The server's max_key_bytes and max_value_bytes, once learned.
  std::optional<std::pair<size_t, size_t>> limits;

  std::string Endpoint() const { return fmt::format("{}:{}", options.host, options.port); }

  void Close() {
    rpc.reset();
    if (transport) {
      try {
        transport->close();
      } catch (...) {
        // Closing a broken socket may throw; it is closed either way.
      }
    }
    transport.reset();
    socket.reset();
  }

  // The socket to open: plaintext, or TLS on a factory made at the first use.
  Result<std::shared_ptr<TSocket>> NewSocket() {
    if (!options.tls) return std::make_shared<TSocket>(options.host, options.port);
    if (!tls) {
      auto made = MakeTlsFactory(TlsContextSpec{
          .role = {.server = false,
                   .listener = TlsListener::kClients,
                   .refusals = nullptr,
                   .require_node_name = false},
          .files = {.cert = options.tls->cert, .key = options.tls->key, .ca = options.tls->ca},
          .verify_peer = true,
          .own_name = "",
          .file_labels = {"--tls-cert", "--tls-key", "--tls-ca"}});
      if (!made.ok()) return made.status();
      tls = std::move(made).value();
    }
    return std::shared_ptr<TSocket>(tls->Connecting(options.host, options.port, ""));
  }

  CallStatus Open() {
    if (rpc) return CallStatus::Ok();
    const int timeout_ms = TimeoutMs(options.timeout);
    auto made = NewSocket();
    if (!made.ok()) return CallStatus::Error(ErrorKind::kConnect, made.status().message());
    socket = std::move(made).value();
    socket->setConnTimeout(timeout_ms);
    socket->setSendTimeout(timeout_ms);
    socket->setRecvTimeout(timeout_ms);
    transport = std::make_shared<PerMessageFramedTransport>(socket);
    try {
      transport->open();
      HandshakeNow(*socket);  // a refused TLS handshake is a failure to connect
    } catch (const std::exception& e) {
      std::string reason = ReasonOf(e);
      if (reason.find("timed out") != std::string::npos) {
        reason = fmt::format("no answer within {}", FormatDuration(options.timeout));
      }
      Close();
      return CallStatus::Error(ErrorKind::kConnect,
                               fmt::format("cannot connect to {}: {}", Endpoint(), reason));
    }
    rpc = std::make_unique<api::AlderClient>(std::make_shared<TBinaryProtocol>(transport));
    return CallStatus::Ok();
  }

  // Runs `call` on an open connection and turns every exception into a
  // CallStatus. `key` is only used in messages.
  template <typename Call>
  CallStatus Run(const std::string& key, Call&& call) {
    CallStatus opened = Open();
    if (!opened.ok()) return opened;
    try {
      call(*rpc);
      return CallStatus::Ok();
    } catch (const api::NotFound&) {
      return CallStatus::Error(ErrorKind::kNotFound, "not found: " + Printable(key));
    } catch (const api::InvalidArgument& e) {
      return CallStatus::Error(ErrorKind::kInvalidArgument,
                               "invalid argument: " + Printable(e.message));
    } catch (const api::Unavailable& e) {
      return CallStatus::Error(
          ErrorKind::kUnavailable,
          fmt::format("unavailable: {} ({} replicas required, {} alive)", Printable(e.message),
                      e.required_replicas, e.alive_replicas));
    } catch (const api::TimedOut& e) {
      return CallStatus::Error(ErrorKind::kTimedOut,
                               fmt::format("timed out: {} ({} of {} required acks)",
                                           Printable(e.message), e.acknowledged, e.required_acks));
    } catch (const TApplicationException& e) {
      return CallStatus::Error(
          ErrorKind::kServerError,
          fmt::format("server error from {}: {}", Endpoint(), Printable(e.what())));
    } catch (const TTransportException& e) {
      Close();
      if (e.getType() == TTransportException::TIMED_OUT) {
        return CallStatus::Error(
            ErrorKind::kReplyTimeout,
            fmt::format("no reply from {} within {}", Endpoint(), FormatDuration(options.timeout)));
      }
      if (e.getType() == TTransportException::CORRUPTED_DATA) {
        return CallStatus::Error(ErrorKind::kIo,
                                 fmt::format("{} answered with something other than an Alder reply "
                                             "({}); is that alderd's client port?",
                                             Endpoint(), Printable(e.what())));
      }
      if (e.getType() == TTransportException::END_OF_FILE) {
        return CallStatus::Error(ErrorKind::kIo,
                                 fmt::format("connection to {} closed by the server", Endpoint()));
      }
      return CallStatus::Error(ErrorKind::kIo,
                               fmt::format("connection to {} failed: {}", Endpoint(), ReasonOf(e)));
    } catch (const TProtocolException& e) {
      Close();
      return CallStatus::Error(ErrorKind::kIo, fmt::format("garbled reply from {}: {}", Endpoint(),
                                                           Printable(e.what())));
    } catch (const std::exception& e) {
      Close();
      return CallStatus::Error(
          ErrorKind::kIo, fmt::format("request to {} failed: {}", Endpoint(), Printable(e.what())));
    }
  }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  SilenceThriftLogging();
  impl_->options = std::move(options);
}

Client::~Client() { impl_->Close(); }

CallStatus Client::Connect() { return impl_->Open(); }

bool Client::connected() const { return impl_->rpc != nullptr; }

void Client::Disconnect() { impl_->Close(); }

std::string Client::endpoint() const { return impl_->Endpoint(); }

CallStatus Client::Put(const std::string& key, const std::string& value, const WriteParams& params,
                       int64_t* version) {
  if (key.size() + value.size() > kAlwaysFramedBytes) {
    if (!impl_->limits) {
      ClusterStatus server;
      if (CallStatus learned = Status(&server); !learned.ok()) return learned;
      impl_->limits = {
          server.max_key_bytes ? static_cast<size_t>(*server.max_key_bytes) : kDefaultMaxKeyBytes,
          server.max_value_bytes ? static_cast<size_t>(*server.max_value_bytes)
                                 : kDefaultMaxValueBytes};
    }
    const auto [max_key, max_value] = *impl_->limits;
    // The server's own words (server/request_limits.cc), before sending.
    if (key.size() > max_key) {
      return CallStatus::Error(
          ErrorKind::kInvalidArgument,
          fmt::format("invalid argument: key is {} bytes; the limit is {} bytes (max_key_bytes "
                      "of {})",
                      key.size(), max_key, impl_->Endpoint()));
    }
    if (value.size() > max_value) {
      return CallStatus::Error(
          ErrorKind::kInvalidArgument,
          fmt::format("invalid argument: value is {} bytes; the limit is {} bytes "
                      "(max_value_bytes of {})",
                      value.size(), max_value, impl_->Endpoint()));
    }
  }
  const api::WriteOptions options = ToThrift(params);
  CallStatus status = impl_->Run(key, [&](api::AlderClient& rpc) {
    const int64_t written = rpc.put(key, value, options);
    if (version != nullptr) *version = written;
  });
  if (!status.ok() && status.kind() == ErrorKind::kIo && value.size() > kAlwaysFramedBytes) {
    // alderd closes the connection on an oversized frame instead of answering.
    return CallStatus::Error(
        ErrorKind::kIo,
        fmt::format("{} (the value is {} bytes; servers close the connection on values over "
                    "max_value_bytes, 1 MiB by default)",
                    status.message(), value.size()));
  }
  return status;
}

CallStatus Client::Get(const std::string& key, const ReadParams& params, StoredValue* value) {
  const api::ReadOptions options = ToThrift(params);
  return impl_->Run(key, [&](api::AlderClient& rpc) {
    api::Entry entry;
    rpc.get(entry, key, options);
    value->bytes = std::move(entry.value);
    value->version = entry.version;
    value->expires_at_ms =
        entry.__isset.expires_at_ms ? std::optional<int64_t>(entry.expires_at_ms) : std::nullopt;
  });
}

CallStatus Client::Remove(const std::string& key, const WriteParams& params, int64_t* version) {
  const api::WriteOptions options = ToThrift(params);
  return impl_->Run(key, [&](api::AlderClient& rpc) {
    const int64_t written = rpc.remove(key, options);
    if (version != nullptr) *version = written;
  });
}

CallStatus Client::Status(ClusterStatus* status) {
  return impl_->Run("", [&](api::AlderClient& rpc) {
    api::ClusterStatus reply;
    rpc.status(reply);
    ClusterStatus out;
    out.node_id = reply.node_id;
    out.partitions = reply.partitions;
    out.replication_factor = reply.replication_factor;
    out.clock_fenced = reply.clock_fenced;
    if (reply.__isset.clock_fence_reason) out.clock_fence_reason = reply.clock_fence_reason;
    out.hints_dropped = reply.hints_dropped;
    out.clock_rejections = reply.clock_rejections;
    out.fenced_writes = reply.fenced_writes;
    out.nodes.reserve(reply.nodes.size());
    for (api::NodeStatus& node : reply.nodes) {
      NodeStatus n;
      n.node_id = node.node_id;
      n.internode_address = std::move(node.internode_address);
      n.is_self = node.is_self;
      n.up = node.up;
      if (node.__isset.last_heartbeat_ms_ago) n.last_heartbeat_ms_ago = node.last_heartbeat_ms_ago;
      if (node.__isset.clock_offset_ms) n.clock_offset_ms = node.clock_offset_ms;
      n.partitions_owned = node.partitions_owned;
      n.hints_pending = node.hints_pending;
      if (node.__isset.client_address) n.client_address = std::move(node.client_address);
      out.nodes.push_back(std::move(n));
    }
    if (reply.__isset.exchanges) {
      std::vector<ExchangeState> exchanges;
      exchanges.reserve(reply.exchanges.size());
      for (const api::ExchangeState& e : reply.exchanges) {
        ExchangeState x;
        x.partition = e.partition;
        x.peer = e.peer;
        if (e.__isset.last_success_ms_ago) x.last_success_ms_ago = e.last_success_ms_ago;
        exchanges.push_back(x);
      }
      out.exchanges = std::move(exchanges);
    }
    if (reply.__isset.oldest_exchange_ms_ago) {
      out.oldest_exchange_ms_ago = reply.oldest_exchange_ms_ago;
    }
    if (reply.__isset.records_purged) out.records_purged = reply.records_purged;
    if (reply.__isset.syncing) out.syncing = reply.syncing;
    if (reply.__isset.hint_window_ms) out.hint_window_ms = reply.hint_window_ms;
    if (reply.__isset.max_key_bytes) out.max_key_bytes = reply.max_key_bytes;
    if (reply.__isset.max_value_bytes) out.max_value_bytes = reply.max_value_bytes;
    for (api::MetricSample& m : reply.metrics) {
      out.metrics.push_back({std::move(m.name), std::move(m.labels), m.value});
    }
    *status = std::move(out);
  });
}

CallStatus Client::Repair(const RepairParams& params, RepairReport* report) {
  api::RepairRequest request;
  if (params.partition) request.__set_partition(*params.partition);
  if (params.key) request.__set_key(*params.key);
  return impl_->Run(params.key.value_or(""), [&](api::AlderClient& rpc) {
    api::RepairReport reply;
    rpc.repair(reply, request);
    RepairReport out;
    out.partitions = reply.partitions;
    out.exchanges = reply.exchanges;
    out.failed_exchanges = reply.failed_exchanges;
    out.tree_nodes_compared = reply.tree_nodes_compared;
    out.keys_listed = reply.keys_listed;
    out.records_sent = reply.records_sent;
    out.bytes_sent = reply.bytes_sent;
    out.records_differing = reply.records_differing;
    out.elapsed_ms = reply.elapsed_ms;
    if (reply.__isset.error) out.error = std::move(reply.error);
    *report = std::move(out);
  });
}

CallStatus Client::Compare(const CompareParams& params, Comparison* comparison) {
  api::CompareRequest request;
  if (params.partition) request.__set_partition(*params.partition);
  if (params.key) request.__set_key(*params.key);
  if (params.list_keys) request.__set_list_keys(true);
  return impl_->Run(params.key.value_or(""), [&](api::AlderClient& rpc) {
    api::Comparison reply;
    rpc.compare(reply, request);
    Comparison out;
    out.converged = reply.converged;
    out.unreachable = reply.unreachable;
    out.partitions.reserve(reply.partitions.size());
    for (api::PartitionComparison& p : reply.partitions) {
      PartitionComparison pc;
      pc.partition = p.partition;
      pc.converged = p.converged;
      pc.roots.reserve(p.roots.size());
      for (api::ReplicaRoot& r : p.roots) {
        ReplicaRoot root;
        root.node_id = r.node_id;
        if (r.__isset.root_hash) root.root_hash = std::move(r.root_hash);
        if (r.__isset.error) root.error = std::move(r.error);
        pc.roots.push_back(std::move(root));
      }
      pc.differences.reserve(p.differences.size());
      for (api::KeyDifference& d : p.differences) {
        KeyDifference diff;
        diff.key = std::move(d.key);
        diff.versions.reserve(d.versions.size());
        for (const api::ReplicaVersion& v : d.versions) {
          ReplicaVersion version;
          version.node_id = v.node_id;
          if (v.__isset.version) version.version = v.version;
          version.tombstone = v.__isset.tombstone && v.tombstone;
          diff.versions.push_back(version);
        }
        pc.differences.push_back(std::move(diff));
      }
      out.partitions.push_back(std::move(pc));
    }
    *comparison = std::move(out);
  });
}

CallStatus Client::VerifyTrees(TreeVerification* verification) {
  return impl_->Run("", [&](api::AlderClient& rpc) {
    api::TreeVerification reply;
    rpc.verifyTrees(reply);
    TreeVerification out;
    out.partitions_checked = reply.partitions_checked;
    out.mismatched_partitions = std::move(reply.mismatched_partitions);
    out.index_entries = reply.index_entries;
    *verification = std::move(out);
  });
}

}  // namespace alder::tools
