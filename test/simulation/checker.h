// Checker: what must hold of a schedule (DESIGN.md sections 3, 16), judged
// from its History and the final state of every replica once faults ended:
//   convergence   every replica of a key holds the same version, or, dead
//                 (deleted or expired), the same version or none (purged);
//   durability    an acknowledged write is never lost: every replica ends
//                 with it or a higher version (a key purged by GC counts if
//                 its disk once held a version as high), or with nothing
//                 when a dead version as high is held or was purged on
//                 another replica (anti-entropy never hands a record past
//                 gc_grace to a replica that has nothing for the key);
//   no stale read a read whose level overlaps an acknowledged write's
//                 (R + W > RF) that started after it ended sees it or newer;
//   order         an acknowledged write that started more than 3 x
//                 max_clock_offset after another ended has the higher
//                 version (clocks cannot silently reorder writes);
//   monotonic     no replica's disk ever holds an older version of a key
//                 than it held durably before (ModelDisk's check), which is
//                 also how a purged delete coming back shows;
//   liveness      no node still refuses to serve (syncing) at the end.
#ifndef ALDER_TEST_SIMULATION_CHECKER_H_
#define ALDER_TEST_SIMULATION_CHECKER_H_

#include <memory>
#include <string>
#include <vector>

#include "server/cluster/ring.h"
#include "test/simulation/history.h"
#include "test/simulation/sim_node.h"
#include "test/simulation/sim_settings.h"

namespace alder::sim {

class Checker {
 public:
  // REQUIRES: every node up when a method is called.
  Checker(const SimSettings* settings, std::vector<std::unique_ptr<SimNode>>* nodes,
          const History* history);

  // Empty when every replica agrees on every key at true time `now_ms`;
  // else the first key that differs and how.
  std::string Divergence(uint64_t now_ms);
  std::vector<std::string> Check(uint64_t now_ms);

 private:
  void CheckDurability(uint64_t now_ms, std::vector<std::string>* out);
  // Whether some replica of `key` holds a dead record (a tombstone, or
  // expired at `now_ms`) of at least `version`, or purged one.
  bool DeadOnSomeReplica(const std::string& key, const Version& version, uint64_t now_ms);
  void CheckReads(std::vector<std::string>* out);
  void CheckOrder(std::vector<std::string>* out);
  // Whether a remove or TTL put on `key` may have won over `write` by the
  // time `read` ended.
  bool MayBeDeletedBefore(const Op& write, const Op& read) const;
  SimNode& Node(uint32_t id) { return *(*nodes_)[id - 1]; }

  const SimSettings* const settings_;
  std::vector<std::unique_ptr<SimNode>>* const nodes_;
  const History* const history_;
  Ring ring_;
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_CHECKER_H_
