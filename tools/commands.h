// The single-key commands of the alder CLI: put, get and delete.
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
#ifndef ALDER_TOOLS_COMMANDS_H_
#define ALDER_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

#include "tools/command.h"

namespace alder::tools {

int RunPut(const ClientOptions& client, const std::vector<std::string>& args, Io& io);
int RunGet(const ClientOptions& client, const std::vector<std::string>& args, Io& io);
int RunDelete(const ClientOptions& client, const std::vector<std::string>& args, Io& io);

// The --help text of each command.
std::string PutHelp();
std::string GetHelp();
std::string DeleteHelp();

}  // namespace alder::tools

#endif  // ALDER_TOOLS_COMMANDS_H_
