// The alder command line driven in-process: option splitting, usage errors,
// help, the exit code of a refused connection, and bench's report. Status's
// report is in status_cli_test.cc, repair's and compare's in
// anti_entropy_cli_test.cc.
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
#include "test/tools/cli_test_support.h"
#include "tools/anti_entropy_commands.h"
#include "tools/bench.h"
#include "tools/commands.h"

namespace alder::tools {
namespace {

using cli_testing::CountLines;
using cli_testing::Outcome;
using cli_testing::RunCli;
using std::chrono::milliseconds;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::StartsWith;

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

}  // namespace
}  // namespace alder::tools
