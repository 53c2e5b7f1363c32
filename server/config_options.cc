#include "server/config_options.h"

#include <chrono>
#include <sstream>

#include "server/common/duration.h"
#include "server/config.h"

namespace alder {
namespace po = boost::program_options;
namespace {

// checkpoint_interval is shown in seconds, the unit WiredTiger takes it in
// ("60s", where FormatDuration would say "1m").
std::string InSeconds(std::chrono::milliseconds duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) + "s";
}

std::string OnOff(bool on) { return on ? "on" : "off"; }

}  // namespace

// The option table is laid out by hand, one setting per entry.
// clang-format off
po::options_description GeneralOptions() {
  po::options_description general("General");
  general.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("print-config", "print a config file of every setting and exit: the ones given as flags "
       "set, the others commented out with their defaults")
      ("config", po::value<std::string>(), "INI file with any of the settings below (flags win)");
  return general;
}

po::options_description SettingOptions() {
  const NodeConfig defaults;
  po::options_description settings("Settings (as --flag or as `key = value` in the config file)");
  settings.add_options()
      ("node_id", po::value<std::string>()->default_value(std::to_string(defaults.node_id)),
       "this node's id, 1..2147483647, unique in the cluster")
      ("data_dir", po::value<std::string>()->default_value(defaults.data_dir),
       "where this node keeps its WiredTiger tables")
      ("listen", po::value<std::string>()->default_value(defaults.listen.ToString()),
       "client API address host:port")
      ("internode_listen",
       po::value<std::string>()->default_value(defaults.internode_listen.ToString()),
       "internode address host:port")
      ("metrics_listen",
       po::value<std::string>()->default_value(defaults.metrics_listen->ToString()),
       "address host:port serving Prometheus metrics at /metrics; empty: none")
      ("peers", po::value<std::string>()->default_value(""),  // defaults.peers is empty
       "every node's internode address, this one included: id@host:port,...; empty: a "
       "one-node cluster")
      ("replication_factor", po::value<uint32_t>()->default_value(defaults.replication_factor),
       "copies of each key; capped at the node count unless set explicitly")
      ("partitions", po::value<uint32_t>()->default_value(defaults.partitions),
       "partitions in the cluster, a power of two; fixed at creation")
      ("cluster_name", po::value<std::string>()->default_value(defaults.cluster_name),
       "the cluster's name; fixed at creation, nodes of another cluster are refused")
      ("request_timeout",
       po::value<std::string>()->default_value(FormatDuration(defaults.request_timeout)),
       "how long a coordinator waits for replicas before answering TimedOut")
      ("heartbeat_interval",
       po::value<std::string>()->default_value(FormatDuration(defaults.heartbeat_interval)),
       "how often each node sends a heartbeat to every other")
      ("failure_timeout",
       po::value<std::string>()->default_value(FormatDuration(defaults.failure_timeout)),
       "a peer not heard from for this long is marked down")
      ("hint_replay_rate", po::value<uint32_t>()->default_value(defaults.hint_replay_rate),
       "hints replayed per second to a returning node, at most")
      ("tree_fanout", po::value<uint32_t>()->default_value(defaults.tree_fanout),
       "children per Merkle tree node, a power of two (same on every node)")
      ("tree_depth", po::value<uint32_t>()->default_value(defaults.tree_depth),
       "levels below each tree's root: tree_fanout^tree_depth segments per partition; "
       "memory is about 16 bytes x 1.07 x segments per partition")
      ("repair_rate",
       po::value<std::string>()->default_value(FormatByteSize(defaults.repair_rate_bytes)),
       "bytes anti-entropy moves per second, at most: records sent, tree hashes and keys "
       "compared (0: unlimited)")
      ("maintain_trees", po::value<std::string>()->default_value(OnOff(defaults.maintain_trees)),
       "on: keep Merkle trees and run anti-entropy; off: neither (only to measure their "
       "cost: replicas then never repair, and tombstones of replicated keys are never purged)")
      ("durability", po::value<std::string>()->default_value(DurabilityName(defaults.durability)),
       "fsync: an acknowledged write is on the storage device (survives power loss); "
       "process: it is in the operating system (survives kill -9 of alderd, not power loss)")
      ("gc_grace", po::value<std::string>()->default_value(FormatDuration(defaults.gc_grace)),
       "how long tombstones and expired records are kept before they may be purged")
      ("gc_interval",
       po::value<std::string>()->default_value(FormatDuration(defaults.gc_interval)),
       "how often the tombstone collector scans for purgeable records")
      ("hint_window", po::value<std::string>(),  // no default: derived by kHintWindowRule
       (std::string("how long writes for a down replica are kept as hints. ") + kHintWindowRule +
        " 0s: no hints").c_str())
      ("anti_entropy_interval",
       po::value<std::string>()->default_value(FormatDuration(defaults.anti_entropy_interval)),
       "how often replicas compare Merkle trees (multi-node clusters)")
      ("max_clock_offset",
       po::value<std::string>()->default_value(FormatDuration(defaults.max_clock_offset)),
       "remote timestamps further ahead of local time than this are rejected")
      ("checkpoint_interval",
       po::value<std::string>()->default_value(InSeconds(defaults.checkpoint_interval)),
       "how often WiredTiger checkpoints (bounds recovery time)")
      ("max_key_bytes", po::value<uint32_t>()->default_value(defaults.max_key_bytes),
       "longest key accepted, in bytes")
      ("max_value_bytes", po::value<uint32_t>()->default_value(defaults.max_value_bytes),
       "largest value accepted, in bytes")
      ("max_connections", po::value<uint32_t>()->default_value(defaults.max_connections),
       "client connections served at once (one thread each); more wait to be accepted")
      ("client_idle_timeout",
       po::value<std::string>()->default_value(FormatDuration(defaults.client_idle_timeout)),
       "a client connection idle (or stuck mid-frame) this long is closed")
      ("cache_size",
       po::value<std::string>()->default_value(FormatByteSize(defaults.cache_size_bytes)),
       "WiredTiger cache size; most of alderd's memory")
      ("log_level", po::value<std::string>()->default_value(defaults.log_level),
       "one of trace, debug, info, warn, error")
      ("tls_cert_file", po::value<std::string>()->default_value(defaults.tls.files.cert),
       "PEM file of this node's certificate (chain), for TLS on either port; reread on SIGHUP")
      ("tls_key_file", po::value<std::string>()->default_value(defaults.tls.files.key),
       "PEM file of the private key of tls_cert_file")
      ("tls_ca_file", po::value<std::string>()->default_value(defaults.tls.files.ca),
       "PEM file of the CA certificates trusted for peers and clients")
      ("client_tls", po::value<std::string>()->default_value(ClientTlsName(defaults.tls.client)),
       "off: plaintext clients; on: TLS, the server authenticated by its certificate; mutual: "
       "clients must also present a certificate signed by tls_ca_file, whose CN carries a "
       "permission (client_permissions)")
      ("internode_tls",
       po::value<std::string>()->default_value(InternodeTlsName(defaults.tls.internode)),
       "off: plaintext between nodes; mutual: TLS both ways, each node's certificate signed by "
       "tls_ca_file and naming it alder-node-<node_id> (CN or DNS SAN)")
      ("client_permissions", po::value<std::string>()->default_value(""),  // none listed
       "under client_tls = mutual: CN=PERMISSION,... for client certificates; PERMISSION is "
       "read (get, status), write (and put, remove) or admin (and repair, compare, verify)")
      ("client_default_permission",
       po::value<std::string>()->default_value(
           PermissionName(defaults.tls.permissions.default_permission)),
       "the permission of a trusted client certificate not in client_permissions; none "
       "refuses it");
  return settings;
}
// clang-format on

std::string HelpText(const po::options_description& options) {
  const NodeConfig defaults;
  std::ostringstream help;
  help << "Usage: alderd [--config FILE] [--SETTING VALUE ...]\n\n"
          "Runs one Alder node. With no settings: a one-node cluster with data in\n"
       << "./" << defaults.data_dir << ", serving clients on " << defaults.listen.ToString()
       << ".\n\n"
       << options
       << "\nExit codes: 0 stopped cleanly (SIGTERM or SIGINT), 1 could not start or failed\n"
          "while running (the log says why), 2 bad command line or config file.\n";
  return help.str();
}

}  // namespace alder
