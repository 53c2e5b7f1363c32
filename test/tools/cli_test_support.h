// In-process runs of the alder command line for its tests (test/tools).
#ifndef ALDER_TEST_TOOLS_CLI_TEST_SUPPORT_H_
#define ALDER_TEST_TOOLS_CLI_TEST_SUPPORT_H_

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tools/cli.h"
#include "tools/command.h"

namespace alder::tools::cli_testing {

// What one run of `alder ARGS` did.
struct Outcome {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs `alder ARGS` in-process with `input` on stdin.
inline Outcome RunCli(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  Io io{in, out, err, false};
  const int code = RunAlder(args, io);
  return {code, out.str(), err.str()};
}

inline int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// The lines of `text`, without their '\n'.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace alder::tools::cli_testing

#endif  // ALDER_TEST_TOOLS_CLI_TEST_SUPPORT_H_
