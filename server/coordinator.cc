#include "server/coordinator.h"

#include <fmt/format.h>

namespace alder {

uint32_t RequiredAcks(Consistency level, uint32_t replicas) {
  switch (level) {
    case Consistency::kOne: return 1;
    case Consistency::kQuorum: return replicas / 2 + 1;
    case Consistency::kAll: return replicas;
  }
  return replicas;
}

Coordinator::Coordinator(uint32_t node_id, uint32_t replication_factor,
                         clock::HybridLogicalClock* clock, Storage* storage)
    : node_id_(node_id), replication_factor_(replication_factor), clock_(clock), storage_(storage) {}

Status Coordinator::CheckAvailable(Consistency consistency) const {
  // This node is the one live replica it can reach.
  constexpr uint32_t kAlive = 1;
  const uint32_t required = RequiredAcks(consistency, replication_factor_);
  if (required > kAlive) {
    return Status::Unavailable(fmt::format("{} of {} replicas needed, {} alive", required,
                                           replication_factor_, kAlive));
  }
  return Status::Ok();
}

Result<Version> Coordinator::Write(std::string_view key, Record record, Consistency consistency) {
  if (Status s = CheckAvailable(consistency); !s.ok()) {
    failures_.fetch_add(1);
    return s;
  }
  auto outcome = storage_->Apply(key, record);
  if (!outcome.ok()) {
    failures_.fetch_add(1);
    return outcome.status();
  }
  return record.version;
}

Result<Version> Coordinator::Put(std::string_view key, std::string value,
                                 const WriteOptions& options) {
  Record record;
  record.version = Version{clock_->Now(), node_id_};
  record.value = std::move(value);
  if (options.ttl) {
    record.expires_at_ms = record.version.hlc.wall_ms() + static_cast<uint64_t>(options.ttl->count());
  }
  puts_.fetch_add(1);
  return Write(key, std::move(record), options.consistency);
}

Result<Version> Coordinator::Remove(std::string_view key, const WriteOptions& options) {
  Record tombstone;
  tombstone.version = Version{clock_->Now(), node_id_};
  tombstone.tombstone = true;
  removes_.fetch_add(1);
  return Write(key, std::move(tombstone), options.consistency);
}

Result<Record> Coordinator::Get(std::string_view key, Consistency consistency) {
  gets_.fetch_add(1);
  if (Status s = CheckAvailable(consistency); !s.ok()) {
    failures_.fetch_add(1);
    return s;
  }
  auto stored = storage_->Read(key);
  if (!stored.ok()) {
    failures_.fetch_add(1);
    return stored.status();
  }
  // Expiry is judged by the physical clock: a TTL is a promise about real time.
  if (!stored.value() || !stored.value()->record.IsLiveAt(clock_->physical().NowMs())) {
    get_misses_.fetch_add(1);
    return Status::NotFound(std::string(key));
  }
  return std::move(stored.value()->record);
}

CoordinatorStats Coordinator::stats() const {
  return CoordinatorStats{puts_.load(), removes_.load(), gets_.load(), get_misses_.load(),
                          failures_.load()};
}

}  // namespace alder
