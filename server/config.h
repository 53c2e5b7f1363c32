// alderd's configuration: every setting with its default, parsed once from
// the command line and an optional INI file (DESIGN.md section 9). Nothing
// else in alderd reads flags, files or the environment.
#ifndef ALDER_SERVER_CONFIG_H_
#define ALDER_SERVER_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clock/hlc.h"
#include "server/cluster/peer.h"
#include "server/common/status.h"
#include "server/rpc/request_limits.h"
#include "server/storage/group_commit.h"
#include "server/storage/wt_storage.h"
#include "server/tls/tls_settings.h"

namespace alder {

// The default hint_window, in the words of --help, the README and the config
// errors; DefaultHintWindow below is this sentence in code.
inline constexpr const char* kHintWindowRule =
    "By default it is the shorter of 3h and half of (gc_grace - request_timeout); "
    "hint_window plus request_timeout must be shorter than gc_grace.";

// kHintWindowRule in code: min(3h, (gc_grace - request_timeout) / 2), and 0
// when request_timeout is not shorter than gc_grace (no window is safe then).
std::chrono::milliseconds DefaultHintWindow(std::chrono::milliseconds gc_grace,
                                            std::chrono::milliseconds request_timeout);

// Every setting of alderd with its default: the one place the defaults are
// stated. --help and --print-config show these values; the options structs
// alderd builds from a NodeConfig (server/node.cc) have none of their own,
// and the few that tests build without a config share a named constant.
struct NodeConfig {
  // Identity and placement.
  uint32_t node_id = 1;  // 1..2^31-1, unique in the cluster
  std::string data_dir = "alder-data";
  HostPort listen{"127.0.0.1", 7700};  // client API
  HostPort internode_listen{"127.0.0.1", 7701};
  // Prometheus /metrics over HTTP (DESIGN.md section 15); unset: no endpoint.
  std::optional<HostPort> metrics_listen = HostPort{"127.0.0.1", 7702};
  std::vector<Peer> peers;             // every node, this one included
  uint32_t replication_factor = 3;     // capped at the node count when defaulted
  uint32_t partitions = 256;           // power of two, fixed at cluster creation
  std::string cluster_name = "alder";  // nodes of other clusters are refused

  // Replication.
  std::chrono::milliseconds request_timeout{2000};    // replica acks wait this long
  std::chrono::milliseconds heartbeat_interval{500};  // to every peer
  std::chrono::milliseconds failure_timeout{2000};    // no heartbeat this long: down
  uint32_t hint_replay_rate = 2000;                   // hints per second per target

  // Anti-entropy.
  uint32_t tree_fanout = 16;  // Merkle tree shape
  uint32_t tree_depth = 3;
  // Bytes anti-entropy moves per second, at most. 256KB kept foreground p99
  // within 10% while a large repair ran (bench/repair-impact.sh, 2 cores).
  uint64_t repair_rate_bytes = 256ull << 10;
  bool maintain_trees = true;  // off only to measure their cost

  // Durability and time.
  Durability durability = kDefaultDurability;
  std::chrono::milliseconds gc_grace{std::chrono::hours(24 * 10)};
  std::chrono::milliseconds gc_interval{std::chrono::hours(1)};  // how often GC scans
  std::chrono::milliseconds hint_window = DefaultHintWindow(gc_grace, request_timeout);
  std::chrono::milliseconds anti_entropy_interval{std::chrono::minutes(10)};
  std::chrono::milliseconds max_clock_offset = clock::kDefaultMaxClockOffset;
  std::chrono::milliseconds checkpoint_interval = kDefaultCheckpointInterval;

  // Limits.
  uint32_t max_key_bytes = kDefaultMaxKeyBytes;
  uint32_t max_value_bytes = kDefaultMaxValueBytes;
  uint32_t max_connections = 512;  // client connections served at once
  std::chrono::milliseconds client_idle_timeout{std::chrono::minutes(10)};
  uint64_t cache_size_bytes = kDefaultCacheSizeBytes;  // WiredTiger cache

  std::string log_level = "info";

  // TLS on both ports, off by default (DESIGN.md section 13).
  TlsSettings tls;
};

// What the command line asked for.
struct CommandLine {
  NodeConfig config;
  bool exit_now = false;  // --help or --version: print `output` and exit 0
  std::string output;
};

// Parses flags and the --config file (flags win). Returns InvalidArgument with
// a message naming the setting and the accepted values on any bad input.
Result<CommandLine> ParseCommandLine(int argc, const char* const argv[]);

// Parses "host:port". Returns nullopt-like InvalidArgument on bad input.
Result<HostPort> ParseHostPort(const std::string& text);

// Parses a byte size: a number with an optional unit B, KB, MB, GB (powers of 1024).
Result<uint64_t> ParseByteSize(const std::string& text);

// The shortest exact spelling of `bytes` that ParseByteSize reads back, in
// the largest unit that divides it: 262144 -> "256KB", 1000 -> "1000B".
std::string FormatByteSize(uint64_t bytes);

// The durability setting's spelling: "fsync" or "process".
const char* DurabilityName(Durability durability);

}  // namespace alder

#endif  // ALDER_SERVER_CONFIG_H_
