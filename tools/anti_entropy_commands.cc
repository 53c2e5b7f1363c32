// repair and compare: parse the command's options, call the node, and turn
// the reports into text, JSON and an exit code. The formatting and the
// every-partition loop are separate functions so that tests can drive them
// without a server.
#include "tools/anti_entropy_commands.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <ostream>

#include "fmt/format.h"
#include "server/common/duration.h"

namespace alder::tools {
namespace {

namespace po = boost::program_options;

constexpr std::string_view kGlobalUsage = "alder [GLOBAL OPTIONS]";

// clang-format off
po::options_description RepairOptions() {
  po::options_description options("Options", 100, 50);
  options.add_options()
      ("partition", po::value<std::string>()->value_name("N"),
       "repair only partition N (0..partitions-1)")
      ("key", po::value<std::string>()->value_name("KEY"), "repair only the partition of KEY")
      ("json", po::bool_switch(), "print the summary as one JSON object on stdout")
      ("help,h", "print this help");
  return options;
}

po::options_description CompareOptions() {
  po::options_description options("Options", 100, 50);
  options.add_options()
      ("partition", po::value<std::string>()->value_name("N"),
       "compare only partition N (0..partitions-1)")
      ("key", po::value<std::string>()->value_name("KEY"), "compare only the partition of KEY")
      ("keys", po::bool_switch(), "also list each differing key with every replica's version")
      ("json", po::bool_switch(), "print the comparison as one JSON object on stdout")
      ("help,h", "print this help");
  return options;
}
// clang-format on

// --partition and --key, shared by both commands. Returns false (after
// printing the usage error into *exit_code) when they are malformed.
bool TargetFrom(const po::variables_map& vm, std::string_view command, Io& io,
                std::optional<int32_t>* partition, std::optional<std::string>* key,
                int* exit_code) {
  if (vm.count("partition") && vm.count("key")) {
    *exit_code = UsageError(io, command, "--partition and --key exclude each other; give one");
    return false;
  }
  if (vm.count("partition")) {
    auto n = ParseUnsignedArg("--partition", vm["partition"].as<std::string>(), 0, INT32_MAX);
    if (!n.ok()) {
      *exit_code = UsageError(io, command, n.error());
      return false;
    }
    *partition = static_cast<int32_t>(n.value());
  }
  if (vm.count("key")) {
    *key = vm["key"].as<std::string>();
    if ((*key)->empty()) {
      *exit_code = UsageError(io, command, "--key: must not be empty");
      return false;
    }
  }
  return true;
}

int CallFailed(Io& io, const CallStatus& status) {
  PrintError(io, status.message());
  return ExitCodeFor(status.kind());
}

std::string JsonStringOrNull(const std::optional<std::string>& value) {
  return value ? JsonString(*value) : "null";
}

// "4312 bytes", "1.2 MiB (1258291 bytes)".
std::string FormatBytes(int64_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  value /= 1024.0;
  while (value >= 1024.0 && unit + 1 < std::size(units)) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {} ({} bytes)", value, units[unit], bytes);
}

// "0.35s", "12.3s", "4m 05s".
std::string FormatElapsed(std::chrono::milliseconds elapsed) {
  const int64_t ms = std::max<int64_t>(elapsed.count(), 0);
  if (ms < 60'000) return fmt::format("{:.2f}s", static_cast<double>(ms) / 1000.0);
  return fmt::format("{}m {:02}s", ms / 60'000, (ms % 60'000) / 1000);
}

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

// ---- repair ----

void AddRepairReport(const RepairReport& report, std::optional<int32_t> partition, RepairRun* run) {
  RepairReport& t = run->total;
  t.partitions += report.partitions;
  t.exchanges += report.exchanges;
  t.failed_exchanges += report.failed_exchanges;
  t.tree_nodes_compared += report.tree_nodes_compared;
  t.keys_listed += report.keys_listed;
  t.records_sent += report.records_sent;
  t.bytes_sent += report.bytes_sent;
  t.records_differing += report.records_differing;
  t.elapsed_ms += report.elapsed_ms;
  if (!run->first_error && report.failed_exchanges > 0) {
    std::string error = report.error.value_or("no reason given");
    if (partition) error = fmt::format("partition {}: {}", *partition, error);
    run->first_error = std::move(error);
  }
}

bool IsNotReplicatedError(const CallStatus& status) {
  if (status.ok() || status.kind() != ErrorKind::kInvalidArgument) return false;
  // The server's words are not part of the contract; match the meaning:
  // "node 2 does not replicate partition 7", "partition 7 is not replicated
  // here", "not a replica of partition 7".
  const std::string message = Lower(status.message());
  if (message.find("replica") == std::string::npos) return false;
  return message.find("not ") != std::string::npos || message.find("n't ") != std::string::npos ||
         message.find("no replica") != std::string::npos;
}

std::string FormatRepairText(const RepairRun& run) {
  const RepairReport& t = run.total;
  std::string out;
  std::string repaired = fmt::format("partitions repaired: {}", t.partitions);
  if (run.partitions_total > 0) repaired += fmt::format(" of {}", run.partitions_total);
  if (run.not_replicated > 0) {
    repaired += fmt::format(" ({} skipped: {} does not replicate them)", run.not_replicated,
                            run.node_id ? fmt::format("node {}", *run.node_id) : "the node");
  }
  out += repaired + '\n';
  out += fmt::format("exchanges: {} ({} failed)\n", t.exchanges, t.failed_exchanges);
  out += fmt::format("tree nodes compared: {}\n", t.tree_nodes_compared);
  out += fmt::format("keys listed: {}\n", t.keys_listed);
  out += fmt::format("records differing: {}\n", t.records_differing);
  std::string sent = fmt::format("records sent: {}", t.records_sent);
  if (t.records_differing > 0) {
    sent +=
        fmt::format(" ({:.2f} per record differing)",
                    static_cast<double>(t.records_sent) / static_cast<double>(t.records_differing));
  }
  out += sent + '\n';
  out += fmt::format("bytes sent: {}\n", FormatBytes(t.bytes_sent));
  out += fmt::format("elapsed: {}\n", FormatElapsed(run.wall));
  return out;
}

std::string FormatRepairJson(const RepairRun& run, std::string_view endpoint) {
  const RepairReport& t = run.total;
  return fmt::format(
      "{{\"endpoint\":{},\"node_id\":{},\"partitions_total\":{},\"not_replicated\":{},"
      "\"partitions\":{},\"exchanges\":{},\"failed_exchanges\":{},\"tree_nodes_compared\":{},"
      "\"keys_listed\":{},\"records_sent\":{},\"bytes_sent\":{},\"records_differing\":{},"
      "\"elapsed_ms\":{},\"wall_ms\":{},\"error\":{}}}\n",
      JsonString(endpoint), run.node_id ? std::to_string(*run.node_id) : std::string("null"),
      run.partitions_total > 0 ? std::to_string(run.partitions_total) : std::string("null"),
      run.not_replicated, t.partitions, t.exchanges, t.failed_exchanges, t.tree_nodes_compared,
      t.keys_listed, t.records_sent, t.bytes_sent, t.records_differing, t.elapsed_ms,
      run.wall.count(), JsonStringOrNull(run.first_error));
}

int RepairExitCode(const RepairRun& run) {
  return run.total.failed_exchanges == 0 ? kExitOk : kExitUnavailable;
}

RepairProgress::RepairProgress(Io& io, int32_t partitions) : io_(io), partitions_(partitions) {}

void RepairProgress::Update(int32_t done, int64_t records_sent) {
  const std::string line = fmt::format("repair: partition {}/{}, {} sent so far", done, partitions_,
                                       Plural(records_sent, "record", "records"));
  if (io_.err_is_tty) {
    std::string padded = '\r' + line;
    if (line.size() < last_length_) padded += std::string(last_length_ - line.size(), ' ');
    io_.err << padded << std::flush;
    last_length_ = line.size();
    drawn_ = true;
    return;
  }
  if (partitions_ <= 0) return;
  const int decile = static_cast<int>(int64_t{done} * 10 / partitions_);
  if (decile > last_decile_) {
    last_decile_ = decile;
    io_.err << line << '\n' << std::flush;
  }
}

void RepairProgress::Finish() {
  if (drawn_) io_.err << '\n' << std::flush;
  drawn_ = false;
}

CallStatus RepairEachPartition(int32_t partitions, const RepairPartitionFn& repair, Io& io,
                               RepairRun* run, int32_t* stopped_at) {
  RepairProgress progress(io, partitions);
  if (io.err_is_tty) progress.Update(0, 0);
  for (int32_t p = 0; p < partitions; ++p) {
    RepairReport report;
    const CallStatus call = repair(p, &report);
    if (!call.ok()) {
      if (!IsNotReplicatedError(call)) {
        progress.Finish();
        *stopped_at = p;
        return call;
      }
      ++run->not_replicated;
    } else {
      AddRepairReport(report, p, run);
    }
    progress.Update(p + 1, run->total.records_sent);
  }
  progress.Finish();
  return CallStatus::Ok();
}

std::string RepairHelp() {
  return CommandHelp(
      fmt::format("{} repair [--partition N | --key KEY] [--json]", kGlobalUsage),
      "Runs anti-entropy now on the node asked: for each partition it replicates, it\n"
      "exchanges Merkle trees with every other replica and sends the records that differ, in\n"
      "both directions. Without options it repairs every partition, one at a time, showing\n"
      "progress on stderr; partitions the node does not replicate are skipped and counted.\n"
      "Then it prints what moved: partitions repaired, exchanges (and how many failed), tree\n"
      "nodes compared, keys listed, records that differed, records and bytes sent, elapsed\n"
      "time. Records sent per record differing is 1.00 when repair sent nothing needless.\n"
      "Each partition's repair must answer within --timeout (default 10s): raise it for\n"
      "large partitions.",
      RepairOptions(),
      "  alder repair\n"
      "  alder repair --partition 37\n"
      "  alder --port 7710 repair --key user:42\n"
      "  alder --timeout 5m repair --json\n"
      "\n"
      "Exit codes: 0 every exchange succeeded, 2 usage or invalid input (such as a\n"
      "partition out of range), 3 connection failure to the node asked, 4 some exchange\n"
      "failed (the first error is printed). The table: 'alder --help'.");
}

int RunRepair(const ClientOptions& client_options, const std::vector<std::string>& args, Io& io) {
  po::positional_options_description no_positionals;
  auto vm = ParseCommandArgs(args, RepairOptions(), no_positionals);
  if (!vm.ok()) return UsageError(io, "repair", vm.error());
  RepairParams params;
  int exit_code = kExitOk;
  if (!TargetFrom(vm.value(), "repair", io, &params.partition, &params.key, &exit_code)) {
    return exit_code;
  }
  const bool json = vm.value()["json"].as<bool>();

  Client client(client_options);
  RepairRun run;
  const auto start = std::chrono::steady_clock::now();
  if (params.partition || params.key) {
    RepairReport report;
    const CallStatus call = client.Repair(params, &report);
    if (!call.ok()) return CallFailed(io, call);
    AddRepairReport(report, params.partition, &run);
  } else {
    ClusterStatus status;
    const CallStatus call = client.Status(&status);
    if (!call.ok()) return CallFailed(io, call);
    if (status.partitions <= 0) {
      PrintError(io, fmt::format("repair: {} reports {} partitions; nothing to repair",
                                 client.endpoint(), status.partitions));
      return kExitFailure;
    }
    run.node_id = status.node_id;
    run.partitions_total = status.partitions;
    int32_t stopped_at = 0;
    const CallStatus stopped = RepairEachPartition(
        status.partitions,
        [&](int32_t partition, RepairReport* report) {
          RepairParams one;
          one.partition = partition;
          return client.Repair(one, report);
        },
        io, &run, &stopped_at);
    if (!stopped.ok()) {
      PrintError(io,
                 fmt::format("repair: stopped at partition {} of {} ({} repaired): {}", stopped_at,
                             status.partitions, run.total.partitions, stopped.message()));
      return ExitCodeFor(stopped.kind());
    }
  }
  run.wall = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);

  io.out << (json ? FormatRepairJson(run, client.endpoint()) : FormatRepairText(run)) << std::flush;
  const int code = RepairExitCode(run);
  if (code != kExitOk) {
    PrintError(io, fmt::format("repair: {} failed; the first: {}",
                               Plural(run.total.failed_exchanges, "exchange", "exchanges"),
                               Printable(run.first_error.value_or("no reason given"))));
  }
  return code;
}

// ---- compare ----

std::string CompareHelp() {
  return CommandHelp(
      fmt::format("{} compare [--partition N | --key KEY] [--keys] [--json]", kGlobalUsage),
      "Compares the replicas of the partitions the node asked replicates (all of them, one\n"
      "partition, or the partition of KEY) by their Merkle trees, without changing anything.\n"
      "Differences seen once are checked again, so writes still in flight are not reported.\n"
      "Prints each partition that is not converged with each replica's root hash (first 16\n"
      "hex digits) or why it could not be reached; with --keys also each differing key and\n"
      "every replica's version ('node 2: 1764000000000.3' is Unix ms and logical counter,\n"
      "'none' means the replica holds nothing, '(deleted)' marks a tombstone). When every\n"
      "replica agrees it prints one line: 'converged: N partitions, R replicas each equal'.\n"
      "'alder repair' makes replicas converge.",
      CompareOptions(),
      "  alder compare\n"
      "  alder compare --partition 37 --keys\n"
      "  alder --port 7710 compare --key user:42 --keys\n"
      "  alder compare --json | python3 -m json.tool\n"
      "  alder compare >/dev/null; [ $? -eq 1 ] && alder repair   # repair only what differs\n"
      "\n"
      "Exit codes: 0 converged, 1 not converged, 2 usage or invalid input (such as a\n"
      "partition out of range), 3 connection failure to the node asked, 4 a replica could\n"
      "not be reached (the comparison is incomplete; this wins over 1). The table for\n"
      "every command: 'alder --help'.");
}

std::string VerifyTreesHelp() {
  po::options_description options("Options");
  options.add_options()("help,h", "print this help");
  return CommandHelp(
      fmt::format("{} verify-trees", kGlobalUsage),
      "Asks the node to rebuild the Merkle tree of every partition it replicates from its\n"
      "digest index and compare each with the tree it keeps current on every write. A\n"
      "mismatch means the live tree drifted from the data (a bug to report); restarting the\n"
      "node rebuilds its trees from the index.",
      options,
      "  alder verify-trees\n"
      "  alder --port 7710 verify-trees\n"
      "\n"
      "Exit codes: 0 every tree matches, 1 some partition's tree differs (listed), 2 usage\n"
      "error, 3 connection failure, 4 server error. The table: 'alder --help'.");
}

std::string FormatTreeVerification(const TreeVerification& verification) {
  std::string out = fmt::format("checked {} partitions against {} index entries: ",
                                verification.partitions_checked, verification.index_entries);
  if (verification.mismatched_partitions.empty()) return out + "every tree matches\n";
  out += fmt::format("{} differ:", verification.mismatched_partitions.size());
  for (int32_t p : verification.mismatched_partitions) out += fmt::format(" {}", p);
  return out + "\n";
}

int RunVerifyTrees(const ClientOptions& client_options, const std::vector<std::string>& args,
                   Io& io) {
  po::options_description options("Options");
  options.add_options()("help,h", "print this help");
  po::positional_options_description no_positionals;
  auto vm = ParseCommandArgs(args, options, no_positionals);
  if (!vm.ok()) return UsageError(io, "verify-trees", vm.error());
  Client client(client_options);
  TreeVerification verification;
  const CallStatus call = client.VerifyTrees(&verification);
  if (!call.ok()) {
    PrintError(io, call.message());
    return ExitCodeFor(call.kind());
  }
  io.out << FormatTreeVerification(verification) << std::flush;
  return verification.mismatched_partitions.empty() ? kExitOk : kExitFailure;
}

int RunCompare(const ClientOptions& client_options, const std::vector<std::string>& args, Io& io) {
  po::positional_options_description no_positionals;
  auto vm = ParseCommandArgs(args, CompareOptions(), no_positionals);
  if (!vm.ok()) return UsageError(io, "compare", vm.error());
  CompareParams params;
  int exit_code = kExitOk;
  if (!TargetFrom(vm.value(), "compare", io, &params.partition, &params.key, &exit_code)) {
    return exit_code;
  }
  params.list_keys = vm.value()["keys"].as<bool>();
  const bool json = vm.value()["json"].as<bool>();

  Client client(client_options);
  Comparison comparison;
  const CallStatus call = client.Compare(params, &comparison);
  if (!call.ok()) {
    PrintError(io, call.message());
    return ExitCodeFor(call.kind());  // never 1: that would claim the replicas differ
  }
  io.out << (json ? FormatCompareJson(comparison, client.endpoint())
                  : FormatCompareText(comparison))
         << std::flush;
  const int code = CompareExitCode(comparison);
  if (code == kExitUnavailable) {
    PrintError(io, fmt::format("compare: {} could not be reached; the comparison is incomplete",
                               Plural(comparison.unreachable, "replica", "replicas")));
  }
  return code;
}

}  // namespace alder::tools
