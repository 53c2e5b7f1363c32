#include "server/cluster/replicas.h"

namespace alder {

HeaderSource MakeHeaderSource(ClusterIdentity self, clock::HybridLogicalClock* clock,
                              const clock::PhysicalClock* local_clock) {
  return [self = std::move(self), clock, local_clock] {
    MessageHeader header;
    header.node_id = self.node_id;
    header.hlc = clock->Now().packed();
    header.cluster_name = self.cluster_name;
    header.partitions = self.partitions;
    header.wall_us = static_cast<int64_t>(local_clock->NowUs());
    return header;
  };
}

Status Replicas::Write(uint32_t node, std::string_view key, const Record& record) {
  if (node != self_.node_id) return transport_->Write(node, key, record);
  auto applied = storage_->Apply(key, record);
  return applied.ok() ? Status::Ok() : applied.status();
}

Result<std::optional<Record>> Replicas::Read(uint32_t node, std::string_view key) {
  if (node != self_.node_id) return transport_->Read(node, key);
  auto stored = storage_->Read(key);
  if (!stored.ok()) return stored.status();
  if (!stored.value()) return std::optional<Record>();
  return std::optional<Record>(std::move(stored.value()->record));
}

}  // namespace alder
