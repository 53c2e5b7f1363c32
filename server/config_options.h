// The options alderd accepts, as --help lists them: each one's name, line of
// help and default. The defaults shown are NodeConfig's (server/config.h),
// formatted, so that they are stated once. Every setting is read as text
// (or as a whole number) and turned into its NodeConfig field, with its
// checks, by server/config.cc.
#ifndef ALDER_SERVER_CONFIG_OPTIONS_H_
#define ALDER_SERVER_CONFIG_OPTIONS_H_

#include <boost/program_options.hpp>
#include <string>

namespace alder {

// --help, --version, --print-config and --config.
boost::program_options::options_description GeneralOptions();

// Every setting, as a flag or as `key = value` in the config file.
boost::program_options::options_description SettingOptions();

// The TLS settings (server/config_tls.cc), checked against each other: the
// files each mode needs, permissions only where certificates carry them.
struct NodeConfig;
class Status;
Status ReadTlsSettings(const boost::program_options::variables_map& vm, NodeConfig* config);

// What --help prints: usage, `options`, exit codes.
std::string HelpText(const boost::program_options::options_description& options);

}  // namespace alder

#endif  // ALDER_SERVER_CONFIG_OPTIONS_H_
