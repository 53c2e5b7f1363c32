// `alder top` against a real cluster: in a real terminal (a tmux pane, read
// back with capture-pane), where it redraws live and quits on q, and through
// a pipe, where it prints one plain refresh and exits.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test/support/local_cluster.h"
#include "test/support/run_program.h"
#include "test/support/temp_dir.h"

#ifndef ALDER_CLI_PATH
#error "ALDER_CLI_PATH must name the alder binary"
#endif

namespace alder::testing {
namespace {

using namespace std::chrono_literals;

// The words of the line of `screen` that starts with node `id`'s row.
std::vector<std::string> RowOf(const std::string& screen, int id) {
  std::istringstream lines(screen);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    if (row.size() > 3 && row[0] == std::to_string(id) && row[1].find(':') != std::string::npos) {
      return row;
    }
  }
  return {};
}

// A tmux server of its own, so the test never touches a user's sessions.
class Tmux {
 public:
  Tmux() : socket_("alder-top-test-" + std::to_string(getpid())) {}
  ~Tmux() { Run({"kill-server"}); }
  bool Start(const std::string& command) {
    return Run({"new-session", "-d", "-s", "top", "-x", "200", "-y", "30", command}).exit_code == 0;
  }
  std::string Screen() { return Run({"capture-pane", "-p", "-t", "top"}).out; }
  void Keys(const std::string& keys) { Run({"send-keys", "-t", "top", keys}); }
  bool Running() { return Run({"has-session", "-t", "top"}).exit_code == 0; }

 private:
  ProgramOutcome Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/tmux", "-L", socket_});
    return RunProgram(args);
  }
  std::string socket_;
};

class TopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.StartAll()) << cluster_.Logs();
    ASSERT_TRUE(cluster_.WaitUntilConverged()) << cluster_.Logs();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_.Logs();
  }
  // `alder --port <node 1> ARGS...`.
  std::vector<std::string> Alder(std::vector<std::string> args) {
    args.insert(args.begin(), {ALDER_CLI_PATH, "--port", std::to_string(cluster_.node(1).port())});
    return args;
  }
  TempDir dir_;
  LocalCluster cluster_{dir_.path(), LocalClusterOptions{}};
};

TEST_F(TopTest, ShowsEveryNodeLiveInATerminalFollowsLoadAndAFailureAndQuitsOnQ) {
  Tmux tmux;
  std::string command;
  for (const std::string& word : Alder({"top", "--interval", "300ms"})) command += word + " ";
  ASSERT_TRUE(tmux.Start(command));
  std::atomic<bool> stop{false};
  std::thread load([&] {
    ApiClient client(cluster_.node(2).port());
    for (int i = 0; i < 200000 && !stop.load(); ++i) client->put("k" + std::to_string(i), "v", {});
  });
  std::string screen;
  // Node 2 coordinates the load: its PUT/s column (the fourth) moves.
  const bool loaded = WaitFor(
      [&] {
        screen = tmux.Screen();
        const auto row = RowOf(screen, 2);
        return row.size() > 4 && row[2] == "up" && row[3] != "0" && !RowOf(screen, 1).empty() &&
               !RowOf(screen, 3).empty();
      },
      15s);
  stop = true;
  load.join();
  ASSERT_TRUE(loaded) << screen;
  EXPECT_NE(screen.find("PUT p99"), std::string::npos) << screen;
  EXPECT_NE(screen.find("q quits"), std::string::npos) << screen;

  cluster_.node(3).Kill();
  EXPECT_TRUE(WaitFor(
      [&] {
        screen = tmux.Screen();
        const auto row = RowOf(screen, 3);
        return row.size() > 2 && (row[2] == "down" || row[2] == "unreachable");
      },
      15s))
      << screen;

  tmux.Keys("q");
  EXPECT_TRUE(WaitFor([&] { return !tmux.Running(); }, 5s)) << tmux.Screen();
}

TEST_F(TopTest, ThroughAPipeItPrintsOneRefreshAndExits) {
  const ProgramOutcome plain = RunProgram(Alder({"top", "--interval", "200ms"}));
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  for (int id = 1; id <= 3; ++id) {
    const auto row = RowOf(plain.out, id);
    ASSERT_GT(row.size(), 2u) << plain.out;
    EXPECT_EQ(row[2], "up") << plain.out;
  }
  EXPECT_EQ(plain.out.find('\033'), std::string::npos) << "no terminal escapes in a pipe";

  const ProgramOutcome json =
      RunProgram(Alder({"top", "--json", "--count", "2", "--interval", "200ms"}));
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(SplitLines(json.out).size(), 2u) << json.out;
  EXPECT_NE(json.out.find("\"node_id\":3"), std::string::npos) << json.out;

  EXPECT_EQ(RunProgram(Alder({"top", "--count", "0"})).exit_code, 2);
}

}  // namespace
}  // namespace alder::testing
