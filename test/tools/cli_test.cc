// The alder command line driven in-process: option splitting, usage errors,
// help, the exit code of a refused connection, and status's report.
#include "tools/cli.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <sstream>

#include "fmt/format.h"
#include "tools/anti_entropy_commands.h"
#include "tools/bench.h"
#include "tools/commands.h"

namespace alder::tools {
namespace {

using std::chrono::milliseconds;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::Not;
using testing::StartsWith;

struct Outcome {
  int exit_code;
  std::string out;
  std::string err;
};

Outcome RunCli(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  Io io{in, out, err, false};
  const int code = RunAlder(args, io);
  return {code, out.str(), err.str()};
}

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// A loopback port nothing listens on: bound, then closed again.
uint16_t UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(ParseGlobalOptionsTest, DefaultsMatchTheContract) {
  const auto g = ParseGlobalOptions({"get", "k"});
  ASSERT_TRUE(g.ok()) << g.error();
  EXPECT_EQ(g.value().client.host, "127.0.0.1");
  EXPECT_EQ(g.value().client.port, 7700);
  EXPECT_EQ(g.value().client.timeout, milliseconds(10'000));
  EXPECT_EQ(g.value().command, "get");
  EXPECT_THAT(g.value().args, ElementsAre("k"));
}

TEST(ParseGlobalOptionsTest, GlobalOptionsBeforeAndAfterTheCommand) {
  const auto g = ParseGlobalOptions(
      {"--host", "db1", "--port=7710", "put", "k", "v", "--ttl", "30s", "--timeout", "500ms"});
  ASSERT_TRUE(g.ok()) << g.error();
  EXPECT_EQ(g.value().client.host, "db1");
  EXPECT_EQ(g.value().client.port, 7710);
  EXPECT_EQ(g.value().client.timeout, milliseconds(500));
  EXPECT_EQ(g.value().command, "put");
  EXPECT_THAT(g.value().args, ElementsAre("k", "v", "--ttl", "30s"));
}

TEST(ParseGlobalOptionsTest, CommandOptionsKeepTheirOrderAndForm) {
  const auto g = ParseGlobalOptions({"bench", "-n", "5", "--read-ratio=1", "-q", "--preload"});
  ASSERT_TRUE(g.ok()) << g.error();
  EXPECT_THAT(g.value().args, ElementsAre("-n", "5", "--read-ratio=1", "-q", "--preload"));
}

TEST(ParseGlobalOptionsTest, DoubleDashPassesTheRestVerbatim) {
  const auto g = ParseGlobalOptions({"put", "--", "k", "-v"});
  ASSERT_TRUE(g.ok()) << g.error();
  EXPECT_EQ(g.value().command, "put");
  EXPECT_THAT(g.value().args, ElementsAre("--", "k", "-v"));
}

TEST(ParseGlobalOptionsTest, HelpAfterTheCommandIsSeen) {
  const auto g = ParseGlobalOptions({"put", "--help"});
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g.value().help);
  EXPECT_EQ(g.value().command, "put");
}

TEST(ParseGlobalOptionsTest, UnknownOptionBeforeTheCommandIsAnError) {
  const auto g = ParseGlobalOptions({"--ttl", "5s", "put", "k", "v"});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.error(), HasSubstr("'--ttl'"));
}

TEST(ParseGlobalOptionsTest, NoPrefixGuessing) {
  // "--ti" must not silently mean --timeout.
  EXPECT_FALSE(ParseGlobalOptions({"--ti", "5s", "get", "k"}).ok());
}

TEST(ParseGlobalOptionsTest, RejectsBadGlobalValues) {
  EXPECT_THAT(ParseGlobalOptions({"--port", "0", "get", "k"}).error(), HasSubstr("--port"));
  EXPECT_THAT(ParseGlobalOptions({"--timeout", "10", "get", "k"}).error(), HasSubstr("--timeout"));
  EXPECT_THAT(ParseGlobalOptions({"--host", "", "get", "k"}).error(), HasSubstr("--host"));
  EXPECT_THAT(ParseGlobalOptions({"get", "k", "--port"}).error(), HasSubstr("port"));
}

TEST(ParseBenchArgsTest, Defaults) {
  const auto b = ParseBenchArgs({});
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_FALSE(b.value().operations.has_value());
  EXPECT_EQ(b.value().duration, milliseconds(10'000));
  EXPECT_EQ(b.value().concurrency, 32u);
  EXPECT_EQ(b.value().keys, 100'000u);
  EXPECT_EQ(b.value().value_size, 100u);
  EXPECT_DOUBLE_EQ(b.value().read_ratio, 0.5);
  EXPECT_FALSE(b.value().ttl.has_value());
  EXPECT_FALSE(b.value().consistency.has_value());
  EXPECT_FALSE(b.value().preload);
  EXPECT_FALSE(b.value().json);
}

TEST(ParseBenchArgsTest, EveryFlag) {
  const auto b = ParseBenchArgs({"--operations",
                                 "200000",
                                 "--concurrency",
                                 "8",
                                 "--keys",
                                 "1000",
                                 "--value-size",
                                 "0",
                                 "--read-ratio",
                                 "0.9",
                                 "--ttl",
                                 "1h",
                                 "--consistency",
                                 "all",
                                 "--key-prefix",
                                 "x:",
                                 "--preload",
                                 "--seed",
                                 "99",
                                 "--json",
                                 "--quiet"});
  ASSERT_TRUE(b.ok()) << b.error();
  const BenchOptions& o = b.value();
  EXPECT_EQ(o.operations, 200'000u);
  EXPECT_FALSE(o.duration.has_value());
  EXPECT_EQ(o.concurrency, 8u);
  EXPECT_EQ(o.keys, 1000u);
  EXPECT_EQ(o.value_size, 0u);
  EXPECT_DOUBLE_EQ(o.read_ratio, 0.9);
  EXPECT_EQ(o.ttl, milliseconds(3'600'000));
  EXPECT_EQ(o.consistency, Consistency::kAll);
  EXPECT_EQ(o.key_prefix, "x:");
  EXPECT_TRUE(o.preload);
  EXPECT_EQ(o.seed, 99u);
  EXPECT_TRUE(o.json);
  EXPECT_TRUE(o.quiet);
}

TEST(ParseBenchArgsTest, OperationsAndDurationExcludeEachOther) {
  const auto b = ParseBenchArgs({"-n", "10", "--duration", "5s"});
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.error(), HasSubstr("not both"));
}

TEST(ParseBenchArgsTest, RejectsBadValues) {
  EXPECT_FALSE(ParseBenchArgs({"--duration", "30"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"--concurrency", "0"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"--keys", "0"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"--read-ratio", "2"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"--consistency", "some"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"--operations=-1"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"--bogus"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"extra"}).ok());
}

TEST(RunAlderTest, NoCommandIsAUsageError) {
  const Outcome o = RunCli({});
  EXPECT_EQ(o.exit_code, kExitUsage);
  EXPECT_THAT(o.err, StartsWith("alder: "));
  EXPECT_EQ(CountLines(o.err), 1);
}

TEST(RunAlderTest, UnknownCommandIsAUsageError) {
  const Outcome o = RunCli({"frobnicate"});
  EXPECT_EQ(o.exit_code, kExitUsage);
  EXPECT_THAT(o.err, StartsWith("alder: unknown command 'frobnicate'"));
  EXPECT_EQ(CountLines(o.err), 1);
}

TEST(RunAlderTest, UsageErrorsAreOneLineWithExitCodeTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"put"},
      {"put", "k"},
      {"put", "k", "v", "extra"},
      {"put", "k", "v", "--ttl", "5"},
      {"put", "k", "v", "--ttl", "0s"},
      {"put", "k", "v", "--consistency", "most"},
      {"put", "k", "v", "--stdin"},
      {"put", "--stdin"},
      {"get"},
      {"get", "k", "--bogus"},
      {"delete"},
      {"status", "extra"},
      {"status", "--bogus"},
      {"repair", "--partition", "3", "--key", "k"},
      {"repair", "--partition", "-1"},
      {"repair", "--partition", "x"},
      {"repair", "--partition", "2147483648"},
      {"repair", "--key", ""},
      {"repair", "extra"},
      {"repair", "--keys"},
      {"compare", "--partition", "3", "--key", "k"},
      {"compare", "--key", "k", "--partition=3", "--keys"},
      {"compare", "--partition"},
      {"compare", "extra"},
      {"compare", "--bogus"},
      {"bench", "--read-ratio", "7"},
      {"--port", "99999", "get", "k"},
      {"--timeout", "soon", "get", "k"},
  };
  for (const auto& args : cases) {
    const Outcome o = RunCli(args);
    EXPECT_EQ(o.exit_code, kExitUsage) << testing::PrintToString(args);
    EXPECT_THAT(o.err, StartsWith("alder: ")) << testing::PrintToString(args);
    EXPECT_EQ(CountLines(o.err), 1) << o.err;
    EXPECT_THAT(o.out, IsEmpty());
  }
}

TEST(RunAlderTest, HelpForTheProgramAndEveryCommand) {
  const Outcome program = RunCli({"--help"});
  EXPECT_EQ(program.exit_code, kExitOk);
  EXPECT_THAT(program.out, HasSubstr("Usage: alder"));
  EXPECT_THAT(program.out, HasSubstr("Examples:"));
  for (const char* command : {"put", "get", "delete", "status", "repair", "compare", "bench"}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{command, "--help"}, {"help", command}, {"-h", command}}) {
      const Outcome o = RunCli(args);
      EXPECT_EQ(o.exit_code, kExitOk) << command;
      EXPECT_THAT(o.out, HasSubstr(std::string(command) + " ")) << command;
      EXPECT_THAT(o.out, HasSubstr("Examples:")) << command;
      EXPECT_THAT(o.err, IsEmpty());
    }
  }
}

TEST(RunAlderTest, RefusedConnectionExitsThreeWithOneLine) {
  const std::string port = std::to_string(UnusedPort());
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--port", port, "get", "k"},
        {"--port", port, "put", "k", "v"},
        {"--port", port, "delete", "k"},
        {"--port", port, "status"},
        {"--port", port, "status", "--json"},
        {"--port", port, "repair"},
        {"--port", port, "repair", "--partition", "3", "--json"},
        {"--port", port, "compare"},
        {"--port", port, "compare", "--key", "k", "--keys"},
        {"--port", port, "bench", "-n", "1", "-c", "2", "-q"}}) {
    const Outcome o = RunCli(args);
    EXPECT_EQ(o.exit_code, kExitConnection) << args[2];
    EXPECT_THAT(o.err, StartsWith("alder: "));
    EXPECT_THAT(o.err, HasSubstr("cannot connect to 127.0.0.1:" + port));
    EXPECT_EQ(CountLines(o.err), 1) << o.err;
  }
}

TEST(BenchReportTest, JsonHasEveryFieldTheBenchmarkScriptReads) {
  BenchReport r;
  r.endpoint = "127.0.0.1:7700";
  r.options.key_prefix = "q\"\\\n";
  r.run.elapsed = std::chrono::seconds(2);
  r.run.put.ok = 10;
  r.run.put.latency.Record(std::chrono::microseconds(250));
  r.run.get.ok = 4;
  r.run.get.misses = 1;
  r.run.get.errors[static_cast<size_t>(ErrorKind::kTimedOut)] = 3;
  const std::string json = FormatBenchJson(r);
  EXPECT_EQ(CountLines(json), 1);
  EXPECT_THAT(json, HasSubstr("\"ops\":15,\"ops_per_sec\":7.5"));
  EXPECT_THAT(json, HasSubstr("\"put\":{\"ops\":10,\"ops_per_sec\":5.0"));
  EXPECT_THAT(json, HasSubstr("\"p99\":250.0"));
  EXPECT_THAT(json, HasSubstr("\"hits\":4,\"misses\":1"));
  EXPECT_THAT(json, HasSubstr("\"errors\":{\"timed_out\":3}"));
  EXPECT_THAT(json, HasSubstr("\"key_prefix\":\"q\\\"\\\\\\u000a\""));
  EXPECT_THAT(json, HasSubstr("\"preload\":null"));
}

// A three-node cluster as node 1 sees it, nodes deliberately out of order.
ClusterStatus ThreeNodes() {
  ClusterStatus s;
  s.node_id = 1;
  s.partitions = 256;
  s.replication_factor = 3;
  s.hints_dropped = 7;
  s.clock_rejections = 2;
  NodeStatus n3;
  n3.node_id = 3;
  n3.internode_address = "127.0.0.1:7721";
  n3.up = false;
  n3.partitions_owned = 256;
  n3.hints_pending = 1042;
  NodeStatus n1;
  n1.node_id = 1;
  n1.internode_address = "127.0.0.1:7701";
  n1.is_self = true;
  n1.up = true;
  n1.partitions_owned = 256;
  NodeStatus n2;
  n2.node_id = 2;
  n2.internode_address = "127.0.0.1:7711";
  n2.up = true;
  n2.last_heartbeat_ms_ago = 412;
  n2.clock_offset_ms = 5012;
  n2.partitions_owned = 256;
  s.nodes = {n3, n1, n2};
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(StatusFormatTest, HeartbeatAges) {
  EXPECT_EQ(FormatHeartbeatAge(std::nullopt), "never");
  EXPECT_EQ(FormatHeartbeatAge(0), "0.0s ago");
  EXPECT_EQ(FormatHeartbeatAge(412), "0.4s ago");
  EXPECT_EQ(FormatHeartbeatAge(9'940), "9.9s ago");
  EXPECT_EQ(FormatHeartbeatAge(42'700), "42s ago");
  EXPECT_EQ(FormatHeartbeatAge(12 * 60'000 + 5), "12m ago");
  EXPECT_EQ(FormatHeartbeatAge(5 * 3'600'000), "5h ago");
  EXPECT_EQ(FormatHeartbeatAge(3 * 86'400'000LL), "3d ago");
  EXPECT_EQ(FormatHeartbeatAge(-3), "0.0s ago");  // a clock step must not print nonsense
}

TEST(StatusFormatTest, ClockOffsets) {
  EXPECT_EQ(FormatClockOffset(std::nullopt), "-");
  EXPECT_EQ(FormatClockOffset(5012), "+5012 ms");
  EXPECT_EQ(FormatClockOffset(-3), "-3 ms");
  EXPECT_EQ(FormatClockOffset(0), "+0 ms");
}

TEST(StatusFormatTest, TextHasHeaderTableAndCounters) {
  const std::string text = FormatStatusText(ThreeNodes());
  const std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 8u) << text;
  EXPECT_EQ(lines[0], "node 1 answered: 256 partitions, replication factor 3");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2],
            "node  address         state      last heartbeat  clock offset  partitions  "
            "hints pending");
  // Rows sorted by node id; numbers right-aligned under their headings.
  EXPECT_EQ(lines[3],
            "1     127.0.0.1:7701  up (self)  -                          -         256  "
            "            0");
  EXPECT_EQ(lines[4],
            "2     127.0.0.1:7711  up         0.4s ago            +5012 ms         256  "
            "            0");
  EXPECT_EQ(lines[5],
            "3     127.0.0.1:7721  down       never                      -         256  "
            "         1042");
  EXPECT_EQ(lines[6], "");
  EXPECT_EQ(lines[7], "nodes up: 2 of 3, hints dropped: 7, clock rejections: 2, writes refused while fenced: 0");
  EXPECT_THAT(text, Not(HasSubstr("warning")));
}

TEST(StatusFormatTest, ClockFenceIsAWarningWithItsReason) {
  ClusterStatus s = ThreeNodes();
  s.clock_fenced = true;
  s.clock_fence_reason = "node 2's clock is 5012 ms ahead (max_clock_offset 500ms)";
  std::vector<std::string> lines = Lines(FormatStatusText(s));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "warning: node 1 is clock-fenced and refuses to coordinate writes: node 2's clock "
            "is 5012 ms ahead (max_clock_offset 500ms)");

  s.clock_fence_reason.reset();
  lines = Lines(FormatStatusText(s));
  EXPECT_EQ(lines[1], "warning: node 1 is clock-fenced and refuses to coordinate writes");
}

TEST(StatusFormatTest, SelfWithAHeartbeatShowsIt) {
  ClusterStatus s = ThreeNodes();
  s.nodes[1].last_heartbeat_ms_ago = 0;
  s.nodes[1].clock_offset_ms = 0;
  const std::vector<std::string> lines = Lines(FormatStatusText(s));
  EXPECT_THAT(lines[3], HasSubstr("up (self)  0.0s ago"));
  EXPECT_THAT(lines[3], HasSubstr("+0 ms"));
}

TEST(StatusFormatTest, JsonUsesTheIdlNamesAndNullForUnset) {
  ClusterStatus s = ThreeNodes();
  s.nodes[0].internode_address = "odd\"host";
  const std::string json = FormatStatusJson(s, "127.0.0.1:7700");
  EXPECT_EQ(CountLines(json), 1);
  EXPECT_THAT(json, StartsWith("{\"endpoint\":\"127.0.0.1:7700\",\"node_id\":1,\"partitions\":256,"
                               "\"replication_factor\":3,\"clock_fenced\":false,"
                               "\"clock_fence_reason\":null,\"hints_dropped\":7,"
                               "\"clock_rejections\":2,\"fenced_writes\":0,\"hint_window_ms\":null,"
                               "\"all_up\":false,\"nodes\":[{\"node_id\":1,"));
  EXPECT_THAT(json, HasSubstr("{\"node_id\":1,\"internode_address\":\"127.0.0.1:7701\","
                              "\"is_self\":true,\"up\":true,\"last_heartbeat_ms_ago\":null,"
                              "\"clock_offset_ms\":null,\"partitions_owned\":256,"
                              "\"hints_pending\":0}"));
  EXPECT_THAT(json, HasSubstr("\"last_heartbeat_ms_ago\":412,\"clock_offset_ms\":5012,"));
  EXPECT_THAT(json, HasSubstr("{\"node_id\":3,\"internode_address\":\"odd\\\"host\","
                              "\"is_self\":false,\"up\":false,"));
  EXPECT_THAT(json, HasSubstr("\"hints_pending\":1042}],"));
  // A server that predates the anti-entropy fields: they are null.
  EXPECT_THAT(json, HasSubstr("],\"oldest_exchange_ms_ago\":null,\"records_purged\":null,"
                              "\"syncing\":null,\"exchanges\":null,\"metrics\":[]}\n"));

  s.clock_fenced = true;
  s.clock_fence_reason = "why";
  EXPECT_THAT(FormatStatusJson(s, "h:1"),
              HasSubstr("\"clock_fenced\":true,\"clock_fence_reason\":\"why\""));
}

TEST(StatusFormatTest, ExitCodeIsOneWhenAnyNodeIsDown) {
  ClusterStatus s = ThreeNodes();
  EXPECT_EQ(StatusExitCode(s), kExitFailure);
  s.nodes[0].up = true;
  EXPECT_EQ(StatusExitCode(s), kExitOk);
  EXPECT_THAT(FormatStatusJson(s, "h:1"), HasSubstr("\"all_up\":true"));
  s.clock_fenced = true;  // a fence is a warning, not a down node
  EXPECT_EQ(StatusExitCode(s), kExitOk);
}

TEST(StatusHelpTest, DocumentsTheExitCodes) {
  const Outcome o = RunCli({"status", "--help"});
  EXPECT_EQ(o.exit_code, kExitOk);
  EXPECT_THAT(o.out, HasSubstr("--json"));
  EXPECT_THAT(o.out, HasSubstr("0 every node is up, 1 some node is down"));
  EXPECT_THAT(o.out, HasSubstr("3 connection failure"));
}

// ---- status: anti-entropy fields ----

ClusterStatus WithExchanges() {
  ClusterStatus s = ThreeNodes();
  s.exchanges = std::vector<ExchangeState>{};
  for (int32_t p = 0; p < 3; ++p) {
    for (int32_t peer : {3, 2}) {
      ExchangeState e;
      e.partition = p;
      e.peer = peer;
      e.last_success_ms_ago = 1'000 * (p + 1) + peer;
      s.exchanges->push_back(e);
    }
  }
  s.oldest_exchange_ms_ago = 42'700;
  s.records_purged = 1034;
  s.syncing = false;
  return s;
}

TEST(StatusAntiEntropyTest, SectionWithOldestExchangePerPeerAndPurged) {
  const std::string text = FormatStatusText(WithExchanges());
  const std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 13u) << text;
  EXPECT_EQ(lines[7], "nodes up: 2 of 3, hints dropped: 7, clock rejections: 2, writes refused while fenced: 0");
  EXPECT_EQ(lines[8], "");
  // The server's summary wins over the pairs listed.
  EXPECT_EQ(lines[9], "anti-entropy: oldest exchange 42s ago (6 partition-replica pairs)");
  EXPECT_EQ(lines[10], "  with node 2: 3 partitions, oldest exchange 3.0s ago");
  EXPECT_EQ(lines[11], "  with node 3: 3 partitions, oldest exchange 3.0s ago");
  EXPECT_EQ(lines[12], "records purged: 1034");
  EXPECT_THAT(text, Not(HasSubstr("warning")));
}

TEST(StatusAntiEntropyTest, SomePartitionsNeverExchanged) {
  ClusterStatus s = WithExchanges();
  s.oldest_exchange_ms_ago.reset();
  (*s.exchanges)[1].last_success_ms_ago.reset();  // partition 0 with node 2
  (*s.exchanges)[3].last_success_ms_ago.reset();  // partition 1 with node 2
  const std::string text = FormatStatusText(s);
  EXPECT_THAT(text, HasSubstr("anti-entropy: some partitions never exchanged (2 of 6 "
                              "partition-replica pairs since node 1 started)\n"));
  EXPECT_THAT(text, HasSubstr("  with node 2: 3 partitions, 2 never exchanged, oldest exchange "
                              "3.0s ago\n"));
  EXPECT_THAT(text, Not(HasSubstr("oldest exchange 42s")));
}

TEST(StatusAntiEntropyTest, OldestComputedWhenTheServerLeavesItUnset) {
  ClusterStatus s = WithExchanges();
  s.oldest_exchange_ms_ago.reset();
  EXPECT_THAT(FormatStatusText(s), HasSubstr("anti-entropy: oldest exchange 3.0s ago"));
}

TEST(StatusAntiEntropyTest, NoOtherReplicas) {
  ClusterStatus s = WithExchanges();
  s.exchanges->clear();
  s.oldest_exchange_ms_ago.reset();
  EXPECT_THAT(FormatStatusText(s), HasSubstr("anti-entropy: no other replicas to exchange with\n"));
}

TEST(StatusAntiEntropyTest, SyncingIsAWarningAtTheTop) {
  ClusterStatus s = WithExchanges();
  s.syncing = true;
  const std::vector<std::string> lines = Lines(FormatStatusText(s));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "warning: node 1 is syncing after a long absence: it serves nothing until it has "
            "caught up with the other replicas");
  s.clock_fenced = true;
  const std::vector<std::string> fenced = Lines(FormatStatusText(s));
  EXPECT_THAT(fenced[1], StartsWith("warning: node 1 is clock-fenced"));
  EXPECT_THAT(fenced[2], StartsWith("warning: node 1 is syncing after a long absence"));
}

TEST(StatusAntiEntropyTest, OldServerPrintsNoSection) {
  EXPECT_THAT(FormatStatusText(ThreeNodes()), Not(HasSubstr("anti-entropy")));
  EXPECT_THAT(FormatStatusText(ThreeNodes()), Not(HasSubstr("purged")));
}

TEST(StatusAntiEntropyTest, JsonHasTheNewFields) {
  ClusterStatus s = WithExchanges();
  (*s.exchanges)[5].last_success_ms_ago.reset();
  s.syncing = true;
  const std::string json = FormatStatusJson(s, "h:1");
  EXPECT_EQ(CountLines(json), 1);
  EXPECT_THAT(json, HasSubstr("\"oldest_exchange_ms_ago\":42700,\"records_purged\":1034,"
                              "\"syncing\":true,\"exchanges\":[{\"partition\":0,\"peer\":3,"
                              "\"last_success_ms_ago\":1003},"));
  EXPECT_THAT(json, HasSubstr("{\"partition\":2,\"peer\":2,\"last_success_ms_ago\":null}],"
                              "\"metrics\":[]}\n"));
}

// ---- repair ----

RepairReport OneExchange(int64_t records) {
  RepairReport r;
  r.partitions = 1;
  r.exchanges = 2;
  r.tree_nodes_compared = 31;
  r.keys_listed = 4 * records;
  r.records_differing = records;
  r.records_sent = records;
  r.bytes_sent = 700 * records;
  r.elapsed_ms = 12;
  return r;
}

TEST(RepairFormatTest, SummaryLines) {
  RepairRun run;
  run.node_id = 1;
  run.partitions_total = 256;
  run.not_replicated = 16;
  for (int i = 0; i < 240; ++i) AddRepairReport(OneExchange(i == 7 ? 5 : 0), i, &run);
  run.wall = milliseconds(12'340);
  EXPECT_EQ(FormatRepairText(run),
            "partitions repaired: 240 of 256 (16 skipped: node 1 does not replicate them)\n"
            "exchanges: 480 (0 failed)\n"
            "tree nodes compared: 7440\n"
            "keys listed: 20\n"
            "records differing: 5\n"
            "records sent: 5 (1.00 per record differing)\n"
            "bytes sent: 3.4 KiB (3500 bytes)\n"
            "elapsed: 12.34s\n");
  EXPECT_EQ(RepairExitCode(run), kExitOk);
}

TEST(RepairFormatTest, OnePartitionNothingMoved) {
  RepairRun run;
  AddRepairReport(OneExchange(0), 3, &run);
  run.wall = milliseconds(61'500);
  const std::string text = FormatRepairText(run);
  EXPECT_THAT(text, StartsWith("partitions repaired: 1\nexchanges: 2 (0 failed)\n"));
  EXPECT_THAT(text, HasSubstr("records sent: 0\n"));
  EXPECT_THAT(text, HasSubstr("bytes sent: 0 bytes\n"));
  EXPECT_THAT(text, HasSubstr("elapsed: 1m 01s\n"));
}

TEST(RepairFormatTest, FailedExchangesKeepTheFirstErrorAndExitFour) {
  RepairRun run;
  AddRepairReport(OneExchange(1), 0, &run);
  RepairReport failed = OneExchange(0);
  failed.exchanges = 1;
  failed.failed_exchanges = 1;
  failed.error = "node 3: connection refused";
  AddRepairReport(failed, 1, &run);
  failed.error = "node 2: timed out";
  AddRepairReport(failed, 2, &run);
  EXPECT_EQ(run.total.failed_exchanges, 2);
  EXPECT_EQ(run.first_error, "partition 1: node 3: connection refused");
  EXPECT_EQ(RepairExitCode(run), kExitUnavailable);
  EXPECT_THAT(FormatRepairText(run), HasSubstr("exchanges: 4 (2 failed)\n"));

  // Without a partition (--key), the error is the server's alone.
  RepairRun by_key;
  AddRepairReport(failed, std::nullopt, &by_key);
  EXPECT_EQ(by_key.first_error, "node 2: timed out");
}

TEST(RepairFormatTest, JsonIsTheSummedReport) {
  RepairRun run;
  run.node_id = 2;
  run.partitions_total = 4;
  run.not_replicated = 1;
  AddRepairReport(OneExchange(2), 0, &run);
  AddRepairReport(OneExchange(1), 1, &run);
  run.wall = milliseconds(40);
  const std::string json = FormatRepairJson(run, "127.0.0.1:7710");
  EXPECT_EQ(CountLines(json), 1);
  EXPECT_EQ(json,
            "{\"endpoint\":\"127.0.0.1:7710\",\"node_id\":2,\"partitions_total\":4,"
            "\"not_replicated\":1,\"partitions\":2,\"exchanges\":4,\"failed_exchanges\":0,"
            "\"tree_nodes_compared\":62,\"keys_listed\":12,\"records_sent\":3,\"bytes_sent\":2100,"
            "\"records_differing\":3,\"elapsed_ms\":24,\"wall_ms\":40,\"error\":null}\n");
  RepairRun single;
  AddRepairReport(OneExchange(0), 5, &single);
  EXPECT_THAT(FormatRepairJson(single, "h:1"),
              HasSubstr("\"node_id\":null,\"partitions_total\":null,\"not_replicated\":0,"));
}

TEST(RepairLoopTest, NotReplicatedErrorsAreRecognized) {
  for (const char* message : {"invalid argument: node 2 does not replicate partition 7",
                              "invalid argument: partition 7 is not replicated by this node",
                              "invalid argument: Node 2 is not a replica of partition 7",
                              "invalid argument: this node doesn't replicate partition 7"}) {
    EXPECT_TRUE(IsNotReplicatedError(CallStatus::Error(ErrorKind::kInvalidArgument, message)))
        << message;
  }
  EXPECT_FALSE(IsNotReplicatedError(CallStatus::Ok()));
  EXPECT_FALSE(IsNotReplicatedError(CallStatus::Error(
      ErrorKind::kInvalidArgument, "invalid argument: partition 300 out of range")));
  EXPECT_FALSE(IsNotReplicatedError(
      CallStatus::Error(ErrorKind::kServerError, "server error: does not replicate")));
}

// A fake node for RepairEachPartition: partitions in `skip` are not
// replicated, `stop_at` fails with `stop_error`.
struct FakeRepairs {
  std::set<int32_t> skip;
  std::optional<int32_t> stop_at;
  CallStatus stop_error = CallStatus::Ok();
  std::vector<int32_t> asked;

  RepairPartitionFn Fn() {
    return [this](int32_t partition, RepairReport* report) {
      asked.push_back(partition);
      if (skip.count(partition)) {
        return CallStatus::Error(ErrorKind::kInvalidArgument,
                                 fmt::format("invalid argument: node 1 does not replicate "
                                             "partition {}",
                                             partition));
      }
      if (stop_at == partition) return stop_error;
      *report = OneExchange(partition % 2);
      return CallStatus::Ok();
    };
  }
};

TEST(RepairLoopTest, EveryPartitionInOrderSkippingNotReplicated) {
  FakeRepairs fake;
  fake.skip = {3, 7};
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, false};
  RepairRun run;
  int32_t stopped_at = -1;
  const CallStatus status = RepairEachPartition(20, fake.Fn(), io, &run, &stopped_at);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(fake.asked.size(), 20u);
  EXPECT_EQ(fake.asked.front(), 0);
  EXPECT_EQ(fake.asked.back(), 19);
  EXPECT_EQ(run.not_replicated, 2);
  EXPECT_EQ(run.total.partitions, 18);
  EXPECT_EQ(run.total.records_sent, 8);  // odd partitions send 1; 3 and 7 skipped
  EXPECT_EQ(out.str(), "");
  // Not a tty: one line per 10%, never a carriage return.
  const std::vector<std::string> lines = Lines(err.str());
  ASSERT_EQ(lines.size(), 10u) << err.str();
  EXPECT_EQ(lines[0], "repair: partition 2/20, 1 record sent so far");
  EXPECT_EQ(lines[9], "repair: partition 20/20, 8 records sent so far");
  EXPECT_THAT(err.str(), Not(HasSubstr("\r")));
}

TEST(RepairLoopTest, TtyRedrawsOneLine) {
  FakeRepairs fake;
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, true};
  RepairRun run;
  int32_t stopped_at = -1;
  ASSERT_TRUE(RepairEachPartition(3, fake.Fn(), io, &run, &stopped_at).ok());
  EXPECT_EQ(err.str(),
            "\rrepair: partition 0/3, 0 records sent so far"
            "\rrepair: partition 1/3, 0 records sent so far"
            "\rrepair: partition 2/3, 1 record sent so far "
            "\rrepair: partition 3/3, 1 record sent so far\n");
}

TEST(RepairLoopTest, FewPartitionsStillReportEachStep) {
  FakeRepairs fake;
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, false};
  RepairRun run;
  int32_t stopped_at = -1;
  ASSERT_TRUE(RepairEachPartition(4, fake.Fn(), io, &run, &stopped_at).ok());
  EXPECT_EQ(CountLines(err.str()), 4);
}

TEST(RepairLoopTest, StopsAtAConnectionFailure) {
  FakeRepairs fake;
  fake.stop_at = 5;
  fake.stop_error = CallStatus::Error(ErrorKind::kIo, "connection to h:1 closed by the server");
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, true};
  RepairRun run;
  int32_t stopped_at = -1;
  const CallStatus status = RepairEachPartition(256, fake.Fn(), io, &run, &stopped_at);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.kind(), ErrorKind::kIo);
  EXPECT_EQ(stopped_at, 5);
  EXPECT_EQ(fake.asked.size(), 6u);
  EXPECT_EQ(run.total.partitions, 5);
  EXPECT_EQ(err.str().back(), '\n');  // the progress line is ended before the error
}

TEST(RepairLoopTest, StopsAtAnotherInvalidArgument) {
  FakeRepairs fake;
  fake.stop_at = 0;
  fake.stop_error =
      CallStatus::Error(ErrorKind::kInvalidArgument, "invalid argument: partition 0 out of range");
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, false};
  RepairRun run;
  int32_t stopped_at = -1;
  EXPECT_FALSE(RepairEachPartition(8, fake.Fn(), io, &run, &stopped_at).ok());
  EXPECT_EQ(stopped_at, 0);
  EXPECT_EQ(err.str(), "");
}

// ---- compare ----

ReplicaRoot Root(int32_t node, std::optional<std::string> hash,
                 std::optional<std::string> error = std::nullopt) {
  ReplicaRoot r;
  r.node_id = node;
  r.root_hash = std::move(hash);
  r.error = std::move(error);
  return r;
}

ReplicaVersion Version(int32_t node, std::optional<int64_t> version, bool tombstone = false) {
  ReplicaVersion v;
  v.node_id = node;
  v.version = version;
  v.tombstone = tombstone;
  return v;
}

const std::string kHashA =
    std::string("\x3f\x2a\x9c\x01\xd4\xe5\xb6\xa7", 8) + std::string(24, 'a');
const std::string kHashB =
    std::string("\x9b\x1c\x00\xff\x10\x20\x30\x40", 8) + std::string(24, 'b');
constexpr int64_t kHlc = (int64_t{1764000000000} << 16) | 3;

Comparison Converged(int32_t partitions) {
  Comparison c;
  c.converged = true;
  for (int32_t p = 0; p < partitions; ++p) {
    PartitionComparison pc;
    pc.partition = p;
    pc.converged = true;
    pc.roots = {Root(1, kHashA), Root(2, kHashA), Root(3, kHashA)};
    c.partitions.push_back(pc);
  }
  return c;
}

TEST(CompareFormatTest, Versions) {
  EXPECT_EQ(FormatReplicaVersion(Version(1, kHlc)), "1764000000000.3");
  EXPECT_EQ(FormatReplicaVersion(Version(2, std::nullopt)), "none");
  EXPECT_EQ(FormatReplicaVersion(Version(3, kHlc + 1, true)), "1764000000000.4 (deleted)");
  EXPECT_EQ(FormatReplicaVersion(Version(3, std::nullopt, true)), "none");
}

TEST(CompareFormatTest, ShortHashIsSixteenHexDigits) {
  EXPECT_EQ(ShortHash(kHashA), "3f2a9c01d4e5b6a7");
  EXPECT_EQ(ShortHash(std::string("\x01\x02", 2)), "0102");
  EXPECT_EQ(ShortHash(""), "");
}

TEST(CompareFormatTest, ConvergedIsOneLineAndExitZero) {
  const Comparison c = Converged(256);
  EXPECT_EQ(FormatCompareText(c), "converged: 256 partitions, 3 replicas each equal\n");
  EXPECT_EQ(CompareExitCode(c), kExitOk);
  EXPECT_EQ(FormatCompareText(Converged(1)), "converged: 1 partition, 3 replicas each equal\n");
}

TEST(CompareFormatTest, DifferingPartitionsWithRootsAndKeys) {
  Comparison c = Converged(4);
  c.converged = false;
  PartitionComparison& p = c.partitions[2];
  p.converged = false;
  p.roots = {Root(2, kHashB), Root(1, kHashA), Root(3, kHashA)};
  KeyDifference d;
  d.key = "user:42";
  d.versions = {Version(1, kHlc), Version(2, std::nullopt), Version(3, kHlc + 1, true)};
  p.differences.push_back(d);
  KeyDifference odd;
  odd.key = std::string("k\n\xff", 3);
  odd.versions = {Version(1, kHlc), Version(2, kHlc - 1)};
  p.differences.push_back(odd);
  EXPECT_EQ(FormatCompareText(c),
            "partition 2: replicas differ\n"
            "  node 1: root 3f2a9c01d4e5b6a7\n"
            "  node 2: root 9b1c00ff10203040\n"
            "  node 3: root 3f2a9c01d4e5b6a7\n"
            "  key user:42\n"
            "    node 1: 1764000000000.3\n"
            "    node 2: none\n"
            "    node 3: 1764000000000.4 (deleted)\n"
            "  key k\\x0a\\xff\n"
            "    node 1: 1764000000000.3\n"
            "    node 2: 1764000000000.2\n"
            "\n"
            "not converged: 1 of 4 partitions\n");
  EXPECT_EQ(CompareExitCode(c), kExitFailure);
}

TEST(CompareFormatTest, UnreachableReplicaIsExitFourEvenWithDifferences) {
  Comparison c = Converged(2);
  c.converged = false;
  c.unreachable = 1;
  c.partitions[0].converged = false;
  c.partitions[0].roots[2] = Root(3, std::nullopt, "connection refused");
  const std::string text = FormatCompareText(c);
  // The reachable replicas agree: summed up under the node, not listed.
  EXPECT_THAT(text, Not(HasSubstr("partition 0:")));
  EXPECT_THAT(text, HasSubstr("node 3 could not be asked about 1 partition: connection refused\n"
                              "in 1 partition the replicas that answered agree (it is not "
                              "listed); 'alder compare --json' lists every partition, "
                              "'--partition N --keys' one with its differing keys\n"));
  EXPECT_THAT(text, HasSubstr("not converged: 1 of 2 partitions, 1 replica unreachable (the "
                              "comparison is incomplete)\n"));
  EXPECT_EQ(CompareExitCode(c), kExitUnavailable);

  c.partitions[1].converged = false;
  c.partitions[1].roots[0] = Root(1, kHashB);
  c.partitions[1].roots[2] = Root(3, std::nullopt, "connection refused");
  const std::string both = FormatCompareText(c);
  EXPECT_THAT(both, HasSubstr("partition 1: replicas differ (1 unreachable)\n"
                              "  node 1: root 9b1c00ff10203040\n"
                              "  node 2: root 3f2a9c01d4e5b6a7\n"
                              "  node 3: unreachable: connection refused\n"));
  EXPECT_THAT(both,
              HasSubstr("node 3 could not be asked about 2 partitions: connection refused\n"));
  EXPECT_EQ(CompareExitCode(c), kExitUnavailable);  // unreachable wins over "not converged"
}

TEST(CompareFormatTest, ANodeDownIsOneLineNotOnePerPartition) {
  Comparison c = Converged(256);
  c.converged = false;
  c.unreachable = 256;
  for (PartitionComparison& p : c.partitions) {
    p.converged = false;
    p.roots[1] = Root(2, std::nullopt, "node 2 is down");
  }
  const std::string text = FormatCompareText(c);
  EXPECT_EQ(CountLines(text), 4) << text;  // two lines, a blank one, the summary
  EXPECT_THAT(text, StartsWith("node 2 could not be asked about 256 partitions: node 2 is down\n"
                               "in 256 partitions the replicas that answered agree (they are not "
                               "listed)"));
}

TEST(CompareFormatTest, ExitCodesExactly) {
  Comparison c = Converged(3);
  EXPECT_EQ(CompareExitCode(c), 0);
  c.converged = false;
  c.partitions[1].converged = false;
  EXPECT_EQ(CompareExitCode(c), 1);
  c.unreachable = 2;
  EXPECT_EQ(CompareExitCode(c), 4);
  // A partition marked not converged wins over an inconsistent summary flag.
  Comparison inconsistent = Converged(3);
  inconsistent.partitions[0].converged = false;
  EXPECT_EQ(CompareExitCode(inconsistent), 1);
}

TEST(CompareFormatTest, EmptyComparison) {
  Comparison c;
  c.converged = true;
  EXPECT_EQ(FormatCompareText(c), "converged: 0 partitions, nothing to compare\n");
  EXPECT_EQ(CompareExitCode(c), kExitOk);
}

TEST(CompareFormatTest, JsonHasFullHashesAndNulls) {
  Comparison c = Converged(1);
  c.converged = false;
  c.unreachable = 1;
  c.partitions[0].converged = false;
  c.partitions[0].roots = {Root(1, std::string("\x01\xab", 2)), Root(2, std::nullopt, "down")};
  KeyDifference d;
  d.key = "q\"";
  d.versions = {Version(1, kHlc, true), Version(2, std::nullopt)};
  c.partitions[0].differences.push_back(d);
  const std::string json = FormatCompareJson(c, "h:1");
  EXPECT_EQ(CountLines(json), 1);
  EXPECT_EQ(json,
            "{\"endpoint\":\"h:1\",\"converged\":false,\"unreachable\":1,\"partitions\":["
            "{\"partition\":0,\"converged\":false,\"roots\":["
            "{\"node_id\":1,\"root_hash\":\"01ab\",\"error\":null},"
            "{\"node_id\":2,\"root_hash\":null,\"error\":\"down\"}],"
            "\"differences\":[{\"key\":\"q\\\"\",\"versions\":["
            "{\"node_id\":1,\"version\":" +
                std::to_string(kHlc) +
                ",\"tombstone\":true},"
                "{\"node_id\":2,\"version\":null,\"tombstone\":false}]}]}]}\n");
}

TEST(AntiEntropyCliTest, PartitionAndKeyTogetherIsAUsageError) {
  for (const char* command : {"repair", "compare"}) {
    const Outcome o = RunCli({command, "--partition", "1", "--key", "k"});
    EXPECT_EQ(o.exit_code, kExitUsage);
    EXPECT_EQ(o.err, fmt::format("alder: {}: --partition and --key exclude each other; give one "
                                 "(see 'alder {} --help')\n",
                                 command, command));
    EXPECT_THAT(o.out, IsEmpty());
  }
}

TEST(AntiEntropyCliTest, HelpDocumentsExitCodes) {
  const Outcome compare = RunCli({"compare", "--help"});
  EXPECT_EQ(compare.exit_code, kExitOk);
  EXPECT_THAT(compare.out, HasSubstr("0 converged, 1 not converged, 2 usage or invalid input"));
  EXPECT_THAT(compare.out, HasSubstr("4 a replica could\nnot be reached"));
  EXPECT_THAT(compare.out, HasSubstr("3 connection failure to the node asked"));
  EXPECT_THAT(compare.out, HasSubstr("--keys"));
  const Outcome repair = RunCli({"repair", "--help"});
  EXPECT_EQ(repair.exit_code, kExitOk);
  EXPECT_THAT(repair.out, HasSubstr("0 every exchange succeeded, 2 usage or invalid input"));
  EXPECT_THAT(repair.out, HasSubstr("4 some exchange\nfailed"));
  EXPECT_THAT(repair.out, HasSubstr("--partition N"));
  const Outcome program = RunCli({"--help"});
  EXPECT_THAT(program.out, HasSubstr("  repair  "));
  EXPECT_THAT(program.out, HasSubstr("  compare "));
}

}  // namespace
}  // namespace alder::tools
