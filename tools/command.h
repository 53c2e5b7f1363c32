// What every alder subcommand shares: the streams it talks through, the exit
// codes it returns, and the one-line error convention.
//
// Exit codes (DESIGN.md section 9, stable for scripts): kExitCodeTable below,
// the same for every command.
#ifndef ALDER_TOOLS_COMMAND_H_
#define ALDER_TOOLS_COMMAND_H_

#include <boost/program_options.hpp>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "tools/args.h"
#include "tools/client.h"

namespace alder::tools {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // the answer is no: not found, not converged, a node down
  kExitUsage = 2,        // usage or invalid input, the client's or the server's verdict
  kExitConnection = 3,   // cannot connect to the node asked, or lost it
  kExitUnavailable = 4,  // the cluster could not do it (Unavailable, TimedOut, server error)
};

// The exit codes as `alder --help` and the README show them.
inline constexpr std::string_view kExitCodeTable =
    "Exit codes, the same for every command:\n"
    "  0  success\n"
    "  1  the answer is no: get found no value, compare found replicas that differ,\n"
    "     status saw a node down, verify-trees found a tree that differs\n"
    "  2  usage or invalid input: an unknown command or option, a malformed argument,\n"
    "     or a request the server rejected as invalid (key or value too large, bad\n"
    "     TTL, partition out of range)\n"
    "  3  cannot connect to the node asked: refused, connection lost, or no reply\n"
    "     within --timeout\n"
    "  4  the cluster could not do it: too few replicas up (Unavailable), replicas too\n"
    "     slow (TimedOut), a server error; for repair and compare, a replica could not\n"
    "     be reached (the result is incomplete)\n";

// The exit code for a failed call.
inline int ExitCodeFor(ErrorKind kind) {
  if (IsConnectionError(kind)) return kExitConnection;
  switch (kind) {
    case ErrorKind::kInvalidArgument:
      return kExitUsage;
    case ErrorKind::kNotFound:
      return kExitFailure;
    default:
      return kExitUnavailable;
  }
}

// The process's streams, injected so tests can run commands in-process.
// `out` receives only what the command produces (values, reports); `err`
// receives errors and progress.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool err_is_tty = false;  // progress redraws one line when true
};

// Writes "alder: <message>\n" to io.err.
void PrintError(Io& io, std::string_view message);

// Prints a usage error "alder: <command>: <message> (see 'alder <command>
// --help')" and returns kExitUsage.
int UsageError(Io& io, std::string_view command, std::string_view message);

// Parses a subcommand's arguments with Boost.Program_options: no prefix
// guessing, '--' ends options. Syntax errors come back as ArgError.
ArgResult<boost::program_options::variables_map> ParseCommandArgs(
    const std::vector<std::string>& args,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional);

// Assembles a command's --help text: usage line, description, options table,
// examples. Each argument is printed as given, separated by blank lines.
std::string CommandHelp(std::string_view usage, std::string_view about,
                        const boost::program_options::options_description& options,
                        std::string_view examples);

// `text` as a JSON string literal, quotes included. Control characters and
// bytes outside ASCII are escaped as \u00XX (read as Latin-1), so the result
// is valid JSON whatever the bytes.
std::string JsonString(std::string_view text);

// A subcommand: runs with the connection settings from the global options
// and the arguments that follow the command name. Returns an exit code.
using CommandFn = int (*)(const ClientOptions& client, const std::vector<std::string>& args,
                          Io& io);

}  // namespace alder::tools

#endif  // ALDER_TOOLS_COMMAND_H_
