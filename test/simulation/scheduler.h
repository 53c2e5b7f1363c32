// Scheduler: the simulation's only source of time and order (DESIGN.md
// section 16). Everything a simulated cluster does runs on one OS thread,
// either as an event (a callback that must not block) or in a fiber (a
// cooperative thread of the code under test: a client request, a background
// pass, a call waiting for its reply). Exactly one runs at a time; a fiber
// runs until it blocks on simulated time (Block, SleepFor) or returns.
// Events run in (time, sequence) order, and every random choice comes from
// one seeded generator, so a seed fixes the whole schedule: the same seed
// gives the same events, and the same trace hash.
//
// Code under test that blocks some other way (a mutex held by a suspended
// fiber, a real condition variable) would stall the schedule: a watchdog
// reports such a hang with the seed and aborts.
//
// Not thread-safe: one thread runs the scheduler and all of its fibers.
#ifndef ALDER_TEST_SIMULATION_SCHEDULER_H_
#define ALDER_TEST_SIMULATION_SCHEDULER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "test/simulation/random.h"
#include "test/simulation/trace.h"

namespace alder::sim {

// Simulated time since the simulation began.
using SimTime = std::chrono::microseconds;

// A node id, or kNoOwner for the simulation's own fibers (clients, faults).
using Owner = uint32_t;
inline constexpr Owner kNoOwner = 0;

class Fiber;

class Scheduler {
 public:
  Scheduler(uint64_t seed, Trace* trace);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  SimTime Now() const { return now_; }
  Random& random() { return random_; }
  Trace& trace() { return *trace_; }

  // Runs `event` at `at` (not before Now()) on the scheduler's own context.
  void At(SimTime at, std::function<void()> event);
  // Starts `body` in a new fiber of `owner` at `at`.
  void Spawn(Owner owner, std::string name, std::function<void()> body, SimTime at);
  void Spawn(Owner owner, std::string name, std::function<void()> body) {
    Spawn(owner, std::move(name), std::move(body), now_);
  }

  // From a fiber: suspends it until Wake() or `until`, whichever is first.
  // Returns true when woken.
  bool Block(SimTime until);
  void SleepFor(SimTime duration);
  // Makes fiber `id`, if it lives and is blocked, runnable now (its Block
  // returns true). Ids are never reused, so a stale one wakes nothing.
  void Wake(uint64_t id);
  // Wakes every blocked fiber of `owner` (it crashed: its waits end).
  void WakeAll(Owner owner);
  // The fiber running now, or null in an event.
  Fiber* current() const { return current_; }
  // Its id, or 0 in an event.
  uint64_t current_id() const;
  size_t live_fibers(Owner owner) const;

  // Runs events until none is left before `until` (Now() is then `until`),
  // or until `*stop` is true.
  void RunUntil(SimTime until, const bool* stop = nullptr);
  // Events and fiber switches so far.
  uint64_t steps() const { return steps_; }

 private:
  struct Event {
    SimTime at;
    uint64_t sequence;
    std::function<void()> run;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
    }
  };

  void Resume(Fiber* fiber, bool woken);
  void ResumeIfStillWaiting(uint64_t id, uint64_t token, bool woken);
  void Reap(Fiber* fiber);
  static void FiberMain(unsigned low, unsigned high);

  SimTime now_{0};
  uint64_t next_sequence_ = 0;
  uint64_t next_fiber_id_ = 1;
  uint64_t steps_ = 0;
  std::atomic<uint64_t> watched_steps_{0};  // steps_, for the watchdog's thread
  Random random_;
  Trace* const trace_;
  std::priority_queue<Event, std::vector<Event>, Later> events_;
  std::map<uint64_t, std::unique_ptr<Fiber>> fibers_;  // live, by id
  std::vector<std::unique_ptr<Fiber>> finished_;       // reaped after they switch out
  Fiber* current_ = nullptr;
  class Watchdog;
  std::unique_ptr<Watchdog> watchdog_;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_SCHEDULER_H_
