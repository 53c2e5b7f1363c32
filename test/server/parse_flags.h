// alderd's command line parsed in-process, for the config tests: `args` as
// if given after "alderd".
#ifndef ALDER_TEST_SERVER_PARSE_FLAGS_H_
#define ALDER_TEST_SERVER_PARSE_FLAGS_H_

#include <string>
#include <vector>

#include "server/config.h"

namespace alder {

inline Result<CommandLine> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "alderd");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

}  // namespace alder

#endif  // ALDER_TEST_SERVER_PARSE_FLAGS_H_
