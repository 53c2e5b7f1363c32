#include "server/storage/log_file_syncer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test/support/temp_dir.h"

namespace alder {
namespace {

void Touch(const std::string& path) { std::ofstream(path) << "log"; }

TEST(LogFileSyncer, FollowsWiredTigerLogFilesUpwards) {
  testing::TempDir dir;
  Touch(dir.Sub("WiredTigerLog.0000000003"));
  Touch(dir.Sub("WiredTigerLog.0000000002"));
  Touch(dir.Sub("WiredTigerPreplog.0000000009"));  // not a log file yet
  LogFileSyncer syncer(dir.path().string());
  ASSERT_TRUE(syncer.Sync().ok());
  EXPECT_EQ(syncer.current_file(), 3u);
  Touch(dir.Sub("WiredTigerLog.0000000004"));
  Touch(dir.Sub("WiredTigerLog.0000000005"));
  ASSERT_TRUE(syncer.Sync().ok());
  EXPECT_EQ(syncer.current_file(), 5u);
}

TEST(LogFileSyncer, ReportsADirectoryWithoutALog) {
  testing::TempDir dir;
  LogFileSyncer syncer(dir.path().string());
  const Status s = syncer.Sync();
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("no WiredTiger log file"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace alder
