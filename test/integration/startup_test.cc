// A node is ready when its client port opens (issue 9): it has tried every
// peer once, knows which are up, and every peer it reached knows it is up.
// Real alderd processes; every request is sent the instant a port accepts,
// with no wait for heartbeats to settle.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/support/local_cluster.h"
#include "test/support/run_program.h"
#include "test/support/temp_dir.h"

#ifndef ALDER_CLI_PATH
#error "ALDER_CLI_PATH must name the alder binary"
#endif

namespace alder::testing {
namespace {

using api::Consistency;

// Writes a key and reads it back through node `via` at `level`; returns
// what went wrong, or "" when both succeeded.
std::string WriteAndRead(LocalCluster& cluster, int via, Consistency::type level,
                         const std::string& key) {
  const std::string what =
      "node " + std::to_string(via) + " at " + api::to_string(level) + ", key " + key + ": ";
  try {
    ApiClient client(cluster.node(via).port());
    client->put(key, "v-" + key, At(level));
    api::Entry entry;
    client->get(entry, key, ReadAt(level));
    if (entry.value != "v-" + key) return what + "read back '" + entry.value + "'";
    return "";
  } catch (const api::Unavailable& e) {
    return what + "Unavailable: " + e.message;
  } catch (const apache::thrift::TException& e) {
    return what + e.what();
  }
}

// Every running node coordinates a write and a read at QUORUM, and at ALL
// when every node runs.
void WriteAndReadEverywhere(LocalCluster& cluster, int cycle, std::vector<std::string>* failures) {
  int running = 0;
  for (int id = 1; id <= cluster.size(); ++id) running += cluster.node(id).running() ? 1 : 0;
  for (int via = 1; via <= cluster.size(); ++via) {
    if (!cluster.node(via).running()) continue;
    std::vector<Consistency::type> levels = {Consistency::QUORUM};
    if (running == cluster.size()) levels.push_back(Consistency::ALL);
    for (Consistency::type level : levels) {
      const std::string key =
          "c" + std::to_string(cycle) + "-n" + std::to_string(via) + "-" + api::to_string(level);
      if (std::string failure = WriteAndRead(cluster, via, level, key); !failure.empty()) {
        failures->push_back("cycle " + std::to_string(cycle) + ", " + failure);
      }
    }
  }
}

class StartupTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_.Logs();
  }
  TempDir dir_;
  LocalCluster cluster_{dir_.path(), LocalClusterOptions{}};
};

TEST_F(StartupTest, WritesAtQuorumAndAllSucceedTheInstantPortsAcceptAcrossTwentyStarts) {
  std::vector<std::string> failures;
  // Cycles 0-2 start the nodes one by one (one node alone has no quorum);
  // cycles 3-19 restart one node each, by SIGTERM and SIGKILL in turn.
  for (int cycle = 0; cycle < 20; ++cycle) {
    const int id = 1 + cycle % 3;
    if (cycle >= 3) {
      if (cycle % 2 == 0) {
        cluster_.node(id).Terminate();
      } else {
        cluster_.node(id).Kill();
      }
      // The others have noticed, as after any real outage: the node must be
      // found up again the moment it is back, not at their next heartbeat.
      for (int other = 1; other <= 3; ++other) {
        if (other == id) continue;
        ASSERT_TRUE(cluster_.WaitUntilSeen(other, id, /*up=*/false));
      }
    }
    ASSERT_TRUE(cluster_.node(id).Start()) << "cycle " << cycle;
    if (cycle > 0) WriteAndReadEverywhere(cluster_, cycle, &failures);
  }
  std::string all;
  for (const std::string& f : failures) all += f + "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " requests failed:\n" << all;
}

TEST_F(StartupTest, RepairRightAfterAPeerRestartsReachesIt) {
  ASSERT_TRUE(cluster_.StartAll());
  ASSERT_TRUE(cluster_.WaitUntilConverged());
  for (int round = 0; round < 3; ++round) {
    cluster_.node(2).Kill();
    // Node 1 has noticed: the restarted node must be found without waiting
    // for node 1's next heartbeat to it.
    ASSERT_TRUE(cluster_.WaitUntilSeen(1, 2, /*up=*/false));
    ASSERT_TRUE(cluster_.node(2).Start());
    const ProgramOutcome repair =
        RunProgram({ALDER_CLI_PATH, "--port", std::to_string(cluster_.node(1).port()), "repair"});
    EXPECT_EQ(repair.exit_code, 0) << "round " << round << ":\n" << repair.out << repair.err;
  }
}

}  // namespace
}  // namespace alder::testing
