// A disk that stops syncing, in a real alderd: the log sync seam
// (ALDER_FAULT_LOG_SYNC_FAILS_AFTER, server/common/fault_injection.h) makes
// every fdatasync of the log fail after a few. alderd must stop at the first
// failure without acknowledging the write it covered, and every write it did
// acknowledge must be readable after a restart on a healthy disk.
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "test/support/alderd_process.h"
#include "test/support/temp_dir.h"

namespace alder {
namespace {

using testing::AlderdProcess;
using testing::ApiClient;

constexpr int kSyncsThatPass = 20;
constexpr int kMaxPuts = 1000;  // bounds the loop if the fault never fires

TEST(LogSyncFailure, StopsBeforeAcknowledgingAndLosesNoAcknowledgedWrite) {
  testing::TempDir dir;
  AlderdProcess failing(
      dir.Sub("node"), {"--durability", "fsync"},
      {"env", "ALDER_FAULT_LOG_SYNC_FAILS_AFTER=" + std::to_string(kSyncsThatPass)});
  ASSERT_TRUE(failing.Start()) << failing.ReadLog();
  std::vector<std::string> acknowledged;
  {
    ApiClient client(failing.port());
    try {
      for (int i = 0; i < kMaxPuts; ++i) {
        const std::string key = "k" + std::to_string(i);
        client->put(key, "value of " + key, api::WriteOptions());
        acknowledged.push_back(key);
      }
    } catch (const apache::thrift::TException&) {
      // The connection dropped: alderd stopped on the failed sync.
    }
  }
  EXPECT_EQ(failing.WaitForExit(std::chrono::seconds(10)), 128 + SIGABRT) << failing.ReadLog();
  const std::string log = failing.ReadLog();
  EXPECT_NE(log.find("injected failure"), std::string::npos) << log;
  EXPECT_NE(log.find("stopping so that no write is acknowledged"), std::string::npos) << log;
  ASSERT_FALSE(acknowledged.empty()) << log;
  ASSERT_LE(acknowledged.size(), static_cast<size_t>(kSyncsThatPass)) << log;

  AlderdProcess healthy(dir.Sub("node"), {"--durability", "fsync"});
  ASSERT_TRUE(healthy.Start()) << healthy.ReadLog();
  ApiClient client(healthy.port());
  for (const std::string& key : acknowledged) {
    api::Entry entry;
    client->get(entry, key, api::ReadOptions());
    EXPECT_EQ(entry.value, "value of " + key) << key;
  }
}

}  // namespace
}  // namespace alder
