// A replica's storage failure is one that may pass (issue 9): the
// coordinator keeps a hint for it and delivers it, instead of leaving the
// write to anti-entropy. Real processes; node 3's failure is injected by the
// ALDER_FAULT_REPLICA_WRITE_FAILURES seam (server/fault_injection.h).
#include <gtest/gtest.h>

#include <string>

#include "test/support/local_cluster.h"
#include "test/support/scrape.h"
#include "test/support/temp_dir.h"

namespace alder::testing {
namespace {

using namespace std::chrono_literals;

double Metric(AlderdProcess& node, const std::string& series) {
  const auto text = Scrape(node.metrics_port());
  return text ? SampleIn(*text, series).value_or(-1) : -1;
}

TEST(ReplicaFailureTest, ATransientStorageFailureOnAReplicaKeepsAHintThatIsDelivered) {
  TempDir dir;
  LocalClusterOptions options;
  options.node_wrappers[3] = {"env", "ALDER_FAULT_REPLICA_WRITE_FAILURES=1"};
  LocalCluster cluster(dir.path(), options);
  ASSERT_TRUE(cluster.StartAll()) << cluster.Logs();
  ASSERT_TRUE(cluster.WaitUntilConverged()) << cluster.Logs();

  ApiClient client(cluster.node(1).port());
  client->put("key", "value", At(api::Consistency::QUORUM));  // nodes 1 and 2 acknowledge
  // QUORUM answers once two replicas acknowledged: node 3's refusal, and the
  // hint it leads to, may come a moment after the answer.
  EXPECT_TRUE(WaitFor(
      [&] {
        return Metric(cluster.node(3),
                      "alder_replica_requests_total{op=\"write\",outcome=\"refused\"}") == 1;
      },
      10s))
      << cluster.Logs();
  EXPECT_TRUE(
      WaitFor([&] { return Metric(cluster.node(1), "alder_hints_stored_total") == 1; }, 10s))
      << cluster.Logs();

  EXPECT_TRUE(
      WaitFor([&] { return Metric(cluster.node(1), "alder_hints_delivered_total") == 1; }, 10s))
      << cluster.Logs();
  EXPECT_EQ(Metric(cluster.node(1), "alder_hints_pending{peer=\"3\"}"), 0);
  EXPECT_EQ(Metric(cluster.node(3), "alder_hints_received_total"), 1);
  // Node 3 holds the write itself now: a read at ONE through it answers
  // from its own storage.
  ApiClient third(cluster.node(3).port());
  api::Entry entry;
  third->get(entry, "key", ReadAt(api::Consistency::ONE));
  EXPECT_EQ(entry.value, "value");
}

}  // namespace
}  // namespace alder::testing
