// The alder command line driven in-process: option splitting, usage errors,
// help, the exit code of a refused connection, and status's report.
#include "tools/cli.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

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
      {"get"},
      {"get", "k", "--bogus"},
      {"delete"},
      {"status", "extra"},
      {"status", "--bogus"},
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
  for (const char* command : {"put", "get", "delete", "status", "bench"}) {
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
  EXPECT_EQ(lines[7], "nodes up: 2 of 3, hints dropped: 7, clock rejections: 2");
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
  EXPECT_THAT(json,
              StartsWith("{\"endpoint\":\"127.0.0.1:7700\",\"node_id\":1,\"partitions\":256,"
                         "\"replication_factor\":3,\"clock_fenced\":false,"
                         "\"clock_fence_reason\":null,\"hints_dropped\":7,"
                         "\"clock_rejections\":2,\"all_up\":false,\"nodes\":[{\"node_id\":1,"));
  EXPECT_THAT(json, HasSubstr("{\"node_id\":1,\"internode_address\":\"127.0.0.1:7701\","
                              "\"is_self\":true,\"up\":true,\"last_heartbeat_ms_ago\":null,"
                              "\"clock_offset_ms\":null,\"partitions_owned\":256,"
                              "\"hints_pending\":0}"));
  EXPECT_THAT(json, HasSubstr("\"last_heartbeat_ms_ago\":412,\"clock_offset_ms\":5012,"));
  EXPECT_THAT(json, HasSubstr("{\"node_id\":3,\"internode_address\":\"odd\\\"host\","
                              "\"is_self\":false,\"up\":false,"));
  EXPECT_THAT(json, HasSubstr("\"hints_pending\":1042}]}\n"));

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

}  // namespace
}  // namespace alder::tools
