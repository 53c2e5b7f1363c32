#include "server/storage/node_metadata.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

namespace alder {
namespace {

constexpr const char* kNodeIdKey = "node_id";
constexpr const char* kPartitionsKey = "partitions";
constexpr const char* kClusterNameKey = "cluster_name";
constexpr const char* kCeilingKey = "hlc_ceiling_ms";

// Checks one identity field, recording it if the data directory has none.
Status CheckOrRecord(Storage* storage, const char* name, const std::string& configured,
                     const char* what) {
  auto stored = storage->GetMetadata(name);
  if (!stored.ok()) return stored.status();
  if (!stored.value()) return storage->PutMetadata(name, configured);
  if (*stored.value() != configured) {
    return Status::InvalidArgument("data directory " + storage->location() + " was created with " +
                                   name + " = " + *stored.value() + " but the configuration says " +
                                   configured + "; " + what);
  }
  return Status::Ok();
}

}  // namespace

Status CheckOrRecordIdentity(Storage* storage, uint32_t node_id, uint32_t partitions,
                             const std::string& cluster_name) {
  if (Status s = CheckOrRecord(storage, kNodeIdKey, std::to_string(node_id),
                               "each node needs its own data directory");
      !s.ok()) {
    return s;
  }
  if (Status s = CheckOrRecord(storage, kClusterNameKey, cluster_name,
                               "a data directory belongs to one cluster");
      !s.ok()) {
    return s;
  }
  return CheckOrRecord(storage, kPartitionsKey, std::to_string(partitions),
                       "the partition count is fixed when a cluster is created");
}

uint64_t StorageCeilingStore::LoadCeilingMs() {
  auto stored = storage_->GetMetadata(kCeilingKey);
  if (!stored.ok()) {
    spdlog::critical("cannot read the clock ceiling: {}", stored.status().ToString());
    std::abort();
  }
  return stored.value() ? std::stoull(*stored.value()) : 0;
}

void StorageCeilingStore::PersistCeilingMs(uint64_t ceiling_ms) {
  if (Status s = storage_->PutMetadata(kCeilingKey, std::to_string(ceiling_ms)); !s.ok()) {
    spdlog::critical(
        "cannot persist the clock ceiling: {}; stopping so that no timestamp is "
        "ever issued twice",
        s.ToString());
    std::abort();
  }
}

}  // namespace alder
