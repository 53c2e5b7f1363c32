// The real alder binary against real alderd nodes: every refusal exits with
// the code of the one exit-code table, invalid input the server rejects
// included; values too large are refused before they are sent, never with a
// broken pipe; a literal "-" can be stored; compare with a node down prints
// a summary, not a line per partition.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test/support/local_cluster.h"
#include "test/support/run_program.h"
#include "test/support/temp_dir.h"
#include "tools/command.h"

#ifndef ALDER_CLI_PATH
#error "ALDER_CLI_PATH must name the alder binary"
#endif

namespace alder::testing {
namespace {

ProgramOutcome Alder(uint16_t port, std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), {ALDER_CLI_PATH, "--port", std::to_string(port)});
  return RunProgram(args, input);
}

class CliInputTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(node_.Start()) << node_.ReadLog(); }
  ProgramOutcome Run(std::vector<std::string> args, const std::string& input = "") {
    return Alder(node_.port(), std::move(args), input);
  }
  // The stored value of `key`, read through the CLI.
  std::string Get(const std::string& key) { return Run({"get", "--", key}).out; }

  TempDir dir_;
  AlderdProcess node_{dir_.Sub("node"), {"--max_key_bytes", "100"}};
};

// One line on stderr and exactly `code`.
void ExpectError(const ProgramOutcome& o, int code, const std::string& says) {
  EXPECT_EQ(o.exit_code, code) << o.err;
  EXPECT_EQ(SplitLines(o.err).size(), 1u) << o.err;
  EXPECT_NE(o.err.find(says), std::string::npos) << o.err;
}

TEST_F(CliInputTest, InvalidKeyAndTtlRejectedByTheServerExitTwo) {
  ExpectError(Run({"put", std::string(101, 'k'), "v"}), tools::kExitUsage,
              "key is 101 bytes; the limit is 100 bytes (max_key_bytes)");
  ExpectError(Run({"get", std::string(101, 'k')}), tools::kExitUsage, "max_key_bytes");
  ExpectError(Run({"put", "k", "v", "--ttl", "4000d"}), tools::kExitUsage,
              "longer than the maximum of 10 years");
  ExpectError(Run({"put", "k", "v", "--ttl", "0s"}), tools::kExitUsage,
              "--ttl: must be greater than 0");
  ExpectError(Run({"get", "absent"}), tools::kExitFailure, "not found: absent");
}

TEST_F(CliInputTest, ValuesOverTheLimitAreRefusedBeforeTheyAreSent) {
  const std::string one_mib(1 << 20, 'v');
  EXPECT_EQ(Run({"put", "big", "-"}, one_mib).exit_code, 0);
  EXPECT_EQ(Get("big"), one_mib);
  const ProgramOutcome over = Run({"put", "big", "-"}, one_mib + "x");
  ExpectError(over, tools::kExitUsage, "value is 1048577 bytes; the limit is 1048576 bytes");
  const ProgramOutcome huge = Run({"put", "big", "-"}, std::string(2 << 20, 'v'));
  ExpectError(huge, tools::kExitUsage,
              "invalid argument: value is 2097152 bytes; the limit is 1048576 bytes "
              "(max_value_bytes of 127.0.0.1:");
  EXPECT_EQ(huge.err.find("Broken pipe"), std::string::npos) << huge.err;
  EXPECT_EQ(Get("big"), one_mib) << "nothing of the refused values was stored";
}

TEST(CliLimits, ALimitBelowTheDefaultIsLearnedFromTheServer) {
  TempDir dir;
  AlderdProcess node(dir.Sub("node"), {"--max_value_bytes", "4096"});
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  // 512 KiB would overflow this server's frame: it closes the connection.
  const ProgramOutcome o = Alder(node.port(), {"put", "k", "-"}, std::string(512 << 10, 'v'));
  ExpectError(o, tools::kExitUsage, "value is 524288 bytes; the limit is 4096 bytes");
  ExpectError(Alder(node.port(), {"put", "k", "-"}, std::string(5000, 'v')), tools::kExitUsage,
              "value is 5000 bytes; the limit is 4096 bytes (max_value_bytes)");
}

TEST_F(CliInputTest, PartitionOutOfRangeExitsTwoForRepairAndCompare) {
  for (const char* command : {"repair", "compare"}) {
    const ProgramOutcome o = Run({command, "--partition", "300"});
    ExpectError(o, tools::kExitUsage, "300");
  }
}

TEST_F(CliInputTest, ALiteralDashCanBeStored) {
  EXPECT_EQ(Run({"put", "dash", "--", "-"}, "not this").exit_code, 0);
  EXPECT_EQ(Get("dash"), "-");
  EXPECT_EQ(Run({"put", "piped", "-"}, "from stdin").exit_code, 0);
  EXPECT_EQ(Get("piped"), "from stdin");
  EXPECT_EQ(Run({"put", "--stdin", "--", "-key"}, "also stdin").exit_code, 0);
  EXPECT_EQ(Get("-key"), "also stdin");
  ExpectError(Run({"put", "k", "v", "--stdin"}), tools::kExitUsage,
              "give VALUE or --stdin, not both");
}

TEST(CliHelp, NoCommandListsEveryCommand) {
  const ProgramOutcome o = RunProgram({ALDER_CLI_PATH});
  ExpectError(
      o, tools::kExitUsage,
      "missing command: put, get, delete, status, repair, compare, verify-trees, top or bench");
}

TEST(CliHelp, HelpAndReadmeShowTheOneExitCodeTable) {
  const ProgramOutcome help = RunProgram({ALDER_CLI_PATH, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find(tools::kExitCodeTable), std::string::npos) << help.out;
  std::ifstream readme(std::string(ALDER_SOURCE_DIR) + "/README.md");
  std::stringstream text;
  text << readme.rdbuf();
  EXPECT_NE(text.str().find(tools::kExitCodeTable), std::string::npos);
}

TEST(CliCluster, CompareWithANodeDownIsASummaryAndUnavailableExitsFour) {
  TempDir dir;
  LocalClusterOptions options;
  options.args = {"--partitions", "64"};
  LocalCluster cluster(dir.path().string(), options);
  ASSERT_TRUE(cluster.StartAll()) << cluster.Logs();
  ASSERT_TRUE(cluster.WaitUntilConverged()) << cluster.Logs();
  const uint16_t port = cluster.node(1).port();
  EXPECT_EQ(Alder(port, {"compare"}).exit_code, 0);

  cluster.node(2).Kill();
  ASSERT_TRUE(cluster.WaitUntilSeen(1, 2, false));
  const ProgramOutcome compare = Alder(port, {"compare"});
  EXPECT_EQ(compare.exit_code, tools::kExitUnavailable) << compare.out << compare.err;
  EXPECT_LE(SplitLines(compare.out).size(), 6u) << compare.out;
  EXPECT_NE(compare.out.find("node 2 could not be asked about 64 partitions"), std::string::npos)
      << compare.out;
  EXPECT_NE(compare.out.find("--keys"), std::string::npos) << compare.out;
  EXPECT_EQ(compare.out.find("partition 0:"), std::string::npos) << compare.out;

  const ProgramOutcome all = Alder(port, {"put", "k", "v", "--consistency", "all"});
  ExpectError(all, tools::kExitUnavailable, "unavailable");
  const ProgramOutcome repair = Alder(port, {"repair"});
  EXPECT_EQ(repair.exit_code, tools::kExitUnavailable) << repair.err;
}

}  // namespace
}  // namespace alder::testing
