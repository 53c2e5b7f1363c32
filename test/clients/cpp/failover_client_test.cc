// FailoverClient (thrift/examples/cpp) and the generated C++ client against
// a real three-node cluster started by alder_with_cluster --down 3:
// ALDER_NODES (nodes 1, 2, 3), ALDER_UNUSED_ADDRESS (nothing listens) and
// ALDER_DOWN_NODE (node 3, killed). A listener in the test itself stands in
// for a node that accepts and never answers, or closes the connection.
#include "failover_client.h"

#include <gtest/gtest.h>
#include <thrift/Thrift.h>  // GlobalOutput

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "Alder.h"
#include "alder_types.h"
#include "listener.h"

namespace alder::example {
namespace {

using apache::thrift::transport::TTransportException;
using api::AlderClient;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr Timeouts kTimeouts{.connect = 2s, .request = 5s};

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) throw std::runtime_error(std::string(name) + " is not set");
  return value;
}

std::string Node(int id) {  // 1, 2 or 3
  const std::string nodes = Env("ALDER_NODES");
  size_t begin = 0;
  for (int i = 1; i < id; ++i) begin = nodes.find(',', begin) + 1;
  return nodes.substr(begin, nodes.find(',', begin) - begin);
}

std::string UniqueKey(const std::string& name) {
  static std::mt19937_64 random{std::random_device{}()};
  return "cpp/" + name + "/" + std::to_string(random());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

api::WriteOptions Ttl(int64_t ttl_ms) {
  api::WriteOptions options;
  options.__set_ttl_ms(ttl_ms);
  return options;
}

api::WriteOptions WriteAt(api::Consistency::type level) {
  api::WriteOptions options;
  options.__set_consistency(level);
  return options;
}

int64_t Put(FailoverClient& alder, const std::string& key, const std::string& value,
            const api::WriteOptions& options = {}) {
  return alder.Call([&](AlderClient& api) { return api.put(key, value, options); });
}

api::Entry Get(FailoverClient& alder, const std::string& key,
               const api::ReadOptions& options = {}) {
  api::Entry entry;
  alder.Call([&](AlderClient& api) { api.get(entry, key, options); });
  return entry;
}

void DiscardThriftOutput(const char* /*message*/) {}

class FailoverClientTest : public ::testing::Test {
 protected:
  void SetUp() override { apache::thrift::GlobalOutput.setOutputFunction(DiscardThriftOutput); }
};

TEST_F(FailoverClientTest, FailsOverPastUnusedAddressAndDownNode) {
  FailoverClient alder({Env("ALDER_UNUSED_ADDRESS"), Env("ALDER_DOWN_NODE"), Node(1)}, kTimeouts);
  EXPECT_EQ(alder.address(), Node(1));
  const std::string key = UniqueKey("failover");
  const int64_t version = Put(alder, key, "v");
  EXPECT_EQ(Get(alder, key).version, version);
}

TEST_F(FailoverClientTest, RoundTripsEveryByteUnderUnicodeKeyAcrossNodes) {
  const std::string key = "ключ/ü/🔑/" + UniqueKey("round-trip");
  std::string value(256, '\0');
  for (int byte = 0; byte < 256; ++byte) value[byte] = static_cast<char>(byte);
  FailoverClient node1({Node(1)}, kTimeouts);
  FailoverClient node2({Node(2)}, kTimeouts);
  const int64_t version = Put(node1, key, value);
  api::ReadOptions quorum;
  quorum.__set_consistency(api::Consistency::QUORUM);
  const api::Entry entry = Get(node2, key, quorum);
  EXPECT_EQ(entry.value, value);
  EXPECT_EQ(entry.version, version);
  EXPECT_FALSE(entry.__isset.expires_at_ms);
}

TEST_F(FailoverClientTest, TtlSetsExpiryAboutAMinuteAhead) {
  FailoverClient alder({Node(1)}, kTimeouts);
  const std::string key = UniqueKey("ttl");
  Put(alder, key, "v", Ttl(60'000));
  const api::Entry entry = Get(alder, key);
  ASSERT_TRUE(entry.__isset.expires_at_ms);
  EXPECT_NEAR(entry.expires_at_ms, NowMs() + 60'000, 5'000);
}

TEST_F(FailoverClientTest, ShortTtlExpires) {
  FailoverClient alder({Node(1)}, kTimeouts);
  const std::string key = UniqueKey("expires");
  Put(alder, key, "v", Ttl(1'000));
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    try {
      Get(alder, key);
    } catch (const api::NotFound&) {
      return;
    }
    std::this_thread::sleep_for(100ms);
  }
  FAIL() << key << " still there 10 s after a 1 s ttl";
}

TEST_F(FailoverClientTest, RemovedKeyIsNotFound) {
  FailoverClient alder({Node(1)}, kTimeouts);
  const std::string key = UniqueKey("remove");
  const int64_t put_version = Put(alder, key, "v");
  EXPECT_GT(alder.Call([&](AlderClient& api) { return api.remove(key, {}); }), put_version);
  try {
    Get(alder, key);
    FAIL() << "get after remove succeeded";
  } catch (const api::NotFound& e) {
    EXPECT_EQ(e.key, key);
  }
}

TEST_F(FailoverClientTest, RemovingAbsentKeySucceeds) {
  FailoverClient alder({Node(1)}, kTimeouts);
  const std::string key = UniqueKey("absent");
  EXPECT_GT(alder.Call([&](AlderClient& api) { return api.remove(key, {}); }), 0);
}

// A put the server must refuse with a message; the connection stays usable.
void ExpectInvalidThenUsable(const std::string& key, const api::WriteOptions& options) {
  FailoverClient alder({Node(1)}, kTimeouts);
  try {
    Put(alder, key, "v", options);
    ADD_FAILURE() << "put of a " << key.size() << "-byte key succeeded";
  } catch (const api::InvalidArgument& e) {
    EXPECT_FALSE(e.message.empty());
  }
  Put(alder, UniqueKey("after-invalid"), "still usable");
  EXPECT_EQ(alder.address(), Node(1));
}

TEST_F(FailoverClientTest, EmptyKeyIsInvalid) { ExpectInvalidThenUsable("", {}); }

TEST_F(FailoverClientTest, KeyOf2049BytesIsInvalid) {
  ExpectInvalidThenUsable(std::string(2049, 'k'), {});
}

TEST_F(FailoverClientTest, ZeroTtlIsInvalid) { ExpectInvalidThenUsable(UniqueKey("ttl0"), Ttl(0)); }

TEST_F(FailoverClientTest, AllIsUnavailableWithANodeDownAndQuorumWorks) {
  FailoverClient alder({Node(1)}, kTimeouts);
  const std::string key = UniqueKey("all");
  try {
    Put(alder, key, "v", WriteAt(api::Consistency::ALL));
    FAIL() << "put at ALL succeeded with node 3 down";
  } catch (const api::Unavailable& e) {
    EXPECT_EQ(e.required_replicas, 3);
    EXPECT_EQ(e.alive_replicas, 2);
  }
  EXPECT_GT(Put(alder, key, "v", WriteAt(api::Consistency::QUORUM)), 0);
}

TEST_F(FailoverClientTest, NoNodeReachableFailsQuicklyNamingEachAddress) {
  const std::string unused = Env("ALDER_UNUSED_ADDRESS");
  const auto start = Clock::now();
  try {
    FailoverClient alder({unused, Env("ALDER_DOWN_NODE")}, kTimeouts);
    FAIL() << "connected to " << alder.address();
  } catch (const NoNodeAvailable& e) {
    EXPECT_LT(Clock::now() - start, 2s);
    ASSERT_EQ(e.failures().size(), 2u);
    EXPECT_EQ(e.failures()[0].address, unused);
    EXPECT_EQ(e.failures()[0].reason, "Connection refused");
    EXPECT_NE(std::string(e.what()).find(unused + " (Connection refused)"), std::string::npos)
        << e.what();
  }
}

TEST_F(FailoverClientTest, RequestWithoutReplyTimesOut) {
  Listener listener;
  FailoverClient alder({listener.address()}, {.connect = 2s, .request = 500ms});
  const int silent = listener.Accept();  // accepts, reads nothing, never answers
  ASSERT_GE(silent, 0);
  const auto start = Clock::now();
  try {
    Put(alder, UniqueKey("timeout"), "v");
    FAIL() << "a node that never answers answered";
  } catch (const TTransportException& e) {
    EXPECT_EQ(e.getType(), TTransportException::TIMED_OUT) << e.what();
  }
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(alder.address(), "");  // dropped: the next Call reconnects
  Listener::Close(silent);
}

TEST_F(FailoverClientTest, DisconnectFailsOverToTheNextNode) {
  FailoverClient alder({Node(1), Node(2)}, kTimeouts);
  EXPECT_EQ(alder.address(), Node(1));
  alder.Disconnect();
  Put(alder, UniqueKey("next"), "v");
  EXPECT_EQ(alder.address(), Node(2));
}

TEST_F(FailoverClientTest, ConnectionClosedByNodeFailsOverBeforeSending) {
  Listener listener;
  FailoverClient alder({listener.address(), Node(1)}, kTimeouts);
  const int accepted = listener.Accept();
  ASSERT_GE(accepted, 0);
  ASSERT_TRUE(Listener::CloseAndAwaitPeerAck(accepted));  // as a node does when idle
  const std::string key = UniqueKey("stale");
  const int64_t version = Put(alder, key, "v");
  EXPECT_EQ(alder.address(), Node(1));
  FailoverClient node1({Node(1)}, kTimeouts);
  EXPECT_EQ(Get(node1, key).version, version);
}

TEST_F(FailoverClientTest, OnlyNodeClosingConnectionIsReconnected) {
  Listener listener;
  FailoverClient alder({listener.address()}, {.connect = 2s, .request = 500ms});
  const int accepted = listener.Accept();
  ASSERT_GE(accepted, 0);
  ASSERT_TRUE(Listener::CloseAndAwaitPeerAck(accepted));
  // The request goes out on a new connection (which, here, never answers).
  EXPECT_THROW(Put(alder, UniqueKey("reconnect"), "v"), TTransportException);
  const int second = listener.Accept();
  EXPECT_GE(second, 0);
  Listener::Close(second);
}

}  // namespace
}  // namespace alder::example
