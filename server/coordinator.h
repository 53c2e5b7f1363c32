// The coordinator: the write and read path a client request takes through a
// node (DESIGN.md section 5).
//
// A write is stamped once, here, with this node's hybrid logical clock and
// node id; every replica then stores that same version. The coordinator
// answers when as many replicas as the consistency level requires have
// acknowledged durably. A read returns the greatest version among the
// replicas asked, or NotFound when that is a tombstone or has expired.
//
// In this version a cluster is one node, which is the only replica of every
// key, so every level is met by the local write. The replica set is computed
// by RequiredAcks and the Replica seam so that replication adds replicas
// without changing this interface.
//
// Thread-safe.
#ifndef ALDER_SERVER_COORDINATOR_H_
#define ALDER_SERVER_COORDINATOR_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "clock/hlc.h"
#include "server/record.h"
#include "server/status.h"
#include "server/storage.h"

namespace alder {

enum class Consistency { kOne = 1, kQuorum = 2, kAll = 3 };

// Acknowledgements a level needs with `replicas` replicas: ONE 1, QUORUM a
// majority, ALL every one.
uint32_t RequiredAcks(Consistency level, uint32_t replicas);

struct WriteOptions {
  std::optional<std::chrono::milliseconds> ttl;  // none: never expires
  Consistency consistency = Consistency::kQuorum;
};

struct CoordinatorStats {
  uint64_t puts = 0, removes = 0, gets = 0, get_misses = 0, failures = 0;
};

class Coordinator {
 public:
  // All pointers must outlive the coordinator.
  Coordinator(uint32_t node_id, uint32_t replication_factor, clock::HybridLogicalClock* clock,
              Storage* storage);
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Stores `value` under `key` with a new version, which it returns.
  // REQUIRES: key, value and ttl already validated (server/request_limits.h).
  Result<Version> Put(std::string_view key, std::string value, const WriteOptions& options);

  // Writes a tombstone with a new version, which it returns. Removing an
  // absent key is not an error: the tombstone still orders later writes.
  Result<Version> Remove(std::string_view key, const WriteOptions& options);

  // The live record for `key`, or NotFound (absent, deleted or expired).
  Result<Record> Get(std::string_view key, Consistency consistency);

  CoordinatorStats stats() const;

 private:
  Result<Version> Write(std::string_view key, Record record, Consistency consistency);
  Status CheckAvailable(Consistency consistency) const;

  const uint32_t node_id_;
  const uint32_t replication_factor_;
  clock::HybridLogicalClock* const clock_;
  Storage* const storage_;

  std::atomic<uint64_t> puts_{0}, removes_{0}, gets_{0}, get_misses_{0}, failures_{0};
};

}  // namespace alder

#endif  // ALDER_SERVER_COORDINATOR_H_
