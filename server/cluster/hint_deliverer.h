// Hint delivery: replays the writes kept for a replica that was down once it
// is back up (DESIGN.md section 5, hinted handoff).
//
// A background thread looks every 100 ms for targets that are up and have
// hints, and sends each its oldest hints in order, in batches, at most
// hint_replay_rate hints per second per target, so that a returning node is
// not flooded while it also serves traffic. A hint is removed only after the
// target acknowledged it durably; a failed batch is retried on a later pass
// (replaying a hint twice is harmless: the merge is idempotent). Hints older
// than hint_window are dropped (and counted): past that window, anti-entropy
// is the repair path.
//
// Thread-safe; Start()/Stop() from one thread.
#ifndef ALDER_SERVER_CLUSTER_HINT_DELIVERER_H_
#define ALDER_SERVER_CLUSTER_HINT_DELIVERER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "clock/background_runner.h"
#include "server/cluster/membership.h"
#include "server/cluster/replicas.h"
#include "server/storage/hint_store.h"

namespace alder {

struct HintDeliveryOptions {
  // No default here: alderd sets these two from NodeConfig (server/config.h).
  std::chrono::milliseconds hint_window{};
  uint32_t replay_rate = 0;          // hints per second per target
  size_t max_batch_bytes = 4 << 20;  // bounded below the internode frame limit
};

class HintDeliverer {
 public:
  // Pointers must outlive the deliverer. `targets` are the other nodes' ids.
  HintDeliverer(std::vector<uint32_t> targets, HintStore* hints, Replicas* replicas,
                const Membership* membership, HintDeliveryOptions options,
                clock::BackgroundRunner* runner = clock::RealTimeRunner());
  ~HintDeliverer();  // Stop()s
  HintDeliverer(const HintDeliverer&) = delete;
  HintDeliverer& operator=(const HintDeliverer&) = delete;

  // Start and Stop from one thread (alderd's main).
  void Start();
  void Stop();

  uint64_t delivered() const { return delivered_.load(); }

 private:
  // One pass: drops hints older than hint_window (every so often) and
  // replays up to a pass's share of replay_rate to each target that is up.
  void Pass();
  void DropExpiredHints();
  // Sends up to `budget` hints to `target`; returns how many were delivered.
  size_t DeliverTo(uint32_t target, size_t budget);

  const std::vector<uint32_t> targets_;
  HintStore* const hints_;
  Replicas* const replicas_;
  const Membership* const membership_;
  const HintDeliveryOptions options_;
  clock::BackgroundRunner* const runner_;
  std::chrono::microseconds last_drop_{std::chrono::microseconds::min()};  // the task's only
  std::unique_ptr<clock::BackgroundTask> task_;
  std::atomic<uint64_t> delivered_{0};
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_HINT_DELIVERER_H_
