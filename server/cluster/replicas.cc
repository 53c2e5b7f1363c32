#include "server/cluster/replicas.h"

#include "server/rpc/wire_record.h"

namespace alder {
namespace {

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

Replicas::Replicas(ClusterIdentity self, const std::vector<Peer>& peers,
                   PeerConnectionOptions options, clock::HybridLogicalClock* clock,
                   const clock::PhysicalClock* local_clock, Storage* storage)
    : self_(std::move(self)), clock_(clock), local_clock_(local_clock), storage_(storage) {
  for (const Peer& peer : peers) {
    if (peer.node_id == self_.node_id) continue;
    peers_.emplace(peer.node_id, std::make_unique<PeerConnections>(peer, options));
    PeerConnectionOptions heartbeat_options = options;
    heartbeat_options.max_idle = 1;
    heartbeat_options.max_in_flight = 2;
    heartbeat_peers_.emplace(peer.node_id,
                             std::make_unique<PeerConnections>(peer, heartbeat_options));
  }
}

internode::Sender Replicas::MakeSender() {
  internode::Sender sender;
  sender.node_id = static_cast<int32_t>(self_.node_id);
  sender.hlc = static_cast<int64_t>(clock_->Now().packed());
  sender.cluster_name = self_.cluster_name;
  sender.partitions = static_cast<int32_t>(self_.partitions);
  sender.__set_wall_us(static_cast<int64_t>(local_clock_->NowUs()));
  return sender;
}

std::map<uint32_t, PeerConnections*> Replicas::HeartbeatConnectionsById() const {
  std::map<uint32_t, PeerConnections*> out;
  for (const auto& [id, connections] : heartbeat_peers_) out.emplace(id, connections.get());
  return out;
}

Status Replicas::Write(uint32_t node, std::string_view key, const Record& record) {
  if (node == self_.node_id) {
    auto applied = storage_->Apply(key, record);
    return applied.ok() ? Status::Ok() : applied.status();
  }
  auto it = peers_.find(node);
  if (it == peers_.end()) return Status::InvalidArgument("no node " + std::to_string(node));
  const internode::WireRecord wire = ToWire(record);
  const std::string key_copy(key);
  return it->second->Call(
      [&](internode::InternodeClient& client) { client.write(MakeSender(), key_copy, wire); });
}

Result<std::optional<Record>> Replicas::Read(uint32_t node, std::string_view key) {
  if (node == self_.node_id) {
    auto stored = storage_->Read(key);
    if (!stored.ok()) return stored.status();
    if (!stored.value()) return std::optional<Record>();
    return std::optional<Record>(std::move(stored.value()->record));
  }
  auto it = peers_.find(node);
  if (it == peers_.end()) return Status::InvalidArgument("no node " + std::to_string(node));
  internode::ReadReply reply;
  const std::string key_copy(key);
  Status s = it->second->Call(
      [&](internode::InternodeClient& client) { client.read(reply, MakeSender(), key_copy); });
  if (!s.ok()) return s;
  return RecordOfReply(node, reply);
}

Result<std::unique_ptr<PendingCall>> Replicas::StartWrite(uint32_t node, std::string_view key,
                                                          const Record& record) {
  auto it = peers_.find(node);
  if (it == peers_.end()) return Status::InvalidArgument("no node " + std::to_string(node));
  const internode::WireRecord wire = ToWire(record);
  const std::string key_copy(key);
  return it->second->Start(
      [&](internode::InternodeClient& client) { client.send_write(MakeSender(), key_copy, wire); });
}

Status Replicas::FinishWrite(PendingCall& call) {
  return call.Finish([](internode::InternodeClient& client) { client.recv_write(); });
}

Result<std::unique_ptr<PendingCall>> Replicas::StartRead(uint32_t node, std::string_view key) {
  auto it = peers_.find(node);
  if (it == peers_.end()) return Status::InvalidArgument("no node " + std::to_string(node));
  const std::string key_copy(key);
  return it->second->Start(
      [&](internode::InternodeClient& client) { client.send_read(MakeSender(), key_copy); });
}

Result<std::optional<Record>> Replicas::FinishRead(uint32_t node, PendingCall& call) {
  internode::ReadReply reply;
  Status s = call.Finish([&](internode::InternodeClient& client) { client.recv_read(reply); });
  if (!s.ok()) return s;
  return RecordOfReply(node, reply);
}

Status Replicas::CallPeer(
    uint32_t node,
    const std::function<void(internode::InternodeClient&, const internode::Sender&)>& call) {
  auto it = peers_.find(node);
  if (it == peers_.end()) return Status::InvalidArgument("no node " + std::to_string(node));
  return it->second->Call([&](internode::InternodeClient& client) { call(client, MakeSender()); });
}

Status Replicas::DeliverHints(uint32_t node, const std::vector<Hint>& hints) {
  auto it = peers_.find(node);
  if (it == peers_.end()) return Status::InvalidArgument("no node " + std::to_string(node));
  std::vector<internode::HintedWrite> batch;
  batch.reserve(hints.size());
  for (const Hint& hint : hints) {
    internode::HintedWrite w;
    w.key = hint.key;
    w.record = ToWire(hint.record);
    batch.push_back(std::move(w));
  }
  return it->second->Call(
      [&](internode::InternodeClient& client) { client.deliverHints(MakeSender(), batch); });
}

}  // namespace alder
