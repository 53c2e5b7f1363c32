// The client half of repair, compare, verifyTrees and the anti-entropy status
// fields over real Thrift: an in-process fake alderd (the generated AlderIf,
// nothing of server/) answers with canned values, and the tests check that
// they arrive in Alder's own types and turn into the right output and exit
// codes. This pins the client to thrift/alder.thrift independently of the
// real server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>

#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "Alder.h"
#include "tools/anti_entropy_commands.h"
#include "tools/cli.h"

namespace alder::tools {
namespace {

using testing::HasSubstr;
using testing::IsEmpty;
using testing::StartsWith;

// Canned answers; every request is recorded.
class FakeAlder : public api::AlderIf {
 public:
  int32_t partitions = 8;
  std::set<int32_t> not_replicated;     // repair(partition) answers InvalidArgument
  std::optional<int32_t> failing;       // repair(partition) reports one failed exchange
  std::optional<int32_t> out_of_range;  // repair(partition) answers another InvalidArgument
  api::Comparison comparison;
  bool with_anti_entropy_status = true;

  std::mutex mu;
  std::vector<api::RepairRequest> repairs;
  std::vector<api::CompareRequest> compares;

  int64_t put(const std::string&, const std::string&, const api::WriteOptions&) override {
    return 0;
  }
  void get(api::Entry&, const std::string& key, const api::ReadOptions&) override {
    api::NotFound e;
    e.key = key;
    throw e;
  }
  int64_t remove(const std::string&, const api::WriteOptions&) override { return 0; }

  void status(api::ClusterStatus& out) override {
    out.node_id = 1;
    out.partitions = partitions;
    out.replication_factor = 3;
    api::NodeStatus self;
    self.node_id = 1;
    self.internode_address = "127.0.0.1:7701";
    self.is_self = true;
    self.up = true;
    self.partitions_owned = partitions;
    out.nodes = {self};
    if (!with_anti_entropy_status) return;
    std::vector<api::ExchangeState> exchanges;
    api::ExchangeState e;
    e.partition = 0;
    e.peer = 2;
    e.__set_last_success_ms_ago(5'000);
    exchanges.push_back(e);
    api::ExchangeState never;
    never.partition = 1;
    never.peer = 2;
    exchanges.push_back(never);
    out.__set_exchanges(exchanges);
    out.__set_records_purged(17);
    out.__set_syncing(true);
  }

  void repair(api::RepairReport& out, const api::RepairRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      repairs.push_back(request);
    }
    const int32_t p = request.__isset.partition ? request.partition : -1;
    if (not_replicated.count(p)) {
      api::InvalidArgument e;
      e.message = "node 1 does not replicate partition " + std::to_string(p);
      throw e;
    }
    if (out_of_range == p) {
      api::InvalidArgument e;
      e.message = "partition " + std::to_string(p) + " is out of range";
      throw e;
    }
    out.partitions = 1;
    out.exchanges = 2;
    out.tree_nodes_compared = 3;
    out.keys_listed = 2;
    out.records_sent = 1;
    out.bytes_sent = 100;
    out.records_differing = 1;
    out.elapsed_ms = 1;
    if (failing == p) {
      out.exchanges = 1;
      out.failed_exchanges = 1;
      out.__set_error("node 3 unreachable: connection refused");
    }
  }

  void compare(api::Comparison& out, const api::CompareRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      compares.push_back(request);
    }
    if (request.__isset.partition && request.partition >= partitions) {
      api::InvalidArgument e;
      e.message = "partition " + std::to_string(request.partition) + " is out of range";
      throw e;
    }
    out = comparison;
  }

  void verifyTrees(api::TreeVerification& out) override {
    out.partitions_checked = partitions;
    out.mismatched_partitions = {3, 5};
    out.index_entries = 12345;
  }
};

class ReadySignal final : public apache::thrift::server::TServerEventHandler {
 public:
  explicit ReadySignal(std::promise<void>* ready) : ready_(ready) {}
  void preServe() override { ready_->set_value(); }

 private:
  std::promise<void>* ready_;
};

class FakeServerTest : public testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_shared<FakeAlder>();
    socket_ = std::make_shared<apache::thrift::transport::TServerSocket>("127.0.0.1", 0);
    server_ = std::make_shared<apache::thrift::server::TThreadedServer>(
        std::make_shared<api::AlderProcessor>(fake_), socket_,
        std::make_shared<apache::thrift::transport::TFramedTransportFactory>(),
        std::make_shared<apache::thrift::protocol::TBinaryProtocolFactory>());
    std::promise<void> ready;
    server_->setServerEventHandler(std::make_shared<ReadySignal>(&ready));
    thread_ = std::thread([this] { server_->serve(); });
    ready.get_future().wait();
    port_ = socket_->getPort();
    ASSERT_GT(port_, 0);
  }

  void TearDown() override {
    server_->stop();
    thread_.join();
  }

  struct Outcome {
    int exit_code;
    std::string out;
    std::string err;
  };

  Outcome Run(std::vector<std::string> args, bool tty = false) {
    args.insert(args.begin(), {"--port", std::to_string(port_)});
    std::istringstream in;
    std::ostringstream out, err;
    Io io{in, out, err, tty};
    const int code = RunAlder(args, io);
    return {code, out.str(), err.str()};
  }

  ClientOptions Options() const {
    ClientOptions options;
    options.port = static_cast<uint16_t>(port_);
    return options;
  }

  std::shared_ptr<FakeAlder> fake_;
  std::shared_ptr<apache::thrift::transport::TServerSocket> socket_;
  std::shared_ptr<apache::thrift::server::TThreadedServer> server_;
  std::thread thread_;
  int port_ = 0;
};

api::Comparison OneDifferingPartition() {
  api::Comparison c;
  c.converged = false;
  c.unreachable = 0;
  api::PartitionComparison p;
  p.partition = 5;
  p.converged = false;
  api::ReplicaRoot a;
  a.node_id = 1;
  a.__set_root_hash(std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09", 9));
  api::ReplicaRoot b;
  b.node_id = 2;
  b.__set_root_hash(std::string(9, '\xff'));
  p.roots = {a, b};
  api::KeyDifference d;
  d.key = "user:42";
  api::ReplicaVersion v1;
  v1.node_id = 1;
  v1.__set_version((int64_t{1764000000000} << 16) | 3);
  api::ReplicaVersion v2;
  v2.node_id = 2;
  api::ReplicaVersion v3;
  v3.node_id = 3;
  v3.__set_version((int64_t{1764000000001} << 16));
  v3.__set_tombstone(true);
  d.versions = {v1, v2, v3};
  p.differences = {d};
  c.partitions = {p};
  return c;
}

TEST_F(FakeServerTest, StatusCarriesTheAntiEntropyFields) {
  Client client(Options());
  ClusterStatus status;
  ASSERT_TRUE(client.Status(&status).ok());
  ASSERT_TRUE(status.exchanges.has_value());
  ASSERT_EQ(status.exchanges->size(), 2u);
  EXPECT_EQ((*status.exchanges)[0].last_success_ms_ago, 5'000);
  EXPECT_FALSE((*status.exchanges)[1].last_success_ms_ago.has_value());
  EXPECT_FALSE(status.oldest_exchange_ms_ago.has_value());
  EXPECT_EQ(status.records_purged, 17);
  EXPECT_EQ(status.syncing, true);

  const Outcome o = Run({"status"});
  EXPECT_EQ(o.exit_code, kExitOk);
  EXPECT_THAT(o.out, HasSubstr("warning: node 1 is syncing after a long absence"));
  EXPECT_THAT(o.out, HasSubstr("anti-entropy: some partitions never exchanged (1 of 2"));
  EXPECT_THAT(o.out, HasSubstr("records purged: 17\n"));
  EXPECT_THAT(Run({"status", "--json"}).out,
              HasSubstr("\"oldest_exchange_ms_ago\":null,\"records_purged\":17,\"syncing\":true,"
                        "\"exchanges\":[{\"partition\":0,\"peer\":2,\"last_success_ms_ago\":5000},"
                        "{\"partition\":1,\"peer\":2,\"last_success_ms_ago\":null}],"
                        "\"metrics\":[]}"));
}

TEST_F(FakeServerTest, StatusFromAServerWithoutTheFields) {
  fake_->with_anti_entropy_status = false;
  Client client(Options());
  ClusterStatus status;
  ASSERT_TRUE(client.Status(&status).ok());
  EXPECT_FALSE(status.exchanges.has_value());
  EXPECT_FALSE(status.records_purged.has_value());
  EXPECT_FALSE(status.syncing.has_value());
}

TEST_F(FakeServerTest, RepairEveryPartitionSkipsTheOnesNotReplicated) {
  fake_->not_replicated = {2, 6};
  const Outcome o = Run({"repair"});
  EXPECT_EQ(o.exit_code, kExitOk) << o.err;
  ASSERT_EQ(fake_->repairs.size(), 8u);
  for (int32_t p = 0; p < 8; ++p) {
    EXPECT_TRUE(fake_->repairs[p].__isset.partition);
    EXPECT_EQ(fake_->repairs[p].partition, p);
    EXPECT_FALSE(fake_->repairs[p].__isset.key);
  }
  EXPECT_THAT(o.out, StartsWith("partitions repaired: 6 of 8 (2 skipped: node 1 does not "
                                "replicate them)\nexchanges: 12 (0 failed)\n"));
  EXPECT_THAT(o.out, HasSubstr("records sent: 6 (1.00 per record differing)\n"));
  EXPECT_THAT(o.err, HasSubstr("repair: partition 8/8, 6 records sent so far\n"));
}

TEST_F(FakeServerTest, RepairWithAFailedExchangeExitsFour) {
  fake_->failing = 4;
  const Outcome o = Run({"repair", "--json"});
  EXPECT_EQ(o.exit_code, kExitUnavailable);
  EXPECT_THAT(o.out, HasSubstr("\"failed_exchanges\":1,"));
  EXPECT_THAT(o.out,
              HasSubstr("\"error\":\"partition 4: node 3 unreachable: connection refused\""));
  EXPECT_EQ(o.err.substr(o.err.rfind("alder: ")),
            "alder: repair: 1 exchange failed; the first: partition 4: node 3 unreachable: "
            "connection refused\n");
}

TEST_F(FakeServerTest, RepairStopsAtAnUnexpectedRefusal) {
  fake_->out_of_range = 3;
  const Outcome o = Run({"repair"});
  EXPECT_EQ(o.exit_code, kExitUsage);  // the server's InvalidArgument
  EXPECT_THAT(o.out, IsEmpty());
  EXPECT_THAT(o.err, HasSubstr("alder: repair: stopped at partition 3 of 8 (3 repaired): invalid "
                               "argument: partition 3 is out of range\n"));
  EXPECT_EQ(fake_->repairs.size(), 4u);
}

TEST_F(FakeServerTest, RepairOnePartitionOrKey) {
  Outcome o = Run({"repair", "--partition", "7"});
  EXPECT_EQ(o.exit_code, kExitOk);
  EXPECT_THAT(o.err, IsEmpty());  // no progress for one call
  o = Run({"repair", "--key", "user:42"});
  EXPECT_EQ(o.exit_code, kExitOk);
  ASSERT_EQ(fake_->repairs.size(), 2u);
  EXPECT_EQ(fake_->repairs[0].partition, 7);
  EXPECT_FALSE(fake_->repairs[0].__isset.key);
  EXPECT_FALSE(fake_->repairs[1].__isset.partition);
  EXPECT_EQ(fake_->repairs[1].key, "user:42");

  fake_->not_replicated = {1};
  o = Run({"repair", "--partition", "1"});  // asked for explicitly: an error
  EXPECT_EQ(o.exit_code, kExitUsage);
  EXPECT_EQ(o.err, "alder: invalid argument: node 1 does not replicate partition 1\n");
}

TEST_F(FakeServerTest, CompareConverged) {
  fake_->comparison.converged = true;
  api::PartitionComparison p;
  api::ReplicaRoot r;
  r.__set_root_hash("h");
  for (int32_t i : {1, 2, 3}) {
    r.node_id = i;
    p.roots.push_back(r);
  }
  p.converged = true;
  for (int32_t i = 0; i < 4; ++i) {
    p.partition = i;
    fake_->comparison.partitions.push_back(p);
  }
  const Outcome o = Run({"compare"});
  EXPECT_EQ(o.exit_code, kExitOk);
  EXPECT_EQ(o.out, "converged: 4 partitions, 3 replicas each equal\n");
  ASSERT_EQ(fake_->compares.size(), 1u);
  EXPECT_FALSE(fake_->compares[0].__isset.partition);
  EXPECT_FALSE(fake_->compares[0].__isset.key);
  EXPECT_FALSE(fake_->compares[0].__isset.list_keys);
}

TEST_F(FakeServerTest, CompareWithKeys) {
  fake_->comparison = OneDifferingPartition();
  Client client(Options());
  CompareParams params;
  params.partition = 5;
  params.list_keys = true;
  Comparison c;
  ASSERT_TRUE(client.Compare(params, &c).ok());
  ASSERT_EQ(c.partitions.size(), 1u);
  ASSERT_EQ(c.partitions[0].differences.size(), 1u);
  const KeyDifference& d = c.partitions[0].differences[0];
  EXPECT_FALSE(d.versions[1].version.has_value());
  EXPECT_TRUE(d.versions[2].tombstone);
  EXPECT_EQ(fake_->compares[0].partition, 5);
  EXPECT_TRUE(fake_->compares[0].list_keys);

  const Outcome o = Run({"compare", "--partition", "5", "--keys"});
  EXPECT_EQ(o.exit_code, kExitFailure);
  EXPECT_EQ(o.out,
            "partition 5: replicas differ\n"
            "  node 1: root 0102030405060708\n"
            "  node 2: root ffffffffffffffff\n"
            "  key user:42\n"
            "    node 1: 1764000000000.3\n"
            "    node 2: none\n"
            "    node 3: 1764000000001.0 (deleted)\n"
            "\n"
            "not converged: 1 of 1 partition\n");
  EXPECT_THAT(o.err, IsEmpty());
}

TEST_F(FakeServerTest, CompareWithAnUnreachableReplicaExitsFour) {
  fake_->comparison = OneDifferingPartition();
  fake_->comparison.unreachable = 1;
  api::ReplicaRoot down;
  down.node_id = 3;
  down.__set_error("connection refused");
  fake_->comparison.partitions[0].roots.push_back(down);
  const Outcome o = Run({"compare", "--key", "user:42"});
  EXPECT_EQ(o.exit_code, kExitUnavailable);
  EXPECT_THAT(o.out, HasSubstr("  node 3: unreachable: connection refused\n"));
  EXPECT_EQ(o.err,
            "alder: compare: 1 replica could not be reached; the comparison is incomplete\n");
  EXPECT_EQ(fake_->compares[0].key, "user:42");
}

TEST_F(FakeServerTest, CompareRejectedByTheNodeExitsTwoNotOne) {
  const Outcome o = Run({"compare", "--partition", "999"});
  EXPECT_EQ(o.exit_code, 2);  // 1 would claim the replicas differ
  EXPECT_THAT(o.out, IsEmpty());
  EXPECT_EQ(o.err, "alder: invalid argument: partition 999 is out of range\n");
}

TEST_F(FakeServerTest, VerifyTrees) {
  Client client(Options());
  TreeVerification v;
  ASSERT_TRUE(client.VerifyTrees(&v).ok());
  EXPECT_EQ(v.partitions_checked, 8);
  EXPECT_EQ(v.mismatched_partitions, (std::vector<int32_t>{3, 5}));
  EXPECT_EQ(v.index_entries, 12345);
}

}  // namespace
}  // namespace alder::tools
