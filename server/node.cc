// Building a node is a dependency order: storage, then what keeps state in
// it (the clock's ceiling, hints, trees), then replication, which everything
// after it calls, anti-entropy, GC, and the client API last. Nothing starts
// until everything is built, and the client API starts last, so a request
// never finds a part missing; shutdown stops the API first for the same
// reason. The limits alderd puts on itself beyond its settings are named
// below.
#include "server/node.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "server/cluster_status.h"
#include "server/common/duration.h"
#include "server/common/fault_injection.h"
#include "server/node_metrics.h"
#include "server/rpc/api_handler.h"
#include "server/rpc/authenticated_internode_handler.h"
#include "server/rpc/authorized_api_handler.h"

namespace alder {
namespace {

// Idle connections kept to each peer; a peer serves as many from each node.
constexpr size_t kInternodeConnectionsPerPeer = 64;
// Internode connections this node accepts from each peer, at most.
constexpr size_t kInternodeConnectionsAcceptedPerPeer = 4 * kInternodeConnectionsPerPeer;
// WiredTiger sessions, one per thread that touches storage: those serving
// client connections, those serving each peer's internode connections, and
// replica-call and background threads.
constexpr size_t kStorageSessionsPerPeer = 2 * kInternodeConnectionsPerPeer;
constexpr int kStorageSessionsForOtherThreads = 128;
// An internode frame carries a maximal write, or a batch of hints
// (HintDeliveryOptions::max_batch_bytes): this much room beyond the write.
constexpr uint32_t kInternodeFrameHeadroomBytes = 8u << 20;
// A connect to a peer waits this long at most, request_timeout if shorter.
constexpr std::chrono::milliseconds kMaxConnectTimeout{1000};
// Bounds on how often the absence tracker records that this node is alive.
constexpr std::chrono::milliseconds kMinAliveRecordInterval{100};
constexpr std::chrono::milliseconds kMaxAliveRecordInterval = std::chrono::seconds(10);

StorageOptions StorageOptionsFor(const NodeConfig& config) {
  StorageOptions options;
  options.data_dir = config.data_dir;
  options.durability = config.durability;
  options.cache_size_bytes = config.cache_size_bytes;
  options.checkpoint_interval =
      std::chrono::duration_cast<std::chrono::seconds>(config.checkpoint_interval);
  options.max_sessions =
      static_cast<int>(config.max_connections + kStorageSessionsPerPeer * config.peers.size()) +
      kStorageSessionsForOtherThreads;
  return options;
}

uint32_t InternodeFrameBytes(const NodeConfig& config) {
  return MaxFrameBytesFor(config.max_key_bytes, config.max_value_bytes) +
         kInternodeFrameHeadroomBytes;
}

PeerConnectionOptions PeerConnectionOptionsFor(const NodeConfig& config, const NodeTls& tls) {
  return PeerConnectionOptions{
      .connect_timeout = std::min(config.request_timeout, kMaxConnectTimeout),
      .timeout = config.request_timeout,
      .max_frame_bytes = InternodeFrameBytes(config),
      .max_idle = kInternodeConnectionsPerPeer,
      .max_in_flight = kInternodeConnectionsPerPeer,
      .tls = tls.internode_client()};
}

clock::HlcOptions HlcOptionsFor(const NodeConfig& config) {
  clock::HlcOptions options;
  options.max_offset = config.max_clock_offset;
  return options;
}

// Every quarter of gc_grace, so that the time away it measures errs by a
// quarter of gc_grace at most; within kMin/kMaxAliveRecordInterval.
std::chrono::milliseconds AliveRecordInterval(const NodeConfig& config) {
  return std::clamp<std::chrono::milliseconds>(config.gc_grace / 4, kMinAliveRecordInterval,
                                               kMaxAliveRecordInterval);
}

}  // namespace

std::string OpenNodeStorage(const NodeConfig& config, const clock::PhysicalClock* clock,
                            NodeStorage* out) {
  auto lock = DataDirLock::Acquire(config.data_dir);
  if (!lock.ok()) return lock.status().message();
  out->lock = std::move(lock).value();
  auto storage = WtStorage::Open(StorageOptionsFor(config), clock);
  if (!storage.ok()) return storage.status().ToString();
  out->storage = std::move(storage).value();
  if (Status s = CheckOrRecordIdentity(out->storage.get(), config.node_id, config.partitions,
                                       config.cluster_name);
      !s.ok()) {
    return s.message();
  }
  return "";
}

Node::Node(const NodeConfig& config, Clocks* clocks, WtStorage* storage)
    : config_(config),
      clocks_(*clocks),
      storage_(storage),
      ceiling_(storage),
      hlc_(&clocks->cluster, HlcOptionsFor(config), &ceiling_),
      absence_(storage, &clocks->cluster, AliveRecordInterval(config)) {}

Node::~Node() = default;

Result<std::unique_ptr<ClusterMap>> FoundingClusterMap(const NodeConfig& config) {
  std::vector<Member> members;
  for (const Peer& peer : config.peers) {
    members.push_back({peer.node_id, peer.internode.ToString(), MemberState::kNormal});
  }
  auto view = ClusterView::Create(ClusterView::Founding(
      std::move(members), config.cluster_name, config.partitions, config.replication_factor));
  if (!view.ok()) return view.status();
  return std::make_unique<ClusterMap>(std::move(view).value(), nullptr);
}

std::string Node::OpenLocalParts() {
  auto tls = NodeTls::Build(config_);
  if (!tls.ok()) return tls.status().message();
  tls_ = std::move(tls).value();
  auto hints = WtHintStore::Open(storage_, &clocks_.cluster);
  if (!hints.ok()) return hints.status().ToString();
  hints_ = std::move(hints).value();
  // The cluster state is not yet persisted: every start founds it again
  // from `peers` (join and decommission will change that).
  auto map = FoundingClusterMap(config_);
  if (!map.ok()) return map.status().message();
  cluster_map_ = std::move(map).value();
  if (std::string why = BuildTrees(); !why.empty()) return why;
  return CheckTimeAway();
}

// Merkle trees of the partitions this node replicates, rebuilt from the
// digest index and then kept current by every write.
std::string Node::BuildTrees() {
  const TreeShape shape{config_.tree_fanout, config_.tree_depth};
  if (std::string why = CheckTreeShape(shape); !why.empty()) return why;
  const std::vector<uint32_t> owned = config_.maintain_trees
                                          ? cluster_map_->Current()->PartitionsOf(config_.node_id)
                                          : std::vector<uint32_t>();
  trees_ = std::make_unique<TreeSet>(config_.partitions, shape, owned);
  if (!config_.maintain_trees) return "";
  const auto started = std::chrono::steady_clock::now();
  auto entries = trees_->RebuildFromIndex(storage_);
  if (!entries.ok()) return "cannot build Merkle trees: " + entries.status().ToString();
  storage_->SetIndexObserver([trees = trees_.get()](uint64_t hash, const VersionDigest* before,
                                                    const VersionDigest* after) {
    trees->OnIndexChange(hash, before, after);
  });
  spdlog::info("built Merkle trees of {} partitions from {} index entries in {} ms ({} KiB)",
               owned.size(), entries.value(),
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count(),
               trees_->MemoryBytes() / 1024);
  return "";
}

// A node away for longer than gc_grace syncs before it serves its data.
std::string Node::CheckTimeAway() {
  auto away = absence_.TimeAway();
  if (!away.ok()) return away.status().ToString();
  syncing_ = config_.maintain_trees && config_.peers.size() > 1 && away.value() &&
             *away.value() > config_.gc_grace;
  if (syncing_) {
    spdlog::warn(
        "this node was away for {}, longer than gc_grace ({}): it syncs with its "
        "peers before it serves its data",
        FormatDuration(*away.value()), FormatDuration(config_.gc_grace));
  }
  return "";
}

void Node::BuildClusterParts() {
  started_ms_ = clocks_.cluster.NowMs();
  for (const Peer& peer : config_.peers) {
    if (peer.node_id != config_.node_id) peer_ids_.insert(peer.node_id);
  }
  targets_.assign(peer_ids_.begin(), peer_ids_.end());
  BuildReplication();
  BuildAntiEntropy();
  // Tombstones and expired records are purged after gc_grace once every
  // other replica has exchanged with this node since they were stored.
  // Without trees no exchange ever happens, so only keys this node alone
  // replicates are purged.
  guard_ = std::make_unique<ExchangeGuard>(config_.node_id, cluster_map_.get(), scheduler_.get());
  gc_ = std::make_unique<TombstoneCollector>(
      storage_, &clocks_.cluster, guard_.get(),
      TombstoneGcOptions{.gc_grace = config_.gc_grace, .interval = config_.gc_interval});
  BuildClientApi();
}

// Connections to the peers, membership, the internode server, the
// coordinator and hint delivery.
void Node::BuildReplication() {
  const ClusterIdentity identity{config_.node_id, config_.cluster_name, config_.partitions,
                                 config_.listen.ToString()};
  transport_ = std::make_unique<ThriftTransport>(config_.node_id, config_.peers,
                                                 PeerConnectionOptionsFor(config_, *tls_),
                                                 MakeHeaderSource(identity, &hlc_, &clocks_.wall));
  replicas_ = std::make_unique<Replicas>(identity, transport_.get(), storage_);
  membership_ = std::make_unique<Membership>(
      config_.node_id, config_.peers, transport_.get(), &hlc_, &clocks_.cluster,
      MembershipOptions{config_.heartbeat_interval, config_.failure_timeout,
                        config_.max_clock_offset});
  replica_service_ =
      std::make_unique<ReplicaService>(identity, peer_ids_, &hlc_, &clocks_.wall, membership_.get(),
                                       storage_, config_.gc_grace, &syncing_);
  exchange_service_ = std::make_unique<ExchangeService>(replica_service_.get(), trees_.get());
  internode_handler_ = std::make_shared<InternodeHandler>(replica_service_.get(),
                                                          exchange_service_.get(), &metrics_);
  internode_ = std::make_unique<ThriftServer>(
      ThriftServerOptions{
          "internode", config_.internode_listen,
          static_cast<uint32_t>(kInternodeConnectionsAcceptedPerPeer * peer_ids_.size()),
          config_.client_idle_timeout, InternodeFrameBytes(config_), tls_->internode_server()},
      std::make_shared<internode::InternodeProcessorFactory>(
          std::make_shared<InternodeHandlerFactory>(internode_handler_,
                                                    tls_->refusals_on(TlsListener::kInternode))));
  coordinator_ = std::make_unique<Coordinator>(
      cluster_map_.get(), &hlc_, replicas_.get(), membership_.get(), hints_.get(),
      CoordinatorOptions{.request_timeout = config_.request_timeout,
                         .hint_window = config_.hint_window,
                         .syncing = &syncing_});
  deliverer_ =
      std::make_unique<HintDeliverer>(targets_, hints_.get(), replicas_.get(), membership_.get(),
                                      HintDeliveryOptions{.hint_window = config_.hint_window,
                                                          .replay_rate = config_.hint_replay_rate});
}

// Tree exchanges, the repair scheduler and the admin calls over them.
void Node::BuildAntiEntropy() {
  repair_limiter_ = std::make_unique<RateLimiter>(config_.repair_rate_bytes);
  exchange_ =
      std::make_unique<TreeExchange>(storage_, trees_.get(), transport_.get(), &clocks_.cluster,
                                     config_.gc_grace, repair_limiter_.get());
  scheduler_ = std::make_unique<RepairScheduler>(
      config_.node_id, cluster_map_.get(), trees_.get(), exchange_.get(), membership_.get(),
      &clocks_.cluster, config_.anti_entropy_interval, &syncing_);
  admin_ = std::make_unique<AntiEntropyAdmin>(config_.node_id, cluster_map_.get(), trees_.get(),
                                              exchange_.get(), scheduler_.get(), storage_);
}

void Node::BuildClientApi() {
  AntiEntropyAdmin* admin = admin_.get();
  auto handler = std::make_shared<ApiHandler>(
      coordinator_.get(), RequestLimits{config_.max_key_bytes, config_.max_value_bytes},
      [this] { return DescribeNode(); },
      ApiHandler::AdminHooks{[admin](const api::RepairRequest& r) { return admin->Repair(r); },
                             [admin](const api::CompareRequest& r) { return admin->Compare(r); },
                             [admin] { return admin->VerifyTrees(); }},
      &metrics_);
  api_ = std::make_unique<ThriftServer>(
      ThriftServerOptions{
          "clients", config_.listen, config_.max_connections, config_.client_idle_timeout,
          MaxFrameBytesFor(config_.max_key_bytes, config_.max_value_bytes), tls_->client_port()},
      std::make_shared<api::AlderProcessorFactory>(std::make_shared<ApiHandlerFactory>(
          handler, tls_->permissions(), tls_->refusals_on(TlsListener::kClients))));
  tls_->AddMetrics(&metrics_);
  AddNodeMetrics(&metrics_,
                 NodeParts{membership_.get(), &hlc_, &clocks_.cluster, coordinator_.get(),
                           hints_.get(), deliverer_.get(), storage_, replica_service_.get(),
                           scheduler_.get(), gc_.get(), api_.get(), targets_, started_ms_});
}

// What `alder status` shows of this node.
api::ClusterStatus Node::DescribeNode() const {
  api::ClusterStatus status =
      DescribeCluster(config_, cluster_map_->Current()->old_ring(), *membership_, metrics_);
  if (config_.maintain_trees) {
    admin_->DescribeInto(&status, clocks_.cluster.NowMs(), storage_->stats().purges,
                         syncing_.load());
  }
  return status;
}

std::string Node::StartBackgroundLoops() {
  absence_.Start();
  // A one-node cluster has nobody to talk to: it does not open the port.
  if (!peer_ids_.empty()) {
    if (Status s = internode_->Start(); !s.ok()) return s.message();
    // Know who is up, and whether our clock is in step, before serving.
    membership_->HeartbeatAllNow();
    membership_->Start();
  }
  deliverer_->Start();
  if (config_.maintain_trees && !peer_ids_.empty()) scheduler_->Start();
  gc_->Start();
  return "";
}

std::string Node::Serve() {
  if (config_.metrics_listen) {
    auto started = MetricsEndpoint::Start(*config_.metrics_listen, metrics_);
    if (!started.ok()) return started.status().message();
    metrics_endpoint_ = std::move(started).value();
  }
  if (Status s = api_->Start(); !s.ok()) return s.message();
  LogServing();
  if (const int64_t n = InjectedReplicaWriteFailuresLeft(); n > 0) {
    spdlog::warn("test seam {}: the next {} replica writes this node receives fail",
                 kReplicaWriteFailuresVariable, n);
  }
  return "";
}

void Node::LogServing() const {
  spdlog::info(
      "node {} serving clients on {} (data in {}, durability {}, gc_grace {}, "
      "hint_window {}, partitions {}, replication_factor {}, {} nodes{}{})",
      config_.node_id, config_.listen.ToString(), config_.data_dir,
      DurabilityName(config_.durability), FormatDuration(config_.gc_grace),
      FormatDuration(config_.hint_window), config_.partitions, config_.replication_factor,
      config_.peers.size(),
      peer_ids_.empty() ? "" : ", internode on " + config_.internode_listen.ToString(),
      config_.metrics_listen
          ? ", metrics on http://" + config_.metrics_listen->ToString() + "/metrics"
          : "");
}

Status Node::ReloadTls() {
  if (!config_.tls.any()) {
    spdlog::info("SIGHUP: no TLS configured, nothing to reload");
    return Status::Ok();
  }
  Status s = tls_->Reload();
  if (s.ok()) {
    spdlog::info("reloaded TLS certificates: new connections use them");
  } else {
    spdlog::error("kept the TLS certificates in use: the new ones are refused: {}", s.message());
  }
  return s;
}

void Node::Shutdown() {
  metrics_endpoint_.reset();  // scrapes read the parts stopped below
  api_->Stop();
  scheduler_->Stop();
  deliverer_->Stop();
  membership_->Stop();
  internode_->Stop();
  gc_->Stop();
  absence_.Stop();
  LogServed();
}

void Node::LogServed() const {
  const CoordinatorStats requests = coordinator_->stats();
  const StorageStats written = storage_->stats();
  spdlog::info(
      "served {} puts, {} removes, {} gets ({} not found), {} failed; {} hints "
      "stored, {} read repairs, {} speculative reads; {} writes in {} log flushes",
      requests.puts, requests.removes, requests.gets, requests.get_misses, requests.failures,
      requests.hints_stored, requests.read_repairs, requests.speculative_reads,
      written.commits_flushed, written.log_flushes);
}

}  // namespace alder
