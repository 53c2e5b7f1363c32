#include "server/cluster/replica_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "server/common/fault_injection.h"

namespace alder {

ReplicaService::ReplicaService(ClusterIdentity self, std::set<uint32_t> peer_ids,
                               clock::HybridLogicalClock* clock,
                               const clock::PhysicalClock* local_clock, Membership* membership,
                               Storage* storage, std::chrono::milliseconds gc_grace,
                               const std::atomic<bool>* syncing)
    : self_(std::move(self)),
      peer_ids_(std::move(peer_ids)),
      clock_(clock),
      local_clock_(local_clock),
      membership_(membership),
      storage_(storage),
      gc_grace_ms_(static_cast<uint64_t>(gc_grace.count())),
      syncing_(syncing) {}

Status ReplicaService::Refuse(const MessageHeader& sender, Status::Refusal reason,
                              const std::string& message) {
  // One line a second at most: a misconfigured peer retries constantly.
  const int64_t now = static_cast<int64_t>(clock_->physical().NowMs());
  int64_t last = last_refusal_log_ms_.load();
  if (now - last >= 1000 && last_refusal_log_ms_.compare_exchange_strong(last, now)) {
    spdlog::warn("refusing messages from node {}: {}", sender.node_id, message);
  }
  return Status::RefusedFor(reason, message);
}

Status ReplicaService::RefuseWhileSyncing(const MessageHeader& sender) {
  if (!syncing_ || !syncing_->load()) return Status::Ok();
  return Refuse(sender, Status::Refusal::kSyncing,
                fmt::format("node {} is back after more than gc_grace away and syncs before it "
                            "serves its data",
                            self_.node_id));
}

Status ReplicaService::CheckIdentity(const MessageHeader& sender) {
  if (sender.cluster_name != self_.cluster_name || sender.partitions != self_.partitions) {
    return Refuse(sender, Status::Refusal::kClusterMismatch,
                  fmt::format("node {} belongs to cluster '{}' with {} partitions; node {} to "
                              "cluster '{}' with {} partitions: they cannot form one cluster",
                              sender.node_id, sender.cluster_name, sender.partitions, self_.node_id,
                              self_.cluster_name, self_.partitions));
  }
  if (sender.node_id == 0 || !peer_ids_.contains(sender.node_id)) {
    return Refuse(sender, Status::Refusal::kUnknownNode,
                  fmt::format("node {} is not in node {}'s peers", sender.node_id, self_.node_id));
  }
  membership_->HeardFrom(sender.node_id);
  return Status::Ok();
}

Status ReplicaService::CheckStamp(const MessageHeader& sender, uint64_t packed_hlc) {
  const clock::UpdateResult merged = clock_->Update(clock::Timestamp::FromPacked(packed_hlc));
  if (merged.accepted) return Status::Ok();
  return Refuse(sender, Status::Refusal::kClockAhead,
                fmt::format("node {} refuses a stamp from node {}: {}", self_.node_id,
                            sender.node_id, merged.error));
}

Status ReplicaService::CheckSender(const MessageHeader& sender) {
  if (Status s = CheckIdentity(sender); !s.ok()) return s;
  std::string why;
  if (!membership_->SenderInStep(sender.node_id, sender.wall_us, &why)) {
    return Refuse(sender, Status::Refusal::kClockOutOfStep, why);
  }
  return CheckStamp(sender, sender.hlc);
}

Status ReplicaService::Apply(const MessageHeader& sender, std::string_view key,
                             const Record& record, bool wait_durable) {
  if (Status s = CheckStamp(sender, record.version.hlc.packed()); !s.ok()) return s;
  if (FailNextReplicaWrite()) {
    return Refuse(sender, Status::Refusal::kStorage,
                  "injected storage failure (" + std::string(kReplicaWriteFailuresVariable) + ")");
  }
  auto applied = wait_durable ? storage_->Apply(key, record) : storage_->ApplyNoWait(key, record);
  if (applied.ok()) return Status::Ok();
  spdlog::error("replica write from node {} failed: {}", sender.node_id,
                applied.status().ToString());
  return Refuse(sender, Status::Refusal::kStorage, applied.status().ToString());
}

Status ReplicaService::Write(const MessageHeader& sender, std::string_view key,
                             const Record& record) {
  if (Status s = CheckSender(sender); !s.ok()) return s;
  return Apply(sender, key, record, true);
}

Result<std::optional<Record>> ReplicaService::Read(const MessageHeader& sender,
                                                   std::string_view key) {
  if (Status s = CheckSender(sender); !s.ok()) return s;
  if (Status s = RefuseWhileSyncing(sender); !s.ok()) return s;
  auto stored = storage_->Read(key);
  if (!stored.ok()) return Refuse(sender, Status::Refusal::kStorage, stored.status().ToString());
  if (!stored.value()) return std::optional<Record>();
  return std::optional<Record>(std::move(stored.value()->record));
}

Result<HeartbeatAnswer> ReplicaService::Heartbeat(const MessageHeader& sender) {
  if (Status s = CheckIdentity(sender); !s.ok()) return s;
  // The HLC receive rule; a stamp too far ahead is counted by the clock and
  // otherwise ignored here: the sender learns its offset from our answer.
  clock_->Update(clock::Timestamp::FromPacked(sender.hlc));
  HeartbeatAnswer answer;
  answer.node_id = self_.node_id;
  answer.hlc = clock_->Last().packed();
  answer.wall_us = static_cast<int64_t>(local_clock_->NowUs());
  answer.client_address = self_.client_address;
  return answer;
}

Status ReplicaService::DeliverHints(const MessageHeader& sender, const std::vector<Hint>& hints) {
  if (Status s = CheckSender(sender); !s.ok()) return s;
  const uint64_t now_ms = clock_->physical().NowMs();
  uint64_t stale = 0;
  for (const Hint& hint : hints) {
    if (hint.record.version.hlc.wall_ms() + gc_grace_ms_ <= now_ms) {
      ++stale;
      continue;
    }
    if (Status s = Apply(sender, hint.key, hint.record, false); !s.ok()) return s;
    hints_received_.fetch_add(1);
  }
  if (stale > 0) {
    stale_hints_dropped_.fetch_add(stale);
    spdlog::warn("dropped {} hints from node {} for writes older than gc_grace", stale,
                 sender.node_id);
  }
  storage_->WaitDurable();
  return Status::Ok();
}

}  // namespace alder
