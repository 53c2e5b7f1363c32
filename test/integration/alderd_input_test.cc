// Bad command lines and configs given to the real alderd binary are refused
// with one clear line and exit code 2; a data directory already in use names
// the node using it; the effective hint_window is logged and shown by `alder
// status`; --version is the project's version.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "server/config.h"
#include "test/support/alderd_process.h"
#include "test/support/run_program.h"
#include "test/support/temp_dir.h"

#ifndef ALDER_CLI_PATH
#error "ALDER_CLI_PATH must name the alder binary"
#endif

namespace alder::testing {
namespace {

ProgramOutcome Alderd(std::vector<std::string> args, const std::string& cwd = "") {
  args.insert(args.begin(), ALDERD_PATH);
  return RunProgram(args, "", cwd);
}

ProgramOutcome Alder(uint16_t port, std::vector<std::string> args) {
  args.insert(args.begin(), {ALDER_CLI_PATH, "--port", std::to_string(port)});
  return RunProgram(args);
}

// `text` with every run of whitespace made one space: --help wraps lines.
std::string Squeezed(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  return out;
}

// Refused before doing anything: exit 2, one line on stderr, nothing else.
void ExpectRefused(const ProgramOutcome& o, const std::string& says) {
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_EQ(SplitLines(o.err).size(), 1u) << o.err;
  EXPECT_NE(o.err.find(says), std::string::npos) << o.err;
  EXPECT_EQ(o.out, "");
}

TEST(AlderdInput, AConfigFileWithoutDashDashConfigIsRefusedSuggestingIt) {
  TempDir dir;
  std::ofstream(dir.Sub("mynode.conf")) << "node_id = 2\n";
  const ProgramOutcome o = Alderd({"mynode.conf"}, dir.path().string());
  ExpectRefused(o,
                "alderd: unexpected argument 'mynode.conf'; to read a config file, write "
                "--config mynode.conf");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "alder-data")) << "started a default node";
}

TEST(AlderdInput, AnyStrayPositionalArgumentIsRefused) {
  TempDir dir;
  ExpectRefused(Alderd({"--data_dir", dir.Sub("d"), "serve"}, dir.path().string()),
                "unexpected argument 'serve'");
  ExpectRefused(Alderd({"--node_id", "1", "2"}, dir.path().string()), "unexpected argument '2'");
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("d")));
}

TEST(AlderdInput, AnUnknownLogLevelIsRefusedListingTheValidOnes) {
  ExpectRefused(Alderd({"--log_level", "bogus"}),
                "log_level must be one of trace, debug, info, warn, error; got 'bogus'");
}

TEST(AlderdInput, ANegativeNodeIdIsReportedAsTyped) {
  const ProgramOutcome o = Alderd({"--node_id", "-1"});
  ExpectRefused(o, "node_id must be in 1..2147483647, got '-1'");
  EXPECT_EQ(o.err.find("4294967295"), std::string::npos) << o.err;
  ExpectRefused(Alderd({"--node_id", "4294967296"}), "got '4294967296'");
}

TEST(AlderdInput, VersionIsTheProjectVersion) {
  const ProgramOutcome alderd = Alderd({"--version"});
  EXPECT_EQ(alderd.exit_code, 0);
  EXPECT_EQ(alderd.out, std::string("alderd ") + ALDER_PROJECT_VERSION + "\n");
  const ProgramOutcome alder = RunProgram({ALDER_CLI_PATH, "--version"});
  EXPECT_EQ(alder.exit_code, 0);
  EXPECT_EQ(alder.out, std::string("alder ") + ALDER_PROJECT_VERSION + "\n");
}

TEST(AlderdInput, AHintWindowTooLongShowsEveryValueInvolved) {
  ExpectRefused(Alderd({"--gc_grace", "1h", "--hint_window", "3h"}),
                "hint_window (3h) plus request_timeout (2s) must be shorter than gc_grace (1h)");
}

TEST(AlderdInput, AGcGraceThatLeavesNoRoomForHintsIsRefusedNotSilent) {
  const ProgramOutcome o = Alderd({"--gc_grace", "2s"});
  ExpectRefused(o, "gc_grace (2s) leaves no room for hints after request_timeout (2s)");
  EXPECT_NE(o.err.find("hint_window = 0s to run without hints"), std::string::npos) << o.err;
}

TEST(AlderdInput, HelpReadmeAndCodeShareTheHintWindowRule) {
  const ProgramOutcome help = Alderd({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(Squeezed(help.out).find(kHintWindowRule), std::string::npos) << help.out;
  std::ifstream readme(std::string(ALDER_SOURCE_DIR) + "/README.md");
  std::stringstream text;
  text << readme.rdbuf();
  EXPECT_NE(Squeezed(text.str()).find(kHintWindowRule), std::string::npos);
  EXPECT_NE(help.out.find("2 bad command line or config file"), std::string::npos) << help.out;
}

TEST(AlderdInput, TheEffectiveHintWindowIsLoggedAndShownByStatus) {
  TempDir dir;
  AlderdProcess node(dir.Sub("node"), {"--gc_grace", "3s"});
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  EXPECT_NE(node.ReadLog().find("hint_window 500ms"), std::string::npos) << node.ReadLog();
  const ProgramOutcome text = Alder(node.port(), {"status"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(SplitLines(text.out).at(0).find(", hint_window 500ms"), std::string::npos) << text.out;
  const ProgramOutcome json = Alder(node.port(), {"status", "--json"});
  EXPECT_NE(json.out.find("\"hint_window_ms\":500,"), std::string::npos) << json.out;
  EXPECT_EQ(node.Terminate(), 0);
}

TEST(AlderdInput, ADataDirectoryInUseNamesTheNodeUsingIt) {
  TempDir dir;
  AlderdProcess first(dir.Sub("node"));
  ASSERT_TRUE(first.Start()) << first.ReadLog();
  const ProgramOutcome second =
      Alderd({"--data_dir", dir.Sub("node"), "--listen", "127.0.0.1:" + std::to_string(FreePort()),
              "--internode_listen", "127.0.0.1:" + std::to_string(FreePort())});
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_EQ(second.err, "alderd: data directory " + dir.Sub("node") +
                            " is in use by another alderd (pid " + std::to_string(first.pid()) +
                            ")\n");
  EXPECT_EQ(second.err.find("WiredTiger"), std::string::npos);

  // kill -9 leaves the pid file behind; it must not block the next start.
  first.Kill();
  ASSERT_TRUE(std::filesystem::exists(dir.Sub("node") + "/alderd.pid"));
  ASSERT_TRUE(first.Start()) << first.ReadLog();
  EXPECT_EQ(first.Terminate(), 0);
}

}  // namespace
}  // namespace alder::testing
