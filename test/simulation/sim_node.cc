// The parts are built in alderd's order (server/node.cc), and declared in it
// so that each is destroyed before what it uses. Two differences, both of
// time: background loops run on the SimRunner, and membership skips its
// first synchronous round of heartbeats (HeartbeatAllNow waits on real
// threads); the first periodic round comes within a heartbeat interval.
#include "test/simulation/sim_node.h"

#include <set>
#include <vector>

#include "antientropy/absence_tracker.h"
#include "antientropy/exchange_service.h"
#include "antientropy/rate_limiter.h"
#include "antientropy/repair_scheduler.h"
#include "antientropy/tombstone_gc.h"
#include "antientropy/tree_exchange.h"
#include "antientropy/tree_set.h"
#include "clock/cluster_clock.h"
#include "clock/hlc.h"
#include "server/cluster/cluster_map.h"
#include "server/cluster/hint_deliverer.h"
#include "server/cluster/membership.h"
#include "server/cluster/replica_service.h"
#include "server/cluster/replicas.h"
#include "server/storage/node_metadata.h"
#include "test/simulation/model_hint_store.h"
#include "test/simulation/model_storage.h"
#include "test/simulation/sim_executor.h"
#include "test/simulation/sim_runner.h"
#include "test/simulation/sim_transport.h"

namespace alder::sim {

struct SimNode::Parts {
  Parts(SimNode* node, const SimSettings& s)
      : runner(node->scheduler_, node->id_),
        executor(node->scheduler_, node->id_),
        cluster_clock(&node->wall_, &node->monotonic_),
        storage(&node->disk_, &cluster_clock),
        ceiling(&storage),
        hlc(&cluster_clock, clock::HlcOptions{.max_offset = s.max_clock_offset}, &ceiling),
        hints(&node->disk_, &cluster_clock),
        absence(&storage, &cluster_clock, s.alive_record_interval, &runner) {}

  SimRunner runner;
  SimExecutor executor;
  clock::ClusterClock cluster_clock;
  ModelStorage storage;
  StorageCeilingStore ceiling;
  clock::HybridLogicalClock hlc;
  ModelHintStore hints;
  AbsenceTracker absence;
  std::atomic<bool> syncing{false};
  std::unique_ptr<ClusterMap> map;
  std::unique_ptr<TreeSet> trees;
  std::unique_ptr<SimTransport> transport;
  std::unique_ptr<Replicas> replicas;
  std::unique_ptr<Membership> membership;
  std::unique_ptr<ReplicaService> replica_service;
  std::unique_ptr<ExchangeService> exchange_service;
  std::unique_ptr<Coordinator> coordinator;
  std::unique_ptr<HintDeliverer> deliverer;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<TreeExchange> exchange;
  std::unique_ptr<RepairScheduler> scheduler;
  std::unique_ptr<ExchangeGuard> guard;
  std::unique_ptr<TombstoneCollector> gc;
};

namespace {

std::vector<uint32_t> NodeIds(uint32_t nodes) {
  std::vector<uint32_t> ids;
  for (uint32_t id = 1; id <= nodes; ++id) ids.push_back(id);
  return ids;
}

std::vector<Peer> PeersOf(uint32_t nodes) {
  std::vector<Peer> peers;
  for (uint32_t id : NodeIds(nodes)) {
    peers.push_back(Peer{id, HostPort{"10.0.0." + std::to_string(id), 7001}});
  }
  return peers;
}

}  // namespace

SimNode::SimNode(uint32_t id, const SimSettings* settings, Scheduler* scheduler,
                 SimNetwork* network)
    : id_(id),
      settings_(settings),
      scheduler_(scheduler),
      network_(network),
      disk_("node " + std::to_string(id)),
      wall_(scheduler),
      monotonic_(scheduler) {}

SimNode::~SimNode() = default;

std::string SimNode::Start() {
  const SimSettings& s = *settings_;
  auto p = std::make_unique<Parts>(this, s);
  if (Status st = CheckOrRecordIdentity(&p->storage, id_, s.partitions, s.cluster_name); !st.ok()) {
    return st.ToString();
  }
  std::vector<Member> members;
  for (const Peer& peer : PeersOf(s.nodes)) {
    members.push_back({peer.node_id, peer.internode.ToString(), MemberState::kNormal});
  }
  auto view = ClusterView::Create(
      ClusterView::Founding(std::move(members), "sim", s.partitions, s.replication_factor));
  if (!view.ok()) return view.status().ToString();
  p->map = std::make_unique<ClusterMap>(std::move(view).value(), nullptr);
  p->trees =
      std::make_unique<TreeSet>(s.partitions, s.tree_shape, p->map->Current()->PartitionsOf(id_));
  if (auto built = p->trees->RebuildFromIndex(&p->storage); !built.ok()) {
    return built.status().ToString();
  }
  p->storage.SetIndexObserver([trees = p->trees.get()](uint64_t hash, const VersionDigest* before,
                                                       const VersionDigest* after) {
    trees->OnIndexChange(hash, before, after);
  });
  auto away = p->absence.TimeAway();
  if (!away.ok()) return away.status().ToString();
  p->syncing = s.nodes > 1 && away.value() && *away.value() > s.gc_grace;

  const ClusterIdentity identity{id_, s.cluster_name, s.partitions,
                                 "10.0.0." + std::to_string(id_) + ":7000"};
  std::set<uint32_t> peer_ids;
  for (uint32_t other : NodeIds(s.nodes)) {
    if (other != id_) peer_ids.insert(other);
  }
  p->transport = std::make_unique<SimTransport>(
      scheduler_, network_, id_, MakeHeaderSource(identity, &p->hlc, &wall_), s.request_timeout);
  p->replicas = std::make_unique<Replicas>(identity, p->transport.get(), &p->storage);
  p->membership = std::make_unique<Membership>(
      id_, PeersOf(s.nodes), p->transport.get(), &p->hlc, &p->cluster_clock,
      MembershipOptions{s.heartbeat_interval, s.failure_timeout, s.max_clock_offset}, &p->runner);
  p->replica_service =
      std::make_unique<ReplicaService>(identity, peer_ids, &p->hlc, &wall_, p->membership.get(),
                                       &p->storage, s.gc_grace, &p->syncing);
  p->exchange_service = std::make_unique<ExchangeService>(p->replica_service.get(), p->trees.get());
  p->coordinator = std::make_unique<Coordinator>(
      p->map.get(), &p->hlc, p->replicas.get(), p->membership.get(), &p->hints,
      CoordinatorOptions{.request_timeout = s.request_timeout,
                         .hint_window = s.hint_window,
                         .syncing = &p->syncing,
                         .repair_executor = &p->executor});
  const std::vector<uint32_t> targets(peer_ids.begin(), peer_ids.end());
  p->deliverer = std::make_unique<HintDeliverer>(
      targets, &p->hints, p->replicas.get(), p->membership.get(),
      HintDeliveryOptions{.hint_window = s.hint_window, .replay_rate = s.hint_replay_rate},
      &p->runner);
  p->limiter = std::make_unique<RateLimiter>(0);
  p->exchange = std::make_unique<TreeExchange>(&p->storage, p->trees.get(), p->transport.get(),
                                               &p->cluster_clock, s.gc_grace, p->limiter.get());
  p->scheduler = std::make_unique<RepairScheduler>(
      id_, p->map.get(), p->trees.get(), p->exchange.get(), p->membership.get(), &p->cluster_clock,
      s.anti_entropy_interval, &p->syncing, &p->runner);
  p->guard = std::make_unique<ExchangeGuard>(id_, p->map.get(), p->scheduler.get());
  p->gc = std::make_unique<TombstoneCollector>(
      &p->storage, &p->cluster_clock, p->guard.get(),
      TombstoneGcOptions{.gc_grace = s.gc_grace, .interval = s.gc_interval}, &p->runner);

  network_->Attach(id_, Endpoint{p->replica_service.get(), p->exchange_service.get()});
  p->absence.Start();
  p->membership->Start();
  p->deliverer->Start();
  p->scheduler->Start();
  p->gc->Start();
  Parts* started = p.get();
  parts_ = std::move(p);
  ++incarnation_;
  AwaitFirstHeartbeats(started);
  serving_ = parts_.get() == started;
  return "";
}

// As alderd's HeartbeatAllNow: before it serves, a node knows who is up and
// whether its clock is in step, or failure_timeout has passed.
void SimNode::AwaitFirstHeartbeats(const Parts* parts) {
  const SimTime until = scheduler_->Now() + SimTime(settings_->failure_timeout);
  while (parts_.get() == parts && scheduler_->Now() < until) {
    bool all_up = true;
    for (uint32_t other = 1; other <= settings_->nodes; ++other) {
      all_up = all_up && parts->membership->IsUp(other);
    }
    if (all_up) return;
    scheduler_->SleepFor(std::chrono::milliseconds(5));
  }
}

void SimNode::WaitForFibersToEnd() {
  while (scheduler_->live_fibers(id_) > 0) {
    scheduler_->WakeAll(id_);
    scheduler_->SleepFor(std::chrono::milliseconds(1));
  }
}

void SimNode::Crash(uint64_t random_bits) {
  if (!parts_) return;
  serving_ = false;
  network_->Detach(id_);
  parts_->runner.Halt();
  parts_->executor.Halt();
  WaitForFibersToEnd();
  parts_->transport->Abandon();
  WaitForFibersToEnd();
  parts_.reset();
  disk_.Crash(random_bits);
}

Coordinator& SimNode::coordinator() { return *parts_->coordinator; }

std::optional<StoredRecord> SimNode::Stored(std::string_view key) {
  auto read = parts_->storage.Read(key);
  return read.ok() ? read.value() : std::nullopt;
}

bool SimNode::syncing() const { return parts_ && parts_->syncing.load(); }

}  // namespace alder::sim
