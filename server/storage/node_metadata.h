// Node metadata kept in storage: who this data directory belongs to, and the
// hybrid logical clock's persisted ceiling.
#ifndef ALDER_SERVER_STORAGE_NODE_METADATA_H_
#define ALDER_SERVER_STORAGE_NODE_METADATA_H_

#include <cstdint>
#include <string>

#include "clock/hlc.h"
#include "server/common/status.h"
#include "server/storage/storage.h"

namespace alder {

// On first start records node_id, cluster_name and partitions in the data
// directory; on later starts checks them, so that a data directory is never
// served under another node's identity, in another cluster, or with a
// different partition count (which would silently misplace every key).
// Returns InvalidArgument with a message that names both values on a
// mismatch.
Status CheckOrRecordIdentity(Storage* storage, uint32_t node_id, uint32_t partitions,
                             const std::string& cluster_name);

// The HLC's ceiling, kept in the metadata table with a synced write.
// Thread-safe (the clock calls it under its own lock). A storage failure
// stops the process: see clock::CeilingStore.
class StorageCeilingStore final : public clock::CeilingStore {
 public:
  explicit StorageCeilingStore(Storage* storage) : storage_(storage) {}
  uint64_t LoadCeilingMs() override;
  void PersistCeilingMs(uint64_t ceiling_ms) override;

 private:
  Storage* const storage_;
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_NODE_METADATA_H_
