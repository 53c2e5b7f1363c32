// What `alder top` shows, computed from two status answers of each node an
// interval apart (their metrics, DESIGN.md section 15): rates are the
// counters' differences over the interval, p99 latencies the 99th
// percentile of the histogram buckets' differences. Pure functions: the
// loop that fetches and draws is in tools/top.cc.
#ifndef ALDER_TOOLS_TOP_MODEL_H_
#define ALDER_TOOLS_TOP_MODEL_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tools/client.h"

namespace alder::tools {

// The sum of the samples named `name` whose labels include `labels`.
double SumOf(const std::vector<MetricSample>& samples, const std::string& name,
             const std::map<std::string, std::string>& labels = {});

// The q-quantile (0 < q < 1) of the observations histogram `name` {op}
// gained from `before` to `after`, interpolated within its bucket; nullopt
// when there were none; +infinity when it lies beyond the last bound.
std::optional<double> QuantileBetween(const std::vector<MetricSample>& before,
                                      const std::vector<MetricSample>& after,
                                      const std::string& name, const std::string& op, double q);

// One node's line.
struct NodeLine {
  int32_t node_id = 0;
  std::string address;  // client host:port
  std::string state;    // up, down (as the first node sees it), unreachable, fenced, syncing
  std::map<std::string, double> ops_per_second;              // put, get, remove
  std::map<std::string, std::optional<double>> p99_seconds;  // put, get, remove
  std::map<std::string, double> errors_per_second;           // by outcome, non-zero only
  std::optional<int64_t> hints_pending;                      // held by this node, for all
  std::optional<double> oldest_exchange_seconds;
  std::optional<int64_t> records_repaired;  // since the node started
  std::optional<int64_t> clock_offset_ms;   // vs the first node, as it measures
};

// The line of a node that answered both times.
NodeLine LineOf(const ClusterStatus& before, const ClusterStatus& after,
                std::chrono::duration<double> interval);

// The table, with a header line; `lines` in node order.
std::string FormatTopText(const std::string& header, const std::vector<NodeLine>& lines);
// One JSON object on one line.
std::string FormatTopJson(const std::vector<NodeLine>& lines, double interval_seconds);

// What every column means, for --help.
std::string TopColumnHelp();

}  // namespace alder::tools

#endif  // ALDER_TOOLS_TOP_MODEL_H_
