// Runs a program to completion for tests of what users see: its exit code,
// stdout and stderr, with chosen bytes on stdin and a chosen working
// directory.
#ifndef ALDER_TEST_SUPPORT_RUN_PROGRAM_H_
#define ALDER_TEST_SUPPORT_RUN_PROGRAM_H_

#include <string>
#include <vector>

namespace alder::testing {

struct ProgramOutcome {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is the program's path) with `input` on stdin, in
// `cwd` when not empty, and waits for it.
ProgramOutcome RunProgram(const std::vector<std::string>& argv, const std::string& input = "",
                          const std::string& cwd = "");

// The lines of `text`, without their '\n'.
std::vector<std::string> SplitLines(const std::string& text);

}  // namespace alder::testing

#endif  // ALDER_TEST_SUPPORT_RUN_PROGRAM_H_
