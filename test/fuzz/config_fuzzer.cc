// alderd's configuration (server/config.h): ParseCommandLine on an argv and
// a --config file both built from the input, as an operator's typo or a
// template gone wrong would give them. The input is the arguments, one per
// line, then optionally a 0xFF byte and the config file's text; with a
// file, "--config PATH" is appended to the arguments. Whatever it parses
// must come back as a value or an InvalidArgument, never as a crash, an
// escaped exception or undefined behaviour.
//
// An argument that could name another config file (--config, or a prefix
// of it that Boost would take for it) is dropped: the fuzzer must not make
// the parser read /dev/zero or any other file of the machine.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.h"
#include "test/support/temp_dir.h"

namespace {

bool MayNameConfigFile(std::string_view arg) {
  if (arg.empty() || arg[0] != '-') return false;
  arg.remove_prefix(arg[0] == '-' && arg.size() > 1 && arg[1] == '-' ? 2 : 1);
  arg = arg.substr(0, arg.find('='));
  return !arg.empty() && std::string_view("config").starts_with(arg);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const alder::testing::TempDir dir;
  static const std::string path = dir.Sub("alderd.conf");

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\xff');
  const std::string_view args = input.substr(0, split);

  std::vector<std::string> argv_strings{"alderd"};
  for (size_t begin = 0; begin <= args.size();) {
    size_t end = args.find('\n', begin);
    if (end == std::string_view::npos) end = args.size();
    std::string arg(args.substr(begin, end - begin));
    if (!MayNameConfigFile(arg) && !(end == args.size() && arg.empty())) {
      argv_strings.push_back(std::move(arg));
    }
    begin = end + 1;
  }
  if (split != std::string_view::npos) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << input.substr(split + 1);
    argv_strings.push_back("--config");
    argv_strings.push_back(path);
  }
  std::vector<const char*> argv;
  for (const std::string& arg : argv_strings) argv.push_back(arg.c_str());
  argv.push_back(nullptr);

  auto parsed = alder::ParseCommandLine(static_cast<int>(argv.size() - 1), argv.data());
  if (parsed.ok()) {
    // Values the node computes from a config it accepted.
    const alder::NodeConfig& config = parsed.value().config;
    (void)alder::FormatByteSize(config.cache_size_bytes);
    (void)alder::DefaultHintWindow(config.gc_grace, config.request_timeout);
  }
  return 0;
}
