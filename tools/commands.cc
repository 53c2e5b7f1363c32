// put, get, delete and status: parse the command's own options, make one
// call, and translate the outcome into output and an exit code. Values are
// bytes, not text, so get writes them untouched and put '-' reads stdin
// untouched.
#include "tools/commands.h"

#include <algorithm>
#include <array>
#include <iostream>
#include <iterator>

#include "fmt/format.h"
#include "server/common/duration.h"
#include "tools/metric_format.h"

namespace alder::tools {
namespace {

namespace po = boost::program_options;

constexpr std::string_view kGlobalUsage = "alder [GLOBAL OPTIONS]";

// clang-format off
po::options_description PutOptions() {
  po::options_description options("Options", 100, 50);
  options.add_options()
      ("ttl", po::value<std::string>()->value_name("DURATION"),
       "expire the value DURATION after the write (500ms, 30s, 10m, 3h, 10d)")
      ("consistency", po::value<std::string>()->value_name("LEVEL"),
       "one, quorum or all: replicas that must acknowledge (server default: quorum)")
      ("stdin", po::bool_switch(), "read the value from standard input (then give no VALUE)")
      ("verbose,v", po::bool_switch(), "print the version written on stdout")
      ("help,h", "print this help");
  return options;
}

po::options_description ReadOptionsDescription() {
  po::options_description options("Options", 100, 50);
  options.add_options()
      ("consistency", po::value<std::string>()->value_name("LEVEL"),
       "one, quorum or all: replicas to ask (server default: quorum)")
      ("verbose,v", po::bool_switch(), "print the version and expiry on stderr")
      ("help,h", "print this help");
  return options;
}

po::options_description StatusOptions() {
  po::options_description options("Options", 100, 50);
  options.add_options()
      ("json", po::bool_switch(), "print the report as one JSON object on stdout")
      ("help,h", "print this help");
  return options;
}

po::options_description DeleteOptions() {
  po::options_description options("Options", 100, 50);
  options.add_options()
      ("consistency", po::value<std::string>()->value_name("LEVEL"),
       "one, quorum or all: replicas that must acknowledge (server default: quorum)")
      ("verbose,v", po::bool_switch(), "print the version of the delete on stdout")
      ("help,h", "print this help");
  return options;
}
// clang-format on

// Hidden options that receive the positional arguments.
po::options_description Positionals(std::initializer_list<const char*> names) {
  po::options_description hidden;
  for (const char* name : names) hidden.add_options()(name, po::value<std::string>());
  return hidden;
}

// Applies --consistency, if given. Returns false (after printing) on a bad level.
bool ConsistencyFrom(const po::variables_map& vm, std::string_view command, Io& io,
                     std::optional<Consistency>* level, int* exit_code) {
  if (!vm.count("consistency")) return true;
  auto parsed = ParseConsistencyArg("--consistency", vm["consistency"].as<std::string>());
  if (!parsed.ok()) {
    *exit_code = UsageError(io, command, parsed.error());
    return false;
  }
  *level = parsed.value();
  return true;
}

// Reports a failed call and returns its exit code.
int CallFailed(Io& io, const CallStatus& status) {
  PrintError(io, status.message());
  return ExitCodeFor(status.kind());
}

// Nodes by id, whatever order the server sent them in.
std::vector<NodeStatus> SortedNodes(const ClusterStatus& status) {
  std::vector<NodeStatus> nodes = status.nodes;
  std::stable_sort(nodes.begin(), nodes.end(),
                   [](const NodeStatus& a, const NodeStatus& b) { return a.node_id < b.node_id; });
  return nodes;
}

size_t NodesUp(const ClusterStatus& status) {
  return static_cast<size_t>(std::count_if(status.nodes.begin(), status.nodes.end(),
                                           [](const NodeStatus& n) { return n.up; }));
}

std::string JsonOptional(const std::optional<int64_t>& value) {
  return value ? std::to_string(*value) : "null";
}

// Columns separated by two spaces; the last three are numbers, right-aligned.
constexpr size_t kStatusColumns = 7;
constexpr std::array<bool, kStatusColumns> kRightAligned = {false, false, false, false,
                                                            true,  true,  true};
using StatusRow = std::array<std::string, kStatusColumns>;

std::string FormatTable(const std::vector<StatusRow>& rows) {
  std::array<size_t, kStatusColumns> widths{};
  for (const StatusRow& row : rows) {
    for (size_t i = 0; i < kStatusColumns; ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const StatusRow& row : rows) {
    std::string line;
    for (size_t i = 0; i < kStatusColumns; ++i) {
      if (i > 0) line += "  ";
      const std::string padding(widths[i] - row[i].size(), ' ');
      line += kRightAligned[i] ? padding + row[i] : row[i] + padding;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + '\n';
  }
  return out;
}

std::string JsonOptionalBool(const std::optional<bool>& value) {
  if (!value) return "null";
  return *value ? "true" : "false";
}

// The anti-entropy section of status's text: empty when the server reports
// none of its fields (a server that predates them).
std::string FormatAntiEntropyStatus(const ClusterStatus& status) {
  if (!status.exchanges && !status.oldest_exchange_ms_ago && !status.records_purged) return "";
  std::string out = "\n";
  if (status.exchanges) {
    const std::vector<ExchangeState>& pairs = *status.exchanges;
    const auto never = static_cast<size_t>(std::count_if(
        pairs.begin(), pairs.end(), [](const ExchangeState& e) { return !e.last_success_ms_ago; }));
    std::optional<int64_t> oldest = status.oldest_exchange_ms_ago;
    if (!oldest && never == 0 && !pairs.empty()) {
      // Every pair has exchanged: the oldest is the greatest age (a server
      // that leaves the summary unset).
      for (const ExchangeState& e : pairs)
        oldest = std::max(oldest.value_or(0), *e.last_success_ms_ago);
    }
    if (pairs.empty()) {
      out += "anti-entropy: no other replicas to exchange with\n";
    } else if (never > 0) {
      out += fmt::format(
          "anti-entropy: some partitions never exchanged ({} of {} partition-replica pairs "
          "since node {} started)\n",
          never, pairs.size(), status.node_id);
    } else if (oldest) {
      out += fmt::format("anti-entropy: oldest exchange {} ({} partition-replica pairs)\n",
                         FormatHeartbeatAge(oldest), pairs.size());
    }
    // One line per other replica: how many partitions it shares with the
    // answering node, how many never exchanged, the oldest exchange.
    struct PeerSummary {
      size_t partitions = 0;
      size_t never = 0;
      std::optional<int64_t> oldest;
    };
    std::vector<std::pair<int32_t, PeerSummary>> peers;
    for (const ExchangeState& e : pairs) {
      auto it = std::find_if(peers.begin(), peers.end(),
                             [&](const auto& p) { return p.first == e.peer; });
      if (it == peers.end()) {
        peers.emplace_back(e.peer, PeerSummary{});
        it = peers.end() - 1;
      }
      PeerSummary& summary = it->second;
      ++summary.partitions;
      if (!e.last_success_ms_ago) {
        ++summary.never;
      } else {
        summary.oldest = std::max(summary.oldest.value_or(0), *e.last_success_ms_ago);
      }
    }
    std::sort(peers.begin(), peers.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [peer, summary] : peers) {
      std::string line = fmt::format("  with node {}: {} partitions", peer, summary.partitions);
      if (summary.never > 0) line += fmt::format(", {} never exchanged", summary.never);
      if (summary.oldest) line += ", oldest exchange " + FormatHeartbeatAge(summary.oldest);
      out += line + '\n';
    }
  } else if (status.oldest_exchange_ms_ago) {
    out += fmt::format("anti-entropy: oldest exchange {}\n",
                       FormatHeartbeatAge(status.oldest_exchange_ms_ago));
  }
  if (status.records_purged) out += fmt::format("records purged: {}\n", *status.records_purged);
  return out;
}

}  // namespace

std::string FormatHeartbeatAge(std::optional<int64_t> ms_ago) {
  if (!ms_ago) return "never";
  const int64_t ms = std::max<int64_t>(*ms_ago, 0);
  if (ms < 10'000) return fmt::format("{:.1f}s ago", static_cast<double>(ms) / 1000.0);
  if (ms < 120'000) return fmt::format("{}s ago", ms / 1000);
  if (ms < 2 * 3'600'000) return fmt::format("{}m ago", ms / 60'000);
  if (ms < 48 * 3'600'000) return fmt::format("{}h ago", ms / 3'600'000);
  return fmt::format("{}d ago", ms / 86'400'000);
}

std::string FormatClockOffset(std::optional<int64_t> offset_ms) {
  if (!offset_ms) return "-";
  return fmt::format("{:+} ms", *offset_ms);
}

int StatusExitCode(const ClusterStatus& status) {
  return NodesUp(status) == status.nodes.size() ? kExitOk : kExitFailure;
}

std::string FormatStatusText(const ClusterStatus& status) {
  std::string out = fmt::format("node {} answered: {} partitions, replication factor {}",
                                status.node_id, status.partitions, status.replication_factor);
  if (status.hint_window_ms) {  // 0s: no hints
    out += ", hint_window " + FormatDuration(std::chrono::milliseconds(*status.hint_window_ms));
  }
  out += '\n';
  if (status.clock_fenced) {
    out += fmt::format("warning: node {} is clock-fenced and refuses to coordinate writes",
                       status.node_id);
    if (status.clock_fence_reason && !status.clock_fence_reason->empty()) {
      out += ": " + Printable(*status.clock_fence_reason);
    }
    out += '\n';
  }
  if (status.syncing.value_or(false)) {
    out += fmt::format(
        "warning: node {} is syncing after a long absence: it serves nothing until it has "
        "caught up with the other replicas\n",
        status.node_id);
  }
  std::vector<StatusRow> rows;
  rows.push_back({"node", "address", "state", "last heartbeat", "clock offset", "partitions",
                  "hints pending"});
  for (const NodeStatus& n : SortedNodes(status)) {
    std::string state = n.up ? "up" : "down";
    if (n.is_self) state += " (self)";
    // A node hears no heartbeats from itself and has no offset to itself.
    const bool self_unset_heartbeat = n.is_self && !n.last_heartbeat_ms_ago;
    rows.push_back({std::to_string(n.node_id), Printable(n.internode_address), state,
                    self_unset_heartbeat ? "-" : FormatHeartbeatAge(n.last_heartbeat_ms_ago),
                    FormatClockOffset(n.clock_offset_ms), std::to_string(n.partitions_owned),
                    std::to_string(n.hints_pending)});
  }
  out += '\n' + FormatTable(rows) + '\n';
  out += fmt::format(
      "nodes up: {} of {}, hints dropped: {}, clock rejections: {}, writes refused "
      "while fenced: {}\n",
      NodesUp(status), status.nodes.size(), status.hints_dropped, status.clock_rejections,
      status.fenced_writes);
  out += FormatRequestCounts(status);
  out += FormatAntiEntropyStatus(status);
  return out;
}

std::string FormatStatusJson(const ClusterStatus& status, std::string_view endpoint) {
  std::string out = fmt::format(
      "{{\"endpoint\":{},\"node_id\":{},\"partitions\":{},\"replication_factor\":{},"
      "\"clock_fenced\":{},\"clock_fence_reason\":{},\"hints_dropped\":{},"
      "\"clock_rejections\":{},\"fenced_writes\":{},\"hint_window_ms\":{},\"all_up\":{},"
      "\"nodes\":[",
      JsonString(endpoint), status.node_id, status.partitions, status.replication_factor,
      status.clock_fenced ? "true" : "false",
      status.clock_fence_reason ? JsonString(*status.clock_fence_reason) : "null",
      status.hints_dropped, status.clock_rejections, status.fenced_writes,
      JsonOptional(status.hint_window_ms), StatusExitCode(status) == kExitOk ? "true" : "false");
  bool first = true;
  for (const NodeStatus& n : SortedNodes(status)) {
    out += fmt::format(
        "{}{{\"node_id\":{},\"internode_address\":{},\"is_self\":{},\"up\":{},"
        "\"last_heartbeat_ms_ago\":{},\"clock_offset_ms\":{},\"partitions_owned\":{},"
        "\"hints_pending\":{}}}",
        first ? "" : ",", n.node_id, JsonString(n.internode_address), n.is_self ? "true" : "false",
        n.up ? "true" : "false", JsonOptional(n.last_heartbeat_ms_ago),
        JsonOptional(n.clock_offset_ms), n.partitions_owned, n.hints_pending);
    first = false;
  }
  out += fmt::format(
      "],\"oldest_exchange_ms_ago\":{},\"records_purged\":{},\"syncing\":{},"
      "\"exchanges\":",
      JsonOptional(status.oldest_exchange_ms_ago), JsonOptional(status.records_purged),
      JsonOptionalBool(status.syncing));
  if (!status.exchanges) return out + "null" + MetricsJson(status) + "}\n";
  out += '[';
  first = true;
  for (const ExchangeState& e : *status.exchanges) {
    out += fmt::format("{}{{\"partition\":{},\"peer\":{},\"last_success_ms_ago\":{}}}",
                       first ? "" : ",", e.partition, e.peer, JsonOptional(e.last_success_ms_ago));
    first = false;
  }
  return out + "]" + MetricsJson(status) + "}\n";
}

std::string PutHelp() {
  return CommandHelp(
      fmt::format("{} put KEY (VALUE | --stdin) [--ttl DURATION] [--consistency LEVEL] [-v]",
                  kGlobalUsage),
      "Stores VALUE under KEY, replacing any earlier value. VALUE '-' (or --stdin with no\n"
      "VALUE) reads the value from standard input, byte for byte. Prints nothing on success;\n"
      "--verbose prints the version the write was stamped with (its HLC timestamp). A KEY\n"
      "or VALUE that starts with '-' goes after '--', and there it is taken literally:\n"
      "'put k -- -' stores the one byte '-'. Values over the server's max_value_bytes\n"
      "(1 MiB by default) are refused before they are sent.",
      PutOptions(),
      "  alder put user:42 '{\"name\": \"Ada\"}'\n"
      "  alder put session:9 token-abc --ttl 30m --consistency all\n"
      "  tar c photos | alder --host db1 put backup:photos -\n"
      "  alder put -- offset -17\n"
      "  alder put dash -- -                  # stores '-'\n"
      "  alder put --stdin -- -key < file     # a key starting with '-', value from stdin\n"
      "\n"
      "Exit codes: 0 stored, 2 usage or invalid input (also the server's verdict: key or\n"
      "value too large, bad TTL), 3 cannot connect, 4 the cluster could not store it\n"
      "(Unavailable, TimedOut). The table for every command: 'alder --help'.");
}

std::string GetHelp() {
  return CommandHelp(
      fmt::format("{} get KEY [--consistency LEVEL] [-v]", kGlobalUsage),
      "Writes the value of KEY to standard output exactly as stored (no newline is added).\n"
      "A key that has no value, was deleted or has expired prints 'alder: not found: KEY'\n"
      "on stderr and exits 1.",
      ReadOptionsDescription(),
      "  alder get user:42\n"
      "  alder get backup:photos > photos.tar\n"
      "  alder --port 7710 get user:42 --consistency one -v\n"
      "\n"
      "Exit codes: 0 found, 1 not found, 2 usage or invalid input, 3 cannot connect, 4 the\n"
      "cluster could not answer (Unavailable, TimedOut). The table: 'alder --help'.");
}

std::string DeleteHelp() {
  return CommandHelp(
      fmt::format("{} delete KEY [--consistency LEVEL] [-v]", kGlobalUsage),
      "Deletes KEY by writing a tombstone. Deleting a key that does not exist is not an\n"
      "error. Prints nothing on success; --verbose prints the version of the delete.",
      DeleteOptions(),
      "  alder delete user:42\n"
      "  alder delete session:9 --consistency all\n"
      "\n"
      "Exit codes: 0 deleted, 2 usage or invalid input, 3 cannot connect, 4 the cluster\n"
      "could not delete it (Unavailable, TimedOut). The table: 'alder --help'.");
}

std::string StatusHelp() {
  return CommandHelp(
      fmt::format("{} status [--json]", kGlobalUsage),
      "Asks one node how it sees the cluster and prints: which node answered, the number of\n"
      "partitions and the replication factor; a warning when that node is clock-fenced\n"
      "(its clock is too far off, so it refuses to coordinate writes) and why; then one row\n"
      "per node: id, internode address, state as the answering node sees it (up or down,\n"
      "'(self)' marks the answering node), time since its last heartbeat ('never' if none\n"
      "arrived), its clock offset from the answering node, the partitions it replicates and\n"
      "the hints the answering node holds for it; then hints dropped (older than\n"
      "hint_window) and remote timestamps rejected as too far ahead. When the server reports\n"
      "anti-entropy: the age of the oldest successful exchange over every partition and\n"
      "other replica ('some partitions never exchanged' when a pair has not exchanged since\n"
      "the node started), one line per other replica, the records tombstone GC purged, and a\n"
      "warning while the node is syncing after a long absence. --json prints the same as one\n"
      "JSON object (the field names of thrift/alder.thrift's ClusterStatus; unset is null).",
      StatusOptions(),
      "  alder status\n"
      "  alder --port 7710 status\n"
      "  alder status --json | python3 -m json.tool\n"
      "  until alder status >/dev/null; do sleep 1; done   # wait until every node is up\n"
      "\n"
      "Exit codes: 0 every node is up, 1 some node is down (the report is still printed),\n"
      "2 usage error, 3 connection failure, 4 server error. The table: 'alder --help'.");
}

int RunStatus(const ClientOptions& client_options, const std::vector<std::string>& args, Io& io) {
  po::positional_options_description no_positionals;
  auto vm = ParseCommandArgs(args, StatusOptions(), no_positionals);
  if (!vm.ok()) return UsageError(io, "status", vm.error());

  Client client(client_options);
  ClusterStatus status;
  const CallStatus call = client.Status(&status);
  if (!call.ok()) return CallFailed(io, call);
  io.out << (vm.value()["json"].as<bool>() ? FormatStatusJson(status, client.endpoint())
                                           : FormatStatusText(status))
         << std::flush;
  return StatusExitCode(status);
}

int RunPut(const ClientOptions& client_options, const std::vector<std::string>& args, Io& io) {
  po::options_description all;
  all.add(PutOptions()).add(Positionals({"key", "value"}));
  po::positional_options_description positional;
  positional.add("key", 1).add("value", 1);
  auto vm = ParseCommandArgs(args, all, positional);
  if (!vm.ok()) return UsageError(io, "put", vm.error());
  const bool from_stdin = vm.value()["stdin"].as<bool>();
  if (!vm.value().count("key")) return UsageError(io, "put", "missing KEY");
  if (from_stdin == (vm.value().count("value") > 0)) {
    return UsageError(io, "put", from_stdin ? "give VALUE or --stdin, not both" : "missing VALUE");
  }

  WriteParams params;
  if (vm.value().count("ttl")) {
    auto ttl = ParsePositiveDurationArg("--ttl", vm.value()["ttl"].as<std::string>());
    if (!ttl.ok()) return UsageError(io, "put", ttl.error());
    params.ttl = ttl.value();
  }
  int exit_code = kExitOk;
  if (!ConsistencyFrom(vm.value(), "put", io, &params.consistency, &exit_code)) return exit_code;

  const std::string& key = vm.value()["key"].as<std::string>();
  std::string value = from_stdin ? std::string() : vm.value()["value"].as<std::string>();
  // After "--" every argument is literal, VALUE '-' too: `put k -- -` stores
  // "-". The value is the last positional, so it came after "--" exactly
  // when something did.
  const auto terminator = std::find(args.begin(), args.end(), "--");
  const bool literal = terminator != args.end() && terminator + 1 != args.end();
  if (from_stdin || (value == "-" && !literal)) {
    value.assign(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>());
    if (io.in.bad()) {
      PrintError(io, "put: cannot read the value from standard input");
      return kExitFailure;
    }
  }

  Client client(client_options);
  int64_t version = 0;
  const CallStatus status = client.Put(key, value, params, &version);
  if (!status.ok()) return CallFailed(io, status);
  if (vm.value()["verbose"].as<bool>()) io.out << version << '\n' << std::flush;
  return kExitOk;
}

int RunGet(const ClientOptions& client_options, const std::vector<std::string>& args, Io& io) {
  po::options_description all;
  all.add(ReadOptionsDescription()).add(Positionals({"key"}));
  po::positional_options_description positional;
  positional.add("key", 1);
  auto vm = ParseCommandArgs(args, all, positional);
  if (!vm.ok()) return UsageError(io, "get", vm.error());
  if (!vm.value().count("key")) return UsageError(io, "get", "missing KEY");

  ReadParams params;
  int exit_code = kExitOk;
  if (!ConsistencyFrom(vm.value(), "get", io, &params.consistency, &exit_code)) return exit_code;

  Client client(client_options);
  StoredValue value;
  const CallStatus status = client.Get(vm.value()["key"].as<std::string>(), params, &value);
  if (!status.ok()) return CallFailed(io, status);
  io.out.write(value.bytes.data(), static_cast<std::streamsize>(value.bytes.size()));
  io.out.flush();
  if (!io.out) {
    PrintError(io, "get: cannot write the value to standard output");
    return kExitFailure;
  }
  if (vm.value()["verbose"].as<bool>()) {
    io.err << "version " << value.version;
    if (value.expires_at_ms) io.err << ", expires_at_ms " << *value.expires_at_ms;
    io.err << ", " << value.bytes.size() << " bytes\n" << std::flush;
  }
  return kExitOk;
}

int RunDelete(const ClientOptions& client_options, const std::vector<std::string>& args, Io& io) {
  po::options_description all;
  all.add(DeleteOptions()).add(Positionals({"key"}));
  po::positional_options_description positional;
  positional.add("key", 1);
  auto vm = ParseCommandArgs(args, all, positional);
  if (!vm.ok()) return UsageError(io, "delete", vm.error());
  if (!vm.value().count("key")) return UsageError(io, "delete", "missing KEY");

  WriteParams params;
  int exit_code = kExitOk;
  if (!ConsistencyFrom(vm.value(), "delete", io, &params.consistency, &exit_code)) {
    return exit_code;
  }

  Client client(client_options);
  int64_t version = 0;
  const CallStatus status = client.Remove(vm.value()["key"].as<std::string>(), params, &version);
  if (!status.ok()) return CallFailed(io, status);
  if (vm.value()["verbose"].as<bool>()) io.out << version << '\n' << std::flush;
  return kExitOk;
}

}  // namespace alder::tools
