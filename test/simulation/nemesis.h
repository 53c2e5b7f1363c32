// Nemesis: the faults of a schedule, from its start until `until`: node
// crashes (kill -9, the disk keeping only what was durable) and restarts
// after a random time, sometimes longer than gc_grace; partitions of any
// shape (sets of links cut one way or both); lost and duplicated messages;
// clocks skewed within max_clock_offset and jumped beyond it, forward and
// back, beyond it on a minority of nodes at a time (with most clocks wrong
// together no node can tell: clock fencing's fault model, server/cluster/
// membership.h). Heal() ends them all: every node up, every link whole, every clock
// near true time.
#ifndef ALDER_TEST_SIMULATION_NEMESIS_H_
#define ALDER_TEST_SIMULATION_NEMESIS_H_

#include <memory>
#include <set>
#include <vector>

#include "test/simulation/scheduler.h"
#include "test/simulation/sim_network.h"
#include "test/simulation/sim_node.h"
#include "test/simulation/sim_settings.h"

namespace alder::sim {

class Nemesis {
 public:
  Nemesis(Scheduler* scheduler, SimNetwork* network, std::vector<std::unique_ptr<SimNode>>* nodes,
          const SimSettings* settings);
  // Spawns the fault loop, which runs until `until`.
  void Start(SimTime until);
  // From a fiber: ends every fault; returns once every node is up again.
  void Heal();
  uint64_t faults() const { return faults_; }

 private:
  void Loop(SimTime until);
  void Act();
  // Crashes `node`, keeps it down a while, restarts it (a fiber of its own).
  void CrashAndRestart(SimNode* node, SimTime down_for);
  void Restart(SimNode* node);
  void Partition();
  void SkewClock();
  void Trace(const std::string& what);

  Scheduler* const scheduler_;
  SimNetwork* const network_;
  std::vector<std::unique_ptr<SimNode>>* const nodes_;
  const SimSettings* const settings_;
  std::set<uint32_t> cycling_;  // nodes in a crash-restart cycle
  bool healing_ = false;
  uint64_t faults_ = 0;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_NEMESIS_H_
