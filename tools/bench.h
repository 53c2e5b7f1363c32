// `alder bench`: a closed-loop load generator for the public API.
//
// C threads each own one connection and issue one request at a time (no
// pipelining, as redis-benchmark does without -P), choosing get with
// probability --read-ratio and put otherwise, over keys drawn uniformly from
// a key space of K keys. Latency is measured per request, client side, from
// before the send to after the reply is decoded.
//
// Contract:
// - ParseBenchArgs never throws; a bad flag comes back as an ArgError.
// - RunBench returns an exit code (tools/command.h): 0 when the run finished
//   and at least one request succeeded (errors are counted and reported, not
//   fatal), 3 when the connections cannot be opened at the start, otherwise
//   the exit code of the first error when every request failed. Ctrl-C stops
//   the run early and still prints the summary.
// - Progress goes to io.err once a second (one redrawn line on a terminal, a
//   new line per second otherwise, nothing with --quiet); the summary goes to
//   io.out, as text or with --json as one JSON object on one line.
// - A get answered NotFound is a "miss", not an error.
#ifndef ALDER_TOOLS_BENCH_H_
#define ALDER_TOOLS_BENCH_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/args.h"
#include "tools/command.h"
#include "tools/latency_histogram.h"

namespace alder::tools {

struct BenchOptions {
  // Stop after this many requests in total, or after this long; exactly one
  // is set after parsing (default: duration 10s).
  std::optional<uint64_t> operations;
  std::optional<std::chrono::milliseconds> duration;
  uint32_t concurrency = 32;  // threads, one connection each
  uint64_t keys = 100'000;    // key space: key_prefix + 12-digit index in [0, keys)
  uint32_t value_size = 100;  // bytes per put
  double read_ratio = 0.5;    // probability that a request is a get
  std::optional<std::chrono::milliseconds> ttl;  // on every put
  std::optional<Consistency> consistency;        // unset: server default
  std::string key_prefix = "bench:";
  bool preload = false;  // put every key once before measuring
  uint64_t seed = 1;     // worker i draws from a generator seeded with (seed, i)
  bool json = false;
  bool quiet = false;  // no progress lines
};

ArgResult<BenchOptions> ParseBenchArgs(const std::vector<std::string>& args);

// The outcome of one kind of request in one phase.
struct OpStats {
  uint64_t ok = 0;      // answered: stored, or found
  uint64_t misses = 0;  // gets answered NotFound
  std::array<uint64_t, kErrorKindCount> errors{};
  LatencyHistogram latency;  // of ok and misses

  uint64_t answered() const { return ok + misses; }
  uint64_t error_count() const;
  void Merge(const OpStats& other);
};

struct PhaseStats {
  std::chrono::nanoseconds elapsed{0};
  OpStats put;
  OpStats get;
};

struct BenchReport {
  BenchOptions options;
  std::string endpoint;
  std::optional<PhaseStats> preload;  // set when --preload ran
  PhaseStats run;
  bool interrupted = false;
  std::string first_error;  // message of the first failed request, if any
  std::optional<ErrorKind> first_error_kind;
};

// The summary as a human-readable table (several lines) or as one line of JSON.
std::string FormatBenchText(const BenchReport& report);
std::string FormatBenchJson(const BenchReport& report);

int RunBench(const ClientOptions& client, const std::vector<std::string>& args, Io& io);
std::string BenchHelp();

}  // namespace alder::tools

#endif  // ALDER_TOOLS_BENCH_H_
