// Wall-clock jumps on a running node (issue 8): three real alderd, RF 3,
// node 3 under libfaketime reading its offset from a file, so its wall clock
// can step while it runs and its monotonic clock does not, as on a machine
// whose NTP steps the clock. Three clients write their own keys one after
// another through all three coordinators at QUORUM while node 3's clock
// jumps (forward, backward, within and beyond max_clock_offset, steps and
// strobes). Then every key is read at ALL (the greatest version any replica
// holds) and checked against what the clients were told:
//  - the final value is the last acknowledged write's, or that of a later
//    write whose outcome the client could not know (TimedOut);
//  - never the value of a write answered Unavailable (nothing was written);
//  - no stored version is stamped more than max_clock_offset ahead of the
//    real time at which its write was answered.
// Each scenario prints its figures: writes acknowledged, refused, timed out
// and lost, and acknowledged writes per second during the fault against the
// same cluster's rate before it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "test/support/local_cluster.h"
#include "test/support/temp_dir.h"

namespace alder::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

constexpr const char* kFakeTimeMT = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
constexpr int kClients = 3;
constexpr int kKeysPerClient = 8;
constexpr int64_t kMaxClockOffsetMs = 500;

int64_t RealNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

int64_t WallMsOf(int64_t version) {
  return static_cast<int64_t>(static_cast<uint64_t>(version) >> 16);
}

// Sets node 3's clock offset by rewriting the file libfaketime reads on
// every clock call (a rename, so that it never reads half a file).
class ClockOffsetFile {
 public:
  explicit ClockOffsetFile(std::string path) : path_(std::move(path)) { Set(0ms); }
  void Set(std::chrono::milliseconds offset) {
    const std::string tmp = path_ + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      char text[32];
      std::snprintf(text, sizeof text, "%+.3f\n", static_cast<double>(offset.count()) / 1000.0);
      out << text;
    }
    std::filesystem::rename(tmp, path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

enum class Outcome { kAcked, kUnavailable, kTimedOut, kOtherError };

struct WriteRecord {
  std::string value;
  Outcome outcome;
  int64_t version = 0;      // when acknowledged
  int64_t answered_ms = 0;  // real time of the answer
  int coordinator = 0;
};

// One step of a fault: from `at` (after the fault starts) node 3's clock is
// `offset` off.
struct ClockStep {
  std::chrono::milliseconds at;
  std::chrono::milliseconds offset;
};

struct Scenario {
  const char* name;
  std::vector<ClockStep> steps;  // the fault; it ends with the clock back at +0
  std::chrono::milliseconds duration;
};

std::vector<ClockStep> Strobe(std::chrono::milliseconds a, std::chrono::milliseconds b,
                              std::chrono::milliseconds total, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<ClockStep> steps;
  bool at_a = true;
  for (auto t = 0ms; t < total; t += std::chrono::milliseconds(100 + rng() % 401)) {
    steps.push_back({t, at_a ? a : b});
    at_a = !at_a;
  }
  return steps;
}

std::vector<Scenario> Scenarios() {
  return {
      {"no_fault", {}, 4000ms},
      {"forward_5s", {{0ms, 5000ms}}, 4000ms},
      {"backward_5s", {{0ms, -5000ms}}, 4000ms},
      {"forward_400ms", {{0ms, 400ms}}, 4000ms},
      {"backward_400ms", {{0ms, -400ms}}, 4000ms},
      {"strobe_0_to_5s", Strobe(0ms, 5000ms, 4000ms, 11), 4000ms},
      {"strobe_minus_to_plus_400ms", Strobe(-400ms, 400ms, 4000ms, 12), 4000ms},
  };
}

// Starts three nodes, node 3 on the offset file and with `node3_args`, all
// with `args` and heartbeats every `heartbeat_interval`.
std::unique_ptr<LocalCluster> StartWithNode3On(const TempDir& dir, const ClockOffsetFile& offset,
                                               std::chrono::milliseconds heartbeat_interval,
                                               std::vector<std::string> node3_args = {},
                                               std::vector<std::string> args = {}) {
  LocalClusterOptions options;
  options.args = {"--heartbeat_interval", std::to_string(heartbeat_interval.count()) + "ms",
                  "--failure_timeout", std::to_string(4 * heartbeat_interval.count()) + "ms"};
  options.args.insert(options.args.end(), args.begin(), args.end());
  options.node_args[3] = std::move(node3_args);
  options.node_wrappers[3] = {"env",
                              std::string("LD_PRELOAD=") + kFakeTimeMT,
                              "FAKETIME_TIMESTAMP_FILE=" + offset.path(),
                              "FAKETIME_NO_CACHE=1",
                              "FAKETIME_DONT_FAKE_MONOTONIC=1",
                              "ASAN_OPTIONS=verify_asan_link_order=0"};
  auto cluster = std::make_unique<LocalCluster>(dir.path(), options);
  if (!cluster->StartAll() || !cluster->WaitUntilConverged()) {
    ADD_FAILURE() << cluster->Logs();
    return nullptr;
  }
  return cluster;
}

class ClockTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && cluster_) std::cerr << cluster_->Logs();
  }
  TempDir dir_;
  std::unique_ptr<LocalCluster> cluster_;
};

class ClockJumpTest : public ClockTest, public ::testing::WithParamInterface<Scenario> {};

// Writes `client`'s keys one after another until `stop`, each through the
// next coordinator; after an acknowledged put it waits until the real clock
// is past the version's millisecond, so that its next write must win.
void SequentialWriter(LocalCluster& cluster, int client, const std::atomic<bool>& stop,
                      std::vector<std::vector<WriteRecord>>& per_key) {
  std::map<int, std::unique_ptr<ApiClient>> clients;
  for (int n = 0; !stop.load(); ++n) {
    const int key_index = n % kKeysPerClient;
    const std::string key = "c" + std::to_string(client) + "-k" + std::to_string(key_index);
    const int via = 1 + (n + client) % 3;
    WriteRecord w{key + "-n" + std::to_string(n), Outcome::kOtherError, 0, 0, via};
    try {
      if (!clients[via]) clients[via] = std::make_unique<ApiClient>(cluster.node(via).port());
      w.version = (*clients[via])->put(key, w.value, At(api::Consistency::QUORUM));
      w.outcome = Outcome::kAcked;
    } catch (const api::Unavailable&) {
      w.outcome = Outcome::kUnavailable;
    } catch (const api::TimedOut&) {
      w.outcome = Outcome::kTimedOut;
    } catch (const std::exception&) {
      clients[via].reset();  // the outcome is unknown, like a time-out
    }
    w.answered_ms = RealNowMs();
    const int64_t wait_past =
        std::max(w.answered_ms, w.outcome == Outcome::kAcked ? WallMsOf(w.version) : w.answered_ms);
    while (RealNowMs() <= wait_past) std::this_thread::sleep_for(200us);
    per_key[static_cast<size_t>(key_index)].push_back(std::move(w));
  }
}

struct Tally {
  int acked = 0, unavailable = 0, timed_out = 0, other = 0, lost = 0, unavailable_applied = 0,
      stamped_ahead = 0;
};

TEST_P(ClockJumpTest, NoAcknowledgedWriteIsLostAndUnavailableMeansNotWritten) {
  const Scenario& scenario = GetParam();
  ClockOffsetFile offset(dir_.Sub("node3-clock-offset"));
  cluster_ = StartWithNode3On(dir_, offset, 500ms, {},
                              {"--anti_entropy_interval", "1s", "--max_clock_offset", "500ms"});
  ASSERT_TRUE(cluster_);

  std::atomic<bool> stop{false};
  std::vector<std::vector<std::vector<WriteRecord>>> writes(
      kClients, std::vector<std::vector<WriteRecord>>(kKeysPerClient));
  std::vector<std::thread> writers;
  for (int c = 0; c < kClients; ++c) {
    writers.emplace_back(
        [&, c] { SequentialWriter(*cluster_, c, stop, writes[static_cast<size_t>(c)]); });
  }
  // 2 s of writes before the fault, the fault, the clock back at +0, 3 s more.
  std::this_thread::sleep_for(2s);
  const int64_t fault_start_ms = RealNowMs();
  const auto fault_start = std::chrono::steady_clock::now();
  for (const ClockStep& step : scenario.steps) {
    std::this_thread::sleep_until(fault_start + step.at);
    offset.Set(step.offset);
  }
  std::this_thread::sleep_until(fault_start + scenario.duration);
  offset.Set(0ms);
  const int64_t fault_end_ms = RealNowMs();
  std::this_thread::sleep_for(3s);
  stop = true;
  for (std::thread& t : writers) t.join();

  // The final value of every key: the greatest version any replica holds.
  Tally tally;
  int before_acked = 0, during_acked = 0, during_tried = 0;
  const int64_t before_start_ms = fault_start_ms - 2000;
  ApiClient reader(cluster_->node(1).port());
  for (int c = 0; c < kClients; ++c) {
    for (int k = 0; k < kKeysPerClient; ++k) {
      const std::vector<WriteRecord>& history =
          writes[static_cast<size_t>(c)][static_cast<size_t>(k)];
      if (history.empty()) continue;
      const std::string key = "c" + std::to_string(c) + "-k" + std::to_string(k);
      api::Entry entry;
      reader->get(entry, key, ReadAt(api::Consistency::ALL));
      int last_acked = -1, final_index = -1;
      for (size_t i = 0; i < history.size(); ++i) {
        const WriteRecord& w = history[i];
        switch (w.outcome) {
          case Outcome::kAcked:
            ++tally.acked;
            last_acked = static_cast<int>(i);
            if (w.answered_ms >= before_start_ms && w.answered_ms < fault_start_ms) ++before_acked;
            if (w.answered_ms >= fault_start_ms && w.answered_ms < fault_end_ms) ++during_acked;
            break;
          case Outcome::kUnavailable:
            ++tally.unavailable;
            break;
          case Outcome::kTimedOut:
            ++tally.timed_out;
            break;
          case Outcome::kOtherError:
            ++tally.other;
            break;
        }
        if (w.answered_ms >= fault_start_ms && w.answered_ms < fault_end_ms) ++during_tried;
        if (w.value == entry.value) final_index = static_cast<int>(i);
      }
      ASSERT_GE(final_index, 0) << key << " holds a value no client wrote: " << entry.value;
      const WriteRecord& final_write = history[static_cast<size_t>(final_index)];
      if (final_index < last_acked) {
        ++tally.lost;
        ADD_FAILURE() << key << ": acknowledged write "
                      << history[static_cast<size_t>(last_acked)].value << " (via node "
                      << history[static_cast<size_t>(last_acked)].coordinator
                      << ") lost to earlier " << final_write.value << " (via node "
                      << final_write.coordinator << ")";
      }
      if (final_write.outcome == Outcome::kUnavailable) {
        ++tally.unavailable_applied;
        ADD_FAILURE() << key << ": " << final_write.value << " was answered Unavailable (via node "
                      << final_write.coordinator << ") but is the stored value";
      }
      if (WallMsOf(entry.version) > final_write.answered_ms + kMaxClockOffsetMs) {
        ++tally.stamped_ahead;
        ADD_FAILURE() << key << ": stored version is "
                      << WallMsOf(entry.version) - final_write.answered_ms
                      << " ms ahead of the real time its write was answered";
      }
    }
  }
  const double fault_s = static_cast<double>(fault_end_ms - fault_start_ms) / 1000.0;
  std::printf(
      "clock fault %s: %d writes acknowledged, %d lost; %d Unavailable (%d of them applied), %d "
      "timed out, %d other errors; %d stamped too far ahead; during the fault %.0f%% of writes "
      "acknowledged, %.0f acknowledged writes/s vs %.0f before it (ratio %.2f)\n",
      scenario.name, tally.acked, tally.lost, tally.unavailable, tally.unavailable_applied,
      tally.timed_out, tally.other, tally.stamped_ahead,
      during_tried > 0 ? 100.0 * during_acked / during_tried : 0.0, during_acked / fault_s,
      before_acked / 2.0, before_acked > 0 ? (during_acked / fault_s) / (before_acked / 2.0) : 0.0);
  EXPECT_GT(tally.acked, 0);
}

using ClockFenceTest = ClockTest;

TEST_F(ClockFenceTest, AJumpFencesTheNodeBeforeItsNextWriteAndNotAfterTheClockIsBack) {
  // Heartbeats every 3 s: anything faster than that is not heartbeat-driven.
  ClockOffsetFile offset(dir_.Sub("node3-clock-offset"));
  cluster_ = StartWithNode3On(dir_, offset, 3000ms);
  ASSERT_TRUE(cluster_);
  ApiClient node3(cluster_->node(3).port());
  node3->put("before", "v", At(api::Consistency::QUORUM));

  offset.Set(5000ms);
  const auto jumped = std::chrono::steady_clock::now();
  try {
    node3->put("during", "from a clock 5 s ahead", At(api::Consistency::ONE));
    FAIL() << "a node whose clock just jumped 5 s ahead coordinated a write";
  } catch (const api::Unavailable& e) {
    EXPECT_NE(e.message.find("clock"), std::string::npos) << e.message;
  }
  const auto refused_after = std::chrono::steady_clock::now() - jumped;
  api::ClusterStatus status;
  node3->status(status);
  EXPECT_TRUE(status.clock_fenced);
  EXPECT_GE(status.fenced_writes, 1);
  // Unavailable meant nothing was written, on any replica.
  api::Entry entry;
  EXPECT_THROW(node3->get(entry, "during", ReadAt(api::Consistency::ONE)), api::NotFound);
  EXPECT_THROW(
      ApiClient(cluster_->node(1).port())->get(entry, "during", ReadAt(api::Consistency::ALL)),
      api::NotFound);

  std::this_thread::sleep_for(4s);  // the fault lasts; heartbeats measure it meanwhile
  offset.Set(0ms);
  const auto back = std::chrono::steady_clock::now();
  int64_t version = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        try {
          version = node3->put("after", "v", At(api::Consistency::QUORUM));
          return true;
        } catch (const api::Unavailable&) {
          return false;
        } catch (const api::TimedOut&) {
          return false;  // peers still measure the old offset until their next heartbeat
        }
      },
      10s));
  const auto fenced_after_back = std::chrono::steady_clock::now() - back;
  // Its stamp is the real time, not the time its clock showed during the jump.
  EXPECT_LE(WallMsOf(version), RealNowMs() + 5);
  std::printf(
      "clock jump +5s for 4s: node refused its first write %.1f ms after the jump; it "
      "coordinated QUORUM writes again %.0f ms after its clock came back\n",
      std::chrono::duration<double, std::milli>(refused_after).count(),
      std::chrono::duration<double, std::milli>(fenced_after_back).count());
  EXPECT_LT(refused_after, 1000ms);
}

TEST_F(ClockFenceTest, ANodeRestartedWithItsClockOffWhileAPeerIsDownFencesItself) {
  // Found by the simulation (seeds 54, 124, 174): node 3 comes back with its
  // clock 5 s ahead while node 2 is down. It measures node 1 off and node 2
  // not at all; counted against all its peers, one of two off was no
  // majority, and it stamped writes 5 s ahead that later writes lost to.
  ClockOffsetFile offset(dir_.Sub("node3-clock-offset"));
  cluster_ = StartWithNode3On(dir_, offset, 500ms);
  ASSERT_TRUE(cluster_);
  cluster_->node(2).Kill();
  cluster_->node(3).Kill();
  offset.Set(5000ms);
  ASSERT_TRUE(cluster_->node(3).Start()) << cluster_->Logs();
  ApiClient node3(cluster_->node(3).port());
  try {
    node3->put("k", "from a clock 5 s ahead", At(api::Consistency::ONE));
    FAIL() << "a node 5 s ahead of the only peer it could measure coordinated a write";
  } catch (const api::Unavailable& e) {
    EXPECT_NE(e.message.find("clock"), std::string::npos) << e.message;
  }
  api::Entry entry;
  EXPECT_THROW(node3->get(entry, "k", ReadAt(api::Consistency::ONE)), api::NotFound);
}

TEST_F(ClockFenceTest, ANodeRestartedAloneTakesNoWritesUntilItMeasuresAPeer) {
  // Found by the simulation (seed 423): restarted while cut off, a node has
  // nobody to measure its clock against; with it 2 s ahead, its writes at
  // ONE later overwrote newer acknowledged ones. Its clock alone cannot
  // vouch for itself: it waits until it and the peers it measured are a
  // majority of the cluster.
  ClockOffsetFile offset(dir_.Sub("node3-clock-offset"));
  cluster_ = StartWithNode3On(dir_, offset, 500ms);
  ASSERT_TRUE(cluster_);
  for (int n : {1, 2, 3}) cluster_->node(n).Kill();
  ASSERT_TRUE(cluster_->node(3).Start()) << cluster_->Logs();
  {
    ApiClient node3(cluster_->node(3).port());
    try {
      node3->put("k", "v", At(api::Consistency::ONE));
      FAIL() << "a node that had measured no peer's clock coordinated a write";
    } catch (const api::Unavailable& e) {
      EXPECT_NE(e.message.find("measured the clocks of 0 of its 2 peers"), std::string::npos)
          << e.message;
    }
  }
  ASSERT_TRUE(cluster_->node(1).Start()) << cluster_->Logs();
  ASSERT_TRUE(WaitFor([&] { return !cluster_->StatusFrom(3).clock_fenced; }, 10s))
      << cluster_->Logs();
  ApiClient node3(cluster_->node(3).port());
  EXPECT_GT(node3->put("k", "v", At(api::Consistency::ONE)), 0);
}

TEST_F(ClockFenceTest, AWriteAppliedOnSomeReplicaIsTimedOutNotUnavailable) {
  // Node 3 runs 2 s ahead and is configured, wrongly, with a max_clock_offset
  // of 5 s, so it does not fence itself; its peers, at 500 ms, refuse its
  // messages. A write it coordinates is stored on node 3 and refused by the
  // others: the outcome is unknown (TimedOut), never Unavailable.
  ClockOffsetFile offset(dir_.Sub("node3-clock-offset"));
  offset.Set(2000ms);
  cluster_ = StartWithNode3On(dir_, offset, 500ms, {"--max_clock_offset", "5s"});
  ASSERT_TRUE(cluster_);
  ApiClient node3(cluster_->node(3).port());
  try {
    node3->put("k", "v", At(api::Consistency::ALL));
    FAIL() << "peers accepted a write from a node whose clock is 2 s ahead";
  } catch (const api::TimedOut& e) {
    EXPECT_EQ(e.acknowledged, 1) << e.message;
    EXPECT_EQ(e.required_acks, 3) << e.message;
    EXPECT_NE(e.message.find("refused"), std::string::npos) << e.message;
  } catch (const api::Unavailable& e) {
    FAIL() << "Unavailable for a write that node 3 applied: " << e.message;
  }
  api::Entry entry;
  node3->get(entry, "k", ReadAt(api::Consistency::ONE));
  EXPECT_EQ(entry.value, "v");  // it was applied: the outcome was unknown, not "nothing"
}

INSTANTIATE_TEST_SUITE_P(Faults, ClockJumpTest, ::testing::ValuesIn(Scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& param) {
                           return std::string(param.param.name);
                         });

}  // namespace
}  // namespace alder::testing
