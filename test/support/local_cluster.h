// A cluster of real alderd processes on loopback for integration tests: each
// node gets fixed client and internode ports, a data directory under `root`
// and a log next to it, and every node lists all of them as peers.
#ifndef ALDER_TEST_SUPPORT_LOCAL_CLUSTER_H_
#define ALDER_TEST_SUPPORT_LOCAL_CLUSTER_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "test/support/alderd_process.h"

namespace alder::testing {

struct LocalClusterOptions {
  int nodes = 3;
  int replication_factor = 3;
  // Flags for every node, e.g. {"--hint_window", "0s"}.
  std::vector<std::string> args;
  // More flags, and a wrapper command (e.g. env LD_PRELOAD=... for
  // libfaketime), for some nodes, by node id (1-based).
  std::map<int, std::vector<std::string>> node_args;
  std::map<int, std::vector<std::string>> node_wrappers;
  // How StatusFrom and the waits connect, when the client port speaks TLS.
  std::optional<TestTls> client_tls;
};

class LocalCluster {
 public:
  LocalCluster(const std::string& root, LocalClusterOptions options);

  // Starts every node; false if one did not come up (its log says why).
  bool StartAll();
  AlderdProcess& node(int id) { return *nodes_.at(static_cast<size_t>(id - 1)); }
  int size() const { return static_cast<int>(nodes_.size()); }
  const std::string& peers() const { return peers_; }

  // How node `observer` sees the cluster (its status() answer).
  api::ClusterStatus StatusFrom(int observer);
  // Waits until node `observer` sees node `id` up (or down). False on timeout.
  bool WaitUntilSeen(int observer, int id, bool up,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits until every running node sees every running node up.
  bool WaitUntilConverged(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Every node's log, for failure messages.
  std::string Logs() const;

 private:
  std::vector<std::unique_ptr<AlderdProcess>> nodes_;
  std::string peers_;
  std::optional<TestTls> client_tls_;
};

// Request options at a consistency level.
inline api::WriteOptions At(api::Consistency::type level) {
  api::WriteOptions options;
  options.__set_consistency(level);
  return options;
}
inline api::ReadOptions ReadAt(api::Consistency::type level) {
  api::ReadOptions options;
  options.__set_consistency(level);
  return options;
}

// Polls `condition` every 50 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace alder::testing

#endif  // ALDER_TEST_SUPPORT_LOCAL_CLUSTER_H_
