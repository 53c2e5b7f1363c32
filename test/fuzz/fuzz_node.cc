// The assembly follows server/node.cc step for step, with a fixed NodeConfig
// instead of a parsed one. What differs is what a harness must not have:
// no socket is opened (the processors are called directly), no background
// loop runs (membership, hint delivery, repair and GC would make an input's
// effect depend on timing), and writes stop at the process (durability
// "process"): an fsync per put would cost the fuzzer most of its speed and
// is not what decoding hostile input is about.
#include "test/fuzz/fuzz_node.h"

#include <spdlog/spdlog.h>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "antientropy/exchange_service.h"
#include "antientropy/rate_limiter.h"
#include "antientropy/repair_scheduler.h"
#include "antientropy/tree_exchange.h"
#include "antientropy/tree_set.h"
#include "clock/hlc.h"
#include "clock/sleeper.h"
#include "server/cluster/cluster_map.h"
#include "server/cluster/coordinator.h"
#include "server/cluster/membership.h"
#include "server/cluster/replica_service.h"
#include "server/cluster/replicas.h"
#include "server/cluster_status.h"
#include "server/common/metrics.h"
#include "server/config.h"
#include "server/node.h"
#include "server/rpc/admin_api.h"
#include "server/rpc/api_handler.h"
#include "server/rpc/internode_handler.h"
#include "server/rpc/per_message_framed_transport.h"
#include "server/rpc/thrift_transport.h"
#include "server/storage/node_metadata.h"
#include "server/storage/wt_hint_store.h"
#include "server/storage/wt_storage.h"
#include "test/support/temp_dir.h"

namespace alder::fuzz {
namespace {

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "FuzzNode cannot start: %s\n", why.c_str());
  std::abort();
}

NodeConfig ConfigFor(uint32_t nodes, const std::string& data_dir) {
  NodeConfig config;
  config.node_id = 1;
  config.data_dir = data_dir;
  for (uint32_t id = 1; id <= nodes; ++id) {
    // Port 1 on loopback: nothing listens, a connect is refused at once.
    config.peers.push_back(Peer{id, HostPort{"127.0.0.1", 1}});
  }
  config.replication_factor = std::min<uint32_t>(3, nodes);
  // Small trees: verifyTrees and compare walk every partition's tree, which
  // at alderd's 256 partitions of 4096 leaves took 60 ms an input.
  config.partitions = 16;
  config.tree_fanout = 4;
  config.tree_depth = 2;
  config.durability = Durability::kProcess;
  config.cache_size_bytes = 32ull << 20;
  config.request_timeout = std::chrono::milliseconds(200);
  config.metrics_listen.reset();
  return config;
}

}  // namespace

struct FuzzNode::Parts {
  explicit Parts(uint32_t nodes) : config(ConfigFor(nodes, dir.Sub("data"))) {
    if (std::string why = OpenNodeStorage(config, &clocks.cluster, &storage); !why.empty()) {
      Fail(why);
    }
    ceiling = std::make_unique<StorageCeilingStore>(storage.storage.get());
    clock::HlcOptions hlc_options;
    hlc_options.max_offset = config.max_clock_offset;
    hlc = std::make_unique<clock::HybridLogicalClock>(&clocks.cluster, hlc_options, ceiling.get());
    auto opened = WtHintStore::Open(storage.storage.get(), &clocks.cluster);
    if (!opened.ok()) Fail(opened.status().ToString());
    hints = std::move(opened).value();
    auto founded = FoundingClusterMap(config);
    if (!founded.ok()) Fail(founded.status().ToString());
    map = std::move(founded).value();
    const TreeShape shape{config.tree_fanout, config.tree_depth};
    trees = std::make_unique<TreeSet>(config.partitions, shape,
                                      map->Current()->PartitionsOf(config.node_id));
    if (auto built = trees->RebuildFromIndex(storage.storage.get()); !built.ok()) {
      Fail(built.status().ToString());
    }
    storage.storage->SetIndexObserver(
        [t = trees.get()](uint64_t hash, const VersionDigest* before, const VersionDigest* after) {
          t->OnIndexChange(hash, before, after);
        });

    for (const Peer& peer : config.peers) {
      if (peer.node_id != config.node_id) peer_ids.insert(peer.node_id);
    }
    const ClusterIdentity identity{config.node_id, config.cluster_name, config.partitions,
                                   config.listen.ToString()};
    transport = std::make_unique<ThriftTransport>(
        config.node_id, config.peers,
        PeerConnectionOptions{.connect_timeout = config.request_timeout,
                              .timeout = config.request_timeout,
                              .max_frame_bytes = 16u << 20,
                              .max_idle = 4,
                              .max_in_flight = 4},
        MakeHeaderSource(identity, hlc.get(), &clocks.wall));
    replicas = std::make_unique<Replicas>(identity, transport.get(), storage.storage.get());
    membership = std::make_unique<Membership>(
        config.node_id, config.peers, transport.get(), hlc.get(), &clocks.cluster,
        MembershipOptions{config.heartbeat_interval, config.failure_timeout,
                          config.max_clock_offset});
    replica_service = std::make_unique<ReplicaService>(identity, peer_ids, hlc.get(), &clocks.wall,
                                                       membership.get(), storage.storage.get(),
                                                       config.gc_grace, &syncing);
    exchange_service = std::make_unique<ExchangeService>(replica_service.get(), trees.get());
    coordinator = std::make_unique<Coordinator>(
        map.get(), hlc.get(), replicas.get(), membership.get(), hints.get(),
        CoordinatorOptions{.request_timeout = config.request_timeout,
                           .hint_window = config.hint_window,
                           .syncing = &syncing});
    limiter = std::make_unique<RateLimiter>(config.repair_rate_bytes);
    exchange = std::make_unique<TreeExchange>(storage.storage.get(), trees.get(), transport.get(),
                                              &clocks.cluster, config.gc_grace, limiter.get());
    scheduler = std::make_unique<RepairScheduler>(config.node_id, map.get(), trees.get(),
                                                  exchange.get(), membership.get(), &clocks.cluster,
                                                  config.anti_entropy_interval, &syncing);
    admin =
        std::make_unique<AntiEntropyAdmin>(config.node_id, map.get(), trees.get(), exchange.get(),
                                           scheduler.get(), storage.storage.get(), &admin_sleeper);
  }

  testing::TempDir dir;
  const NodeConfig config;
  Clocks clocks;
  NodeStorage storage;
  std::unique_ptr<StorageCeilingStore> ceiling;
  std::unique_ptr<clock::HybridLogicalClock> hlc;
  std::unique_ptr<HintStore> hints;
  std::unique_ptr<ClusterMap> map;
  std::unique_ptr<TreeSet> trees;
  std::atomic<bool> syncing{false};
  Metrics metrics;
  std::set<uint32_t> peer_ids;
  std::unique_ptr<ThriftTransport> transport;
  std::unique_ptr<Replicas> replicas;
  std::unique_ptr<Membership> membership;
  std::unique_ptr<ReplicaService> replica_service;
  std::unique_ptr<ExchangeService> exchange_service;
  std::unique_ptr<Coordinator> coordinator;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<TreeExchange> exchange;
  std::unique_ptr<RepairScheduler> scheduler;
  // compare and verifyTrees pause before they look again at what differed
  // (writes in flight); here nothing is in flight, and a real pause would
  // take most of the fuzzer's time.
  clock::ManualMonotonicClock admin_time;
  clock::ManualSleeper admin_sleeper{&admin_time};
  std::unique_ptr<AntiEntropyAdmin> admin;
};

FuzzNode::FuzzNode(uint32_t nodes) {
  // Hostile input is refused with a warning each time (an unknown sender,
  // a key too long): millions of lines that would slow the fuzzer and bury
  // its report. Errors still show.
  spdlog::set_level(spdlog::level::err);
  parts_ = std::make_unique<Parts>(nodes);
  Parts* p = parts_.get();
  AntiEntropyAdmin* admin = p->admin.get();
  auto api_handler = std::make_shared<ApiHandler>(
      p->coordinator.get(), RequestLimits{p->config.max_key_bytes, p->config.max_value_bytes},
      [p] {
        api::ClusterStatus status =
            DescribeCluster(p->config, p->map->Current()->old_ring(), *p->membership, p->metrics);
        p->admin->DescribeInto(&status, p->clocks.cluster.NowMs(),
                               p->storage.storage->stats().purges, p->syncing.load());
        return status;
      },
      ApiHandler::AdminHooks{[admin](const api::RepairRequest& r) { return admin->Repair(r); },
                             [admin](const api::CompareRequest& r) { return admin->Compare(r); },
                             [admin] { return admin->VerifyTrees(); }},
      &p->metrics);
  api_ = std::make_unique<api::AlderProcessor>(api_handler);
  auto internode_handler = std::make_shared<InternodeHandler>(
      p->replica_service.get(), p->exchange_service.get(), &p->metrics);
  internode_ = std::make_unique<internode::InternodeProcessor>(internode_handler);
}

// The processors go first: their handlers use the parts.
FuzzNode::~FuzzNode() {
  api_.reset();
  internode_.reset();
}

void Process(apache::thrift::TProcessor& processor, const uint8_t* bytes, size_t size) {
  using apache::thrift::TConfiguration;
  using apache::thrift::protocol::TBinaryProtocol;
  using apache::thrift::transport::TMemoryBuffer;
  using apache::thrift::transport::TTransport;
  // The server's limits (server/rpc/thrift_server.cc): a message is at most
  // one maximal put, strings are bounded by it, containers by 65536.
  const auto frame = static_cast<int>(MaxFrameBytesFor(kDefaultMaxKeyBytes, kDefaultMaxValueBytes));
  auto config = std::make_shared<TConfiguration>(frame, frame);
  auto buffer = std::make_shared<TMemoryBuffer>(
      const_cast<uint8_t*>(bytes), static_cast<uint32_t>(size), TMemoryBuffer::OBSERVE, config);
  std::shared_ptr<TTransport> in = buffer;
  const bool bare = size > 0 && bytes[0] == 0x80;
  if (!bare) in = std::make_shared<PerMessageFramedTransport>(buffer, config);
  auto out = std::make_shared<TMemoryBuffer>(config);
  auto in_protocol = std::make_shared<TBinaryProtocol>(in, frame, 65536, false, true);
  auto out_protocol = std::make_shared<TBinaryProtocol>(out, frame, 65536, false, true);
  // As a server connection: messages until the input ends or one fails.
  try {
    for (int message = 0; message < 16 && in->peek(); ++message) {
      if (!processor.process(in_protocol, out_protocol, nullptr)) break;
      out->resetBuffer();
    }
  } catch (const apache::thrift::TException&) {
    // The server closes the connection; so does this loop.
  }
}

}  // namespace alder::fuzz
