// Each kind of fault is chosen with a fixed weight; durations are drawn so
// that most faults are short (within failure_timeout and request_timeout,
// where races live) and some are long (beyond hint_window's or gc_grace's
// reach), since both ends hide different bugs.
#include "test/simulation/nemesis.h"

#include <fmt/format.h>

#include <cstdlib>

namespace alder::sim {

using std::chrono::milliseconds;

Nemesis::Nemesis(Scheduler* scheduler, SimNetwork* network,
                 std::vector<std::unique_ptr<SimNode>>* nodes, const SimSettings* settings)
    : scheduler_(scheduler), network_(network), nodes_(nodes), settings_(settings) {}

void Nemesis::Start(SimTime until) {
  scheduler_->Spawn(kNoOwner, "nemesis", [this, until] { Loop(until); });
}

void Nemesis::Trace(const std::string& what) {
  scheduler_->trace().Add(scheduler_->Now().count(), "fault: " + what);
}

void Nemesis::Loop(SimTime until) {
  Random& random = scheduler_->random();
  scheduler_->SleepFor(random.Between(SimTime(100'000), SimTime(600'000)));
  while (scheduler_->Now() < until && !healing_) {
    Act();
    ++faults_;
    scheduler_->SleepFor(random.Between(SimTime(100'000), SimTime(900'000)));
  }
}

void Nemesis::Act() {
  Random& random = scheduler_->random();
  const uint64_t roll = random.Below(100);
  SimNode* node = (*nodes_)[random.Below(nodes_->size())].get();
  if (roll < 30) {
    if (cycling_.contains(node->id())) return;
    const bool long_absence = random.Chance(0.15);
    const SimTime down = long_absence ? SimTime(settings_->gc_grace) +
                                            random.Between(SimTime(100'000), SimTime(1'500'000))
                                      : random.Between(SimTime(50'000), SimTime(2'000'000));
    cycling_.insert(node->id());
    scheduler_->Spawn(kNoOwner, "crash", [this, node, down] { CrashAndRestart(node, down); });
  } else if (roll < 55) {
    Partition();
  } else if (roll < 65) {
    network_->HealAll();
    Trace("links healed");
  } else if (roll < 85) {
    SkewClock();
  } else {
    const NetworkFaults faults{random.Chance(0.5) ? 0.05 : 0.0, random.Chance(0.5) ? 0.1 : 0.0};
    network_->set_faults(faults);
    Trace(fmt::format("drop {} duplicate {}", faults.drop, faults.duplicate));
  }
}

void Nemesis::CrashAndRestart(SimNode* node, SimTime down_for) {
  Trace(fmt::format("crash node {} for {} ms", node->id(), down_for.count() / 1000));
  node->Crash(scheduler_->random().Next());
  const SimTime until = scheduler_->Now() + down_for;
  while (scheduler_->Now() < until && !healing_) scheduler_->Block(until);
  Restart(node);
  cycling_.erase(node->id());
}

void Nemesis::Restart(SimNode* node) {
  if (node->up()) return;
  Trace(fmt::format("restart node {}", node->id()));
  if (std::string why = node->Start(); !why.empty()) {
    Trace(fmt::format("node {} did not start: {}", node->id(), why));
  }
}

void Nemesis::Partition() {
  Random& random = scheduler_->random();
  const uint32_t n = static_cast<uint32_t>(nodes_->size());
  if (random.Chance(0.5)) {  // one node cut off, both ways
    const uint32_t isolated = 1 + static_cast<uint32_t>(random.Below(n));
    for (uint32_t other = 1; other <= n; ++other) {
      if (other == isolated) continue;
      network_->Cut(isolated, other);
      network_->Cut(other, isolated);
    }
    Trace(fmt::format("node {} isolated", isolated));
    return;
  }
  std::string cut;
  for (uint32_t from = 1; from <= n; ++from) {  // any shape: links cut one way at random
    for (uint32_t to = 1; to <= n; ++to) {
      if (from != to && random.Chance(0.3)) {
        network_->Cut(from, to);
        cut += fmt::format(" {}>{}", from, to);
      }
    }
  }
  Trace("links cut:" + cut);
}

void Nemesis::SkewClock() {
  Random& random = scheduler_->random();
  SimNode* node = (*nodes_)[random.Below(nodes_->size())].get();
  const int64_t max_us = settings_->max_clock_offset.count() * 1000;
  // Alder's clock fencing holds while a majority of clocks are right (the
  // README's "a majority of correct clocks decides"; server/cluster/
  // membership.h). With most clocks off together, nodes agreeing with each other are fenced by no
  // one and any order of writes can follow; so beyond the offset goes a minority.
  size_t others_off = 0;
  for (const auto& other : *nodes_) {
    if (other.get() != node && std::llabs(other->wall().offset().count()) > max_us) ++others_off;
  }
  const bool may_go_beyond = (others_off + 1) * 2 < nodes_->size();
  int64_t offset_us;
  if (!may_go_beyond || random.Chance(0.6)) {
    offset_us = random.Between(-max_us * 4 / 10, max_us * 4 / 10);  // within the offset
  } else {
    offset_us = random.Between(max_us * 2, max_us * 10) * (random.Chance(0.7) ? 1 : -1);
  }
  node->wall().set_offset(SimTime(offset_us));
  Trace(fmt::format("node {}'s clock set {:+} ms off", node->id(), offset_us / 1000));
}

void Nemesis::Heal() {
  healing_ = true;
  network_->HealAll();
  network_->set_faults({});
  for (auto& node : *nodes_) {
    node->wall().set_offset(scheduler_->random().Between(SimTime(-20'000), SimTime(20'000)));
  }
  Trace("healed");
  for (;;) {  // cycles in progress end their downtime now (healing_)
    scheduler_->WakeAll(kNoOwner);
    bool all_up = true;
    for (auto& node : *nodes_) {
      if (!cycling_.contains(node->id()) && !node->up()) Restart(node.get());
      all_up = all_up && node->up();
    }
    if (all_up) return;
    scheduler_->SleepFor(milliseconds(10));
  }
}

}  // namespace alder::sim
