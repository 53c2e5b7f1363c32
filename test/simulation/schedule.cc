// The schedule's driver is a fiber of its own: it starts the nodes, the
// clients and the nemesis, heals, waits for convergence, checks, and then
// crashes every node so that their fibers end before the scheduler does.
#include "test/simulation/schedule.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "test/simulation/checker.h"
#include "test/simulation/nemesis.h"
#include "test/simulation/scheduler.h"
#include "test/simulation/sim_network.h"
#include "test/simulation/sim_node.h"
#include "test/simulation/workload.h"

namespace alder::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr SimTime kFaultsEnd = seconds(5);
constexpr SimTime kClientsEnd = seconds(6);
// After healing, how long replicas may take to agree (anti-entropy rounds,
// hint replay, nodes back from a long absence syncing).
constexpr SimTime kConvergeWithin = seconds(30);
constexpr SimTime kHardLimit = seconds(120);

class Schedule {
 public:
  explicit Schedule(const ScheduleOptions& options)
      : settings_(SettingsFor(options.nodes)),
        trace_(options.trace_to),
        scheduler_(options.seed, &trace_),
        network_(&scheduler_),
        nemesis_(&scheduler_, &network_, &nodes_, &settings_),
        workload_(&scheduler_, &nodes_, WorkloadOptions{.until = kClientsEnd}, &history_) {
    for (uint32_t id = 1; id <= settings_.nodes; ++id) {
      nodes_.push_back(std::make_unique<SimNode>(id, &settings_, &scheduler_, &network_));
      SimNode* node = nodes_.back().get();
      node->disk().SetSyncHook([this] {
        if (scheduler_.current_id() != 0) {
          scheduler_.SleepFor(scheduler_.random().Between(SimTime(20), SimTime(400)));
        }
      });
    }
  }

  ScheduleResult Run() {
    scheduler_.Spawn(kNoOwner, "driver", [this] { Drive(); });
    scheduler_.RunUntil(kHardLimit, &finished_);
    if (!finished_) result_.violations.push_back("the schedule did not finish in simulated time");
    result_.trace_hash = trace_.hash();
    result_.trace_lines = trace_.lines();
    result_.steps = scheduler_.steps();
    result_.simulated_seconds = scheduler_.Now().count() / 1e6;
    result_.faults = nemesis_.faults();
    result_.operations = history_.size();
    for (const Op& op : history_) result_.acknowledged += op.acked ? 1 : 0;
    return std::move(result_);
  }

 private:
  uint64_t TrueNowMs() const {
    return static_cast<uint64_t>((kEpochUs + scheduler_.Now().count()) / 1000);
  }

  void Drive() {
    for (auto& node : nodes_) {
      node->wall().set_offset(scheduler_.random().Between(SimTime(-50'000), SimTime(50'000)));
      if (std::string why = node->Start(); !why.empty()) {
        result_.violations.push_back(fmt::format("node {} did not start: {}", node->id(), why));
      }
    }
    workload_.Start();
    nemesis_.Start(kFaultsEnd);
    scheduler_.SleepFor(kFaultsEnd);
    nemesis_.Heal();
    scheduler_.SleepFor(std::max(SimTime(0), kClientsEnd - scheduler_.Now()) + seconds(1));
    AwaitConvergence();
    Checker checker(&settings_, &nodes_, &history_);
    for (std::string& v : checker.Check(TrueNowMs())) result_.violations.push_back(std::move(v));
    for (auto& node : nodes_) node->Crash(0);
    finished_ = true;
  }

  void AwaitConvergence() {
    Checker checker(&settings_, &nodes_, &history_);
    const SimTime limit = scheduler_.Now() + kConvergeWithin;
    while (scheduler_.Now() < limit) {
      bool syncing = false;
      for (auto& node : nodes_) syncing = syncing || node->syncing();
      if (!syncing && checker.Divergence(TrueNowMs()).empty()) return;
      scheduler_.SleepFor(milliseconds(200));
    }
  }

  const SimSettings settings_;
  Trace trace_;
  Scheduler scheduler_;
  SimNetwork network_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  History history_;
  Nemesis nemesis_;
  Workload workload_;
  ScheduleResult result_;
  bool finished_ = false;
};

}  // namespace

SimSettings SettingsFor(uint32_t nodes) {
  SimSettings settings;
  settings.nodes = nodes;
  settings.replication_factor = std::min<uint32_t>(3, nodes);
  return settings;
}

ScheduleResult RunSchedule(const ScheduleOptions& options) {
  spdlog::set_level(options.trace_to ? spdlog::level::info : spdlog::level::off);
  Schedule schedule(options);
  return schedule.Run();
}

}  // namespace alder::sim
