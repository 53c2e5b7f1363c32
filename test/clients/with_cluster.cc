// with_cluster: runs one command against a real three-node Alder cluster, for
// the client tests of every language (test/clients/LANG).
//
//   alder_with_cluster [--down ID] -- COMMAND [ARGS...]
//
// Starts three alderd processes on loopback (replication factor 3, fast
// failure detection), waits until every node sees every node up, and then
// runs COMMAND with these in its environment:
//   ALDER_NODES           the client addresses host:port of nodes 1, 2, 3
//   ALDER_UNUSED_ADDRESS  a loopback address nothing listens on (failover)
//   ALDER_DOWN_NODE       with --down ID: that node's address; it was killed
//                         (SIGKILL) and the others see it down, so requests at
//                         ALL are Unavailable while QUORUM and ONE succeed
// Exits with COMMAND's exit code (2 for usage, 3 if the cluster did not come
// up), printing every node's log when it is not 0.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "test/support/local_cluster.h"
#include "test/support/temp_dir.h"

namespace {

using alder::testing::FreePort;
using alder::testing::LocalCluster;
using alder::testing::LocalClusterOptions;
using alder::testing::TempDir;

constexpr int kNodes = 3;
constexpr int kExitUsage = 2;
constexpr int kExitNoCluster = 3;

struct Invocation {
  int down = 0;  // 0: every node stays up
  std::vector<std::string> command;
};

bool Parse(int argc, char** argv, Invocation& invocation) {
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    if (std::strcmp(argv[i], "--down") == 0 && i + 1 < argc) {
      invocation.down = std::atoi(argv[++i]);
      if (invocation.down < 1 || invocation.down > kNodes) return false;
    } else {
      return false;
    }
  }
  for (++i; i < argc; ++i) invocation.command.emplace_back(argv[i]);
  return !invocation.command.empty();
}

std::string Address(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// Runs `command` (searched in PATH) and returns its exit code.
int Run(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const std::string& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::cout.flush();
  const pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "with_cluster: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Kills node `id` and waits until every other node sees it down.
bool TakeDown(LocalCluster& cluster, int id) {
  cluster.node(id).Kill();
  for (int observer = 1; observer <= cluster.size(); ++observer) {
    if (observer != id && !cluster.WaitUntilSeen(observer, id, false)) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Invocation invocation;
  if (!Parse(argc, argv, invocation)) {
    std::cerr << "usage: alder_with_cluster [--down ID] -- COMMAND [ARGS...]\n";
    return kExitUsage;
  }
  TempDir root;
  LocalClusterOptions options;
  options.nodes = kNodes;
  LocalCluster cluster(root.path().string(), options);
  if (!cluster.StartAll() || !cluster.WaitUntilConverged() ||
      (invocation.down != 0 && !TakeDown(cluster, invocation.down))) {
    std::cerr << "with_cluster: the cluster did not come up\n" << cluster.Logs();
    return kExitNoCluster;
  }
  std::string nodes;
  for (int id = 1; id <= kNodes; ++id) {
    nodes += (id > 1 ? "," : "") + Address(cluster.node(id).port());
  }
  setenv("ALDER_NODES", nodes.c_str(), 1);
  setenv("ALDER_UNUSED_ADDRESS", Address(FreePort()).c_str(), 1);
  if (invocation.down != 0) {
    setenv("ALDER_DOWN_NODE", Address(cluster.node(invocation.down).port()).c_str(), 1);
  }
  const int code = Run(invocation.command);
  if (code != 0)
    std::cerr << "with_cluster: exit code " << code << "; node logs:\n" << cluster.Logs();
  for (int id = 1; id <= kNodes; ++id) {
    if (cluster.node(id).running()) cluster.node(id).Terminate();
  }
  return code;
}
