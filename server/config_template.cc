#include "server/config_template.h"

#include <cstdint>
#include <sstream>

namespace alder {
namespace po = boost::program_options;
namespace {

constexpr size_t kCommentWidth = 78;

// A setting's value as text; every setting is a string or a uint32_t.
std::string ValueText(const boost::any& value) {
  if (const auto* text = boost::any_cast<std::string>(&value)) return *text;
  if (const auto* number = boost::any_cast<uint32_t>(&value)) return std::to_string(*number);
  return "";
}

// `text` as "# " comment lines of at most kCommentWidth characters.
void WriteComment(std::ostringstream& out, const std::string& text) {
  std::istringstream words(text);
  std::string word, line;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() + 2 > kCommentWidth) {
      out << "# " << line << "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out << "# " << line << "\n";
}

}  // namespace

std::string ConfigTemplate(const po::options_description& settings,
                           const po::variables_map& given) {
  std::ostringstream out;
  out << "# alderd configuration (INI; `alderd --help` lists the same settings).\n"
         "# Durations take units (500ms, 30s, 10m, 3h, 10d), sizes KB, MB, GB.\n"
         "# A commented-out line shows the default; uncomment it to change it.\n";
  for (const auto& option : settings.options()) {
    const std::string& name = option->long_name();
    out << "\n";
    WriteComment(out, option->description());
    const auto found = given.find(name);
    if (found != given.end() && !found->second.defaulted()) {
      out << name << " = " << ValueText(found->second.value()) << "\n";
      continue;
    }
    boost::any default_value;
    const std::string shown =
        option->semantic()->apply_default(default_value) ? ValueText(default_value) : "";
    out << "# " << name << " =" << (shown.empty() ? "" : " " + shown) << "\n";
  }
  return out.str();
}

}  // namespace alder
