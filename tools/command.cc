#include "tools/command.h"

#include <ostream>
#include <sstream>

#include "fmt/format.h"

namespace alder::tools {

namespace po = boost::program_options;

void PrintError(Io& io, std::string_view message) {
  io.err << "alder: " << message << '\n';
  io.err.flush();
}

int UsageError(Io& io, std::string_view command, std::string_view message) {
  PrintError(io, fmt::format("{}: {} (see 'alder {} --help')", command, message, command));
  return kExitUsage;
}

ArgResult<po::variables_map> ParseCommandArgs(
    const std::vector<std::string>& args, const po::options_description& options,
    const po::positional_options_description& positional) {
  po::variables_map vm;
  try {
    const auto style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(
        po::command_line_parser(args).options(options).positional(positional).style(style).run(),
        vm);
    po::notify(vm);
  } catch (const po::too_many_positional_options_error&) {
    return ArgError{"too many arguments"};
  } catch (const po::error& e) {
    return ArgError{e.what()};
  }
  return vm;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\u{:04x}", c);  // bytes above ASCII as Latin-1, never invalid JSON
    } else {
      out.push_back(ch);
    }
  }
  return out + "\"";
}

std::string CommandHelp(std::string_view usage, std::string_view about,
                        const po::options_description& options, std::string_view examples) {
  std::ostringstream text;
  text << "Usage: " << usage << "\n\n"
       << about << "\n\n"
       << options << "Global options (--host, --port, --timeout): see 'alder --help'.\n\n";
  if (!examples.empty()) text << "Examples:\n" << examples << "\n";
  return text.str();
}

}  // namespace alder::tools
