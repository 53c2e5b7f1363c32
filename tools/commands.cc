// put, get and delete: parse the command's own options, make one call, and
// translate the outcome into output and an exit code. Values are bytes, not
// text, so get writes them untouched and put '-' reads stdin untouched.
#include "tools/commands.h"

#include <iostream>
#include <iterator>

#include "fmt/format.h"

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

}  // namespace

std::string PutHelp() {
  return CommandHelp(
      fmt::format("{} put KEY VALUE [--ttl DURATION] [--consistency LEVEL] [-v]", kGlobalUsage),
      "Stores VALUE under KEY, replacing any earlier value. VALUE '-' reads the value from\n"
      "standard input, byte for byte. Prints nothing on success; --verbose prints the\n"
      "version the write was stamped with (its HLC timestamp). A KEY or VALUE that starts\n"
      "with '-' goes after '--'.",
      PutOptions(),
      "  alder put user:42 '{\"name\": \"Ada\"}'\n"
      "  alder put session:9 token-abc --ttl 30m --consistency all\n"
      "  tar c photos | alder --host db1 put backup:photos -\n"
      "  alder put -- offset -17\n"
      "\n"
      "Exit codes: 0 stored, 1 server error, 2 usage error, 3 connection failure.");
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
      "Exit codes: 0 found, 1 not found or server error, 2 usage error, 3 connection failure.");
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
      "Exit codes: 0 deleted, 1 server error, 2 usage error, 3 connection failure.");
}

int RunPut(const ClientOptions& client_options, const std::vector<std::string>& args, Io& io) {
  po::options_description all;
  all.add(PutOptions()).add(Positionals({"key", "value"}));
  po::positional_options_description positional;
  positional.add("key", 1).add("value", 1);
  auto vm = ParseCommandArgs(args, all, positional);
  if (!vm.ok()) return UsageError(io, "put", vm.error());
  if (!vm.value().count("key")) return UsageError(io, "put", "missing KEY and VALUE");
  if (!vm.value().count("value")) return UsageError(io, "put", "missing VALUE");

  WriteParams params;
  if (vm.value().count("ttl")) {
    auto ttl = ParsePositiveDurationArg("--ttl", vm.value()["ttl"].as<std::string>());
    if (!ttl.ok()) return UsageError(io, "put", ttl.error());
    params.ttl = ttl.value();
  }
  int exit_code = kExitOk;
  if (!ConsistencyFrom(vm.value(), "put", io, &params.consistency, &exit_code)) return exit_code;

  const std::string& key = vm.value()["key"].as<std::string>();
  std::string value = vm.value()["value"].as<std::string>();
  if (value == "-") {
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
