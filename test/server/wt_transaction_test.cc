// TransactionGuard's contract against a real WiredTiger database.
#include "server/storage/wt_transaction.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <optional>
#include <string>

#include "test/support/temp_dir.h"

namespace alder {
namespace {

constexpr const char* kTable = "table:t";

class TransactionGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(wiredtiger_open(dir_.path().c_str(), nullptr, "create", &conn_), 0);
    ASSERT_EQ(conn_->open_session(conn_, nullptr, nullptr, &session_), 0);
    ASSERT_EQ(session_->create(session_, kTable, "key_format=S,value_format=S"), 0);
    ASSERT_EQ(session_->open_cursor(session_, kTable, nullptr, nullptr, &cursor_), 0);
  }
  void TearDown() override {
    if (conn_ != nullptr) conn_->close(conn_, nullptr);
  }

  int Put(const char* key, const char* value) {
    cursor_->set_key(cursor_, key);
    cursor_->set_value(cursor_, value);
    return cursor_->insert(cursor_);
  }
  std::optional<std::string> Get(const char* key) {
    cursor_->set_key(cursor_, key);
    std::optional<std::string> found;
    const char* value = nullptr;
    if (cursor_->search(cursor_) == 0 && cursor_->get_value(cursor_, &value) == 0) found = value;
    cursor_->reset(cursor_);
    return found;
  }

  testing::TempDir dir_;
  WT_CONNECTION* conn_ = nullptr;
  WT_SESSION* session_ = nullptr;
  WT_CURSOR* cursor_ = nullptr;
};

TEST_F(TransactionGuardTest, CommitKeepsTheWrites) {
  {
    TransactionGuard txn(session_);
    ASSERT_EQ(txn.Begin(), 0);
    ASSERT_EQ(Put("k", "v"), 0);
    ASSERT_EQ(txn.Commit(), 0);
  }
  EXPECT_EQ(Get("k"), "v");
}

TEST_F(TransactionGuardTest, LeavingTheScopeUncommittedRollsBack) {
  {
    TransactionGuard txn(session_);
    ASSERT_EQ(txn.Begin(), 0);
    ASSERT_EQ(Put("k", "v"), 0);
  }
  EXPECT_EQ(Get("k"), std::nullopt);
  // The session is out of the transaction: a new one can begin.
  TransactionGuard next(session_);
  EXPECT_EQ(next.Begin(), 0);
}

// The configuration reaches WiredTiger, which rejects a bad one before it
// commits or rolls back (the caveat in the header): the transaction is still
// running, and the caller would have to roll it back.
TEST_F(TransactionGuardTest, ABadCommitConfigurationIsRejectedWithoutARollback) {
  TransactionGuard txn(session_);
  ASSERT_EQ(txn.Begin(), 0);
  ASSERT_EQ(Put("k", "v"), 0);
  EXPECT_EQ(txn.Commit("sync=sometimes"), EINVAL);
  EXPECT_EQ(session_->rollback_transaction(session_, nullptr), 0);  // it was still running
  EXPECT_EQ(Get("k"), std::nullopt);
}

// The write path's use: a write conflict fails the statement, and leaving
// the scope rolls back so that the session can retry.
TEST_F(TransactionGuardTest, AConflictedTransactionIsRolledBackForTheRetry) {
  WT_SESSION* other = nullptr;
  WT_CURSOR* other_cursor = nullptr;
  ASSERT_EQ(conn_->open_session(conn_, nullptr, "isolation=snapshot", &other), 0);
  ASSERT_EQ(other->open_cursor(other, kTable, nullptr, nullptr, &other_cursor), 0);
  TransactionGuard first(session_);
  ASSERT_EQ(first.Begin(), 0);
  ASSERT_EQ(Put("k", "first"), 0);
  {
    TransactionGuard second(other);
    ASSERT_EQ(second.Begin(), 0);
    other_cursor->set_key(other_cursor, "k");
    other_cursor->set_value(other_cursor, "second");
    EXPECT_EQ(other_cursor->insert(other_cursor), WT_ROLLBACK);
  }
  ASSERT_EQ(first.Commit(), 0);
  TransactionGuard retry(other);
  ASSERT_EQ(retry.Begin(), 0);  // the conflicted transaction is gone
  other_cursor->set_key(other_cursor, "k");
  other_cursor->set_value(other_cursor, "second");
  EXPECT_EQ(other_cursor->insert(other_cursor), 0);
  EXPECT_EQ(retry.Commit(), 0);
  EXPECT_EQ(Get("k"), "second");
}

}  // namespace
}  // namespace alder
