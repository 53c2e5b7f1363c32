// Workload: the clients of a schedule. Each client is a fiber that sends one
// request at a time to a random running node, as an application with a
// connection pool would: puts of unique keys (a set), and puts, removes and
// gets of a few keys (registers, overwritten and deleted), some with a TTL,
// at random consistency levels. Every operation goes into the History.
#ifndef ALDER_TEST_SIMULATION_WORKLOAD_H_
#define ALDER_TEST_SIMULATION_WORKLOAD_H_

#include <memory>
#include <vector>

#include "test/simulation/history.h"
#include "test/simulation/scheduler.h"
#include "test/simulation/sim_node.h"

namespace alder::sim {

struct WorkloadOptions {
  int clients = 3;
  SimTime until{0};  // no request starts after this
  int register_keys = 4;
  SimTime think_max{20'000};  // pause between a client's requests
};

class Workload {
 public:
  Workload(Scheduler* scheduler, std::vector<std::unique_ptr<SimNode>>* nodes,
           WorkloadOptions options, History* history);
  // Spawns the clients.
  void Start();

 private:
  void RunClient(int client);
  Op NextOp(int client);
  // Runs `op` on `node` in a fiber of the node; fills in its outcome.
  void Execute(SimNode* node, Op* op);

  Scheduler* const scheduler_;
  std::vector<std::unique_ptr<SimNode>>* const nodes_;
  const WorkloadOptions options_;
  History* const history_;
  uint64_t next_unique_ = 0;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_WORKLOAD_H_
