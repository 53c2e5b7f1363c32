// A WiredTiger transaction scoped to a C++ block: every early return between
// Begin() and Commit() rolls it back, so no path can leave the session inside
// a transaction (the next begin_transaction on it would fail).
//
// Contract:
//   - Begin() starts the transaction and returns WiredTiger's code (0 on
//     success). A failed Begin leaves nothing to roll back.
//   - Commit() returns WiredTiger's code, and the guard has nothing left to
//     do: a commit that fails is rolled back by WiredTiger. Call it only
//     after every operation of the transaction succeeded and with a valid
//     configuration: WiredTiger 3.2 rejects a bad configuration, or a
//     transaction with a failed operation, without rolling back.
//   - Otherwise the destructor rolls back a transaction Begin() started.
// Not thread-safe, like the session it uses: one thread at a time.
#ifndef ALDER_SERVER_STORAGE_WT_TRANSACTION_H_
#define ALDER_SERVER_STORAGE_WT_TRANSACTION_H_

#include <wiredtiger.h>

namespace alder {

class TransactionGuard {
 public:
  // `session` must outlive the guard.
  explicit TransactionGuard(WT_SESSION* session) : session_(session) {}
  ~TransactionGuard() {
    if (active_) session_->rollback_transaction(session_, nullptr);
  }
  TransactionGuard(const TransactionGuard&) = delete;
  TransactionGuard& operator=(const TransactionGuard&) = delete;

  int Begin() {
    const int ret = session_->begin_transaction(session_, nullptr);
    active_ = ret == 0;
    return ret;
  }

  // `config` is commit_transaction's (e.g. "sync=on"); null for the
  // connection's default.
  int Commit(const char* config = nullptr) {
    active_ = false;
    return session_->commit_transaction(session_, config);
  }

 private:
  WT_SESSION* const session_;
  bool active_ = false;
};

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_WT_TRANSACTION_H_
