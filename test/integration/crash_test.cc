// kill -9 while clients write: no acknowledged write may be lost.
//
// Each cycle starts alderd on the same data directory, lets four clients put
// and remove as fast as they can (keys of their own plus keys every client
// overwrites), SIGKILLs the server after 50-300 ms, restarts it and checks
// every key ever written. For a key whose newest acknowledged write has
// version V, a read must return
//  - version V with that write's value (NotFound if it was a remove), or
//  - a greater version from a write that was sent but never acknowledged (it
//    may or may not have landed before the kill): its value, or NotFound if
//    such a write was a remove.
// Anything else is a lost write. ALDER_CRASH_CYCLES sets the number of cycles
// (default 20); scripts/crash-cycles.sh runs 1,000.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "test/support/alderd_process.h"
#include "test/support/temp_dir.h"

namespace alder {
namespace {

using testing::AlderdProcess;
using testing::ApiClient;

constexpr int kWriters = 4;
constexpr int kSharedKeys = 8;
constexpr int kOwnKeys = 200;

// What the clients know about one key. Every write has a unique id
// "w<writer>-c<cycle>-<n>", which is also the value of a put.
struct KeyHistory {
  int64_t acked_version = 0;  // newest acknowledged write, 0 if none
  bool acked_remove = false;
  std::string acked_id;
  std::set<std::string> unacked_puts;  // ids (= values) sent, never acknowledged
  bool unacked_remove = false;         // some remove was sent, never acknowledged
};

class History {
 public:
  void Sent(const std::string& key, const std::string& id, bool remove) {
    std::lock_guard lock(mu_);
    KeyHistory& h = keys_[key];
    if (remove) {
      pending_removes_[key].insert(id);
    } else {
      h.unacked_puts.insert(id);
    }
  }
  void Acknowledged(const std::string& key, const std::string& id, bool remove, int64_t version) {
    std::lock_guard lock(mu_);
    KeyHistory& h = keys_[key];
    if (remove) {
      pending_removes_[key].erase(id);
    } else {
      h.unacked_puts.erase(id);
    }
    if (version > h.acked_version) {
      h.acked_version = version;
      h.acked_remove = remove;
      h.acked_id = id;
    }
    ++acknowledged_;
  }
  // After a kill: writes still pending were never acknowledged.
  std::map<std::string, KeyHistory> Snapshot() {
    std::lock_guard lock(mu_);
    for (auto& [key, ids] : pending_removes_) {
      if (!ids.empty()) keys_[key].unacked_remove = true;
    }
    pending_removes_.clear();
    return keys_;
  }
  uint64_t acknowledged() {
    std::lock_guard lock(mu_);
    return acknowledged_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, KeyHistory> keys_;
  std::map<std::string, std::set<std::string>> pending_removes_;
  uint64_t acknowledged_ = 0;
};

// Writes until the connection fails (the server was killed).
void WriteUntilKilled(uint16_t port, int writer, int cycle, History* history) {
  std::mt19937 rng(static_cast<uint32_t>(cycle * 100 + writer));
  try {
    ApiClient client(port, std::chrono::seconds(5));
    for (int n = 0;; ++n) {
      const std::string key =
          rng() % 4 == 0 ? "shared-" + std::to_string(rng() % kSharedKeys)
                         : "w" + std::to_string(writer) + "-" + std::to_string(rng() % kOwnKeys);
      const bool remove = rng() % 5 == 0;
      const std::string id =
          "w" + std::to_string(writer) + "-c" + std::to_string(cycle) + "-" + std::to_string(n);
      history->Sent(key, id, remove);
      const int64_t version = remove ? client->remove(key, {}) : client->put(key, id, {});
      history->Acknowledged(key, id, remove, version);
    }
  } catch (const apache::thrift::TException&) {
    // The server died: the write in flight stays unacknowledged.
  }
}

// Checks one key; returns an empty string if it is as acknowledged, else why not.
std::string Check(ApiClient& client, const std::string& key, const KeyHistory& h) {
  api::Entry entry;
  try {
    client->get(entry, key, {});
  } catch (const api::NotFound&) {
    if (h.acked_version == 0 || h.acked_remove || h.unacked_remove) return "";
    return "NotFound, but " + h.acked_id + " (version " + std::to_string(h.acked_version) +
           ") was acknowledged";
  }
  if (entry.version == h.acked_version && !h.acked_remove && entry.value == h.acked_id) return "";
  if (entry.version > h.acked_version && h.unacked_puts.count(entry.value) > 0) return "";
  return "read " + entry.value + " (version " + std::to_string(entry.version) +
         "), but the newest " + "acknowledged write was " + h.acked_id +
         (h.acked_remove ? " (a remove)" : "") + " (version " + std::to_string(h.acked_version) +
         ")";
}

class CrashTest : public ::testing::TestWithParam<const char*> {};

TEST_P(CrashTest, KillNineDuringWritesLosesNoAcknowledgedWrite) {
  const char* cycles_env = std::getenv("ALDER_CRASH_CYCLES");
  const int cycles = cycles_env ? std::atoi(cycles_env) : 20;
  testing::TempDir dir;
  AlderdProcess node(dir.Sub("node"), {"--durability", GetParam()});
  History history;
  std::mt19937 rng(42);
  uint64_t checked = 0, lost = 0;

  for (int cycle = 0; cycle < cycles; ++cycle) {
    ASSERT_TRUE(node.Start()) << "cycle " << cycle << ": alderd did not come back\n"
                              << node.ReadLog();
    // Verify everything written in earlier cycles, then write and kill.
    {
      ApiClient client(node.port());
      for (const auto& [key, h] : history.Snapshot()) {
        const std::string problem = Check(client, key, h);
        ++checked;
        if (!problem.empty()) {
          ++lost;
          ADD_FAILURE() << "cycle " << cycle << ", key " << key << ": " << problem;
        }
      }
    }
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back(WriteUntilKilled, node.port(), w, cycle, &history);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 251));
    node.Kill();
    for (auto& t : writers) t.join();
    if (cycles >= 100 && (cycle + 1) % 50 == 0) {
      std::printf("crash test (%s): %d/%d cycles, %llu writes acknowledged, %llu lost\n",
                  GetParam(), cycle + 1, cycles,
                  static_cast<unsigned long long>(history.acknowledged()),
                  static_cast<unsigned long long>(lost));
      std::fflush(stdout);
    }
  }
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  ApiClient client(node.port());
  for (const auto& [key, h] : history.Snapshot()) {
    const std::string problem = Check(client, key, h);
    ++checked;
    if (!problem.empty()) {
      ++lost;
      ADD_FAILURE() << "after the last cycle, key " << key << ": " << problem;
    }
  }
  EXPECT_EQ(node.Terminate(), 0);
  // Recovery work must not pile up across crashes: old log files go away.
  int log_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.Sub("node"))) {
    log_files += entry.path().filename().string().rfind("WiredTigerLog.", 0) == 0 ? 1 : 0;
  }
  EXPECT_LE(log_files, 5) << "WiredTiger log files left after " << cycles << " crashes";
  std::printf(
      "crash test (durability %s): %d kill -9 cycles, %llu writes acknowledged, %llu key "
      "checks, %llu lost\n",
      GetParam(), cycles, static_cast<unsigned long long>(history.acknowledged()),
      static_cast<unsigned long long>(checked), static_cast<unsigned long long>(lost));
  EXPECT_GT(history.acknowledged(), static_cast<uint64_t>(cycles) * 10)
      << "the test wrote too little";
  EXPECT_EQ(lost, 0u);
}

INSTANTIATE_TEST_SUITE_P(Durability, CrashTest, ::testing::Values("fsync", "process"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           return std::string(param_info.param);
                         });

}  // namespace
}  // namespace alder
