// The commands of the alder CLI that make one call: put, get, delete and
// status.
//
// Contract (each Run* function):
// - `args` are the tokens after the command name; global options (--host,
//   --port, --timeout, --help) have already been removed and applied to
//   `client`.
// - Returns an exit code from tools/command.h and prints at most one error
//   line on io.err. Never throws.
// - put: VALUE "-" reads io.in to its end, byte for byte. Prints nothing on
//   success; with --verbose prints the version written on io.out.
// - get: writes the value's bytes to io.out exactly (no newline added); with
//   --verbose also prints the version and expiry on io.err. A missing key
//   prints "alder: not found: KEY" and returns 1.
// - delete: removing an absent key succeeds. --verbose prints the version of
//   the tombstone on io.out.
// - status: prints how the node it asks sees the cluster on io.out, as a
//   table (FormatStatusText) or with --json as one JSON object on one line
//   (FormatStatusJson). Returns 0 when every node is up, 1 when a node is down
//   (the report is printed either way) or the server answered with an error,
//   3 on a connection failure (nothing on io.out).
#ifndef ALDER_TOOLS_COMMANDS_H_
#define ALDER_TOOLS_COMMANDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "tools/command.h"

namespace alder::tools {

int RunPut(const ClientOptions& client, const std::vector<std::string>& args, Io& io);
int RunGet(const ClientOptions& client, const std::vector<std::string>& args, Io& io);
int RunDelete(const ClientOptions& client, const std::vector<std::string>& args, Io& io);
int RunStatus(const ClientOptions& client, const std::vector<std::string>& args, Io& io);

// status's report. Text: a header line, a warning line when the answering
// node is clock-fenced, a table with one row per node (sorted by node id),
// and a line with hints dropped and clock rejections; every line ends in
// '\n'. JSON: one object on one line, the IDL's field names, unset optional
// fields as null, plus "endpoint" (the address asked) and "all_up".
std::string FormatStatusText(const ClusterStatus& status);
std::string FormatStatusJson(const ClusterStatus& status, std::string_view endpoint);

// "0.4s ago", "42s ago", "12m ago", "5h ago", "3d ago"; "never" when unset.
std::string FormatHeartbeatAge(std::optional<int64_t> ms_ago);
// "+5012 ms", "-3 ms", "+0 ms"; "-" when unset.
std::string FormatClockOffset(std::optional<int64_t> offset_ms);

// kExitOk when every node is up, kExitFailure otherwise.
int StatusExitCode(const ClusterStatus& status);

// The --help text of each command.
std::string PutHelp();
std::string GetHelp();
std::string DeleteHelp();
std::string StatusHelp();

}  // namespace alder::tools

#endif  // ALDER_TOOLS_COMMANDS_H_
