#include "tools/top_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "tools/command.h"

namespace alder::tools {
namespace {

const std::vector<std::string> kOps = {"put", "get", "remove"};
const std::vector<std::string> kErrorOutcomes = {"unavailable", "timed_out", "invalid_argument",
                                                 "error"};

bool LabelsInclude(const MetricSample& s, const std::map<std::string, std::string>& labels) {
  for (const auto& [k, v] : labels) {
    auto it = s.labels.find(k);
    if (it == s.labels.end() || it->second != v) return false;
  }
  return true;
}

// Cumulative bucket counts of histogram `name` {op} by upper bound.
std::map<double, double> Buckets(const std::vector<MetricSample>& samples, const std::string& name,
                                 const std::string& op) {
  std::map<double, double> out;
  for (const MetricSample& s : samples) {
    if (s.name != name + "_bucket" || !LabelsInclude(s, {{"op", op}})) continue;
    auto le = s.labels.find("le");
    if (le == s.labels.end()) continue;
    const double bound = le->second == "+Inf" ? std::numeric_limits<double>::infinity()
                                              : std::strtod(le->second.c_str(), nullptr);
    out[bound] = s.value;
  }
  return out;
}

double Rate(const ClusterStatus& before, const ClusterStatus& after, const std::string& name,
            const std::map<std::string, std::string>& labels, double seconds) {
  const double delta = SumOf(after.metrics, name, labels) - SumOf(before.metrics, name, labels);
  return seconds > 0 ? std::max(0.0, delta) / seconds : 0;
}

std::string FormatRate(double per_second) {
  if (per_second == 0) return "0";
  if (per_second < 10) return fmt::format("{:.1f}", per_second);
  return fmt::format("{:.0f}", per_second);
}

std::string FormatLatency(const std::optional<double>& seconds) {
  if (!seconds) return "-";
  if (std::isinf(*seconds)) return ">10s";
  if (*seconds < 0.001) return fmt::format("{:.0f}us", *seconds * 1e6);
  if (*seconds < 1) return fmt::format("{:.1f}ms", *seconds * 1e3);
  return fmt::format("{:.2f}s", *seconds);
}

std::string FormatAge(const std::optional<double>& seconds) {
  if (!seconds) return "-";
  if (*seconds < 120) return fmt::format("{:.0f}s", *seconds);
  if (*seconds < 7200) return fmt::format("{:.0f}m", *seconds / 60);
  return fmt::format("{:.0f}h", *seconds / 3600);
}

std::string FormatErrors(const std::map<std::string, double>& errors) {
  if (errors.empty()) return "-";
  std::string out;
  for (const auto& [kind, rate] : errors) {
    out += fmt::format("{}{} {}/s", out.empty() ? "" : ", ", kind, FormatRate(rate));
  }
  return out;
}

template <typename T>
std::string OrDash(const std::optional<T>& value) {
  return value ? fmt::format("{}", *value) : "-";
}

std::string ColumnsText(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + '\n';
  }
  return out;
}

std::string JsonNumber(const std::optional<double>& v) {
  if (!v) return "null";
  if (std::isinf(*v)) return "\"+Inf\"";
  return fmt::format("{}", *v);
}

}  // namespace

double SumOf(const std::vector<MetricSample>& samples, const std::string& name,
             const std::map<std::string, std::string>& labels) {
  double sum = 0;
  for (const MetricSample& s : samples) {
    if (s.name == name && LabelsInclude(s, labels)) sum += s.value;
  }
  return sum;
}

std::optional<double> QuantileBetween(const std::vector<MetricSample>& before,
                                      const std::vector<MetricSample>& after,
                                      const std::string& name, const std::string& op, double q) {
  const std::map<double, double> old_buckets = Buckets(before, name, op);
  const std::map<double, double> new_buckets = Buckets(after, name, op);
  if (new_buckets.empty()) return std::nullopt;
  auto gained = [&](double bound) {
    auto it = old_buckets.find(bound);
    return new_buckets.at(bound) - (it == old_buckets.end() ? 0 : it->second);
  };
  const double total = gained(new_buckets.rbegin()->first);
  if (total <= 0) return std::nullopt;
  const double rank = q * total;
  double lower = 0, below = 0;
  for (const auto& [bound, count] : new_buckets) {
    const double cumulative = gained(bound);
    if (cumulative >= rank) {
      if (std::isinf(bound)) return bound;
      const double in_bucket = cumulative - below;
      return lower + (bound - lower) * (in_bucket > 0 ? (rank - below) / in_bucket : 1);
    }
    lower = bound;
    below = cumulative;
  }
  return std::numeric_limits<double>::infinity();
}

NodeLine LineOf(const ClusterStatus& before, const ClusterStatus& after,
                std::chrono::duration<double> interval) {
  const double seconds = interval.count();
  NodeLine line;
  line.node_id = after.node_id;
  line.state = after.syncing.value_or(false) ? "syncing" : after.clock_fenced ? "fenced" : "up";
  for (const std::string& op : kOps) {
    line.ops_per_second[op] =
        Rate(before, after, "alder_client_request_duration_seconds_count", {{"op", op}}, seconds);
    line.p99_seconds[op] = QuantileBetween(before.metrics, after.metrics,
                                           "alder_client_request_duration_seconds", op, 0.99);
  }
  for (const std::string& outcome : kErrorOutcomes) {
    const double rate =
        Rate(before, after, "alder_client_requests_total", {{"outcome", outcome}}, seconds);
    if (rate > 0) line.errors_per_second[outcome] = rate;
  }
  line.hints_pending = static_cast<int64_t>(SumOf(after.metrics, "alder_hints_pending"));
  for (const MetricSample& s : after.metrics) {
    if (s.name == "alder_antientropy_oldest_exchange_age_seconds") {
      line.oldest_exchange_seconds = s.value;
    }
  }
  line.records_repaired =
      static_cast<int64_t>(SumOf(after.metrics, "alder_antientropy_records_sent_total"));
  return line;
}

std::string FormatTopText(const std::string& header, const std::vector<NodeLine>& lines) {
  std::vector<std::vector<std::string>> rows = {{"NODE", "ADDRESS", "STATE", "PUT/s", "GET/s",
                                                 "DEL/s", "PUT p99", "GET p99", "DEL p99", "HINTS",
                                                 "AE OLDEST", "AE REPAIRED", "CLOCK", "ERRORS"}};
  for (const NodeLine& l : lines) {
    const bool answered = !l.ops_per_second.empty();
    auto rate = [&](const char* op) {
      return answered ? FormatRate(l.ops_per_second.at(op)) : "-";
    };
    auto p99 = [&](const char* op) {
      return answered ? FormatLatency(l.p99_seconds.at(op)) : std::string("-");
    };
    rows.push_back({std::to_string(l.node_id), l.address.empty() ? "?" : l.address, l.state,
                    rate("put"), rate("get"), rate("remove"), p99("put"), p99("get"), p99("remove"),
                    OrDash(l.hints_pending), FormatAge(l.oldest_exchange_seconds),
                    OrDash(l.records_repaired),
                    l.clock_offset_ms ? fmt::format("{:+}ms", *l.clock_offset_ms) : "-",
                    answered ? FormatErrors(l.errors_per_second) : "-"});
  }
  return header + "\n\n" + ColumnsText(rows);
}

std::string FormatTopJson(const std::vector<NodeLine>& lines, double interval_seconds) {
  std::string out = fmt::format("{{\"interval_seconds\":{},\"nodes\":[", interval_seconds);
  for (size_t i = 0; i < lines.size(); ++i) {
    const NodeLine& l = lines[i];
    out += fmt::format("{}{{\"node_id\":{},\"address\":{},\"state\":{}", i ? "," : "", l.node_id,
                       JsonString(l.address), JsonString(l.state));
    std::string ops, p99, errors;
    for (const auto& [op, rate] : l.ops_per_second) {
      ops += fmt::format("{}{}:{}", ops.empty() ? "" : ",", JsonString(op), rate);
    }
    for (const auto& [op, q] : l.p99_seconds) {
      p99 += fmt::format("{}{}:{}", p99.empty() ? "" : ",", JsonString(op), JsonNumber(q));
    }
    for (const auto& [kind, rate] : l.errors_per_second) {
      errors += fmt::format("{}{}:{}", errors.empty() ? "" : ",", JsonString(kind), rate);
    }
    auto opt = [](const auto& v) { return v ? fmt::format("{}", *v) : std::string("null"); };
    out += fmt::format(
        ",\"ops_per_second\":{{{}}},\"p99_seconds\":{{{}}},\"errors_per_second\":{{{}}},"
        "\"hints_pending\":{},\"oldest_exchange_seconds\":{},\"records_repaired\":{},"
        "\"clock_offset_ms\":{}}}",
        ops, p99, errors, opt(l.hints_pending), opt(l.oldest_exchange_seconds),
        opt(l.records_repaired), opt(l.clock_offset_ms));
  }
  return out + "]}\n";
}

std::string TopColumnHelp() {
  return "Columns (one line per node; rates are over the last interval):\n"
         "  NODE         node id\n"
         "  ADDRESS      its client address (host:port)\n"
         "  STATE        up; down (the node you asked sees it down, and it does not answer\n"
         "               us); unreachable (it does not answer us, though the node you asked\n"
         "               sees it up); partitioned (it answers us, but the node you asked sees\n"
         "               it down); fenced (its clock is out of step: it refuses writes);\n"
         "               syncing (back after a long absence, not serving yet)\n"
         "  PUT/s GET/s DEL/s        client requests per second it coordinated, by operation\n"
         "  PUT p99 GET p99 DEL p99  99th-percentile time to serve them (- when none)\n"
         "  HINTS        hinted writes it holds for nodes that missed them\n"
         "  AE OLDEST    age of its oldest anti-entropy exchange (partition, peer): how stale\n"
         "               its repair can be\n"
         "  AE REPAIRED  records anti-entropy sent to repair replicas since it started\n"
         "  CLOCK        its wall clock minus that of the node you asked\n"
         "  ERRORS       failed client requests per second, by kind: unavailable, timed_out,\n"
         "               invalid_argument, error\n";
}

}  // namespace alder::tools
