// Anti-entropy with real alderd processes: replicas diverged by killing a
// node (hints off) converge through the background exchange and `alder
// repair`, exactly N missed writes cost exactly N records, tombstones and
// expired records are purged only after every replica synced, a node away
// longer than gc_grace brings nothing back, and trees match the digest index
// after kill -9.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
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

LocalClusterOptions Options(std::vector<std::string> args) {
  LocalClusterOptions options;
  options.args = std::move(args);
  return options;
}

// `alder --port P ARGS...`'s exit code.
int Cli(uint16_t port, const std::string& args) {
  const std::string command = std::string(ALDER_CLI_PATH) + " --port " + std::to_string(port) +
                              " " + args + " > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class AntiEntropyTest : public ::testing::Test {
 protected:
  void Start(LocalClusterOptions options) {
    cluster_ = std::make_unique<LocalCluster>(dir_.path(), std::move(options));
    ASSERT_TRUE(cluster_->StartAll()) << cluster_->Logs();
    ASSERT_TRUE(cluster_->WaitUntilConverged()) << cluster_->Logs();
  }
  void TearDown() override {
    if (HasFailure() && cluster_) std::cerr << cluster_->Logs();
  }
  LocalCluster& cluster() { return *cluster_; }
  // Both return the version written.
  int64_t Put(int via, const std::string& key, const std::string& value,
              api::Consistency::type level = api::Consistency::QUORUM) {
    return ApiClient(cluster().node(via).port())->put(key, value, At(level));
  }
  int64_t Remove(int via, const std::string& key,
                 api::Consistency::type level = api::Consistency::QUORUM) {
    return ApiClient(cluster().node(via).port())->remove(key, At(level));
  }
  // The value at ONE through `via`, or "<none>" when not found.
  std::string ReadOne(int via, const std::string& key) {
    api::ReadOptions options;
    options.__set_consistency(api::Consistency::ONE);
    api::Entry entry;
    try {
      ApiClient(cluster().node(via).port())->get(entry, key, options);
    } catch (const api::NotFound&) {
      return "<none>";
    }
    return entry.value;
  }
  bool Converged(int via) {
    try {
      api::Comparison comparison;
      ApiClient(cluster().node(via).port())->compare(comparison, api::CompareRequest());
      return comparison.converged;
    } catch (const std::exception&) {
      return false;
    }
  }
  int64_t Purged(int via) {
    const api::ClusterStatus status = cluster().StatusFrom(via);
    return status.__isset.records_purged ? status.records_purged : -1;
  }

  TempDir dir_;
  std::unique_ptr<LocalCluster> cluster_;
};

TEST_F(AntiEntropyTest, BackgroundExchangeConvergesANodeThatMissedWritesAndDeletes) {
  Start(Options({"--hint_window", "0s", "--anti_entropy_interval", "1s"}));
  for (int i = 0; i < 40; ++i) Put(1, "old-" + std::to_string(i), "v1", api::Consistency::ALL);

  cluster().node(3).Kill();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 3, false));
  ASSERT_TRUE(cluster().WaitUntilSeen(2, 3, false));
  for (int i = 0; i < 60; ++i) Put(1 + i % 2, "new-" + std::to_string(i), "n" + std::to_string(i));
  for (int i = 0; i < 20; ++i) Put(1, "old-" + std::to_string(i), "v2");
  for (int i = 20; i < 40; ++i) Remove(2, "old-" + std::to_string(i));

  ASSERT_TRUE(cluster().node(3).Start()) << cluster().node(3).ReadLog();
  EXPECT_TRUE(WaitFor([&] { return Converged(1) && Converged(3); }, 30s));
  EXPECT_EQ(Cli(cluster().node(1).port(), "compare"), 0);
  EXPECT_EQ(Cli(cluster().node(3).port(), "compare --keys"), 0);

  // Node 3 alone serves every write it missed, and none of the deleted values.
  cluster().node(1).Kill();
  cluster().node(2).Kill();
  for (int i = 0; i < 60; ++i) {
    EXPECT_EQ(ReadOne(3, "new-" + std::to_string(i)), "n" + std::to_string(i));
  }
  for (int i = 0; i < 20; ++i) EXPECT_EQ(ReadOne(3, "old-" + std::to_string(i)), "v2");
  for (int i = 20; i < 40; ++i) EXPECT_EQ(ReadOne(3, "old-" + std::to_string(i)), "<none>");
}

TEST_F(AntiEntropyTest, RepairSendsExactlyTheRecordsThatDiffer) {
  Start(Options({"--hint_window", "0s", "--anti_entropy_interval", "24h"}));
  for (int i = 0; i < 200; ++i) Put(1, "base-" + std::to_string(i), "v", api::Consistency::ALL);
  cluster().node(3).Kill();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 3, false));
  constexpr int kMissed = 37;
  for (int i = 0; i < kMissed; ++i) Put(1, "missed-" + std::to_string(i), "m");
  ASSERT_TRUE(cluster().node(3).Start()) << cluster().node(3).ReadLog();
  ASSERT_TRUE(cluster().WaitUntilConverged());
  EXPECT_EQ(Cli(cluster().node(1).port(), "compare"), 1) << "node 3 missed writes: not converged";

  api::RepairReport report;
  ApiClient(cluster().node(1).port())->repair(report, api::RepairRequest());
  EXPECT_EQ(report.failed_exchanges, 0) << report.error;
  EXPECT_EQ(report.exchanges, 2 * 256);  // every partition, with nodes 2 and 3
  EXPECT_EQ(report.records_differing, kMissed);
  EXPECT_EQ(report.records_sent, kMissed);
  // A second repair finds nothing to do: roots agree.
  ApiClient(cluster().node(1).port())->repair(report, api::RepairRequest());
  EXPECT_EQ(report.records_sent, 0);
  EXPECT_EQ(report.records_differing, 0);
  EXPECT_EQ(report.tree_nodes_compared, 2 * 256);  // one root per exchange
  EXPECT_TRUE(Converged(1));
  EXPECT_EQ(Cli(cluster().node(2).port(), "repair"), 0);
}

TEST_F(AntiEntropyTest, TombstonesAndExpiredRecordsArePurgedOnlyAfterEveryReplicaSynced) {
  Start(Options({"--gc_grace", "2s", "--gc_interval", "300ms", "--anti_entropy_interval", "500ms",
                 "--request_timeout", "500ms"}));
  Put(1, "deleted", "v", api::Consistency::ALL);
  Remove(1, "deleted", api::Consistency::ALL);
  api::WriteOptions ttl = At(api::Consistency::ALL);
  ttl.__set_ttl_ms(300);
  ApiClient(cluster().node(2).port())->put("expiring", "v", ttl);
  EXPECT_EQ(ReadOne(1, "deleted"), "<none>");

  // Each node purges both once gc_grace passed and it exchanged with both
  // other replicas since; the trees follow the purges.
  EXPECT_TRUE(WaitFor([&] { return Purged(1) >= 2 && Purged(2) >= 2 && Purged(3) >= 2; }, 20s))
      << Purged(1) << " " << Purged(2) << " " << Purged(3);
  for (int node = 1; node <= 3; ++node) {
    EXPECT_EQ(ReadOne(node, "deleted"), "<none>");
    EXPECT_EQ(ReadOne(node, "expiring"), "<none>");
    api::TreeVerification verification;
    ApiClient(cluster().node(node).port())->verifyTrees(verification);
    EXPECT_TRUE(verification.mismatched_partitions.empty()) << "node " << node;
  }
  EXPECT_TRUE(WaitFor([&] { return Converged(1); }, 10s));
}

TEST_F(AntiEntropyTest, ANodeAwayLongerThanGcGraceBringsNoDeleteBack) {
  Start(Options({"--gc_grace", "2s", "--gc_interval", "300ms", "--anti_entropy_interval", "500ms",
                 "--hint_window", "0s", "--request_timeout", "500ms"}));
  Put(1, "k", "old value", api::Consistency::ALL);
  cluster().node(3).Kill();
  ASSERT_TRUE(cluster().WaitUntilSeen(1, 3, false));
  Remove(1, "k");  // nodes 1 and 2 hold the tombstone; node 3 still the value

  // Well past gc_grace: nodes 1 and 2 must keep the tombstone while node 3
  // has not exchanged with them.
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(Purged(1), 0);
  EXPECT_EQ(Purged(2), 0);
  EXPECT_EQ(ReadOne(1, "k"), "<none>");

  ASSERT_TRUE(cluster().node(3).Start()) << cluster().node(3).ReadLog();
  // While it syncs and after: no read anywhere returns the deleted value.
  const auto until = std::chrono::steady_clock::now() + 6s;
  while (std::chrono::steady_clock::now() < until) {
    for (int node = 1; node <= 3; ++node) {
      for (auto level : {api::Consistency::ONE, api::Consistency::QUORUM}) {
        api::ReadOptions options;
        options.__set_consistency(level);
        api::Entry entry;
        try {
          ApiClient(cluster().node(node).port())->get(entry, "k", options);
          ADD_FAILURE() << "node " << node << " returned the deleted value '" << entry.value << "'";
        } catch (const api::NotFound&) {
        } catch (const api::Unavailable&) {  // node 3 refuses reads while it syncs
        }
      }
    }
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(WaitFor([&] { return Purged(1) >= 1 && Purged(2) >= 1 && Purged(3) >= 1; }, 20s));
  cluster().node(1).Kill();
  cluster().node(2).Kill();
  EXPECT_EQ(ReadOne(3, "k"), "<none>");
}

TEST_F(AntiEntropyTest, TreesMatchTheIndexAfterKillNineDuringWrites) {
  Start(Options({"--anti_entropy_interval", "24h"}));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    try {
      ApiClient client(cluster().node(2).port());
      for (int i = 0; !stop && i < 100000; ++i) {
        client->put("w-" + std::to_string(i % 500), std::to_string(i), At(api::Consistency::ONE));
        if (i % 7 == 0)
          client->remove("w-" + std::to_string((i * 3) % 500), At(api::Consistency::ONE));
      }
    } catch (const std::exception&) {  // node 1 going away can fail a request
    }
  });
  std::this_thread::sleep_for(800ms);
  cluster().node(1).Kill();
  stop = true;
  writer.join();
  ASSERT_TRUE(cluster().node(1).Start()) << cluster().node(1).ReadLog();

  api::TreeVerification verification;
  ApiClient(cluster().node(1).port())->verifyTrees(verification);
  EXPECT_GT(verification.index_entries, 0);
  EXPECT_EQ(verification.partitions_checked, 256);
  EXPECT_TRUE(verification.mismatched_partitions.empty());
  EXPECT_EQ(Cli(cluster().node(1).port(), "verify-trees"), 0);
  // Trees stay in step with the index through later writes too.
  for (int i = 0; i < 100; ++i) Put(1, "after-" + std::to_string(i), "v");
  ApiClient(cluster().node(1).port())->verifyTrees(verification);
  EXPECT_TRUE(verification.mismatched_partitions.empty());
  // And a repair makes the replicas agree again.
  api::RepairReport report;
  ApiClient(cluster().node(1).port())->repair(report, api::RepairRequest());
  EXPECT_EQ(report.failed_exchanges, 0) << report.error;
  EXPECT_TRUE(Converged(1));
}

// Random orders of kills, restarts, writes, deletes, purges, hints and
// repairs: no acknowledged delete is ever undone. A single client writes at
// QUORUM, so every acknowledged operation is the key's truth until the next
// one; reads at QUORUM must always show it (QUORUM reads and writes
// overlap), and so must every node at the end. Writes that failed may or may
// not have landed: their keys are left out.
TEST_F(AntiEntropyTest, NoOrderOfFaultsAndRepairsBringsADeleteBack) {
  Start(Options({"--gc_grace", "2s", "--gc_interval", "300ms", "--anti_entropy_interval", "500ms",
                 "--request_timeout", "500ms"}));
  constexpr int kKeys = 12;
  std::mt19937 rng(20261126);
  std::map<std::string, std::optional<std::string>> truth;  // nullopt: deleted
  std::set<std::string> uncertain;
  std::vector<bool> up = {false, true, true, true};  // by node id
  auto running = [&] {
    std::vector<int> ids;
    for (int id = 1; id <= 3; ++id) {
      if (up[static_cast<size_t>(id)]) ids.push_back(id);
    }
    return ids;
  };
  auto check_read = [&](int via, const std::string& key) {
    if (uncertain.contains(key) || !truth.contains(key)) return;
    api::ReadOptions options;
    options.__set_consistency(api::Consistency::QUORUM);
    api::Entry entry;
    try {
      ApiClient(cluster().node(via).port())->get(entry, key, options);
      EXPECT_EQ(truth[key], std::optional<std::string>(entry.value)) << key << " via node " << via;
    } catch (const api::NotFound&) {
      EXPECT_EQ(truth[key], std::nullopt) << key << " lost its value, via node " << via;
    } catch (const std::exception&) {  // Unavailable or TimedOut while nodes come and go
    }
  };
  int kills = 0, restarts = 0, deletes = 0, repairs = 0;
  for (int step = 0; step < 150; ++step) {
    const std::vector<int> alive = running();
    const int roll = static_cast<int>(rng() % 100);
    if (roll < 8 && alive.size() == 3) {
      const int victim = 1 + static_cast<int>(rng() % 3);
      cluster().node(victim).Kill();
      up[static_cast<size_t>(victim)] = false;
      ++kills;
    } else if (roll < 16 && alive.size() < 3) {
      for (int id = 1; id <= 3; ++id) {
        if (!up[static_cast<size_t>(id)]) {
          ASSERT_TRUE(cluster().node(id).Start()) << cluster().node(id).ReadLog();
          up[static_cast<size_t>(id)] = true;
          ++restarts;
        }
      }
    } else if (roll < 24) {
      std::this_thread::sleep_for(1s);  // let grace pass, GC and exchanges run
    } else if (roll < 28) {
      try {
        api::RepairReport report;
        ApiClient(cluster().node(alive[rng() % alive.size()]).port())
            ->repair(report, api::RepairRequest());
        ++repairs;
      } catch (const std::exception&) {
      }
    } else {
      const int via = alive[rng() % alive.size()];
      const std::string key = "key-" + std::to_string(rng() % kKeys);
      const bool remove = rng() % 3 == 0;
      const std::string value = "v" + std::to_string(step);
      try {
        int64_t version = 0;
        if (remove) {
          version = Remove(via, key);
          truth[key] = std::nullopt;
          ++deletes;
        } else {
          version = Put(via, key, value);
          truth[key] = value;
        }
        // LWW orders writes by version. A write made through another
        // coordinator within the same millisecond is concurrent with this
        // one unless that coordinator has seen this write's stamp; a client
        // that needs its next write to win waits until the wall clock has
        // passed this version's millisecond, as this one does.
        const auto next_ms = std::chrono::milliseconds((static_cast<uint64_t>(version) >> 16) + 1);
        while (std::chrono::system_clock::now().time_since_epoch() < next_ms) {
          std::this_thread::sleep_for(200us);
        }
      } catch (const std::exception&) {
        uncertain.insert(key);  // may or may not have landed
      }
      check_read(alive[rng() % alive.size()], key);
    }
  }
  // Every node back; let anti-entropy converge; then every node agrees
  // with the truth, at ALL and on its own replica.
  for (int id = 1; id <= 3; ++id) {
    if (!up[static_cast<size_t>(id)]) {
      ASSERT_TRUE(cluster().node(id).Start()) << cluster().node(id).ReadLog();
    }
  }
  ASSERT_TRUE(cluster().WaitUntilConverged());
  EXPECT_TRUE(WaitFor([&] { return Converged(1); }, 30s));
  int checked = 0;
  for (const auto& [key, value] : truth) {
    if (uncertain.contains(key)) continue;
    ++checked;
    for (int id = 1; id <= 3; ++id) {
      EXPECT_EQ(ReadOne(id, key), value.value_or("<none>")) << key << " on node " << id;
    }
  }
  EXPECT_GT(checked, kKeys / 2) << "too few keys with a certain outcome to mean anything";
  const int64_t purged = Purged(1) + Purged(2) + Purged(3);
  std::cerr << "schedule: " << kills << " kills, " << restarts << " restarts, " << deletes
            << " deletes, " << repairs << " repairs, " << purged << " records purged, "
            << uncertain.size() << " keys uncertain\n";
  EXPECT_GT(kills, 0);
  EXPECT_GT(purged, 0) << "no purge happened: the schedule did not test GC";
}

}  // namespace
}  // namespace alder::testing
