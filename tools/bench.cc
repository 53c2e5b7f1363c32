// The load generator. Each worker thread owns a Client (its own connection),
// its own random generator and its own statistics, so the hot path shares
// nothing but one relaxed counter: in --operations mode a global ticket
// counter hands out request numbers, which makes the total exact however the
// threads are scheduled. Workers publish two relaxed atomics (answered,
// failed) for the once-a-second progress line; histograms are merged only
// after the threads are joined.
//
// A request that fails on the connection (refused, lost, no reply in time) is
// counted and the worker backs off briefly before its Client reconnects, so a
// server restart during a run shows up as errors rather than ending the run.
#include "tools/bench.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <iterator>
#include <latch>
#include <memory>
#include <mutex>
#include <ostream>
#include <random>
#include <thread>

#include "fmt/format.h"
#include "server/common/duration.h"

namespace alder::tools {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kDefaultDuration{10'000};
constexpr std::chrono::milliseconds kReconnectBackoff{100};
constexpr uint32_t kMaxConcurrency = 4096;
constexpr uint32_t kMaxValueSize = 64u << 20;

// Set by SIGINT; workers poll it between requests.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void OnInterrupt(int /*signal*/) {
  g_interrupted.store(true, std::memory_order_relaxed);
  // A second Ctrl-C kills the process the usual way.
  ::signal(SIGINT, SIG_DFL);
}

// Routes SIGINT to OnInterrupt for the lifetime of the guard, unless SIGINT
// is ignored (a background job of a script), which stays so.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted.store(false);
    sigaction(SIGINT, nullptr, &previous_);
    if (previous_.sa_handler == SIG_IGN) return;
    struct sigaction action {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
  }
  ~InterruptGuard() { sigaction(SIGINT, &previous_, nullptr); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction previous_ {};
};

struct Worker {
  Worker(const ClientOptions& options, uint64_t seed, uint64_t index, uint32_t value_size)
      : client(options) {
    std::seed_seq seq{seed, index};
    rng.seed(seq);
    // Printable bytes, different per worker; the same value for every put.
    std::uniform_int_distribution<int> letter('a', 'z');
    value.resize(value_size);
    for (char& c : value) c = static_cast<char>(letter(rng));
  }

  Client client;
  std::mt19937_64 rng;
  std::string value;
  std::string key;  // reused buffer
  PhaseStats stats;
  std::string first_error;
  std::optional<ErrorKind> first_error_kind;
  Clock::time_point first_error_at;

  // Read by the progress reporter.
  alignas(64) std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> failed{0};
};

void FormatKey(const std::string& prefix, uint64_t index, std::string* key) {
  key->assign(prefix);
  fmt::format_to(std::back_inserter(*key), "{:012}", index);
}

// What one phase does: load every key once, or the measured mix.
struct PhasePlan {
  bool preload = false;
  uint64_t total_ops = 0;  // when !use_deadline
  bool use_deadline = false;
  std::chrono::milliseconds duration{0};
};

void RunWorker(Worker& w, const BenchOptions& options, const PhasePlan& plan,
               std::atomic<uint64_t>& next_ticket, const Clock::time_point& deadline,
               std::latch& start) {
  start.arrive_and_wait();
  std::uniform_int_distribution<uint64_t> key_dist(0, options.keys - 1);
  std::bernoulli_distribution is_read(plan.preload ? 0.0 : options.read_ratio);
  const ReadParams read_params{options.consistency};
  const WriteParams write_params{options.ttl, options.consistency};
  StoredValue got;
  while (!g_interrupted.load(std::memory_order_relaxed)) {
    uint64_t index = 0;
    if (plan.use_deadline) {
      if (Clock::now() >= deadline) break;
      index = key_dist(w.rng);
    } else {
      const uint64_t ticket = next_ticket.fetch_add(1, std::memory_order_relaxed);
      if (ticket >= plan.total_ops) break;
      index = plan.preload ? ticket : key_dist(w.rng);
    }
    const bool read = is_read(w.rng);
    FormatKey(options.key_prefix, index, &w.key);

    const Clock::time_point begin = Clock::now();
    const CallStatus status = read ? w.client.Get(w.key, read_params, &got)
                                   : w.client.Put(w.key, w.value, write_params, nullptr);
    const Clock::time_point end = Clock::now();

    OpStats& stats = read ? w.stats.get : w.stats.put;
    if (status.ok() || status.kind() == ErrorKind::kNotFound) {
      ++(status.ok() ? stats.ok : stats.misses);
      stats.latency.Record(end - begin);
      w.answered.store(w.answered.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      continue;
    }
    ++stats.errors[static_cast<size_t>(status.kind())];
    w.failed.store(w.failed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (w.first_error.empty()) {
      w.first_error = status.message();
      w.first_error_kind = status.kind();
      w.first_error_at = end;
    }
    if (IsConnectionError(status.kind())) std::this_thread::sleep_for(kReconnectBackoff);
  }
}

std::string ProgressLine(const PhasePlan& plan, std::chrono::nanoseconds elapsed, uint64_t done,
                         double rate, uint64_t failed) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
  std::string line = fmt::format("{}{:>4}s  {:>10} ops  {:>9.0f} ops/s  {} errors",
                                 plan.preload ? "preload " : "", seconds, done, rate, failed);
  if (!plan.use_deadline && plan.total_ops > 0) {
    line += fmt::format("  {:.0f}%", 100.0 * static_cast<double>(done + failed) /
                                         static_cast<double>(plan.total_ops));
  }
  return line;
}

// Runs one phase on every worker and returns the merged statistics.
PhaseStats RunPhase(std::vector<std::unique_ptr<Worker>>& workers, const BenchOptions& options,
                    const PhasePlan& plan, Io& io) {
  for (auto& w : workers) {
    w->stats = PhaseStats{};
    w->answered.store(0);
    w->failed.store(0);
  }
  std::atomic<uint64_t> next_ticket{0};
  Clock::time_point deadline;
  std::latch start(static_cast<std::ptrdiff_t>(workers.size()) + 1);
  std::mutex mu;
  std::condition_variable done_cv;
  size_t running = workers.size();  // guarded by mu

  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (auto& w : workers) {
    threads.emplace_back([&, worker = w.get()] {
      RunWorker(*worker, options, plan, next_ticket, deadline, start);
      std::lock_guard<std::mutex> lock(mu);
      --running;
      done_cv.notify_all();
    });
  }

  const Clock::time_point began = Clock::now();
  deadline = began + plan.duration;
  start.count_down();  // publishes `deadline` to the workers

  uint64_t last_done = 0;
  Clock::time_point last_tick = began;
  Clock::time_point next_tick = began + std::chrono::seconds(1);
  bool drew_line = false;
  {
    std::unique_lock<std::mutex> lock(mu);
    while (!done_cv.wait_until(lock, next_tick, [&] { return running == 0; })) {
      next_tick += std::chrono::seconds(1);
      if (options.quiet) continue;
      uint64_t done = 0;
      uint64_t failed = 0;
      for (const auto& w : workers) {
        done += w->answered.load(std::memory_order_relaxed);
        failed += w->failed.load(std::memory_order_relaxed);
      }
      const Clock::time_point now = Clock::now();
      const double rate = static_cast<double>(done - last_done) /
                          std::chrono::duration<double>(now - last_tick).count();
      last_done = done;
      last_tick = now;
      const std::string line = ProgressLine(plan, now - began, done, rate, failed);
      if (io.err_is_tty) {
        io.err << "\r\x1b[K" << line << std::flush;
        drew_line = true;
      } else {
        io.err << line << '\n' << std::flush;
      }
    }
  }
  for (auto& t : threads) t.join();

  PhaseStats merged;
  merged.elapsed = Clock::now() - began;
  for (const auto& w : workers) {
    merged.put.Merge(w->stats.put);
    merged.get.Merge(w->stats.get);
  }
  if (drew_line) io.err << "\r\x1b[K" << std::flush;
  return merged;
}

// clang-format off
po::options_description BenchOptionsDescription() {
  const BenchOptions d;
  // Descriptions are copied by Boost, so temporaries from fmt::format are fine.
  po::options_description options("Options", 100, 50);
  options.add_options()
      ("operations,n", po::value<std::string>()->value_name("N"),
       "stop after N requests in total; 0 with --preload only loads the keys")
      ("duration", po::value<std::string>()->value_name("DURATION"),
       fmt::format("or run for DURATION, e.g. 30s (default {} when neither is given)",
                   FormatDuration(kDefaultDuration)).c_str())
      ("concurrency,c", po::value<std::string>()->value_name("C"),
       fmt::format("threads, each with its own connection (default {})", d.concurrency).c_str())
      ("keys", po::value<std::string>()->value_name("K"),
       fmt::format("key space: keys are PREFIX + 12-digit index in [0, K) (default {})",
                   d.keys).c_str())
      ("value-size", po::value<std::string>()->value_name("BYTES"),
       fmt::format("bytes per value (default {})", d.value_size).c_str())
      ("read-ratio", po::value<std::string>()->value_name("R"),
       fmt::format("fraction of requests that are gets, 0..1 (default {})", d.read_ratio).c_str())
      ("ttl", po::value<std::string>()->value_name("DURATION"), "TTL of every put (default: none)")
      ("consistency", po::value<std::string>()->value_name("LEVEL"),
       "one, quorum or all (default: the server's, quorum)")
      ("key-prefix", po::value<std::string>()->value_name("PREFIX"),
       fmt::format("prefix of every key (default {})", d.key_prefix).c_str())
      ("preload", po::bool_switch(),
       "put every key once before measuring, so gets find values")
      ("seed", po::value<std::string>()->value_name("S"),
       fmt::format("seed of the key and operation choices (default {})", d.seed).c_str())
      ("json", po::bool_switch(), "print the summary as one JSON object on stdout")
      ("quiet,q", po::bool_switch(), "no progress lines on stderr")
      ("help,h", "print this help");
  return options;
}
// clang-format on

}  // namespace

uint64_t OpStats::error_count() const {
  uint64_t total = 0;
  for (const uint64_t n : errors) total += n;
  return total;
}

void OpStats::Merge(const OpStats& other) {
  ok += other.ok;
  misses += other.misses;
  for (size_t i = 0; i < errors.size(); ++i) errors[i] += other.errors[i];
  latency.Merge(other.latency);
}

ArgResult<BenchOptions> ParseBenchArgs(const std::vector<std::string>& args) {
  const po::positional_options_description no_positionals;
  auto parsed = ParseCommandArgs(args, BenchOptionsDescription(), no_positionals);
  if (!parsed.ok()) return ArgError{parsed.error()};
  const po::variables_map& vm = parsed.value();
  auto text = [&](const char* name) { return vm[name].as<std::string>(); };

  BenchOptions o;
  if (vm.count("operations") && vm.count("duration")) {
    return ArgError{"give --operations or --duration, not both"};
  }
  if (vm.count("operations")) {
    auto n = ParseUnsignedArg("--operations", text("operations"), 0, UINT64_MAX);
    if (!n.ok()) return ArgError{n.error()};
    o.operations = n.value();
  } else if (vm.count("duration")) {
    auto d = ParsePositiveDurationArg("--duration", text("duration"));
    if (!d.ok()) return ArgError{d.error()};
    o.duration = d.value();
  } else {
    o.duration = kDefaultDuration;
  }
  if (vm.count("concurrency")) {
    auto c = ParseUnsignedArg("--concurrency", text("concurrency"), 1, kMaxConcurrency);
    if (!c.ok()) return ArgError{c.error()};
    o.concurrency = static_cast<uint32_t>(c.value());
  }
  if (vm.count("keys")) {
    auto k = ParseUnsignedArg("--keys", text("keys"), 1, UINT64_MAX);
    if (!k.ok()) return ArgError{k.error()};
    o.keys = k.value();
  }
  if (vm.count("value-size")) {
    auto v = ParseUnsignedArg("--value-size", text("value-size"), 0, kMaxValueSize);
    if (!v.ok()) return ArgError{v.error()};
    o.value_size = static_cast<uint32_t>(v.value());
  }
  if (vm.count("read-ratio")) {
    auto r = ParseRatioArg("--read-ratio", text("read-ratio"));
    if (!r.ok()) return ArgError{r.error()};
    o.read_ratio = r.value();
  }
  if (vm.count("ttl")) {
    auto t = ParsePositiveDurationArg("--ttl", text("ttl"));
    if (!t.ok()) return ArgError{t.error()};
    o.ttl = t.value();
  }
  if (vm.count("consistency")) {
    auto c = ParseConsistencyArg("--consistency", text("consistency"));
    if (!c.ok()) return ArgError{c.error()};
    o.consistency = c.value();
  }
  if (vm.count("key-prefix")) o.key_prefix = text("key-prefix");
  if (vm.count("seed")) {
    auto s = ParseUnsignedArg("--seed", text("seed"), 0, UINT64_MAX);
    if (!s.ok()) return ArgError{s.error()};
    o.seed = s.value();
  }
  o.preload = vm["preload"].as<bool>();
  o.json = vm["json"].as<bool>();
  o.quiet = vm["quiet"].as<bool>();
  return o;
}

std::string BenchHelp() {
  return CommandHelp(
      "alder [GLOBAL OPTIONS] bench [OPTIONS]",
      "Load generator. C threads, each with its own connection, send one request at a time\n"
      "(gets with probability R, puts otherwise) on keys drawn uniformly from K keys, for N\n"
      "requests or for DURATION. Once a second a progress line (requests answered, current\n"
      "ops/s, errors) goes to stderr. The summary goes to stdout: total ops, elapsed time and\n"
      "ops/s, then for puts and gets the count, ops/s, p50/p95/p99/max latency in\n"
      "microseconds (client side, per request) and errors by kind. A get that finds no value\n"
      "is a miss, not an error. Ctrl-C stops early and still prints the summary.\n"
      "Exit code 0 when the run finished and some request succeeded (errors are reported,\n"
      "not fatal); 3 when the connections cannot be opened.",
      BenchOptionsDescription(),
      "  alder bench --duration 30s\n"
      "  alder bench --operations 200000 --read-ratio 0 --value-size 100 --json\n"
      "  alder bench --preload --read-ratio 1 -n 200000 --consistency one\n"
      "  alder bench --preload --keys 1000000 -n 0        # load 1M keys, measure nothing\n"
      "  alder --port 7710 bench -c 64 --ttl 10m --duration 1m");
}

int RunBench(const ClientOptions& client, const std::vector<std::string>& args, Io& io) {
  auto parsed = ParseBenchArgs(args);
  if (!parsed.ok()) return UsageError(io, "bench", parsed.error());
  const BenchOptions& options = parsed.value();

  InterruptGuard interrupt_guard;
  std::vector<std::unique_ptr<Worker>> workers;
  workers.reserve(options.concurrency);
  for (uint32_t i = 0; i < options.concurrency; ++i) {
    workers.push_back(std::make_unique<Worker>(client, options.seed, i, options.value_size));
  }
  for (auto& w : workers) {
    const CallStatus status = w->client.Connect();
    if (!status.ok()) {
      PrintError(io, "bench: " + status.message());
      return ExitCodeFor(status.kind());
    }
    if (g_interrupted.load()) break;
  }

  BenchReport report;
  report.options = options;
  report.endpoint = workers.front()->client.endpoint();
  if (options.preload && !g_interrupted.load()) {
    PhasePlan plan;
    plan.preload = true;
    plan.total_ops = options.keys;
    report.preload = RunPhase(workers, options, plan, io);
  }
  // Errors of the preload phase are reported with it; the first one is kept.
  auto note_first_error = [&] {
    const Worker* first = nullptr;
    for (const auto& w : workers) {
      if (!w->first_error.empty() &&
          (first == nullptr || w->first_error_at < first->first_error_at)) {
        first = w.get();
      }
    }
    if (first != nullptr && report.first_error.empty()) {
      report.first_error = first->first_error;
      report.first_error_kind = first->first_error_kind;
    }
  };
  note_first_error();
  if (!g_interrupted.load()) {
    PhasePlan plan;
    plan.use_deadline = options.duration.has_value();
    plan.duration = options.duration.value_or(std::chrono::milliseconds(0));
    plan.total_ops = options.operations.value_or(0);
    report.run = RunPhase(workers, options, plan, io);
    note_first_error();
  }
  report.interrupted = g_interrupted.load();
  workers.clear();  // closes the connections

  io.out << (options.json ? FormatBenchJson(report) : FormatBenchText(report)) << std::flush;

  uint64_t answered = report.run.put.answered() + report.run.get.answered();
  if (report.preload) answered += report.preload->put.answered();
  if (answered == 0 && report.first_error_kind) {
    PrintError(io, "bench: every request failed: " + report.first_error);
    return ExitCodeFor(*report.first_error_kind);
  }
  return kExitOk;
}

}  // namespace alder::tools
