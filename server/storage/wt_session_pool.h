// Per-thread WiredTiger sessions (DESIGN.md section 6: sessions and cursors
// are per thread, never per request).
//
// Each thread that touches storage leases one session, with its cursors
// opened once, for as long as the thread lives; when the thread exits the
// session goes back to the pool for the next thread. Threads come and go with
// client connections, so sessions are reused rather than leaked past
// WiredTiger's session_max.
//
// Thread-safe. The pool must be closed (Close()) before the WT_CONNECTION is;
// leases held by threads that outlive the pool become inert.
#ifndef ALDER_SERVER_STORAGE_WT_SESSION_POOL_H_
#define ALDER_SERVER_STORAGE_WT_SESSION_POOL_H_

#include <wiredtiger.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/common/status.h"

namespace alder {

// One WiredTiger session and the cursors Alder keeps open on it.
struct ThreadSession {
  WT_SESSION* session = nullptr;
  WT_CURSOR* data = nullptr;   // key -> StoredRecord
  WT_CURSOR* index = nullptr;  // hash ++ key -> index entry
};

class WtSessionPool {
 public:
  // `conn` must outlive the pool's Close(). `tables` are the URIs opened as
  // ThreadSession::data and ::index.
  WtSessionPool(WT_CONNECTION* conn, std::string data_uri, std::string index_uri);
  ~WtSessionPool();
  WtSessionPool(const WtSessionPool&) = delete;
  WtSessionPool& operator=(const WtSessionPool&) = delete;

  // The calling thread's session, opened on first use. The returned object is
  // owned by the pool and valid until the thread exits or Close() is called.
  Result<ThreadSession*> ForThisThread();

  // Marks the pool closed. Sessions are not closed here: closing the
  // WT_CONNECTION closes them all. REQUIRES: no thread uses a session anymore.
  void Close();

  // Sessions opened so far (leased plus idle).
  size_t sessions_opened() const;

 private:
  struct Shared;  // state that outlives the pool for threads still holding leases
  class Lease;

  const uint64_t pool_id_;
  std::shared_ptr<Shared> shared_;
};

// Translates a WiredTiger return code into a Status ("<what>: <wt message>").
Status WtStatus(int ret, const std::string& what);

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_WT_SESSION_POOL_H_
