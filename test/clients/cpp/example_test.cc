// The C++ example program (thrift/examples/cpp/example.cc, ALDER_CPP_EXAMPLE)
// against the cluster of alder_with_cluster --down 3: its output for each
// step, and its exit code.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) throw std::runtime_error(std::string(name) + " is not set");
  return value;
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) text.append(buffer, n);
  close(fd);
  return text;
}

// Runs the example with `args`; its stderr goes to a temporary file so that
// reading stdout to its end cannot block on a full stderr pipe.
Outcome RunExample(const std::vector<std::string>& args) {
  std::vector<char*> argv{const_cast<char*>(ALDER_CPP_EXAMPLE)};
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  char err_path[] = "/tmp/alder-cpp-example-XXXXXX";
  const int err_fd = mkstemp(err_path);
  int out[2];
  if (err_fd < 0 || pipe(out) != 0) throw std::runtime_error("cannot capture the example");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  Outcome outcome;
  outcome.out = ReadAll(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  lseek(err_fd, 0, SEEK_SET);
  outcome.err = ReadAll(err_fd);
  unlink(err_path);
  return outcome;
}

std::vector<std::string> Nodes() {
  std::vector<std::string> nodes;
  std::stringstream list(Env("ALDER_NODES"));
  for (std::string node; std::getline(list, node, ',');) nodes.push_back(node);
  return nodes;
}

std::string Group(const std::string& text, const std::string& pattern) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(pattern, std::regex::multiline))) return "";
  return match[1];
}

TEST(ExampleProgram, RunsEveryStepAgainstNodesFromEnvironment) {
  const Outcome result = RunExample({});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_NE(out.find("connected to " + Nodes().at(0) + "\n"), std::string::npos) << out;
  const std::string put_version = Group(out, R"(^put example/greeting: version (\d+), ttl 60 s$)");
  ASSERT_FALSE(put_version.empty()) << out;
  EXPECT_EQ(Group(out, R"(^get example/greeting: value "hello, alder", version (\d+), )"),
            put_version)
      << out;
  const std::string expires =
      Group(out, R"(^get example/greeting: .*, expires_at_ms (\d+) \(in \d+ s\)$)");
  ASSERT_FALSE(expires.empty()) << out;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  EXPECT_NEAR(std::stoll(expires), now_ms + 60'000, 10'000);
  EXPECT_FALSE(Group(out, R"(^(remove example/greeting: version \d+)$)").empty()) << out;
  EXPECT_NE(out.find("get example/greeting: NotFound (key \"example/greeting\")\n"),
            std::string::npos)
      << out;
  EXPECT_FALSE(Group(out, R"(^put with an empty key: InvalidArgument: (.+)$)").empty()) << out;
  EXPECT_FALSE(Group(out, R"(^(put at ALL: Unavailable: 2 of 3 replicas alive \(.+\))$)").empty())
      << out;
}

TEST(ExampleProgram, FailsOverToANodeFromArguments) {
  const std::string node2 = Nodes().at(1);
  const Outcome result = RunExample({Env("ALDER_UNUSED_ADDRESS"), Env("ALDER_DOWN_NODE"), node2});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("connected to " + node2 + "\n"), std::string::npos) << result.out;
}

TEST(ExampleProgram, NoNodeReachableExits1WithOneLine) {
  const std::string unused = Env("ALDER_UNUSED_ADDRESS");
  const Outcome result = RunExample({unused});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "example: no Alder node available: " + unused + " (Connection refused)\n");
}

}  // namespace
