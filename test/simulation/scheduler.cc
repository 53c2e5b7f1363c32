// Fibers are ucontext coroutines on stacks of their own, switched only by
// this scheduler; stacks are kept in a pool, since schedules start and end
// thousands of fibers. A wait that was overtaken (woken before its timeout)
// leaves its timeout event behind; a token per wait makes such an event a
// no-op.
#include "test/simulation/scheduler.h"

#include <sys/mman.h>
#include <ucontext.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace alder::sim {
namespace {

// Enough for the deepest path: a client request through the coordinator, the
// network and a replica's service into storage, with spdlog formatting.
constexpr size_t kStackBytes = 512 * 1024;
// Real time without a single step before the watchdog declares a hang.
constexpr std::chrono::seconds kHangAfter{20};

struct Stack {
  void* base = nullptr;
  Stack() {
    base = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
      std::perror("simulation: mmap of a fiber stack");
      std::abort();
    }
    mprotect(base, 4096, PROT_NONE);  // guard page: an overflow faults, not corrupts
  }
  ~Stack() { munmap(base, kStackBytes); }
};

std::vector<std::unique_ptr<Stack>>& StackPool() {
  static std::vector<std::unique_ptr<Stack>> pool;
  return pool;
}

}  // namespace

class Fiber {
 public:
  uint64_t id = 0;
  Owner owner = kNoOwner;
  std::string name;
  std::function<void()> body;
  std::unique_ptr<Stack> stack;
  ucontext_t context{};
  ucontext_t* return_to = nullptr;
  Scheduler* scheduler = nullptr;
  bool blocked = false;
  bool woken = false;
  bool done = false;
  uint64_t wait_token = 0;
};

// Aborts the process when the schedule makes no step for kHangAfter of real
// time: code under test blocked on something other than simulated time.
class Scheduler::Watchdog {
 public:
  Watchdog(uint64_t seed, const std::atomic<uint64_t>* steps)
      : thread_([this, seed, steps] { Watch(seed, steps); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  void Watch(uint64_t seed, const std::atomic<uint64_t>* steps) {
    std::unique_lock lock(mu_);
    uint64_t seen = steps->load();
    while (!cv_.wait_for(lock, kHangAfter, [this] { return stop_; })) {
      const uint64_t now = steps->load();
      if (now == seen) {
        std::fprintf(stderr,
                     "simulation: seed %llu hung (no step for %lld s of real time): code "
                     "under test blocked outside simulated time\n",
                     static_cast<unsigned long long>(seed),
                     static_cast<long long>(kHangAfter.count()));
        std::abort();
      }
      seen = now;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

Scheduler::Scheduler(uint64_t seed, Trace* trace)
    : random_(seed), trace_(trace), watchdog_(std::make_unique<Watchdog>(seed, &watched_steps_)) {}

Scheduler::~Scheduler() {
  watchdog_.reset();
  for (auto& [id, fiber] : fibers_) {
    // A fiber still blocked at the end is abandoned: its stack unwinds never.
    if (fiber->stack) StackPool().push_back(std::move(fiber->stack));
  }
}

void Scheduler::At(SimTime at, std::function<void()> event) {
  events_.push(Event{std::max(at, now_), next_sequence_++, std::move(event)});
}

void Scheduler::Spawn(Owner owner, std::string name, std::function<void()> body, SimTime at) {
  auto fiber = std::make_unique<Fiber>();
  fiber->id = next_fiber_id_++;
  fiber->owner = owner;
  fiber->name = std::move(name);
  fiber->body = std::move(body);
  fiber->scheduler = this;
  const uint64_t id = fiber->id;
  fibers_.emplace(id, std::move(fiber));
  At(at, [this, id] {
    auto it = fibers_.find(id);
    if (it == fibers_.end()) return;
    Fiber* f = it->second.get();
    auto& pool = StackPool();
    if (pool.empty()) {
      f->stack = std::make_unique<Stack>();
    } else {
      f->stack = std::move(pool.back());
      pool.pop_back();
    }
    getcontext(&f->context);
    f->context.uc_stack.ss_sp = f->stack->base;
    f->context.uc_stack.ss_size = kStackBytes;
    f->context.uc_link = nullptr;
    const auto bits = reinterpret_cast<uintptr_t>(f);
    makecontext(&f->context, reinterpret_cast<void (*)()>(&Scheduler::FiberMain), 2,
                static_cast<unsigned>(bits & 0xffffffffu), static_cast<unsigned>(bits >> 32));
    Resume(f, false);
  });
}

void Scheduler::FiberMain(unsigned low, unsigned high) {
  auto* fiber = reinterpret_cast<Fiber*>((static_cast<uintptr_t>(high) << 32) | low);
  fiber->body();
  fiber->body = nullptr;  // what it captured goes now, on the fiber
  fiber->done = true;
  swapcontext(&fiber->context, fiber->return_to);
}

void Scheduler::Resume(Fiber* fiber, bool woken) {
  fiber->blocked = false;
  fiber->woken = woken;
  ucontext_t here;
  fiber->return_to = &here;
  current_ = fiber;
  ++steps_;
  watched_steps_.store(steps_, std::memory_order_relaxed);
  swapcontext(&here, &fiber->context);
  current_ = nullptr;
  if (fiber->done) Reap(fiber);
}

void Scheduler::Reap(Fiber* fiber) {
  StackPool().push_back(std::move(fiber->stack));
  fibers_.erase(fiber->id);
}

// The wait `token` names may have ended already (woken, or timed out): then
// the fiber is not resumed again.
void Scheduler::ResumeIfStillWaiting(uint64_t id, uint64_t token, bool woken) {
  auto it = fibers_.find(id);
  if (it == fibers_.end()) return;
  Fiber* fiber = it->second.get();
  if (fiber->blocked && fiber->wait_token == token) Resume(fiber, woken);
}

bool Scheduler::Block(SimTime until) {
  Fiber* fiber = current_;
  if (fiber == nullptr) {
    std::fprintf(stderr, "simulation: Block outside a fiber\n");
    std::abort();
  }
  fiber->blocked = true;
  const uint64_t token = ++fiber->wait_token;
  const uint64_t id = fiber->id;
  At(until, [this, id, token] { ResumeIfStillWaiting(id, token, false); });
  swapcontext(&fiber->context, fiber->return_to);
  return fiber->woken;
}

void Scheduler::SleepFor(SimTime duration) {
  const SimTime until = now_ + duration;
  while (now_ < until) Block(until);
}

void Scheduler::Wake(uint64_t fiber_id) {
  auto found = fibers_.find(fiber_id);
  if (found == fibers_.end() || !found->second->blocked) return;
  Fiber* fiber = found->second.get();
  const uint64_t token = ++fiber->wait_token;
  const uint64_t id = fiber->id;
  At(now_, [this, id, token] { ResumeIfStillWaiting(id, token, true); });
}

void Scheduler::WakeAll(Owner owner) {
  for (auto& [id, fiber] : fibers_) {
    if (fiber->owner == owner) Wake(id);
  }
}

uint64_t Scheduler::current_id() const { return current_ ? current_->id : 0; }

size_t Scheduler::live_fibers(Owner owner) const {
  size_t n = 0;
  for (const auto& [id, fiber] : fibers_) n += fiber->owner == owner ? 1 : 0;
  return n;
}

void Scheduler::RunUntil(SimTime until, const bool* stop) {
  while (!events_.empty() && events_.top().at <= until && !(stop && *stop)) {
    Event event = events_.top();
    events_.pop();
    now_ = event.at;
    ++steps_;
    watched_steps_.store(steps_, std::memory_order_relaxed);
    event.run();
  }
  if (!(stop && *stop)) now_ = std::max(now_, until);
}

}  // namespace alder::sim
