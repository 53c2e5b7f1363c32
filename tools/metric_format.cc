#include "tools/metric_format.h"

#include <fmt/format.h>

#include <cstdint>
#include <map>

#include "tools/command.h"

namespace alder::tools {

std::string FormatRequestCounts(const ClusterStatus& status) {
  std::map<std::string, std::map<std::string, int64_t>> by_op;
  for (const MetricSample& m : status.metrics) {
    if (m.name != "alder_client_requests_total" || m.value == 0) continue;
    by_op[m.labels.count("op") ? m.labels.at("op") : "?"]
         [m.labels.count("outcome") ? m.labels.at("outcome") : "?"] +=
        static_cast<int64_t>(m.value);
  }
  if (status.metrics.empty()) return "";
  std::string out;
  for (const auto& [op, outcomes] : by_op) {
    int64_t total = 0;
    std::string parts;
    for (const auto& [outcome, n] : outcomes) {
      total += n;
      parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", outcome, n);
    }
    out += fmt::format("{}{} {} ({})", out.empty() ? "" : ", ", op, total, parts);
  }
  return fmt::format("requests node {} served since it started: {}\n", status.node_id,
                     out.empty() ? "none" : out);
}

std::string MetricsJson(const ClusterStatus& status) {
  std::string out = ",\"metrics\":[";
  for (size_t i = 0; i < status.metrics.size(); ++i) {
    const MetricSample& m = status.metrics[i];
    std::string labels;
    for (const auto& [k, v] : m.labels) {
      labels += fmt::format("{}{}:{}", labels.empty() ? "" : ",", JsonString(k), JsonString(v));
    }
    out += fmt::format("{}{{\"name\":{},\"labels\":{{{}}},\"value\":{}}}", i ? "," : "",
                       JsonString(m.name), labels, m.value);
  }
  return out + "]";
}

}  // namespace alder::tools
