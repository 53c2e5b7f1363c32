// `alder top` against a real cluster: in a real terminal (a tmux pane, read
// back with capture-pane), where it redraws live and quits on q, and through
// a pipe, where it prints one plain refresh and exits.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test/support/local_cluster.h"
#include "test/support/temp_dir.h"

#ifndef ALDER_CLI_PATH
#error "ALDER_CLI_PATH must name the alder binary"
#endif

namespace alder::testing {
namespace {

using namespace std::chrono_literals;

// `command`'s standard output and exit code.
std::string Shell(const std::string& command, int* exit_code = nullptr) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  if (exit_code) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

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
  ~Tmux() { Shell(Prefix() + "kill-server 2>/dev/null"); }
  bool Start(const std::string& command) {
    int code = -1;
    Shell(Prefix() + "new-session -d -s top -x 200 -y 30 '" + command + "'", &code);
    return code == 0;
  }
  std::string Screen() { return Shell(Prefix() + "capture-pane -p -t top"); }
  void Keys(const std::string& keys) { Shell(Prefix() + "send-keys -t top " + keys); }
  bool Running() {
    int code = -1;
    Shell(Prefix() + "has-session -t top 2>/dev/null", &code);
    return code == 0;
  }

 private:
  std::string Prefix() const { return "tmux -L " + socket_ + " "; }
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
  std::string Alder() {
    return std::string(ALDER_CLI_PATH) + " --port " + std::to_string(cluster_.node(1).port());
  }
  TempDir dir_;
  LocalCluster cluster_{dir_.path(), LocalClusterOptions{}};
};

TEST_F(TopTest, ShowsEveryNodeLiveInATerminalFollowsLoadAndAFailureAndQuitsOnQ) {
  Tmux tmux;
  ASSERT_TRUE(tmux.Start(Alder() + " top --interval 300ms"));
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
  int code = -1;
  const std::string text = Shell(Alder() + " top --interval 200ms", &code);
  EXPECT_EQ(code, 0);
  for (int id = 1; id <= 3; ++id) {
    const auto row = RowOf(text, id);
    ASSERT_GT(row.size(), 2u) << text;
    EXPECT_EQ(row[2], "up") << text;
  }
  EXPECT_EQ(text.find('\033'), std::string::npos) << "no terminal escapes in a pipe";

  const std::string json = Shell(Alder() + " top --json --count 2 --interval 200ms", &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(std::count(json.begin(), json.end(), '\n'), 2) << json;
  EXPECT_NE(json.find("\"node_id\":3"), std::string::npos) << json;

  Shell(Alder() + " top --count 0 2>/dev/null", &code);
  EXPECT_EQ(code, 2);
}

}  // namespace
}  // namespace alder::testing
