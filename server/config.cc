#include "server/config.h"

#include <algorithm>
#include <bit>
#include <boost/program_options.hpp>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "server/common/duration.h"
#include "server/config_options.h"
#include "server/config_template.h"

#ifndef ALDER_VERSION
#define ALDER_VERSION "dev"
#endif

namespace alder {
namespace po = boost::program_options;
namespace {

Result<std::chrono::milliseconds> DurationSetting(const po::variables_map& vm, const char* name) {
  const std::string text = vm[name].as<std::string>();
  auto parsed = ParseDuration(text);
  if (!parsed) {
    return Status::InvalidArgument(std::string(name) + " = '" + text +
                                   "' is not a duration; write a whole number with a unit: "
                                   "500ms, 30s, 10m, 3h, 10d");
  }
  return *parsed;
}

Result<uint32_t> ParseUint32(const std::string& text, const std::string& what) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument(what + " '" + text + "' is not a whole number");
  }
  return value;
}

Result<std::vector<Peer>> ParsePeers(const std::string& text) {
  std::vector<Peer> peers;
  std::set<uint32_t> ids;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (item.empty()) continue;
    const auto at = item.find('@');
    if (at == std::string::npos) {
      return Status::InvalidArgument("peer '" + item + "' is not of the form id@host:port");
    }
    auto id = ParseUint32(item.substr(0, at), "peer id in '" + item + "':");
    if (!id.ok()) return id.status();
    auto address = ParseHostPort(item.substr(at + 1));
    if (!address.ok()) return address.status();
    if (!ids.insert(id.value()).second) {
      return Status::InvalidArgument("peers lists node " + std::to_string(id.value()) + " twice");
    }
    peers.push_back(Peer{id.value(), address.value()});
  }
  return peers;
}

// What to say about a positional argument: alderd takes none, and the usual
// slip is a config file given without --config.
std::string StrayArgumentMessage(const std::string& arg) {
  if (arg.find('/') != std::string::npos || arg.find('.') != std::string::npos) {
    return "unexpected argument '" + arg + "'; to read a config file, write --config " + arg;
  }
  return "unexpected argument '" + arg +
         "'; alderd takes only --setting value pairs (a config file goes after --config)";
}

}  // namespace

std::chrono::milliseconds DefaultHintWindow(std::chrono::milliseconds gc_grace,
                                            std::chrono::milliseconds request_timeout) {
  const auto room = std::max(std::chrono::milliseconds(0), gc_grace - request_timeout);
  return std::min<std::chrono::milliseconds>(std::chrono::hours(3), room / 2);
}

Result<HostPort> ParseHostPort(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("'" + text + "' is not of the form host:port");
  }
  auto port = ParseUint32(text.substr(colon + 1), "port in '" + text + "':");
  if (!port.ok() || port.value() == 0 || port.value() > 65535) {
    return Status::InvalidArgument("'" + text + "' does not end in a port 1..65535");
  }
  return HostPort{text.substr(0, colon), static_cast<uint16_t>(port.value())};
}

Result<uint64_t> ParseByteSize(const std::string& text) {
  uint64_t count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  const std::string unit(end, text.data() + text.size());
  uint64_t scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  if (unit == "KB") scale = 1ull << 10;
  if (unit == "MB") scale = 1ull << 20;
  if (unit == "GB") scale = 1ull << 30;
  if (ec != std::errc() || end == text.data() || scale == 0 || count > (~0ull) / scale) {
    return Status::InvalidArgument("'" + text + "' is not a size; write e.g. 512MB or 2GB");
  }
  return count * scale;
}

std::string FormatByteSize(uint64_t bytes) {
  for (const auto& [unit, scale] :
       {std::pair{"GB", 1ull << 30}, std::pair{"MB", 1ull << 20}, std::pair{"KB", 1ull << 10}}) {
    if (bytes != 0 && bytes % scale == 0) return std::to_string(bytes / scale) + unit;
  }
  return std::to_string(bytes) + "B";
}

const char* DurabilityName(Durability durability) {
  return durability == Durability::kFsync ? "fsync" : "process";
}

namespace {

// Boost.Program_options 1.74 words an error by replacing each placeholder
// of its template (%value%, %canonical_option%, ...) with what was given,
// until the placeholder is gone: a value that contains the placeholder
// itself never lets it go, and alderd hung at startup
// (error_with_option_name::replace_token; found by test/fuzz/config_fuzzer,
// test/fuzz/regressions/config_fuzzer/). No setting has a use for
// "%word%", so text holding one is refused before Boost reads it.
bool HasBoostPlaceholder(std::string_view text) {
  for (size_t open = text.find('%'); open != std::string_view::npos;) {
    const size_t close = text.find('%', open + 1);
    if (close == std::string_view::npos) return false;
    const std::string_view word = text.substr(open + 1, close - open - 1);
    if (!word.empty() && std::all_of(word.begin(), word.end(),
                                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; })) {
      return true;
    }
    open = close;
  }
  return false;
}

Status PlaceholderRefused(const std::string& where) {
  return Status::InvalidArgument(where +
                                 " holds a %word% placeholder, which no setting accepts (and "
                                 "Boost.Program_options cannot report an error about)");
}

// Reads flags, then the --config file if one is named (flags win).
Status ReadFlagsAndConfigFile(int argc, const char* const argv[],
                              const po::options_description& all,
                              const po::options_description& settings, po::variables_map* vm) {
  for (int i = 1; i < argc; ++i) {
    if (HasBoostPlaceholder(argv[i])) {
      return PlaceholderRefused("argument '" + std::string(argv[i]) + "'");
    }
  }
  try {
    // Positional arguments are collected, not dropped: `alderd mynode.conf`
    // must not start a default node.
    const po::parsed_options parsed = po::command_line_parser(argc, argv).options(all).run();
    const std::vector<std::string> stray =
        po::collect_unrecognized(parsed.options, po::include_positional);
    if (!stray.empty()) return Status::InvalidArgument(StrayArgumentMessage(stray.front()));
    po::store(parsed, *vm);
    if (vm->count("config")) {
      const std::string path = (*vm)["config"].as<std::string>();
      std::ifstream file(path);
      if (!file) return Status::InvalidArgument("cannot read config file " + path);
      std::stringstream text;
      text << file.rdbuf();
      text.clear();  // an empty file sets failbit; it is an empty config
      if (HasBoostPlaceholder(text.view())) return PlaceholderRefused("config file " + path);
      po::store(po::parse_config_file(text, settings), *vm);
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    return Status::InvalidArgument(e.what());
  }
  return Status::Ok();
}

// What --help, --print-config or --version print, or nullopt when none was given.
std::optional<std::string> InformationAskedFor(const po::variables_map& vm,
                                               const po::options_description& all,
                                               const po::options_description& settings) {
  if (vm.count("help")) return HelpText(all);
  if (vm.count("print-config")) return ConfigTemplate(settings, vm);
  if (vm.count("version")) return std::string("alderd " ALDER_VERSION "\n");
  return std::nullopt;
}

// The readers below each turn one group of settings into NodeConfig fields
// and check them, in the order ParseCommandLine calls them (later groups use
// fields set by earlier ones). Each returns the first bad setting's error.

Status ReadIdentity(const po::variables_map& vm, NodeConfig* c) {
  // Read as text: Boost would take "-1" as 4294967295 and the message would
  // show a number the user never typed.
  const std::string node_id = vm["node_id"].as<std::string>();
  auto parsed_id = ParseUint32(node_id, "node_id");
  if (!parsed_id.ok() || parsed_id.value() == 0 || parsed_id.value() > 0x7fffffffu) {
    return Status::InvalidArgument("node_id must be in 1..2147483647, got '" + node_id + "'");
  }
  c->node_id = parsed_id.value();
  c->data_dir = vm["data_dir"].as<std::string>();
  if (c->data_dir.empty()) return Status::InvalidArgument("data_dir must not be empty");
  return Status::Ok();
}

Status ReadAddresses(const po::variables_map& vm, NodeConfig* c) {
  for (auto [name, target] :
       {std::pair{"listen", &c->listen}, std::pair{"internode_listen", &c->internode_listen}}) {
    auto parsed = ParseHostPort(vm[name].as<std::string>());
    if (!parsed.ok()) {
      return Status::InvalidArgument(std::string(name) + ": " + parsed.status().message());
    }
    *target = parsed.value();
  }
  if (const std::string m = vm["metrics_listen"].as<std::string>(); m.empty()) {
    c->metrics_listen.reset();
  } else {
    auto parsed = ParseHostPort(m);
    if (!parsed.ok()) {
      return Status::InvalidArgument("metrics_listen: " + parsed.status().message());
    }
    c->metrics_listen = parsed.value();
  }
  return Status::Ok();
}

// peers, partitions and replication_factor.
Status ReadClusterShape(const po::variables_map& vm, NodeConfig* c) {
  auto peers = ParsePeers(vm["peers"].as<std::string>());
  if (!peers.ok()) return Status::InvalidArgument("peers: " + peers.status().message());
  c->peers = peers.value();
  if (c->peers.empty()) c->peers.push_back(Peer{c->node_id, c->internode_listen});
  bool self_listed = false;
  for (const Peer& p : c->peers) self_listed |= p.node_id == c->node_id;
  if (!self_listed) {
    return Status::InvalidArgument("peers must list this node (node_id " +
                                   std::to_string(c->node_id) + ") too");
  }

  c->partitions = vm["partitions"].as<uint32_t>();
  if (!std::has_single_bit(c->partitions) || c->partitions > 65536) {
    return Status::InvalidArgument("partitions must be a power of two in 1..65536, got " +
                                   std::to_string(c->partitions));
  }
  c->replication_factor = vm["replication_factor"].as<uint32_t>();
  const auto nodes = static_cast<uint32_t>(c->peers.size());
  if (c->replication_factor == 0) return Status::InvalidArgument("replication_factor must be >= 1");
  if (c->replication_factor > nodes) {
    if (!vm["replication_factor"].defaulted()) {
      return Status::InvalidArgument("replication_factor " + std::to_string(c->replication_factor) +
                                     " needs at least that many nodes; peers lists " +
                                     std::to_string(nodes));
    }
    c->replication_factor = nodes;
  }
  return Status::Ok();
}

Status ReadDurability(const po::variables_map& vm, NodeConfig* c) {
  const std::string durability = vm["durability"].as<std::string>();
  for (Durability d : {Durability::kFsync, Durability::kProcess}) {
    if (durability == DurabilityName(d)) {
      c->durability = d;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("durability must be fsync or process, got '" + durability + "'");
}

// Every duration but hint_window (ReadHints), with the bounds they must keep.
Status ReadDurations(const po::variables_map& vm, NodeConfig* c) {
  for (auto [name, target] :
       {std::pair{"gc_grace", &c->gc_grace}, std::pair{"gc_interval", &c->gc_interval},
        std::pair{"anti_entropy_interval", &c->anti_entropy_interval},
        std::pair{"max_clock_offset", &c->max_clock_offset},
        std::pair{"checkpoint_interval", &c->checkpoint_interval},
        std::pair{"client_idle_timeout", &c->client_idle_timeout},
        std::pair{"request_timeout", &c->request_timeout},
        std::pair{"heartbeat_interval", &c->heartbeat_interval},
        std::pair{"failure_timeout", &c->failure_timeout}}) {
    auto parsed = DurationSetting(vm, name);
    if (!parsed.ok()) return parsed.status();
    *target = parsed.value();
  }
  if (c->gc_interval.count() == 0 || c->checkpoint_interval < std::chrono::seconds(1) ||
      c->client_idle_timeout.count() == 0 || c->max_clock_offset.count() == 0) {
    return Status::InvalidArgument(
        "gc_interval, max_clock_offset and client_idle_timeout must be positive, "
        "checkpoint_interval at least 1s");
  }

  if (c->request_timeout.count() == 0 || c->heartbeat_interval.count() == 0) {
    return Status::InvalidArgument("request_timeout and heartbeat_interval must be positive");
  }
  if (c->failure_timeout < 2 * c->heartbeat_interval) {
    return Status::InvalidArgument(
        "failure_timeout must be at least twice heartbeat_interval, or one lost heartbeat "
        "would mark a healthy node down");
  }
  return Status::Ok();
}

// tree_fanout, tree_depth, repair_rate and maintain_trees.
Status ReadAntiEntropy(const po::variables_map& vm, NodeConfig* c) {
  c->tree_fanout = vm["tree_fanout"].as<uint32_t>();
  c->tree_depth = vm["tree_depth"].as<uint32_t>();
  auto repair_rate = ParseByteSize(vm["repair_rate"].as<std::string>());
  if (!repair_rate.ok()) {
    return Status::InvalidArgument("repair_rate: " + repair_rate.status().message());
  }
  c->repair_rate_bytes = repair_rate.value();
  const std::string trees = vm["maintain_trees"].as<std::string>();
  if (trees != "on" && trees != "off") {
    return Status::InvalidArgument("maintain_trees must be on or off, got '" + trees + "'");
  }
  c->maintain_trees = trees == "on";
  return Status::Ok();
}

// hint_window (given, or by kHintWindowRule) and hint_replay_rate.
Status ReadHints(const po::variables_map& vm, NodeConfig* c) {
  // A hint is replayed at most hint_window (plus a request) after its write;
  // a tombstone that write may have been superseded by is purged no sooner
  // than gc_grace after it. So no hint can bring back a purged delete.
  if (vm.count("hint_window")) {
    auto window = DurationSetting(vm, "hint_window");
    if (!window.ok()) return window.status();
    c->hint_window = window.value();
    if (c->hint_window.count() > 0 && c->hint_window + c->request_timeout >= c->gc_grace) {
      return Status::InvalidArgument(
          "hint_window (" + FormatDuration(c->hint_window) + ") plus request_timeout (" +
          FormatDuration(c->request_timeout) + ") must be shorter than gc_grace (" +
          FormatDuration(c->gc_grace) +
          "), or a replayed hint could bring back a value whose tombstone was already purged; "
          "lower hint_window (0s: no hints) or raise gc_grace");
    }
  } else {
    c->hint_window = DefaultHintWindow(c->gc_grace, c->request_timeout);
    if (c->hint_window.count() == 0) {
      // Hints silently off would surprise: say so and let the user choose.
      return Status::InvalidArgument(
          "gc_grace (" + FormatDuration(c->gc_grace) +
          ") leaves no room for hints after request_timeout (" +
          FormatDuration(c->request_timeout) + "). " + kHintWindowRule +
          " Raise gc_grace, lower request_timeout, or set hint_window = 0s to run without hints");
    }
  }
  c->hint_replay_rate = vm["hint_replay_rate"].as<uint32_t>();
  if (c->hint_replay_rate == 0) return Status::InvalidArgument("hint_replay_rate must be >= 1");
  return Status::Ok();
}

Status ReadClusterName(const po::variables_map& vm, NodeConfig* c) {
  c->cluster_name = vm["cluster_name"].as<std::string>();
  if (c->cluster_name.empty()) return Status::InvalidArgument("cluster_name must not be empty");
  return Status::Ok();
}

// Key and value sizes, connections and the cache.
Status ReadLimits(const po::variables_map& vm, NodeConfig* c) {
  c->max_key_bytes = vm["max_key_bytes"].as<uint32_t>();
  c->max_value_bytes = vm["max_value_bytes"].as<uint32_t>();
  if (c->max_key_bytes == 0 || c->max_key_bytes > (1u << 16)) {
    return Status::InvalidArgument("max_key_bytes must be in 1..65536");
  }
  if (c->max_value_bytes > (256u << 20)) {
    return Status::InvalidArgument("max_value_bytes must be at most 268435456 (256 MiB)");
  }
  c->max_connections = vm["max_connections"].as<uint32_t>();
  if (c->max_connections == 0) return Status::InvalidArgument("max_connections must be >= 1");
  auto cache = ParseByteSize(vm["cache_size"].as<std::string>());
  if (!cache.ok()) return Status::InvalidArgument("cache_size: " + cache.status().message());
  if (cache.value() < (1ull << 20)) {
    return Status::InvalidArgument("cache_size must be at least 1MB");
  }
  c->cache_size_bytes = cache.value();
  return Status::Ok();
}

Status ReadLogLevel(const po::variables_map& vm, NodeConfig* c) {
  c->log_level = vm["log_level"].as<std::string>();
  if (!std::set<std::string>{"trace", "debug", "info", "warn", "error"}.count(c->log_level)) {
    return Status::InvalidArgument(
        "log_level must be one of trace, debug, info, warn, error; got '" + c->log_level + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<CommandLine> ParseCommandLine(int argc, const char* const argv[]) {
  const po::options_description settings = SettingOptions();
  po::options_description all;
  all.add(GeneralOptions()).add(settings);
  po::variables_map vm;
  if (Status s = ReadFlagsAndConfigFile(argc, argv, all, settings, &vm); !s.ok()) return s;

  CommandLine out;
  if (std::optional<std::string> output = InformationAskedFor(vm, all, settings)) {
    out.exit_now = true;
    out.output = std::move(*output);
    return out;
  }
  for (auto read :
       {ReadIdentity, ReadAddresses, ReadClusterShape, ReadDurability, ReadDurations,
        ReadAntiEntropy, ReadHints, ReadClusterName, ReadLimits, ReadLogLevel, ReadTlsSettings}) {
    if (Status s = read(vm, &out.config); !s.ok()) return s;
  }
  return out;
}

}  // namespace alder
