// alderd: one Alder node. Parses the configuration, opens storage, checks the
// data directory's identity, starts the clock, the tombstone collector and
// the client API, then waits for SIGTERM or SIGINT and shuts down in reverse:
// stop accepting and finish requests in flight, stop GC, close WiredTiger.
#include <malloc.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <thrift/TOutput.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "antientropy/absence_tracker.h"
#include "antientropy/admin_api.h"
#include "antientropy/rate_limiter.h"
#include "antientropy/repair_scheduler.h"
#include "antientropy/tombstone_gc.h"
#include "antientropy/tree_exchange.h"
#include "antientropy/tree_set.h"
#include "clock/cluster_clock.h"
#include "clock/hlc.h"
#include "server/api_handler.h"
#include "server/cluster_status.h"
#include "server/config.h"
#include "server/coordinator.h"
#include "server/data_dir_lock.h"
#include "server/duration.h"
#include "server/fault_injection.h"
#include "server/hint_deliverer.h"
#include "server/hint_store.h"
#include "server/internode_handler.h"
#include "server/log_setup.h"
#include "server/membership.h"
#include "server/metrics.h"
#include "server/metrics_endpoint.h"
#include "server/node_metadata.h"
#include "server/node_metrics.h"
#include "server/replicas.h"
#include "server/ring.h"
#include "server/storage.h"
#include "server/thrift_server.h"

namespace {

using namespace alder;  // NOLINT: main's own translation unit

// Idle connections kept to each peer; a peer serves as many from each node.
constexpr size_t kInternodeConnectionsPerPeer = 64;

// Thrift's own messages. Failed connects to a peer that is down repeat with
// every heartbeat and are reported by Membership already: keep them at debug.
void LogThriftMessage(const char* message) {
  const bool failed_connect = std::strstr(message, "TSocket::open()") != nullptr;
  spdlog::log(failed_connect ? spdlog::level::debug : spdlog::level::warn, "thrift: {}", message);
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "alderd: %s\n", message.c_str());
  return 1;
}

int Run(const NodeConfig& config) {
  // Signals are taken synchronously by sigwait below; block them before any
  // thread starts so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that vanished is an error on its socket only
  apache::thrift::GlobalOutput.setOutputFunction(LogThriftMessage);

  // Every part of the node keeps time by the cluster's clock: this machine's
  // wall clock held to the median of the cluster's (clock/cluster_clock.h).
  clock::SystemClock wall_clock;
  clock::SteadyClock steady_clock;
  clock::ClusterClock cluster_clock(&wall_clock, &steady_clock);
  StorageOptions storage_options;
  storage_options.data_dir = config.data_dir;
  storage_options.durability = config.durability;
  storage_options.cache_size_bytes = config.cache_size_bytes;
  storage_options.checkpoint_interval =
      std::chrono::duration_cast<std::chrono::seconds>(config.checkpoint_interval);
  // Client connections, internode connections from every peer, replica-call
  // and background threads.
  storage_options.max_sessions =
      static_cast<int>(config.max_connections +
                       2 * kInternodeConnectionsPerPeer * config.peers.size()) +
      128;
  auto data_dir_lock = DataDirLock::Acquire(config.data_dir);
  if (!data_dir_lock.ok()) return Fail(data_dir_lock.status().message());
  auto storage = Storage::Open(storage_options, &cluster_clock);
  if (!storage.ok()) return Fail(storage.status().ToString());
  if (Status s = CheckOrRecordIdentity(storage->get(), config.node_id, config.partitions,
                                       config.cluster_name);
      !s.ok()) {
    return Fail(s.message());
  }
  {
    // Everything that uses storage lives in this scope and is gone before
    // storage closes below.
    StorageCeilingStore ceiling(storage->get());
    clock::HlcOptions hlc_options;
    hlc_options.max_offset = config.max_clock_offset;
    clock::HybridLogicalClock hlc(&cluster_clock, hlc_options, &ceiling);

    auto hints = HintStore::Open(storage->get(), &cluster_clock);
    if (!hints.ok()) return Fail(hints.status().ToString());
    std::vector<uint32_t> node_ids;
    for (const Peer& peer : config.peers) node_ids.push_back(peer.node_id);
    auto ring = Ring::Create(node_ids, config.partitions, config.replication_factor);
    if (!ring.ok()) return Fail(ring.status().message());

    // Merkle trees of the partitions this node replicates, rebuilt from the
    // digest index and then kept current by every write.
    const TreeShape shape{config.tree_fanout, config.tree_depth};
    if (const std::string why = CheckTreeShape(shape); !why.empty()) return Fail(why);
    const std::vector<uint32_t> owned =
        config.maintain_trees ? ring->PartitionsOf(config.node_id) : std::vector<uint32_t>();
    TreeSet trees(config.partitions, shape, owned);
    if (config.maintain_trees) {
      const auto started = std::chrono::steady_clock::now();
      auto entries = trees.RebuildFromIndex(storage->get());
      if (!entries.ok()) return Fail("cannot build Merkle trees: " + entries.status().ToString());
      storage->get()->SetIndexObserver(
          [&trees](uint64_t hash, const VersionDigest* before, const VersionDigest* after) {
            trees.OnIndexChange(hash, before, after);
          });
      spdlog::info("built Merkle trees of {} partitions from {} index entries in {} ms ({} KiB)",
                   owned.size(), entries.value(),
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count(),
                   trees.MemoryBytes() / 1024);
    }

    // A node away for longer than gc_grace syncs before it serves its data.
    AbsenceTracker absence(
        storage->get(), &cluster_clock,
        std::clamp<std::chrono::milliseconds>(config.gc_grace / 4, std::chrono::milliseconds(100),
                                              std::chrono::seconds(10)));
    auto away = absence.TimeAway();
    if (!away.ok()) return Fail(away.status().ToString());
    std::atomic<bool> syncing{config.maintain_trees && config.peers.size() > 1 && away.value() &&
                              *away.value() > config.gc_grace};
    if (syncing) {
      spdlog::warn(
          "this node was away for {}, longer than gc_grace ({}): it syncs with its "
          "peers before it serves its data",
          FormatDuration(*away.value()), FormatDuration(config.gc_grace));
    }
    absence.Start();

    // One registry every part reports into (server/metrics.h).
    Metrics metrics;
    const uint64_t started_ms = cluster_clock.NowMs();
    const ClusterIdentity identity{config.node_id, config.cluster_name, config.partitions,
                                   config.listen.ToString()};
    // Internode frames carry a maximal write, or a batch of hints.
    const uint32_t internode_frame =
        MaxFrameBytesFor(config.max_key_bytes, config.max_value_bytes) + (8u << 20);
    PeerConnectionOptions peer_options;
    peer_options.connect_timeout =
        std::min(config.request_timeout, std::chrono::milliseconds(1000));
    peer_options.timeout = config.request_timeout;
    peer_options.max_frame_bytes = internode_frame;
    peer_options.max_idle = kInternodeConnectionsPerPeer;
    peer_options.max_in_flight = kInternodeConnectionsPerPeer;
    Replicas replicas(identity, config.peers, peer_options, &hlc, &wall_clock, storage->get());
    Membership membership(
        config.node_id, replicas.HeartbeatConnectionsById(), &hlc, &cluster_clock,
        [&replicas] { return replicas.MakeSender(); },
        MembershipOptions{config.heartbeat_interval, config.failure_timeout,
                          config.max_clock_offset});
    std::set<uint32_t> peer_ids;
    for (const Peer& peer : config.peers) {
      if (peer.node_id != config.node_id) peer_ids.insert(peer.node_id);
    }
    auto internode_handler =
        std::make_shared<InternodeHandler>(identity, peer_ids, &hlc, &wall_clock, &membership,
                                           storage->get(), &trees, &syncing, &metrics);
    ThriftServer internode(
        ThriftServerOptions{
            "internode", config.internode_listen,
            static_cast<uint32_t>(4 * kInternodeConnectionsPerPeer * peer_ids.size()),
            config.client_idle_timeout, internode_frame},
        std::make_shared<internode::InternodeProcessor>(internode_handler));
    // A one-node cluster has nobody to talk to: it does not open the port.
    if (!peer_ids.empty()) {
      if (Status s = internode.Start(); !s.ok()) return Fail(s.message());
      // Know who is up, and whether our clock is in step, before serving.
      membership.HeartbeatAllNow();
      membership.Start();
    }

    Coordinator coordinator(
        &ring.value(), &hlc, &replicas, &membership, hints->get(),
        CoordinatorOptions{config.request_timeout, config.hint_window, 4, &syncing});
    std::vector<uint32_t> targets(peer_ids.begin(), peer_ids.end());
    HintDeliverer deliverer(
        targets, hints->get(), &replicas, &membership,
        HintDeliveryOptions{config.hint_window, config.hint_replay_rate, 4u << 20});
    deliverer.Start();

    RateLimiter repair_limiter(config.repair_rate_bytes);
    TreeExchange exchange(storage->get(), &trees, &replicas, &cluster_clock, config.gc_grace,
                          &repair_limiter);
    RepairScheduler scheduler(config.node_id, &ring.value(), &trees, &exchange, &membership,
                              &cluster_clock, config.anti_entropy_interval, &syncing);
    if (config.maintain_trees && !peer_ids.empty()) scheduler.Start();
    AntiEntropyAdmin admin(config.node_id, &ring.value(), &trees, &exchange, &scheduler,
                           storage->get());

    // Tombstones and expired records are purged after gc_grace once every
    // other replica has exchanged with this node since they were stored.
    // Without trees no exchange ever happens, so only keys this node alone
    // replicates are purged.
    ExchangeGuard guard(config.node_id, &ring.value(), &scheduler);
    TombstoneCollector gc(storage->get(), &cluster_clock, &guard,
                          TombstoneGcOptions{config.gc_grace, config.gc_interval, 1000});
    gc.Start();

    ThriftServer api(
        ThriftServerOptions{"clients", config.listen, config.max_connections,
                            config.client_idle_timeout,
                            MaxFrameBytesFor(config.max_key_bytes, config.max_value_bytes)},
        std::make_shared<api::AlderProcessor>(std::make_shared<ApiHandler>(
            &coordinator, RequestLimits{config.max_key_bytes, config.max_value_bytes},
            [&] {
              api::ClusterStatus status =
                  DescribeCluster(config, ring.value(), membership, metrics);
              if (config.maintain_trees) {
                admin.DescribeInto(&status, cluster_clock.NowMs(), storage.value()->stats().purges,
                                   syncing.load());
              }
              return status;
            },
            ApiHandler::AdminHooks{[&](const api::RepairRequest& r) { return admin.Repair(r); },
                                   [&](const api::CompareRequest& r) { return admin.Compare(r); },
                                   [&] { return admin.VerifyTrees(); }},
            &metrics)));
    AddNodeMetrics(
        &metrics,
        NodeParts{&membership, &hlc, &cluster_clock, &coordinator, hints->get(), &deliverer,
                  storage->get(), internode_handler.get(), &scheduler, &gc, &api, targets, started_ms});
    std::unique_ptr<MetricsEndpoint> metrics_endpoint;
    if (config.metrics_listen) {
      auto started = MetricsEndpoint::Start(*config.metrics_listen, metrics);
      if (!started.ok()) return Fail(started.status().message());
      metrics_endpoint = std::move(started).value();
    }
    if (Status s = api.Start(); !s.ok()) return Fail(s.message());
    spdlog::info(
        "node {} serving clients on {} (data in {}, durability {}, gc_grace {}, "
        "hint_window {}, partitions {}, replication_factor {}, {} nodes{}{})",
        config.node_id, config.listen.ToString(), config.data_dir,
        config.durability == Durability::kFsync ? "fsync" : "process",
        FormatDuration(config.gc_grace), FormatDuration(config.hint_window), config.partitions,
        config.replication_factor, config.peers.size(),
        peer_ids.empty() ? "" : ", internode on " + config.internode_listen.ToString(),
        config.metrics_listen
            ? ", metrics on http://" + config.metrics_listen->ToString() + "/metrics"
            : "");

    if (const int64_t n = InjectedReplicaWriteFailuresLeft(); n > 0) {
      spdlog::warn("test seam {}: the next {} replica writes this node receives fail",
                   kReplicaWriteFailuresVariable, n);
    }
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    spdlog::info("received {}; finishing requests in flight", strsignal(signal_number));
    metrics_endpoint.reset();  // scrapes read the parts stopped below
    api.Stop();
    scheduler.Stop();
    deliverer.Stop();
    membership.Stop();
    internode.Stop();
    gc.Stop();
    absence.Stop();
    const CoordinatorStats requests = coordinator.stats();
    const StorageStats written = storage.value()->stats();
    spdlog::info(
        "served {} puts, {} removes, {} gets ({} not found), {} failed; {} hints "
        "stored, {} read repairs, {} speculative reads; {} writes in {} log flushes",
        requests.puts, requests.removes, requests.gets, requests.get_misses, requests.failures,
        requests.hints_stored, requests.read_repairs, requests.speculative_reads,
        written.commits_flushed, written.log_flushes);
  }
  storage.value().reset();  // closes WiredTiger with a final checkpoint
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc gives each of up to 8 x cores threads its own malloc arena; with a
  // thread per connection, WiredTiger's allocations then fragment across them
  // and peak RSS after loading 1M keys was 1.66x the cache (427 MiB for
  // 256 MiB). Four arenas measured 329 MiB with no loss of put throughput.
  mallopt(M_ARENA_MAX, 4);
  auto parsed = ParseCommandLine(argc, argv);
  if (!parsed.ok()) {
    Fail(parsed.status().message() + " (see alderd --help)");
    return 2;  // bad command line or config file, as --help says
  }
  if (parsed->exit_now) {
    std::fputs(parsed->output.c_str(), stdout);
    return 0;
  }
  SetUpLogging(parsed->config.node_id, parsed->config.log_level);
  return Run(parsed->config);
}
