#include "test/support/local_cluster.h"

#include <algorithm>
#include <thread>
#include <utility>

namespace alder::testing {

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

LocalCluster::LocalCluster(const std::string& root, LocalClusterOptions options)
    : client_tls_(options.client_tls) {
  std::vector<std::pair<uint16_t, uint16_t>> ports;
  for (int id = 1; id <= options.nodes; ++id) {
    uint16_t client = FreePort(), internode = FreePort();
    while (internode == client) internode = FreePort();
    ports.emplace_back(client, internode);
    peers_ += (peers_.empty() ? "" : ",") + std::to_string(id) +
              "@127.0.0.1:" + std::to_string(internode);
  }
  for (int id = 1; id <= options.nodes; ++id) {
    std::vector<std::string> args = {
        "--node_id", std::to_string(id),     "--peers",
        peers_,      "--replication_factor", std::to_string(options.replication_factor)};
    args.insert(args.end(), options.args.begin(), options.args.end());
    const auto& more = options.node_args[id];
    args.insert(args.end(), more.begin(), more.end());
    // Defaults for tests (fast failure detection; no fsync, which durability
    // tests cover), unless the test set them.
    for (const auto& [flag, value] :
         {std::pair{"--durability", "process"}, std::pair{"--heartbeat_interval", "200ms"},
          std::pair{"--failure_timeout", "1s"}}) {
      if (std::find(args.begin(), args.end(), flag) == args.end()) {
        args.push_back(flag);
        args.push_back(value);
      }
    }
    auto node = std::make_unique<AlderdProcess>(root + "/node" + std::to_string(id), args,
                                                options.node_wrappers[id]);
    node->UsePorts(ports[static_cast<size_t>(id - 1)].first,
                   ports[static_cast<size_t>(id - 1)].second);
    nodes_.push_back(std::move(node));
  }
}

bool LocalCluster::StartAll() {
  for (auto& node : nodes_) {
    if (!node->running() && !node->Start()) return false;
  }
  return true;
}

api::ClusterStatus LocalCluster::StatusFrom(int observer) {
  ApiClient client(node(observer).port(), std::chrono::seconds(10), client_tls_);
  api::ClusterStatus status;
  client->status(status);
  return status;
}

bool LocalCluster::WaitUntilSeen(int observer, int id, bool up, std::chrono::milliseconds timeout) {
  return WaitFor(
      [&] {
        try {
          for (const api::NodeStatus& n : StatusFrom(observer).nodes) {
            if (n.node_id == id) return n.up == up;
          }
        } catch (const std::exception&) {
        }
        return false;
      },
      timeout);
}

bool LocalCluster::WaitUntilConverged(std::chrono::milliseconds timeout) {
  for (int observer = 1; observer <= size(); ++observer) {
    if (!node(observer).running()) continue;
    for (int id = 1; id <= size(); ++id) {
      if (!node(id).running()) continue;
      if (!WaitUntilSeen(observer, id, true, timeout)) return false;
    }
  }
  return true;
}

std::string LocalCluster::Logs() const {
  std::string out;
  for (const auto& node : nodes_) out += "--- " + node->log_path() + "\n" + node->ReadLog();
  return out;
}

}  // namespace alder::testing
