// The settings every simulated node runs with: alderd's parts, with time
// scaled down so that a schedule of a few simulated seconds sees heartbeats
// fail, hints replay, trees exchange and tombstones purged.
#ifndef ALDER_TEST_SIMULATION_SIM_SETTINGS_H_
#define ALDER_TEST_SIMULATION_SIM_SETTINGS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "antientropy/merkle_tree.h"

namespace alder::sim {

using std::chrono::milliseconds;

struct SimSettings {
  uint32_t nodes = 3;
  uint32_t replication_factor = 3;
  uint32_t partitions = 16;
  TreeShape tree_shape{4, 2};
  std::string cluster_name = "sim";
  milliseconds request_timeout{200};
  milliseconds heartbeat_interval{100};
  milliseconds failure_timeout{500};
  milliseconds max_clock_offset{500};
  // alderd refuses hint_window + request_timeout >= gc_grace (a hint replayed
  // after its tombstone was purged would bring the value back): kept here.
  milliseconds hint_window{3000};
  uint32_t hint_replay_rate = 0;  // unlimited
  milliseconds anti_entropy_interval{700};
  milliseconds gc_grace{4000};
  milliseconds gc_interval{500};
  milliseconds alive_record_interval{1000};  // gc_grace / 4, as alderd's
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_SIM_SETTINGS_H_
