// Test seams in the real alderd, set only through the environment (never by
// the config or the command line), so that integration tests can make rare
// faults happen on demand in real processes:
//
//   ALDER_FAULT_REPLICA_WRITE_FAILURES=N   the next N replica writes this
//       node receives (replica writes, hints, repairs pushed to it) fail as
//       storage failures, before they touch storage.
//   ALDER_FAULT_LOG_SYNC_FAILS_AFTER=N     after N successful syncs of the
//       log (group commit, fsync durability), every sync fails as a disk
//       error would (server/storage/failing_log_sync.h).
//
// Thread-safe.
#ifndef ALDER_SERVER_COMMON_FAULT_INJECTION_H_
#define ALDER_SERVER_COMMON_FAULT_INJECTION_H_

#include <cstdint>
#include <optional>

namespace alder {

inline constexpr const char* kReplicaWriteFailuresVariable = "ALDER_FAULT_REPLICA_WRITE_FAILURES";
inline constexpr const char* kLogSyncFailsAfterVariable = "ALDER_FAULT_LOG_SYNC_FAILS_AFTER";

// Injected replica write failures still to come (0 unless the variable is set).
int64_t InjectedReplicaWriteFailuresLeft();

// True, using one up, while injected replica write failures remain.
bool FailNextReplicaWrite();

// Successful log syncs before they fail; absent unless the variable is set.
std::optional<uint64_t> InjectedLogSyncFailsAfter();

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_FAULT_INJECTION_H_
