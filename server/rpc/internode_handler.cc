#include "server/rpc/internode_handler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "server/common/fault_injection.h"
#include "server/rpc/wire_record.h"

namespace alder {
namespace {

// The op label of each method, by ReplicaOp.
enum ReplicaOp : size_t {
  kWrite,
  kRead,
  kHeartbeat,
  kDeliverHints,
  kTreeNodes,
  kLeafKeys,
  kFetchRecords,
  kPushRecords
};
std::vector<std::string> ReplicaOpNames() {
  return {"write",      "read",      "heartbeat",     "deliver_hints",
          "tree_nodes", "leaf_keys", "fetch_records", "push_records"};
}

// The outcome of the exception in flight: a refusal, or an error.
Outcome ClassifyRefusal() {
  try {
    throw;
  } catch (const internode::Refused&) {
    return Outcome::kRefused;
  } catch (...) {
    return Outcome::kError;
  }
}

}  // namespace

InternodeHandler::InternodeHandler(ClusterIdentity self, std::set<uint32_t> peer_ids,
                                   clock::HybridLogicalClock* clock,
                                   const clock::PhysicalClock* local_clock, Membership* membership,
                                   Storage* storage, const TreeSet* trees,
                                   const std::atomic<bool>* syncing, Metrics* metrics)
    : self_(std::move(self)),
      peer_ids_(std::move(peer_ids)),
      clock_(clock),
      local_clock_(local_clock),
      membership_(membership),
      storage_(storage),
      trees_(trees),
      syncing_(syncing),
      requests_(metrics, "replica", ReplicaOpNames(),
                {Outcome::kOk, Outcome::kRefused, Outcome::kError}) {}

void InternodeHandler::RefuseWhileSyncing(const internode::Sender& sender) {
  if (syncing_ && syncing_->load()) {
    Refuse(sender, internode::RefusalReason::SYNCING,
           fmt::format("node {} is back after more than gc_grace away and syncs before it "
                       "serves its data",
                       self_.node_id));
  }
}

void InternodeHandler::CheckTree(const internode::Sender& sender, const internode::TreeShape& shape,
                                 int32_t partition) {
  if (!trees_ || shape.fanout != static_cast<int32_t>(trees_->shape().fanout) ||
      shape.depth != static_cast<int32_t>(trees_->shape().depth)) {
    Refuse(
        sender, internode::RefusalReason::TREE_MISMATCH,
        fmt::format("node {} keeps trees of fanout {} and depth {}, node {} asked for {} and {}",
                    self_.node_id, trees_ ? trees_->shape().fanout : 0,
                    trees_ ? trees_->shape().depth : 0, sender.node_id, shape.fanout, shape.depth));
  }
  if (partition < 0 || !trees_->Owns(static_cast<uint32_t>(partition))) {
    Refuse(sender, internode::RefusalReason::NOT_A_REPLICA,
           fmt::format("node {} does not replicate partition {}", self_.node_id, partition));
  }
}

void InternodeHandler::treeNodes(std::vector<std::string>& hashes, const internode::Sender& sender,
                                 const internode::TreeShape& shape, int32_t partition,
                                 int32_t level, const std::vector<int32_t>& indexes) {
  Measured(&requests_, kTreeNodes, ClassifyRefusal, [&] {
    CheckSender(sender);
    RefuseWhileSyncing(sender);
    CheckTree(sender, shape, partition);
    std::vector<uint32_t> wanted;
    wanted.reserve(indexes.size());
    for (int32_t i : indexes) wanted.push_back(i < 0 ? ~0u : static_cast<uint32_t>(i));
    const uint32_t safe_level = level < 0 ? ~0u : static_cast<uint32_t>(level);
    for (const TreeHash& h : trees_->Nodes(static_cast<uint32_t>(partition), safe_level, wanted)) {
      hashes.emplace_back(reinterpret_cast<const char*>(h.data()), h.size());
    }
  });
}

void InternodeHandler::leafKeys(std::vector<internode::KeyDigest>& keys,
                                const internode::Sender& sender, const internode::TreeShape& shape,
                                int32_t partition, const std::vector<int32_t>& leaves) {
  Measured(&requests_, kLeafKeys, ClassifyRefusal, [&] {
    CheckSender(sender);
    RefuseWhileSyncing(sender);
    CheckTree(sender, shape, partition);
    for (int32_t leaf : leaves) {
      if (leaf < 0 || static_cast<uint32_t>(leaf) >= trees_->shape().leaves()) continue;
      uint64_t first = 0, last = 0;
      trees_->LeafRange(static_cast<uint32_t>(partition), static_cast<uint32_t>(leaf), &first,
                        &last);
      Status s = storage_->ScanIndex(
          first, last, [&](uint64_t, std::string_view key, const IndexEntry& entry) {
            internode::KeyDigest d;
            d.key = std::string(key);
            d.digest.assign(reinterpret_cast<const char*>(entry.digest.data()),
                            entry.digest.size());
            d.hlc = static_cast<int64_t>(entry.version.hlc.packed());
            d.node_id = static_cast<int32_t>(entry.version.node_id);
            d.tombstone = entry.tombstone;
            d.expires_at_ms = static_cast<int64_t>(entry.expires_at_ms);
            keys.push_back(std::move(d));
          });
      if (!s.ok()) Refuse(sender, internode::RefusalReason::STORAGE, s.ToString());
    }
  });
}

void InternodeHandler::fetchRecords(std::vector<internode::KeyedRecord>& records,
                                    const internode::Sender& sender,
                                    const std::vector<std::string>& keys) {
  Measured(&requests_, kFetchRecords, ClassifyRefusal, [&] {
    CheckSender(sender);
    RefuseWhileSyncing(sender);
    for (const std::string& key : keys) {
      auto stored = storage_->Read(key);
      if (!stored.ok())
        Refuse(sender, internode::RefusalReason::STORAGE, stored.status().ToString());
      internode::KeyedRecord r;
      r.key = key;
      if (stored.value()) r.__set_record(ToWire(stored.value()->record));
      records.push_back(std::move(r));
    }
  });
}

void InternodeHandler::pushRecords(const internode::Sender& sender,
                                   const std::vector<internode::KeyedRecord>& records) {
  Measured(&requests_, kPushRecords, ClassifyRefusal, [&] {
    CheckSender(sender);
    for (const internode::KeyedRecord& r : records) {
      if (r.__isset.record) Apply(sender, r.key, r.record, false);
    }
    storage_->WaitDurable();  // one log flush for the batch
  });
}

void InternodeHandler::Refuse(const internode::Sender& sender,
                              internode::RefusalReason::type reason, const std::string& message) {
  // One line a second at most: a misconfigured peer retries constantly.
  const int64_t now = static_cast<int64_t>(clock_->physical().NowMs());
  int64_t last = last_refusal_log_ms_.load();
  if (now - last >= 1000 && last_refusal_log_ms_.compare_exchange_strong(last, now)) {
    spdlog::warn("refusing messages from node {}: {}", sender.node_id, message);
  }
  internode::Refused refused;
  refused.reason = reason;
  refused.message = message;
  throw refused;
}

void InternodeHandler::CheckIdentity(const internode::Sender& sender) {
  if (sender.cluster_name != self_.cluster_name ||
      sender.partitions != static_cast<int32_t>(self_.partitions)) {
    Refuse(sender, internode::RefusalReason::CLUSTER_MISMATCH,
           fmt::format("node {} belongs to cluster '{}' with {} partitions; node {} to cluster "
                       "'{}' with {} partitions: they cannot form one cluster",
                       sender.node_id, sender.cluster_name, sender.partitions, self_.node_id,
                       self_.cluster_name, self_.partitions));
  }
  if (sender.node_id <= 0 || !peer_ids_.contains(static_cast<uint32_t>(sender.node_id))) {
    Refuse(sender, internode::RefusalReason::UNKNOWN_NODE,
           fmt::format("node {} is not in node {}'s peers", sender.node_id, self_.node_id));
  }
  membership_->HeardFrom(static_cast<uint32_t>(sender.node_id));
}

void InternodeHandler::CheckStamp(const internode::Sender& sender, int64_t packed_hlc) {
  const clock::UpdateResult merged =
      clock_->Update(clock::Timestamp::FromPacked(static_cast<uint64_t>(packed_hlc)));
  if (!merged.accepted) {
    Refuse(sender, internode::RefusalReason::CLOCK_AHEAD,
           fmt::format("node {} refuses a stamp from node {}: {}", self_.node_id, sender.node_id,
                       merged.error));
  }
}

void InternodeHandler::CheckSender(const internode::Sender& sender) {
  CheckIdentity(sender);
  std::string why;
  const std::optional<int64_t> sender_wall_us =
      sender.__isset.wall_us ? std::optional<int64_t>(sender.wall_us) : std::nullopt;
  if (!membership_->SenderInStep(static_cast<uint32_t>(sender.node_id), sender_wall_us, &why)) {
    Refuse(sender, internode::RefusalReason::CLOCK_OUT_OF_STEP, why);
  }
  CheckStamp(sender, sender.hlc);
}

void InternodeHandler::Apply(const internode::Sender& sender, const std::string& key,
                             const internode::WireRecord& wire, bool wait_durable) {
  auto record = FromWire(wire);
  if (!record.ok()) {
    Refuse(sender, internode::RefusalReason::MALFORMED,
           "malformed record: " + record.status().message());
  }
  CheckStamp(sender, wire.hlc);
  if (FailNextReplicaWrite()) {
    Refuse(sender, internode::RefusalReason::STORAGE,
           "injected storage failure (" + std::string(kReplicaWriteFailuresVariable) + ")");
  }
  auto applied = wait_durable ? storage_->Apply(key, record.value())
                              : storage_->ApplyNoWait(key, record.value());
  if (!applied.ok()) {
    spdlog::error("replica write from node {} failed: {}", sender.node_id,
                  applied.status().ToString());
    Refuse(sender, internode::RefusalReason::STORAGE, applied.status().ToString());
  }
}

void InternodeHandler::write(const internode::Sender& sender, const std::string& key,
                             const internode::WireRecord& record) {
  Measured(&requests_, kWrite, ClassifyRefusal, [&] {
    CheckSender(sender);
    Apply(sender, key, record, true);
  });
}

void InternodeHandler::read(internode::ReadReply& reply, const internode::Sender& sender,
                            const std::string& key) {
  Measured(&requests_, kRead, ClassifyRefusal, [&] {
    CheckSender(sender);
    RefuseWhileSyncing(sender);
    auto stored = storage_->Read(key);
    if (!stored.ok()) {
      Refuse(sender, internode::RefusalReason::STORAGE, stored.status().ToString());
    }
    if (stored.value()) reply.__set_record(ToWire(stored.value()->record));
  });
}

void InternodeHandler::heartbeat(internode::HeartbeatReply& reply,
                                 const internode::Sender& sender) {
  Measured(&requests_, kHeartbeat, ClassifyRefusal, [&] {
    CheckIdentity(sender);
    // The HLC receive rule; a stamp too far ahead is counted by the clock and
    // otherwise ignored here: the sender learns its offset from our answer.
    clock_->Update(clock::Timestamp::FromPacked(static_cast<uint64_t>(sender.hlc)));
    reply.node_id = static_cast<int32_t>(self_.node_id);
    reply.hlc = static_cast<int64_t>(clock_->Last().packed());
    const uint64_t wall_us = local_clock_->NowUs();
    reply.wall_ms = static_cast<int64_t>(wall_us / 1000);
    reply.__set_wall_us(static_cast<int64_t>(wall_us));
    if (!self_.client_address.empty()) reply.__set_client_address(self_.client_address);
  });
}

void InternodeHandler::deliverHints(const internode::Sender& sender,
                                    const std::vector<internode::HintedWrite>& hints) {
  Measured(&requests_, kDeliverHints, ClassifyRefusal, [&] {
    CheckSender(sender);
    // One log flush for the batch: every hint is committed, then made durable.
    for (const internode::HintedWrite& hint : hints) {
      Apply(sender, hint.key, hint.record, false);
      hints_received_.fetch_add(1);
    }
    storage_->WaitDurable();
  });
}

uint64_t InternodeHandler::hints_received() const { return hints_received_.load(); }

}  // namespace alder
