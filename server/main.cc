// alderd: one Alder node. Parses the configuration, opens storage, checks the
// data directory's identity, starts the clock, the tombstone collector and
// the client API, then waits for SIGTERM or SIGINT and shuts down in reverse:
// stop accepting and finish requests in flight, stop GC, close WiredTiger.
#include <malloc.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <thrift/TOutput.h>

#include <cstdio>
#include <memory>

#include "antientropy/tombstone_gc.h"
#include "clock/hlc.h"
#include "server/api_handler.h"
#include "server/api_server.h"
#include "server/config.h"
#include "server/coordinator.h"
#include "server/duration.h"
#include "server/node_metadata.h"
#include "server/storage.h"

namespace {

using namespace alder;  // NOLINT: main's own translation unit

void LogThriftMessage(const char* message) { spdlog::warn("thrift: {}", message); }

int Fail(const std::string& message) {
  std::fprintf(stderr, "alderd: %s\n", message.c_str());
  return 1;
}

int Run(const NodeConfig& config) {
  if (config.peers.size() > 1) {
    return Fail("peers lists " + std::to_string(config.peers.size()) +
                " nodes; this version of alderd runs one-node clusters only");
  }
  // Signals are taken synchronously by sigwait below; block them before any
  // thread starts so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that vanished is an error on its socket only

  clock::SystemClock physical;
  StorageOptions storage_options;
  storage_options.data_dir = config.data_dir;
  storage_options.durability = config.durability;
  storage_options.cache_size_bytes = config.cache_size_bytes;
  storage_options.checkpoint_interval =
      std::chrono::duration_cast<std::chrono::seconds>(config.checkpoint_interval);
  storage_options.max_sessions = static_cast<int>(config.max_connections) + 64;
  auto storage = Storage::Open(storage_options, &physical);
  if (!storage.ok()) return Fail(storage.status().ToString());
  if (Status s = CheckOrRecordIdentity(storage->get(), config.node_id, config.partitions);
      !s.ok()) {
    return Fail(s.message());
  }

  StorageCeilingStore ceiling(storage->get());
  clock::HlcOptions hlc_options;
  hlc_options.max_offset = config.max_clock_offset;
  clock::HybridLogicalClock hlc(&physical, hlc_options, &ceiling);

  Coordinator coordinator(config.node_id, config.replication_factor, &hlc, storage->get());
  SoleReplicaGuard guard;
  TombstoneCollector gc(storage->get(), &physical, &guard,
                        TombstoneGcOptions{config.gc_grace, config.gc_interval, 1000});
  gc.Start();

  apache::thrift::GlobalOutput.setOutputFunction(LogThriftMessage);
  ApiServerOptions api_options{config.listen, config.max_connections, config.client_idle_timeout,
                               config.max_key_bytes, config.max_value_bytes};
  ApiServer api(api_options,
                std::make_shared<ApiHandler>(
                    &coordinator, RequestLimits{config.max_key_bytes, config.max_value_bytes}));
  if (Status s = api.Start(); !s.ok()) return Fail(s.message());
  spdlog::info("node {} serving clients on {} (data in {}, durability {}, gc_grace {}, "
               "partitions {}, replication_factor {})",
               config.node_id, config.listen.ToString(), config.data_dir,
               config.durability == Durability::kFsync ? "fsync" : "process",
               FormatDuration(config.gc_grace), config.partitions, config.replication_factor);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("received {}; finishing requests in flight", strsignal(signal_number));
  api.Stop();
  gc.Stop();
  const CoordinatorStats requests = coordinator.stats();
  const StorageStats written = storage.value()->stats();
  spdlog::info("served {} puts, {} removes, {} gets ({} not found), {} failed; {} writes in {} "
               "log flushes",
               requests.puts, requests.removes, requests.gets, requests.get_misses,
               requests.failures, written.commits_flushed, written.log_flushes);
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
  if (!parsed.ok()) return Fail(parsed.status().message() + " (see alderd --help)");
  if (parsed->exit_now) {
    std::fputs(parsed->output.c_str(), stdout);
    return 0;
  }
  auto logger = spdlog::stderr_color_mt("alderd");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(parsed->config.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [node " +
                      std::to_string(parsed->config.node_id) + "] %v");
  return Run(parsed->config);
}
