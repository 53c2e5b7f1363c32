// Group commit's failure policy against a real WiredTiger log: a failed log
// sync (injected through the LogSync seam in front of the real fdatasync)
// stops the process before any write it covers is acknowledged.
#include "server/storage/group_commit.h"

#include <gtest/gtest.h>

#include <csignal>
#include <memory>

#include "server/storage/failing_log_sync.h"
#include "server/storage/log_file_syncer.h"
#include "test/support/temp_dir.h"

namespace alder {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");  // WiredTiger runs threads
    ASSERT_EQ(wiredtiger_open(dir_.path().c_str(), nullptr, "create,log=(enabled=true)", &conn_),
              0);
    ASSERT_EQ(conn_->open_session(conn_, nullptr, nullptr, &session_), 0);
    ASSERT_EQ(conn_->open_session(conn_, nullptr, nullptr, &flush_session_), 0);
    ASSERT_EQ(session_->create(session_, "table:t", "key_format=S,value_format=S"), 0);
  }
  void TearDown() override {
    if (conn_ != nullptr) conn_->close(conn_, nullptr);
  }

  // A group commit whose log syncs pass `successes` times, then fail.
  std::unique_ptr<GroupCommit> Make(Durability durability, uint64_t successes) {
    auto real = std::make_unique<LogFileSyncer>(dir_.path().string());
    return std::make_unique<GroupCommit>(
        flush_session_, durability, std::make_unique<FailingLogSync>(std::move(real), successes));
  }

  // Commits one put without syncing, as WtStorage does before WaitDurable.
  void CommitPut(const char* key) {
    WT_CURSOR* cursor = nullptr;
    ASSERT_EQ(session_->open_cursor(session_, "table:t", nullptr, nullptr, &cursor), 0);
    ASSERT_EQ(session_->begin_transaction(session_, nullptr), 0);
    cursor->set_key(cursor, key);
    cursor->set_value(cursor, "v");
    ASSERT_EQ(cursor->insert(cursor), 0);
    ASSERT_EQ(session_->commit_transaction(session_, "sync=off"), 0);
    ASSERT_EQ(cursor->close(cursor), 0);
  }

  testing::TempDir dir_;
  WT_CONNECTION* conn_ = nullptr;
  WT_SESSION* session_ = nullptr;
  WT_SESSION* flush_session_ = nullptr;
};

TEST_F(GroupCommitTest, AcknowledgesWhileTheLogSyncs) {
  auto group = Make(Durability::kFsync, 2);
  CommitPut("a");
  group->WaitDurable();
  CommitPut("b");
  group->WaitDurable();
  EXPECT_EQ(group->flushes(), 2u);
  EXPECT_EQ(group->commits_covered(), 2u);
}

TEST_F(GroupCommitTest, AFailedLogSyncStopsTheProcessBeforeAcknowledging) {
  EXPECT_EXIT(
      {
        auto group = Make(Durability::kFsync, 1);
        CommitPut("a");
        group->WaitDurable();  // the one sync that passes
        CommitPut("b");
        group->WaitDurable();  // fails: must not return
        std::exit(0);          // an acknowledgement: the test fails
      },
      ::testing::KilledBySignal(SIGABRT), "");
}

TEST_F(GroupCommitTest, ProcessDurabilityNeverSyncsTheLog) {
  auto group = Make(Durability::kProcess, 0);  // any sync would fail
  CommitPut("a");
  group->WaitDurable();
  EXPECT_EQ(group->flushes(), 1u);
}

}  // namespace
}  // namespace alder
