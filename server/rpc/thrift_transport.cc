#include "server/rpc/thrift_transport.h"

#include "clock/physical_clock.h"
#include "server/rpc/polling_round.h"
#include "server/rpc/wire_messages.h"

namespace alder {
namespace {

// Heartbeats need few connections: one beat in flight per peer, and a probe.
constexpr size_t kHeartbeatIdle = 1;
constexpr size_t kHeartbeatInFlight = 2;

Status NoNode(uint32_t node) { return Status::InvalidArgument("no node " + std::to_string(node)); }

// What a replica's read reply holds; IoError if the record is malformed.
Result<std::optional<Record>> RecordOfReply(uint32_t node, const internode::ReadReply& reply) {
  if (!reply.__isset.record) return std::optional<Record>();
  auto record = FromWire(reply.record);
  if (!record.ok()) {
    return Status::IoError("node " + std::to_string(node) + " sent " + record.status().message());
  }
  return std::optional<Record>(std::move(record).value());
}

}  // namespace

ThriftTransport::ThriftTransport(uint32_t self_id, const std::vector<Peer>& peers,
                                 PeerConnectionOptions options, HeaderSource header)
    : header_(std::move(header)) {
  for (const Peer& peer : peers) {
    if (peer.node_id == self_id) continue;
    data_.emplace(peer.node_id, std::make_unique<PeerConnections>(peer, options));
    PeerConnectionOptions heartbeat_options = options;
    heartbeat_options.max_idle = kHeartbeatIdle;
    heartbeat_options.max_in_flight = kHeartbeatInFlight;
    heartbeats_.emplace(peer.node_id, std::make_unique<PeerConnections>(peer, heartbeat_options));
  }
}

ThriftTransport::~ThriftTransport() = default;

std::chrono::microseconds ThriftTransport::Now() const { return clock::SteadyClock().Now(); }

PeerConnections* ThriftTransport::Pool(uint32_t node) const {
  auto it = data_.find(node);
  return it == data_.end() ? nullptr : it->second.get();
}

Status ThriftTransport::CallPeer(uint32_t node, const Call& call) {
  PeerConnections* pool = Pool(node);
  if (!pool) return NoNode(node);
  return pool->Call([&](internode::InternodeClient& client) { call(client, ToWire(header_())); });
}

Result<std::unique_ptr<ReplicaCall>> ThriftTransport::StartWrite(uint32_t node,
                                                                 std::string_view key,
                                                                 const Record& record) {
  PeerConnections* pool = Pool(node);
  if (!pool) return NoNode(node);
  const internode::WireRecord wire = ToWire(record);
  const std::string key_copy(key);
  auto started = pool->Start([&](internode::InternodeClient& client) {
    client.send_write(ToWire(header_()), key_copy, wire);
  });
  if (!started.ok()) return started.status();
  return std::unique_ptr<ReplicaCall>(std::move(started).value());
}

Status ThriftTransport::FinishWrite(ReplicaCall& call) {
  return static_cast<PendingCall&>(call).Finish(
      [](internode::InternodeClient& client) { client.recv_write(); });
}

Result<std::unique_ptr<ReplicaCall>> ThriftTransport::StartRead(uint32_t node,
                                                                std::string_view key) {
  PeerConnections* pool = Pool(node);
  if (!pool) return NoNode(node);
  const std::string key_copy(key);
  auto started = pool->Start(
      [&](internode::InternodeClient& client) { client.send_read(ToWire(header_()), key_copy); });
  if (!started.ok()) return started.status();
  return std::unique_ptr<ReplicaCall>(std::move(started).value());
}

Result<std::optional<Record>> ThriftTransport::FinishRead(ReplicaCall& call) {
  auto& pending = static_cast<PendingCall&>(call);
  internode::ReadReply reply;
  Status s = pending.Finish([&](internode::InternodeClient& client) { client.recv_read(reply); });
  if (!s.ok()) return s;
  return RecordOfReply(pending.node(), reply);
}

std::unique_ptr<ReplicaRound> ThriftTransport::NewRound(std::chrono::microseconds deadline) {
  return std::make_unique<PollingRound>(deadline, &collector_);
}

Status ThriftTransport::Write(uint32_t node, std::string_view key, const Record& record) {
  const internode::WireRecord wire = ToWire(record);
  const std::string key_copy(key);
  return CallPeer(node, [&](internode::InternodeClient& c, const internode::Sender& sender) {
    c.write(sender, key_copy, wire);
  });
}

Result<std::optional<Record>> ThriftTransport::Read(uint32_t node, std::string_view key) {
  internode::ReadReply reply;
  const std::string key_copy(key);
  Status s = CallPeer(node, [&](internode::InternodeClient& c, const internode::Sender& sender) {
    c.read(reply, sender, key_copy);
  });
  if (!s.ok()) return s;
  return RecordOfReply(node, reply);
}

Result<HeartbeatAnswer> ThriftTransport::Heartbeat(uint32_t node) {
  auto it = heartbeats_.find(node);
  if (it == heartbeats_.end()) return NoNode(node);
  internode::HeartbeatReply reply;
  Status s = it->second->Call(
      [&](internode::InternodeClient& client) { client.heartbeat(reply, ToWire(header_())); });
  if (!s.ok()) return s;
  return FromWire(reply);
}

Status ThriftTransport::DeliverHints(uint32_t node, const std::vector<Hint>& hints) {
  std::vector<internode::HintedWrite> batch;
  batch.reserve(hints.size());
  for (const Hint& hint : hints) batch.push_back(ToWire(hint));
  return CallPeer(node, [&](internode::InternodeClient& c, const internode::Sender& sender) {
    c.deliverHints(sender, batch);
  });
}

Result<std::vector<std::string>> ThriftTransport::TreeNodes(uint32_t node, TreeShapeId shape,
                                                            uint32_t partition, uint32_t level,
                                                            const std::vector<uint32_t>& indexes) {
  const std::vector<int32_t> wire_indexes(indexes.begin(), indexes.end());
  std::vector<std::string> hashes;
  Status s = CallPeer(node, [&](internode::InternodeClient& c, const internode::Sender& sender) {
    c.treeNodes(hashes, sender, ToWire(shape), static_cast<int32_t>(partition),
                static_cast<int32_t>(level), wire_indexes);
  });
  if (!s.ok()) return s;
  return hashes;
}

Result<std::vector<KeyDigest>> ThriftTransport::LeafKeys(uint32_t node, TreeShapeId shape,
                                                         uint32_t partition,
                                                         const std::vector<uint32_t>& leaves) {
  const std::vector<int32_t> wire_leaves(leaves.begin(), leaves.end());
  std::vector<internode::KeyDigest> keys;
  Status s = CallPeer(node, [&](internode::InternodeClient& c, const internode::Sender& sender) {
    c.leafKeys(keys, sender, ToWire(shape), static_cast<int32_t>(partition), wire_leaves);
  });
  if (!s.ok()) return s;
  std::vector<KeyDigest> out;
  out.reserve(keys.size());
  for (const internode::KeyDigest& d : keys) out.push_back(FromWire(d));
  return out;
}

Result<std::vector<KeyedRecord>> ThriftTransport::FetchRecords(
    uint32_t node, const std::vector<std::string>& keys) {
  std::vector<internode::KeyedRecord> records;
  Status s = CallPeer(node, [&](internode::InternodeClient& c, const internode::Sender& sender) {
    c.fetchRecords(records, sender, keys);
  });
  if (!s.ok()) return s;
  std::vector<KeyedRecord> out;
  out.reserve(records.size());
  for (const internode::KeyedRecord& r : records) {
    auto record = FromWire(r);
    if (!record.ok()) {
      return Status::IoError("node " + std::to_string(node) + " sent " + record.status().message());
    }
    out.push_back(std::move(record).value());
  }
  return out;
}

Status ThriftTransport::PushRecords(uint32_t node, const std::vector<KeyedRecord>& records) {
  std::vector<internode::KeyedRecord> batch;
  batch.reserve(records.size());
  for (const KeyedRecord& r : records) batch.push_back(ToWire(r));
  return CallPeer(node, [&](internode::InternodeClient& c, const internode::Sender& sender) {
    c.pushRecords(sender, batch);
  });
}

}  // namespace alder
