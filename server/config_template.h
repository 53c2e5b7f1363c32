// The text of a config file (`alderd --print-config`): every setting alderd
// knows, one per line with the line of help that says what it does. Settings
// given on the command line (or in --config) are written as they were given;
// every other one is commented out with its default, so the file documents
// the defaults and changes nothing until a line is uncommented. The Debian
// package's /etc/alder/alderd.conf is this text.
#ifndef ALDER_SERVER_CONFIG_TEMPLATE_H_
#define ALDER_SERVER_CONFIG_TEMPLATE_H_

#include <boost/program_options.hpp>
#include <string>

namespace alder {

std::string ConfigTemplate(const boost::program_options::options_description& settings,
                           const boost::program_options::variables_map& given);

}  // namespace alder

#endif  // ALDER_SERVER_CONFIG_TEMPLATE_H_
