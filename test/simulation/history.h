// History: every client operation of a schedule, as the client saw it, for
// the checkers (checker.h). An operation is acknowledged only if its node
// answered OK and was still the same running node when it did; every other
// outcome (a timeout, the node crashing under it) is unknown: it may or may
// not have been applied.
#ifndef ALDER_TEST_SIMULATION_HISTORY_H_
#define ALDER_TEST_SIMULATION_HISTORY_H_

#include <optional>
#include <string>
#include <vector>

#include "server/cluster/coordinator.h"
#include "server/common/record.h"
#include "test/simulation/scheduler.h"

namespace alder::sim {

enum class OpKind { kPut, kRemove, kGet };

struct Op {
  OpKind kind = OpKind::kGet;
  std::string key;
  Consistency consistency = Consistency::kQuorum;
  uint32_t node = 0;  // the coordinator
  SimTime start{0};
  SimTime end{0};
  bool acked = false;
  std::optional<uint64_t> ttl_ms;  // puts with a TTL
  // A write's version; a read's: the version it returned (none: NotFound).
  std::optional<Version> version;
  std::string error;  // why it was not acknowledged
};

using History = std::vector<Op>;

inline const char* KindName(OpKind kind) {
  switch (kind) {
    case OpKind::kPut:
      return "put";
    case OpKind::kRemove:
      return "remove";
    case OpKind::kGet:
      return "get";
  }
  return "?";
}

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_HISTORY_H_
