// The answering node's metrics (ClusterStatus::metrics) in `alder status`:
// a summary line of the requests it served, and every sample for --json.
#ifndef ALDER_TOOLS_METRIC_FORMAT_H_
#define ALDER_TOOLS_METRIC_FORMAT_H_

#include <string>

#include "tools/client.h"

namespace alder::tools {

// "requests node 2 served since it started: get 15 (not_found 12, ok 3),
// put 25 (ok 25)\n"; empty when the server sends no metrics.
std::string FormatRequestCounts(const ClusterStatus& status);

// ',"metrics":[{"name":...,"labels":{...},"value":...},...]'.
std::string MetricsJson(const ClusterStatus& status);

}  // namespace alder::tools

#endif  // ALDER_TOOLS_METRIC_FORMAT_H_
