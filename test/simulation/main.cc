// alder_simulation: runs seeded schedules of the whole cluster in one
// process (DESIGN.md section 16).
//   alder_simulation --seeds N [--first-seed S] [--nodes K]
//   alder_simulation --seed S [--nodes K] [--trace]
// With --known-failures FILE, the seeds that file lists (one per line, "seed
// what it finds"; # comments) are bugs found and not fixed yet: they are
// reported as known, not counted, and one that no longer fails counts as a
// violation, so that the list is kept true.
// Prints each violation with its seed and the command that replays it, and
// last `N schedules, M violations`; exits 0 exactly when M is 0.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "test/simulation/schedule.h"

namespace po = boost::program_options;

namespace {

struct Totals {
  uint64_t schedules = 0, violations = 0, operations = 0, acknowledged = 0, faults = 0;
  uint64_t steps = 0;
  double simulated_seconds = 0;
};

using KnownFailures = std::map<uint64_t, std::string>;

KnownFailures ReadKnownFailures(const std::string& path) {
  KnownFailures known;
  std::ifstream in(path);
  if (!in) {
    std::cerr << "alder_simulation: cannot read " << path << "\n";
    std::exit(2);
  }
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    uint64_t seed = 0;
    fields >> seed;
    std::string what;
    std::getline(fields, what);
    known[seed] = what;
  }
  return known;
}

void RunOne(uint64_t seed, uint32_t nodes, bool trace, bool verbose, const KnownFailures& known,
            Totals* totals) {
  const auto result =
      alder::sim::RunSchedule({.seed = seed, .nodes = nodes, .trace_to = trace ? stdout : nullptr});
  ++totals->schedules;
  if (auto it = known.find(seed); it != known.end()) {
    if (result.violations.empty()) {
      ++totals->violations;
      std::printf("seed %llu: listed as a known failure (%s) but passes: remove it from the list\n",
                  static_cast<unsigned long long>(seed), it->second.c_str());
    } else {
      std::printf("seed %llu: known failure, still fails:%s\n",
                  static_cast<unsigned long long>(seed), it->second.c_str());
    }
    return;
  }
  totals->violations += result.violations.size();
  totals->operations += result.operations;
  totals->acknowledged += result.acknowledged;
  totals->faults += result.faults;
  totals->steps += result.steps;
  totals->simulated_seconds += result.simulated_seconds;
  for (const std::string& v : result.violations) {
    std::printf("seed %llu: %s\n  replay: alder_simulation --seed %llu --nodes %u --trace\n",
                static_cast<unsigned long long>(seed), v.c_str(),
                static_cast<unsigned long long>(seed), nodes);
  }
  if (verbose) {
    std::printf(
        "seed %llu: %llu operations (%llu acknowledged), %llu faults, %.1f s simulated, "
        "trace %016llx (%llu lines)\n",
        static_cast<unsigned long long>(seed), static_cast<unsigned long long>(result.operations),
        static_cast<unsigned long long>(result.acknowledged),
        static_cast<unsigned long long>(result.faults), result.simulated_seconds,
        static_cast<unsigned long long>(result.trace_hash),
        static_cast<unsigned long long>(result.trace_lines));
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options("alder_simulation options");
  options.add_options()("help", "this help")("seeds", po::value<uint64_t>(),
                                             "run this many schedules, seeds first-seed and up")(
      "first-seed", po::value<uint64_t>()->default_value(1), "the first seed of --seeds")(
      "seed", po::value<uint64_t>(), "run the schedule of this one seed")(
      "nodes", po::value<uint32_t>()->default_value(3), "nodes in the cluster, 3 to 7")(
      "trace", "print the schedule's events (with --seed)")(
      "known-failures", po::value<std::string>(), "seeds of bugs found and not fixed yet");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "alder_simulation: " << e.what() << "\n" << options;
    return 2;
  }
  const uint32_t nodes = vm["nodes"].as<uint32_t>();
  if (vm.count("help") || (vm.count("seeds") == 0) == (vm.count("seed") == 0) || nodes < 3 ||
      nodes > 7) {
    std::cerr << "usage: alder_simulation --seeds N [--first-seed S] [--nodes K]\n"
                 "       alder_simulation --seed S [--nodes K] [--trace]\n"
              << options;
    return vm.count("help") ? 0 : 2;
  }
  const KnownFailures known = vm.count("known-failures")
                                  ? ReadKnownFailures(vm["known-failures"].as<std::string>())
                                  : KnownFailures();
  Totals totals;
  const auto started = std::chrono::steady_clock::now();
  if (vm.count("seed")) {
    RunOne(vm["seed"].as<uint64_t>(), nodes, vm.count("trace") > 0, true, {}, &totals);
  } else {
    const uint64_t first = vm["first-seed"].as<uint64_t>();
    const uint64_t n = vm["seeds"].as<uint64_t>();
    for (uint64_t seed = first; seed < first + n; ++seed)
      RunOne(seed, nodes, false, false, known, &totals);
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr,
               "%.1f s: %.1f schedules/s, %llu operations (%llu acknowledged), %llu faults, "
               "%.0f s simulated, %llu steps\n",
               elapsed, static_cast<double>(totals.schedules) / elapsed,
               static_cast<unsigned long long>(totals.operations),
               static_cast<unsigned long long>(totals.acknowledged),
               static_cast<unsigned long long>(totals.faults), totals.simulated_seconds,
               static_cast<unsigned long long>(totals.steps));
  std::printf("%llu schedules, %llu violations\n",
              static_cast<unsigned long long>(totals.schedules),
              static_cast<unsigned long long>(totals.violations));
  return totals.violations == 0 ? 0 : 1;
}
