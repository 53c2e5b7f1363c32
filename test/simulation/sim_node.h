// SimNode: one Alder node in the simulation, assembled from the same parts,
// in the same order, as alderd's (server/node.cc): the storage model on its
// simulated disk, the HLC on its simulated wall clock, membership,
// coordinator, hints, the tree exchange and tombstone GC, on the simulated
// network and the simulation's runner. Only the Thrift edge is left out:
// requests reach the coordinator and the services directly.
//
// Start() and Crash() run in a fiber (storage may wait on a simulated
// sync). A crash stops the node at once as kill -9 would: its network
// endpoint goes, every fiber of it ends at its next wait, and its disk
// keeps only what a real one would.
#ifndef ALDER_TEST_SIMULATION_SIM_NODE_H_
#define ALDER_TEST_SIMULATION_SIM_NODE_H_

#include <atomic>
#include <memory>
#include <string>

#include "server/cluster/coordinator.h"
#include "test/simulation/model_disk.h"
#include "test/simulation/scheduler.h"
#include "test/simulation/sim_clock.h"
#include "test/simulation/sim_network.h"
#include "test/simulation/sim_settings.h"

namespace alder::sim {

class SimNode {
 public:
  SimNode(uint32_t id, const SimSettings* settings, Scheduler* scheduler, SimNetwork* network);
  ~SimNode();
  SimNode(const SimNode&) = delete;
  SimNode& operator=(const SimNode&) = delete;

  uint32_t id() const { return id_; }
  bool up() const { return parts_ != nullptr; }
  // Up, and past its first round of heartbeats: clients may call it.
  bool serving() const { return serving_; }
  // Builds and starts the node on what its disk holds. Returns why it could
  // not, or "".
  std::string Start();
  // Kills the node; `random_bits` choose what its disk loses.
  void Crash(uint64_t random_bits);
  // REQUIRES: up().
  Coordinator& coordinator();
  // What this node's storage holds for `key` (REQUIRES: up()).
  std::optional<StoredRecord> Stored(std::string_view key);
  const ModelDisk& disk() const { return disk_; }
  ModelDisk& disk() { return disk_; }
  SimWallClock& wall() { return wall_; }
  bool syncing() const;
  uint64_t incarnation() const { return incarnation_; }

 private:
  struct Parts;
  void WaitForFibersToEnd();
  void AwaitFirstHeartbeats(const Parts* parts);

  const uint32_t id_;
  const SimSettings* const settings_;
  Scheduler* const scheduler_;
  SimNetwork* const network_;
  ModelDisk disk_;
  SimWallClock wall_;
  SimMonotonicClock monotonic_;
  std::unique_ptr<Parts> parts_;
  uint64_t incarnation_ = 0;
  bool serving_ = false;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_SIM_NODE_H_
