// alder bench's report: the text table and the JSON object of one run
// (FormatBenchText and FormatBenchJson in tools/bench.h).
#include <chrono>
#include <string>
#include <string_view>

#include "fmt/format.h"
#include "server/common/duration.h"
#include "tools/bench.h"
#include "tools/client.h"

namespace alder::tools {
namespace {

double PerSecond(uint64_t count, std::chrono::nanoseconds elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

double Micros(std::chrono::nanoseconds ns) { return static_cast<double>(ns.count()) / 1000.0; }

std::string ErrorsJson(const OpStats& stats) {
  std::string out = "{";
  for (int i = 0; i < kErrorKindCount; ++i) {
    if (stats.errors[i] == 0) continue;
    if (out.size() > 1) out += ",";
    out +=
        fmt::format("{}:{}", JsonString(ErrorKindName(static_cast<ErrorKind>(i))), stats.errors[i]);
  }
  return out + "}";
}

std::string OpJson(const OpStats& stats, std::chrono::nanoseconds elapsed, bool is_get) {
  const LatencyHistogram& h = stats.latency;
  std::string out = fmt::format("{{\"ops\":{},\"ops_per_sec\":{:.1f}", stats.answered(),
                                PerSecond(stats.answered(), elapsed));
  if (is_get) out += fmt::format(",\"hits\":{},\"misses\":{}", stats.ok, stats.misses);
  out += fmt::format(
      ",\"latency_us\":{{\"p50\":{:.1f},\"p95\":{:.1f},\"p99\":{:.1f},\"p999\":{:.1f},"
      "\"max\":{:.1f},\"mean\":{:.1f}}}",
      Micros(h.Percentile(50)), Micros(h.Percentile(95)), Micros(h.Percentile(99)),
      Micros(h.Percentile(99.9)), Micros(h.max()), Micros(h.mean()));
  out += fmt::format(",\"error_count\":{},\"errors\":{}}}", stats.error_count(), ErrorsJson(stats));
  return out;
}

std::string ErrorsText(const OpStats& stats) {
  std::string out;
  for (int i = 0; i < kErrorKindCount; ++i) {
    if (stats.errors[i] == 0) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", ErrorKindName(static_cast<ErrorKind>(i)),
                       stats.errors[i]);
  }
  return out.empty() ? "none" : out;
}

std::string OpRow(std::string_view name, const OpStats& stats, std::chrono::nanoseconds elapsed) {
  const LatencyHistogram& h = stats.latency;
  return fmt::format("{:<5}{:>10}{:>11.0f}{:>9.0f}{:>9.0f}{:>9.0f}{:>9.0f}{:>9}\n", name,
                     stats.answered(), PerSecond(stats.answered(), elapsed),
                     Micros(h.Percentile(50)), Micros(h.Percentile(95)), Micros(h.Percentile(99)),
                     Micros(h.max()), stats.error_count());
}

std::string ConsistencyText(const BenchOptions& options) {
  return options.consistency ? std::string(ConsistencyName(*options.consistency))
                             : std::string("default");
}

}  // namespace

std::string FormatBenchText(const BenchReport& r) {
  const BenchOptions& o = r.options;
  std::string out = fmt::format(
      "alder bench: {}, {} connections, {} keys, {}-byte values, read ratio {:.2f}, "
      "consistency {}{}, seed {}{}\n",
      r.endpoint, o.concurrency, o.keys, o.value_size, o.read_ratio, ConsistencyText(o),
      o.ttl ? ", ttl " + FormatDuration(*o.ttl) : "", o.seed,
      r.interrupted ? " (interrupted)" : "");
  if (r.preload) {
    const OpStats& p = r.preload->put;
    out += fmt::format("preload: {} puts in {:.2f} s, {:.0f} ops/s, errors: {}\n", p.answered(),
                       std::chrono::duration<double>(r.preload->elapsed).count(),
                       PerSecond(p.answered(), r.preload->elapsed), ErrorsText(p));
  }
  const PhaseStats& run = r.run;
  const uint64_t ops = run.put.answered() + run.get.answered();
  const uint64_t errors = run.put.error_count() + run.get.error_count();
  out += fmt::format("total:   {} ops in {:.2f} s, {:.0f} ops/s, {} errors\n", ops,
                     std::chrono::duration<double>(run.elapsed).count(),
                     PerSecond(ops, run.elapsed), errors);
  out += fmt::format("{:<5}{:>10}{:>11}{:>9}{:>9}{:>9}{:>9}{:>9}\n", "", "ops", "ops/s", "p50 us",
                     "p95 us", "p99 us", "max us", "errors");
  out += OpRow("put", run.put, run.elapsed);
  out += OpRow("get", run.get, run.elapsed);
  if (run.get.answered() > 0) {
    out += fmt::format(
        "get misses: {} of {} ({:.1f}%)\n", run.get.misses, run.get.answered(),
        100.0 * static_cast<double>(run.get.misses) / static_cast<double>(run.get.answered()));
  }
  if (errors > 0) {
    out += fmt::format("errors: put {}; get {}\n", ErrorsText(run.put), ErrorsText(run.get));
  }
  if (!r.first_error.empty()) out += "first error: " + r.first_error + "\n";
  return out;
}

std::string FormatBenchJson(const BenchReport& r) {
  const BenchOptions& o = r.options;
  const PhaseStats& run = r.run;
  const uint64_t ops = run.put.answered() + run.get.answered();
  std::string out = fmt::format(
      "{{\"endpoint\":{},\"concurrency\":{},\"keys\":{},\"value_size\":{},\"read_ratio\":{},"
      "\"consistency\":{},\"ttl_ms\":{},\"seed\":{},\"key_prefix\":{},\"interrupted\":{}",
      JsonString(r.endpoint), o.concurrency, o.keys, o.value_size, o.read_ratio,
      JsonString(ConsistencyText(o)), o.ttl ? std::to_string(o.ttl->count()) : "null", o.seed,
      JsonString(o.key_prefix), r.interrupted ? "true" : "false");
  if (r.preload) {
    const OpStats& p = r.preload->put;
    out += fmt::format(
        ",\"preload\":{{\"ops\":{},\"elapsed_s\":{:.3f},\"ops_per_sec\":{:.1f},"
        "\"error_count\":{},\"errors\":{}}}",
        p.answered(), std::chrono::duration<double>(r.preload->elapsed).count(),
        PerSecond(p.answered(), r.preload->elapsed), p.error_count(), ErrorsJson(p));
  } else {
    out += ",\"preload\":null";
  }
  out += fmt::format(",\"elapsed_s\":{:.3f},\"ops\":{},\"ops_per_sec\":{:.1f},\"error_count\":{}",
                     std::chrono::duration<double>(run.elapsed).count(), ops,
                     PerSecond(ops, run.elapsed), run.put.error_count() + run.get.error_count());
  out += ",\"put\":" + OpJson(run.put, run.elapsed, false);
  out += ",\"get\":" + OpJson(run.get, run.elapsed, true);
  out += ",\"first_error\":" + (r.first_error.empty() ? "null" : JsonString(r.first_error));
  return out + "}\n";
}

}  // namespace alder::tools
