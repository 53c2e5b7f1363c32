// One schedule: a cluster of simulated nodes, its clients and its faults,
// run from a seed to the end and checked (DESIGN.md section 16). Faults run
// for the first seconds while clients write and read; then every fault
// heals, and the schedule waits (in simulated time) until every replica
// agrees or a limit passes, and checks what must hold (checker.h).
#ifndef ALDER_TEST_SIMULATION_SCHEDULE_H_
#define ALDER_TEST_SIMULATION_SCHEDULE_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "test/simulation/sim_settings.h"

namespace alder::sim {

struct ScheduleOptions {
  uint64_t seed = 1;
  uint32_t nodes = 3;
  std::FILE* trace_to = nullptr;  // print every event of the trace there
};

struct ScheduleResult {
  std::vector<std::string> violations;
  uint64_t trace_hash = 0;
  uint64_t trace_lines = 0;
  uint64_t steps = 0;
  uint64_t operations = 0;
  uint64_t acknowledged = 0;
  uint64_t faults = 0;
  double simulated_seconds = 0;
};

ScheduleResult RunSchedule(const ScheduleOptions& options);

// The settings a schedule runs with (`nodes` nodes, replication factor 3 or
// fewer).
SimSettings SettingsFor(uint32_t nodes);

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_SCHEDULE_H_
