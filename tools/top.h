// `alder top`: a live view of the whole cluster, refreshed every interval,
// like htop or nodetool tpstats. It asks the node given by --host/--port for
// the cluster (status), then every node at its client address for its
// metrics, and shows one line per node (tools/top_model.h). On a terminal
// it redraws in place until q or Ctrl-C; otherwise, or with --once, --json
// or --count, it prints plain text (or one JSON object per refresh) and
// exits, for scripts.
#ifndef ALDER_TOOLS_TOP_H_
#define ALDER_TOOLS_TOP_H_

#include <string>
#include <vector>

#include "tools/command.h"

namespace alder::tools {

std::string TopHelp();
int RunTop(const ClientOptions& client_options, const std::vector<std::string>& args, Io& io);

}  // namespace alder::tools

#endif  // ALDER_TOOLS_TOP_H_
