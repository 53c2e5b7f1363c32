// The alder command line: global options, subcommand dispatch and help.
//
//   alder [--host HOST] [--port PORT] [--timeout DURATION] COMMAND [ARGS]
//
// Global options may also appear after the command (`alder get k --port
// 7710`). `--help` anywhere prints the help of the command, or of the program
// when there is no command. `--` ends option parsing: what follows goes to the
// command as positional arguments.
//
// Contract: RunAlder never throws and returns an exit code from
// tools/command.h; every error is one line on io.err starting "alder: ".
#ifndef ALDER_TOOLS_CLI_H_
#define ALDER_TOOLS_CLI_H_

#include <string>
#include <vector>

#include "tools/args.h"
#include "tools/command.h"

namespace alder::tools {

struct GlobalOptions {
  ClientOptions client;
  bool help = false;
  bool version = false;
  std::string command;            // empty when none was given
  std::vector<std::string> args;  // for the command, in their original order
};

// Parses the global options out of `args` (argv without the program name)
// and splits off the command and its arguments.
ArgResult<GlobalOptions> ParseGlobalOptions(const std::vector<std::string>& args);

// The program's --help text.
std::string ProgramHelp();

// Runs the alder program on `args` (argv without the program name).
int RunAlder(const std::vector<std::string>& args, Io& io);

}  // namespace alder::tools

#endif  // ALDER_TOOLS_CLI_H_
