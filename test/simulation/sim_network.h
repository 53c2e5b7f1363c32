// SimNetwork: the links between simulated nodes. Each message takes a random
// delay (so messages reorder), may be dropped or, for replica writes,
// delivered twice; a link may be cut in one direction (partitions of any
// shape are sets of cut links). A node that is down has no endpoint: calls
// to it fail fast as a refused connection does.
//
// Not thread-safe: it lives on the scheduler's thread.
#ifndef ALDER_TEST_SIMULATION_SIM_NETWORK_H_
#define ALDER_TEST_SIMULATION_SIM_NETWORK_H_

#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "antientropy/exchange_service.h"
#include "server/cluster/replica_service.h"
#include "test/simulation/scheduler.h"

namespace alder::sim {

// The receiving side of a running node.
struct Endpoint {
  ReplicaService* replicas = nullptr;
  ExchangeService* exchange = nullptr;
};

struct NetworkFaults {
  double drop = 0;       // chance that a message is lost
  double duplicate = 0;  // chance that a replica write arrives twice
};

class SimNetwork {
 public:
  explicit SimNetwork(Scheduler* scheduler) : scheduler_(scheduler) {}

  // A node is up while it has an endpoint.
  void Attach(uint32_t node, Endpoint endpoint) { endpoints_[node] = endpoint; }
  void Detach(uint32_t node) { endpoints_.erase(node); }
  bool Up(uint32_t node) const { return endpoints_.contains(node); }
  // REQUIRES: Up(node).
  const Endpoint& endpoint(uint32_t node) const { return endpoints_.at(node); }

  void Cut(uint32_t from, uint32_t to) { cut_.insert({from, to}); }
  void HealAll() { cut_.clear(); }
  bool Linked(uint32_t from, uint32_t to) const { return !cut_.contains({from, to}); }

  void set_faults(NetworkFaults faults) { faults_ = faults; }
  // One message's time on the wire.
  SimTime Delay() { return scheduler_->random().Between(SimTime(50), SimTime(3000)); }
  bool Dropped() { return faults_.drop > 0 && scheduler_->random().Chance(faults_.drop); }
  bool Duplicated() {
    return faults_.duplicate > 0 && scheduler_->random().Chance(faults_.duplicate);
  }

 private:
  Scheduler* const scheduler_;
  std::map<uint32_t, Endpoint> endpoints_;
  std::set<std::pair<uint32_t, uint32_t>> cut_;
  NetworkFaults faults_;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_SIM_NETWORK_H_
