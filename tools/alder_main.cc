// alder: the command-line client. Everything lives in tools/cli.h; main only
// binds the process's streams and makes sure nothing escapes as a crash.
#include <signal.h>
#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "tools/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  // OpenSSL writes to its sockets with write(2): a server that closed a TLS
  // connection must be an error of that call, not the end of alder.
  signal(SIGPIPE, SIG_IGN);
  alder::tools::Io io{std::cin, std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1};
  try {
    return alder::tools::RunAlder(std::vector<std::string>(argv + 1, argv + argc), io);
  } catch (const std::exception& e) {
    std::cerr << "alder: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "alder: internal error\n";
  }
  return alder::tools::kExitFailure;
}
