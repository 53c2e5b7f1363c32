// A cluster of real alderd processes on loopback: replication at ONE, QUORUM
// and ALL with nodes killed (SIGKILL), read repair, hinted handoff (also
// across a coordinator restart), clock-offset fencing with a node run under
// libfaketime, and nodes of mismatched clusters refusing each other.
#include <gtest/gtest.h>
#include <signal.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "Internode.h"
#include "test/support/local_cluster.h"
#include "test/support/scrape.h"
#include "test/support/temp_dir.h"

namespace alder::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kFakeTime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

std::string Get(LocalCluster& cluster, int via, const std::string& key,
                api::Consistency::type level) {
  ApiClient client(cluster.node(via).port());
  api::Entry entry;
  client->get(entry, key, ReadAt(level));
  return entry.value;
}

void Put(LocalCluster& cluster, int via, const std::string& key, const std::string& value,
         api::Consistency::type level = api::Consistency::QUORUM) {
  ApiClient client(cluster.node(via).port());
  client->put(key, value, At(level));
}

int64_t HintsPendingOn(LocalCluster& cluster, int observer, int target) {
  for (const api::NodeStatus& n : cluster.StatusFrom(observer).nodes) {
    if (n.node_id == target) return n.hints_pending;
  }
  return -1;
}

LocalClusterOptions Options(int nodes = 3, int replication_factor = 3,
                            std::vector<std::string> args = {}) {
  LocalClusterOptions options;
  options.nodes = nodes;
  options.replication_factor = replication_factor;
  options.args = std::move(args);
  return options;
}

class ClusterTest : public ::testing::Test {
 protected:
  void Start(LocalClusterOptions options = {}) {
    cluster_ = std::make_unique<LocalCluster>(dir_.path(), std::move(options));
    ASSERT_TRUE(cluster_->StartAll()) << cluster_->Logs();
    ASSERT_TRUE(cluster_->WaitUntilConverged()) << cluster_->Logs();
  }
  void TearDown() override {
    if (HasFailure() && cluster_) std::cerr << cluster_->Logs();
  }
  LocalCluster& cluster() { return *cluster_; }

  TempDir dir_;
  std::unique_ptr<LocalCluster> cluster_;
};

TEST_F(ClusterTest, QuorumWritesThroughAnyNodeAreReadBackThroughTheOthers) {
  Start();
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    const int writer = 1 + static_cast<int>(rng() % 3);
    const int reader = 1 + (writer % 3);  // always another node
    const std::string key = "key-" + std::to_string(i);
    Put(cluster(), writer, key, "value-" + std::to_string(i));
    EXPECT_EQ(Get(cluster(), reader, key, api::Consistency::QUORUM), "value-" + std::to_string(i));
  }
  // RF 3 on 3 nodes: every node holds every key, so ALL reads agree too.
  EXPECT_EQ(Get(cluster(), 2, "key-17", api::Consistency::ALL), "value-17");
  // Overwrites and deletes through different coordinators.
  Put(cluster(), 1, "key-1", "newer");
  EXPECT_EQ(Get(cluster(), 3, "key-1", api::Consistency::QUORUM), "newer");
  ApiClient(cluster().node(2).port())->remove("key-1", At(api::Consistency::QUORUM));
  EXPECT_THROW(Get(cluster(), 3, "key-1", api::Consistency::QUORUM), api::NotFound);
}

TEST_F(ClusterTest, ConsistencyLevelsWithZeroOneAndTwoNodesKilled) {
  Start(Options(3, 3, {"--hint_window", "0s"}));
  for (auto level : {api::Consistency::ONE, api::Consistency::QUORUM, api::Consistency::ALL}) {
    Put(cluster(), 1, "all-up", "v", level);
    EXPECT_EQ(Get(cluster(), 1, "all-up", level), "v");
  }

  cluster().node(3).Kill();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 3, false));
  Put(cluster(), 1, "one-down", "v1", api::Consistency::ONE);
  Put(cluster(), 1, "one-down", "v2", api::Consistency::QUORUM);
  EXPECT_EQ(Get(cluster(), 1, "one-down", api::Consistency::QUORUM), "v2");
  EXPECT_EQ(Get(cluster(), 1, "one-down", api::Consistency::ONE), "v2");
  try {
    Put(cluster(), 1, "one-down", "v3", api::Consistency::ALL);
    FAIL() << "ALL with a replica down must be Unavailable";
  } catch (const api::Unavailable& e) {
    EXPECT_EQ(e.required_replicas, 3);
    EXPECT_EQ(e.alive_replicas, 2);
    EXPECT_NE(e.message.find("ALL"), std::string::npos) << e.message;
  }
  EXPECT_THROW(Get(cluster(), 1, "one-down", api::Consistency::ALL), api::Unavailable);
  // The refused write stored nothing anywhere.
  EXPECT_EQ(Get(cluster(), 2, "one-down", api::Consistency::QUORUM), "v2");

  cluster().node(2).Kill();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 2, false));
  Put(cluster(), 1, "two-down", "alone", api::Consistency::ONE);
  EXPECT_EQ(Get(cluster(), 1, "two-down", api::Consistency::ONE), "alone");
  EXPECT_EQ(Get(cluster(), 1, "one-down", api::Consistency::ONE), "v2");
  for (auto level : {api::Consistency::QUORUM, api::Consistency::ALL}) {
    try {
      Put(cluster(), 1, "two-down", "x", level);
      FAIL() << "level " << level << " with two replicas down must be Unavailable";
    } catch (const api::Unavailable& e) {
      EXPECT_EQ(e.required_replicas, level == api::Consistency::ALL ? 3 : 2);
      EXPECT_EQ(e.alive_replicas, 1);
    }
    try {
      Get(cluster(), 1, "two-down", level);
      FAIL() << "read at level " << level << " with two replicas down must be Unavailable";
    } catch (const api::Unavailable& e) {
      EXPECT_EQ(e.alive_replicas, 1);
    }
  }
}

TEST_F(ClusterTest, AHungReplicaTimesOutOnlyTheLevelsThatNeedIt) {
  // A long failure_timeout keeps the hung node "up" for the whole test, so
  // the coordinator has to wait on it and give up at request_timeout.
  Start(Options(3, 3, {"--request_timeout", "300ms", "--failure_timeout", "30s"}));
  Put(cluster(), 1, "k", "before", api::Consistency::ALL);
  cluster().node(3).Signal(SIGSTOP);  // hangs: connected, never answers
  try {
    Put(cluster(), 1, "k", "during", api::Consistency::ALL);
    FAIL() << "ALL with a hung replica must time out";
  } catch (const api::TimedOut& e) {
    EXPECT_EQ(e.acknowledged, 2);
    EXPECT_EQ(e.required_acks, 3);
  }
  // QUORUM does not wait on the hung node: two replicas answer at once.
  for (int i = 0; i < 20; ++i) Put(cluster(), 1, "quorum-" + std::to_string(i), "v");
  EXPECT_EQ(Get(cluster(), 2, "k", api::Consistency::QUORUM), "during");
  EXPECT_THROW(Get(cluster(), 1, "k", api::Consistency::ALL), api::TimedOut);

  // The writes it missed were kept as hints and reach it once it answers.
  EXPECT_GE(HintsPendingOn(cluster(), 1, 3), 1);
  cluster().node(3).Signal(SIGCONT);
  ASSERT_TRUE(WaitFor([&] { return HintsPendingOn(cluster(), 1, 3) == 0; }, 10s));
  cluster().node(1).Kill();
  cluster().node(2).Kill();
  EXPECT_EQ(Get(cluster(), 3, "k", api::Consistency::ONE), "during");
  EXPECT_EQ(Get(cluster(), 3, "quorum-19", api::Consistency::ONE), "v");
}

TEST_F(ClusterTest, AReadRepairsAStaleReplica) {
  Start(Options(3, 3, {"--hint_window", "0s"}));  // no hints: only the read can repair
  Put(cluster(), 1, "k", "old", api::Consistency::ALL);
  cluster().node(3).Kill();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 3, false));
  Put(cluster(), 1, "k", "new", api::Consistency::QUORUM);
  ASSERT_TRUE(cluster().node(3).Start()) << cluster().node(3).ReadLog();
  ASSERT_TRUE(cluster().WaitUntilConverged());
  // Node 3 coordinating at ONE answers from its own replica: still stale.
  EXPECT_EQ(Get(cluster(), 3, "k", api::Consistency::ONE), "old");

  EXPECT_EQ(Get(cluster(), 1, "k", api::Consistency::ALL), "new");
  // Counted as queued before the answer; nowhere near the bound, none dropped.
  const auto metrics = Scrape(cluster().node(1).metrics_port());
  ASSERT_TRUE(metrics) << cluster().node(1).ReadLog();
  EXPECT_EQ(SampleIn(*metrics, "alder_read_repairs_total"), 1);
  EXPECT_EQ(SampleIn(*metrics, "alder_read_repairs_dropped_total"), 0);
  // The repair runs in the background: node 3's own replica (read at ONE
  // through node 3) turns new, and then node 3 alone serves it.
  EXPECT_TRUE(WaitFor([&] { return Get(cluster(), 3, "k", api::Consistency::ONE) == "new"; }, 5s));
  cluster().node(1).Kill();
  cluster().node(2).Kill();
  EXPECT_EQ(Get(cluster(), 3, "k", api::Consistency::ONE), "new");
}

TEST_F(ClusterTest, HintsReachANodeThatComesBack) {
  Start();
  cluster().node(3).Kill();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 3, false));
  ASSERT_TRUE(cluster().WaitUntilSeen(2, 3, false));
  for (int i = 0; i < 50; ++i) {
    Put(cluster(), 1 + i % 2, "hinted-" + std::to_string(i), "v" + std::to_string(i));
  }
  ApiClient(cluster().node(1).port())->remove("hinted-0", At(api::Consistency::QUORUM));
  EXPECT_EQ(HintsPendingOn(cluster(), 1, 3) + HintsPendingOn(cluster(), 2, 3), 51);

  ASSERT_TRUE(cluster().node(3).Start()) << cluster().node(3).ReadLog();
  ASSERT_TRUE(WaitFor(
      [&] { return HintsPendingOn(cluster(), 1, 3) == 0 && HintsPendingOn(cluster(), 2, 3) == 0; },
      15s));
  cluster().node(1).Kill();
  cluster().node(2).Kill();
  EXPECT_THROW(Get(cluster(), 3, "hinted-0", api::Consistency::ONE), api::NotFound);
  for (int i = 1; i < 50; ++i) {
    EXPECT_EQ(Get(cluster(), 3, "hinted-" + std::to_string(i), api::Consistency::ONE),
              "v" + std::to_string(i));
  }
}

TEST_F(ClusterTest, HintsSurviveACoordinatorRestart) {
  Start();
  cluster().node(3).Kill();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 3, false));
  for (int i = 0; i < 20; ++i) Put(cluster(), 1, "kept-" + std::to_string(i), "v");
  ASSERT_EQ(HintsPendingOn(cluster(), 1, 3), 20);

  cluster().node(1).Kill();  // crash, not a clean stop
  ASSERT_TRUE(cluster().node(1).Start()) << cluster().node(1).ReadLog();
  EXPECT_EQ(HintsPendingOn(cluster(), 1, 3), 20);

  ASSERT_TRUE(cluster().node(3).Start()) << cluster().node(3).ReadLog();
  ASSERT_TRUE(WaitFor([&] { return HintsPendingOn(cluster(), 1, 3) == 0; }, 15s));
  cluster().node(1).Kill();
  cluster().node(2).Kill();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Get(cluster(), 3, "kept-" + std::to_string(i), api::Consistency::ONE), "v");
  }
}

TEST_F(ClusterTest, HintsOlderThanTheHintWindowAreDroppedAndCounted) {
  Start(Options(3, 3, {"--hint_window", "2s"}));
  cluster().node(3).Kill();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 3, false));
  for (int i = 0; i < 5; ++i) Put(cluster(), 1, "late-" + std::to_string(i), "v");
  EXPECT_EQ(HintsPendingOn(cluster(), 1, 3), 5);
  ASSERT_TRUE(WaitFor([&] { return cluster().StatusFrom(1).hints_dropped == 5; }, 10s));
  EXPECT_EQ(HintsPendingOn(cluster(), 1, 3), 0);

  // Back after the window: the writes never reach it through hints (repair
  // is anti-entropy's job), so alone it does not have them.
  ASSERT_TRUE(cluster().node(3).Start()) << cluster().node(3).ReadLog();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 3, true));
  std::this_thread::sleep_for(500ms);  // several delivery passes
  cluster().node(1).Kill();
  cluster().node(2).Kill();
  EXPECT_THROW(Get(cluster(), 3, "late-0", api::Consistency::ONE), api::NotFound);
}

TEST_F(ClusterTest, ANodeWhoseClockRunsAheadCannotMakeItsWritesWin) {
  LocalClusterOptions options = Options();
  options.node_wrappers[3] = {"env", std::string("LD_PRELOAD=") + kFakeTime, "FAKETIME=+5s",
                              "ASAN_OPTIONS=verify_asan_link_order=0"};
  Start(options);
  // Every node measured node 3 about 5 s ahead; node 3 fences itself.
  const api::ClusterStatus seen_by_1 = cluster().StatusFrom(1);
  for (const api::NodeStatus& n : seen_by_1.nodes) {
    if (n.node_id == 3) {
      ASSERT_TRUE(n.__isset.clock_offset_ms);
      EXPECT_NEAR(static_cast<double>(n.clock_offset_ms), 5000.0, 500.0);
    }
  }
  EXPECT_FALSE(seen_by_1.clock_fenced);
  const api::ClusterStatus seen_by_3 = cluster().StatusFrom(3);
  EXPECT_TRUE(seen_by_3.clock_fenced);

  for (auto level : {api::Consistency::ONE, api::Consistency::QUORUM}) {
    try {
      Put(cluster(), 3, "contested", "from the fast clock", level);
      FAIL() << "a node with a fast clock coordinated a write";
    } catch (const api::Unavailable& e) {
      EXPECT_NE(e.message.find("clock"), std::string::npos) << e.message;
    }
  }
  Put(cluster(), 1, "contested", "from a healthy node");
  EXPECT_EQ(Get(cluster(), 2, "contested", api::Consistency::ALL), "from a healthy node");
  // Its peers refuse its reads too (they carry its clock), while its own
  // replica, written by the healthy coordinator, serves a read at ONE.
  EXPECT_THROW(Get(cluster(), 3, "contested", api::Consistency::QUORUM), api::Unavailable);
  EXPECT_EQ(Get(cluster(), 3, "contested", api::Consistency::ONE), "from a healthy node");
}

// Talks the internode protocol to a node directly, as a peer would.
class InternodeClient {
 public:
  explicit InternodeClient(uint16_t port) {
    using namespace apache::thrift;
    auto socket = std::make_shared<transport::TSocket>("127.0.0.1", port);
    socket->setRecvTimeout(5000);
    transport_ = std::make_shared<transport::TFramedTransport>(socket);
    client_ = std::make_unique<internode::InternodeClient>(
        std::make_shared<protocol::TBinaryProtocol>(transport_));
    transport_->open();
  }
  internode::InternodeClient* operator->() { return client_.get(); }

 private:
  std::shared_ptr<apache::thrift::transport::TTransport> transport_;
  std::unique_ptr<internode::InternodeClient> client_;
};

int64_t PackedHlcAt(std::chrono::milliseconds from_now) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return static_cast<int64_t>((static_cast<uint64_t>((now + from_now).count())) << 16);
}

TEST_F(ClusterTest, PeersRefuseStampsTooFarAheadInWritesReadsAndHints) {
  Start(Options(2, 2));
  const uint16_t internode_port = static_cast<uint16_t>(
      std::stoi(cluster().peers().substr(cluster().peers().rfind(':') + 1)));  // node 2
  InternodeClient peer(internode_port);
  internode::Sender ahead;
  ahead.node_id = 1;
  ahead.hlc = PackedHlcAt(5s);
  ahead.cluster_name = "alder";
  ahead.partitions = 256;
  internode::WireRecord record;
  record.hlc = PackedHlcAt(0s);
  record.node_id = 1;
  record.tombstone = false;
  record.expires_at_ms = 0;
  record.value = "v";
  auto expect_refused = [](auto call, internode::RefusalReason::type reason) {
    try {
      call();
      ADD_FAILURE() << "not refused";
    } catch (const internode::Refused& e) {
      EXPECT_EQ(e.reason, reason) << e.message;
    }
  };
  expect_refused([&] { peer->write(ahead, "k", record); }, internode::RefusalReason::CLOCK_AHEAD);
  internode::ReadReply reply;
  expect_refused([&] { peer->read(reply, ahead, "k"); }, internode::RefusalReason::CLOCK_AHEAD);
  internode::HintedWrite hint;
  hint.key = "k";
  hint.record = record;
  expect_refused([&] { peer->deliverHints(ahead, {hint}); }, internode::RefusalReason::CLOCK_AHEAD);

  // A sender in step whose record is stamped ahead is refused as well.
  internode::Sender in_step = ahead;
  in_step.hlc = PackedHlcAt(0s);
  record.hlc = PackedHlcAt(5s);
  expect_refused([&] { peer->write(in_step, "k", record); }, internode::RefusalReason::CLOCK_AHEAD);
  // Nothing was stored.
  EXPECT_THROW(Get(cluster(), 2, "k", api::Consistency::ONE), api::NotFound);

  // Heartbeats are answered anyway: that is how a fast node learns it is.
  internode::HeartbeatReply beat;
  peer->heartbeat(beat, ahead);
  EXPECT_EQ(beat.node_id, 2);
  EXPECT_GE(cluster().StatusFrom(2).clock_rejections, 5);

  // Strangers are refused.
  internode::Sender stranger = in_step;
  stranger.cluster_name = "another";
  expect_refused([&] { peer->heartbeat(beat, stranger); },
                 internode::RefusalReason::CLUSTER_MISMATCH);
  stranger = in_step;
  stranger.node_id = 9;
  expect_refused([&] { peer->heartbeat(beat, stranger); }, internode::RefusalReason::UNKNOWN_NODE);
}

TEST_F(ClusterTest, NodesWithDifferentPartitionCountsRefuseToFormACluster) {
  LocalClusterOptions options = Options(2, 2);
  options.node_args[2] = {"--partitions", "128"};
  cluster_ = std::make_unique<LocalCluster>(dir_.path(), options);
  ASSERT_TRUE(cluster().StartAll()) << cluster().Logs();
  // Give heartbeats time to be refused, then check neither sees the other up.
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(cluster().WaitUntilSeen(1, 2, true, 1s));
  EXPECT_FALSE(cluster().WaitUntilSeen(2, 1, true, 1s));
  try {
    Put(cluster(), 1, "k", "v");
    FAIL() << "a write needing both nodes succeeded";
  } catch (const api::Unavailable& e) {
    EXPECT_EQ(e.alive_replicas, 1);
  }
  // Waited for, not read once: under load the refusal may be logged late.
  EXPECT_TRUE(WaitFor(
      [&] {
        return cluster().node(1).ReadLog().find("cannot form one cluster") != std::string::npos;
      },
      10s))
      << cluster().Logs();
}

}  // namespace
}  // namespace alder::testing
