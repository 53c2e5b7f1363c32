// alderd as an operator meets it: clean shutdown on SIGTERM, restarts, a
// clock set back across a restart, and the refusals that protect data.
#include <gtest/gtest.h>

#include "test/support/alderd_process.h"
#include "test/support/run_program.h"
#include "test/support/temp_dir.h"

namespace alder {
namespace {

using testing::AlderdProcess;
using testing::ApiClient;

std::string GetValue(uint16_t port, const std::string& key) {
  ApiClient client(port);
  api::Entry entry;
  client->get(entry, key, api::ReadOptions());
  return entry.value;
}

TEST(Lifecycle, SigtermStopsCleanlyAndEverythingSurvivesARestart) {
  testing::TempDir dir;
  AlderdProcess node(dir.Sub("node"));
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  {
    ApiClient client(node.port());
    for (int i = 0; i < 100; ++i) client->put("k" + std::to_string(i), "v" + std::to_string(i), {});
    client->remove("k7", {});
  }
  EXPECT_EQ(node.Terminate(), 0);
  EXPECT_NE(node.ReadLog().find("stopped cleanly"), std::string::npos) << node.ReadLog();
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  for (int i = 0; i < 100; ++i) {
    if (i == 7) continue;
    EXPECT_EQ(GetValue(node.port(), "k" + std::to_string(i)), "v" + std::to_string(i));
  }
  EXPECT_THROW(GetValue(node.port(), "k7"), api::NotFound);
}

TEST(Lifecycle, SigtermLetsARequestInFlightFinish) {
  testing::TempDir dir;
  AlderdProcess node(dir.Sub("node"));
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  ApiClient client(node.port());
  client->put("before", "v", {});
  std::thread stopper([&] { EXPECT_EQ(node.Terminate(), 0); });
  // The connection is open; a request sent now is either served before the
  // server stops or refused by a closed connection, never half-done.
  try {
    client->put("during", std::string(1 << 20, 'x'), {});
  } catch (const apache::thrift::transport::TTransportException&) {
  }
  stopper.join();
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  EXPECT_EQ(GetValue(node.port(), "before"), "v");
}

TEST(Lifecycle, ARestartWithTheClockSetBackAnHourNeverReissuesAVersion) {
  testing::TempDir dir;
  AlderdProcess node(dir.Sub("node"));
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  int64_t last_before = 0;
  {
    ApiClient client(node.port());
    for (int i = 0; i < 50; ++i) last_before = client->put("k", std::to_string(i), {});
  }
  ASSERT_EQ(node.Terminate(), 0);

  // libfaketime preloaded through env (which execs), so the pid is alderd's
  // own. In sanitizer builds ASan must be told that a preload before it is fine.
  AlderdProcess behind(dir.Sub("node"), {},
                       {"env", "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                        "FAKETIME=-1h", "ASAN_OPTIONS=verify_asan_link_order=0"});
  ASSERT_TRUE(behind.Start()) << behind.ReadLog();
  ApiClient client(behind.port());
  int64_t previous = last_before;
  for (int i = 0; i < 50; ++i) {
    const int64_t version = client->put("k", "after" + std::to_string(i), {});
    EXPECT_GT(version, previous) << "write " << i << " after the restart";
    previous = version;
  }
  // The newest write is what a read returns, though its wall clock reads an hour earlier.
  api::Entry entry;
  client->get(entry, "k", {});
  EXPECT_EQ(entry.value, "after49");
  EXPECT_EQ(behind.Terminate(), 0);
}

TEST(Lifecycle, RefusesADataDirectoryThatBelongsToAnotherNode) {
  testing::TempDir dir;
  AlderdProcess node(dir.Sub("node"), {"--node_id", "1"});
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  ASSERT_EQ(node.Terminate(), 0);
  AlderdProcess impostor(dir.Sub("node"), {"--node_id", "2", "--peers", "2@127.0.0.1:7799"});
  EXPECT_FALSE(impostor.Start(std::chrono::seconds(10)));
  EXPECT_NE(impostor.ReadLog().find("node_id = 1"), std::string::npos) << impostor.ReadLog();
}

TEST(Lifecycle, RefusesAChangedPartitionCount) {
  testing::TempDir dir;
  AlderdProcess node(dir.Sub("node"), {"--partitions", "256"});
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  ASSERT_EQ(node.Terminate(), 0);
  AlderdProcess changed(dir.Sub("node"), {"--partitions", "512"});
  EXPECT_FALSE(changed.Start(std::chrono::seconds(10)));
  EXPECT_NE(changed.ReadLog().find("partitions"), std::string::npos) << changed.ReadLog();
}

TEST(Lifecycle, ReportsAnAddressInUseAndExitsNonZero) {
  testing::TempDir dir;
  AlderdProcess first(dir.Sub("a"));
  ASSERT_TRUE(first.Start()) << first.ReadLog();
  AlderdProcess second(dir.Sub("b"));
  const int code = second.RunToExit(
      {"--data_dir", dir.Sub("b"), "--listen", "127.0.0.1:" + std::to_string(first.port())});
  EXPECT_NE(code, 0);
  EXPECT_NE(second.ReadLog().find("cannot serve clients"), std::string::npos) << second.ReadLog();
}

TEST(Lifecycle, BadConfigurationIsOneClearLineAndExitCodeTwo) {
  testing::TempDir dir;
  AlderdProcess node(dir.Sub("node"));
  EXPECT_EQ(node.RunToExit({"--gc_grace", "forever"}), 2);
  const std::string log = node.ReadLog();
  EXPECT_NE(log.find("alderd: gc_grace = 'forever' is not a duration"), std::string::npos) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
}

// Under systemd (JOURNAL_STREAM set) each line starts with its syslog
// priority for journald and carries no timestamp of its own.
TEST(Lifecycle, LogsForTheJournalUnderSystemd) {
  testing::TempDir dir;
  AlderdProcess node(dir.Sub("node"), {},
                     {"env", "JOURNAL_STREAM=9:42", "ALDER_FAULT_REPLICA_WRITE_FAILURES=1"});
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  EXPECT_EQ(node.Terminate(), 0);
  const std::string log = node.ReadLog();
  EXPECT_NE(log.find("<6>info [node 1] node 1 serving clients on"), std::string::npos) << log;
  EXPECT_NE(log.find("<4>warning [node 1] test seam"), std::string::npos) << log;
  EXPECT_NE(log.find("<6>info [node 1] stopped cleanly\n"), std::string::npos) << log;
  for (const std::string& line : testing::SplitLines(log)) {
    EXPECT_EQ(line.rfind('<', 0), 0u) << "a line without a priority: " << line;
  }
}

}  // namespace
}  // namespace alder
