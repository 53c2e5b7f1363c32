// Subcommand parsing in two passes, the Boost.Program_options way: the first
// pass knows only the global options, lets everything else through
// (allow_unregistered) and takes the first positional token as the command;
// collect_unrecognized-style gathering then hands the remaining tokens, in
// order, to the command's own parser. Two details keep that honest:
// - tokens after "--" are split off before the first pass and passed on
//   behind a "--", so that `alder put -- k -v` stores the value "-v";
// - an unknown option before the command is an error here, since the first
//   pass cannot know whether it takes a value (`alder --ttl 5s put` would
//   otherwise run the command "5s").
#include "tools/cli.h"

#include <algorithm>
#include <array>
#include <ostream>
#include <sstream>

#include "fmt/format.h"
#include "server/common/duration.h"
#include "tools/anti_entropy_commands.h"
#include "tools/bench.h"
#include "tools/commands.h"
#include "tools/top.h"

#ifndef ALDER_VERSION
#define ALDER_VERSION "dev"
#endif

namespace alder::tools {
namespace {

namespace po = boost::program_options;

struct CommandSpec {
  std::string_view name;
  std::string_view summary;
  std::string (*help)();
  CommandFn run;
};

constexpr std::array<CommandSpec, 9> kCommands = {{
    {"put", "store a value: put KEY VALUE [--ttl DURATION]; VALUE '-' reads stdin", PutHelp,
     RunPut},
    {"get", "write a key's value to stdout: get KEY", GetHelp, RunGet},
    {"delete", "delete a key: delete KEY", DeleteHelp, RunDelete},
    {"status", "how the cluster looks from one node: nodes, liveness, partitions, hints",
     StatusHelp, RunStatus},
    {"repair", "run anti-entropy now and report what moved: repair [--partition N | --key K]",
     RepairHelp, RunRepair},
    {"compare", "compare the replicas' Merkle trees; exit 0 when converged, 1 when not",
     CompareHelp, RunCompare},
    {"verify-trees", "check the node's live Merkle trees against its digest index", VerifyTreesHelp,
     RunVerifyTrees},
    {"top", "live view of every node: ops/s, p99, errors, hints, repair, clock", TopHelp, RunTop},
    {"bench", "load generator: throughput and latency percentiles", BenchHelp, RunBench},
}};

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// "put, get, ..., verify-trees and bench": every command, from the table.
std::string CommandList(std::string_view last_joiner) {
  std::string out;
  for (size_t i = 0; i < kCommands.size(); ++i) {
    if (i > 0) out += i + 1 == kCommands.size() ? fmt::format(" {} ", last_joiner) : ", ";
    out += kCommands[i].name;
  }
  return out;
}

// --tls-ca, --tls-cert and --tls-key, each else from its environment
// variable: TLS files when a CA is given, none when nothing is.
ArgResult<std::optional<ClientTlsFiles>> TlsFilesFrom(const po::variables_map& vm) {
  auto setting = [&vm](const char* flag, const char* variable) -> std::string {
    if (vm.count(flag)) return vm[flag].as<std::string>();
    const char* value = std::getenv(variable);
    return value ? value : "";
  };
  ClientTlsFiles files{setting("tls-ca", "ALDER_TLS_CA"), setting("tls-cert", "ALDER_TLS_CERT"),
                       setting("tls-key", "ALDER_TLS_KEY")};
  if (files.cert.empty() != files.key.empty()) {
    return ArgError{"--tls-cert and --tls-key (ALDER_TLS_CERT, ALDER_TLS_KEY) go together"};
  }
  if (files.ca.empty()) {
    if (!files.cert.empty()) {
      return ArgError{
          "--tls-cert needs --tls-ca (or ALDER_TLS_CA): TLS is on only with a CA to check the "
          "server against"};
    }
    return std::optional<ClientTlsFiles>();
  }
  return std::optional<ClientTlsFiles>(files);
}

// clang-format off
po::options_description GlobalOptionsDescription() {
  const ClientOptions defaults;
  po::options_description options("Global options", 100, 50);
  options.add_options()
      ("host", po::value<std::string>()->value_name("HOST"),
       fmt::format("server to talk to (default {})", defaults.host).c_str())
      ("port", po::value<std::string>()->value_name("PORT"),
       fmt::format("its client port (default {})", defaults.port).c_str())
      ("timeout", po::value<std::string>()->value_name("DURATION"),
       fmt::format("limit on connecting, each send and each reply (default {})",
                   FormatDuration(defaults.timeout)).c_str())
      ("tls-ca", po::value<std::string>()->value_name("FILE"),
       "speak TLS, trusting servers whose certificate this CA file signs and names the host "
       "(or ALDER_TLS_CA)")
      ("tls-cert", po::value<std::string>()->value_name("FILE"),
       "client certificate, for servers with client_tls = mutual (or ALDER_TLS_CERT)")
      ("tls-key", po::value<std::string>()->value_name("FILE"),
       "its private key (or ALDER_TLS_KEY)")
      ("help,h", "print help: of the command when one is given")
      ("version", "print the version and exit");
  return options;
}
// clang-format on

}  // namespace

ArgResult<GlobalOptions> ParseGlobalOptions(const std::vector<std::string>& args) {
  // Split at the first "--": the head is parsed here, the tail is the
  // command's, verbatim.
  const auto terminator = std::find(args.begin(), args.end(), "--");
  const std::vector<std::string> head(args.begin(), terminator);
  std::vector<std::string> tail;
  if (terminator != args.end()) tail.assign(terminator + 1, args.end());

  po::options_description visible = GlobalOptionsDescription();
  po::options_description all;
  all.add(visible).add_options()("command", po::value<std::string>())(
      "command-args", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("command", 1).add("command-args", -1);

  po::parsed_options parsed(&all);
  po::variables_map vm;
  try {
    const auto style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    parsed = po::command_line_parser(head)
                 .options(all)
                 .positional(positional)
                 .style(style)
                 .allow_unregistered()
                 .run();
    po::store(parsed, vm);
  } catch (const po::error& e) {
    return ArgError{e.what()};
  }

  GlobalOptions g;
  g.help = vm.count("help") > 0;
  g.version = vm.count("version") > 0;
  if (vm.count("host")) {
    g.client.host = vm["host"].as<std::string>();
    if (g.client.host.empty()) return ArgError{"--host: must not be empty"};
  }
  if (vm.count("port")) {
    auto port = ParsePortArg("--port", vm["port"].as<std::string>());
    if (!port.ok()) return ArgError{port.error()};
    g.client.port = port.value();
  }
  if (vm.count("timeout")) {
    auto timeout = ParsePositiveDurationArg("--timeout", vm["timeout"].as<std::string>());
    if (!timeout.ok()) return ArgError{timeout.error()};
    g.client.timeout = timeout.value();
  }

  auto tls = TlsFilesFrom(vm);
  if (!tls.ok()) return ArgError{tls.error()};
  g.client.tls = tls.value();

  // What collect_unrecognized(include_positional) returns, minus the command
  // itself, with unknown options before the command rejected.
  bool seen_command = false;
  for (const po::option& option : parsed.options) {
    const bool is_positional = option.position_key >= 0;
    if (!option.unregistered && !is_positional) continue;  // a global option
    if (is_positional && !seen_command) {
      seen_command = true;
      g.command = option.value.empty() ? std::string() : option.value.front();
      continue;
    }
    if (option.unregistered && !seen_command) {
      return ArgError{fmt::format(
          "unknown option '{}' before the command; command options go "
          "after the command",
          option.original_tokens.empty() ? option.string_key : option.original_tokens.front())};
    }
    g.args.insert(g.args.end(), option.original_tokens.begin(), option.original_tokens.end());
  }
  if (terminator != args.end()) {
    if (!seen_command && !tail.empty()) {
      g.command = tail.front();
      tail.erase(tail.begin());
    }
    g.args.push_back("--");
    g.args.insert(g.args.end(), tail.begin(), tail.end());
  }
  return g;
}

std::string ProgramHelp() {
  std::ostringstream text;
  text << "alder: the command-line client of the Alder key-value database.\n\n"
       << "Usage: alder [--host HOST] [--port PORT] [--timeout DURATION]\n"
          "             [--tls-ca FILE [--tls-cert FILE --tls-key FILE]] COMMAND [ARGS]\n\n"
       << "Commands:\n";
  size_t width = 0;
  for (const CommandSpec& spec : kCommands)
    width = std::max(width, std::string_view(spec.name).size());
  for (const CommandSpec& spec : kCommands) {
    text << fmt::format("  {:<{}}  {}\n", spec.name, width, spec.summary);
  }
  text << "\n"
       << GlobalOptionsDescription() << "\n"
       << "Global options may also follow the command. 'alder COMMAND --help' describes a\n"
       << "command. '--' ends options, for keys or values that start with '-'.\n\n"
       << "Examples:\n"
       << "  alder put user:42 '{\"name\": \"Ada\"}' --ttl 30d\n"
       << "  alder get user:42\n"
       << "  alder --host db1 --port 7700 delete user:42\n"
       << "  alder --port 7710 status\n"
       << "  alder repair\n"
       << "  alder compare --keys\n"
       << "  alder bench --duration 30s --concurrency 32\n\n"
       << kExitCodeTable;
  return text.str();
}

int RunAlder(const std::vector<std::string>& args, Io& io) {
  auto parsed = ParseGlobalOptions(args);
  if (!parsed.ok()) {
    PrintError(io, parsed.error() + " (see 'alder --help')");
    return kExitUsage;
  }
  const GlobalOptions& g = parsed.value();
  if (g.version) {
    io.out << "alder " << ALDER_VERSION << '\n' << std::flush;
    return kExitOk;
  }
  if (g.command.empty() || g.command == "help") {
    // `alder help put` is `alder put --help`.
    if (g.command == "help" && !g.args.empty() && g.args.front() != "--") {
      if (const CommandSpec* spec = FindCommand(g.args.front())) {
        io.out << spec->help() << std::flush;
        return kExitOk;
      }
    }
    if (g.help || g.command == "help") {
      io.out << ProgramHelp() << std::flush;
      return kExitOk;
    }
    PrintError(io, "missing command: " + CommandList("or") + " (see 'alder --help')");
    return kExitUsage;
  }
  const CommandSpec* spec = FindCommand(g.command);
  if (spec == nullptr) {
    PrintError(io, fmt::format("unknown command '{}'; commands are {} (see 'alder --help')",
                               Printable(g.command), CommandList("and")));
    return kExitUsage;
  }
  if (g.help) {
    io.out << spec->help() << std::flush;
    return kExitOk;
  }
  return spec->run(g.client, g.args, io);
}

}  // namespace alder::tools
