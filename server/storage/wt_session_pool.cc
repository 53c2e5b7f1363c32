// Leases are found through a thread_local map keyed by a pool id that is never
// reused, so a thread that used an earlier (closed) pool cannot confuse it with
// a new one. The map's destructor, run at thread exit, hands each session back
// to its pool unless that pool was closed meanwhile.
#include "server/storage/wt_session_pool.h"

#include <atomic>
#include <unordered_map>

#include "server/common/thread_annotations.h"

namespace alder {

struct WtSessionPool::Shared {
  Mutex mu;
  bool closed GUARDED_BY(mu) = false;
  WT_CONNECTION* conn = nullptr;
  std::string data_uri;
  std::string index_uri;
  std::vector<std::unique_ptr<ThreadSession>> all GUARDED_BY(mu);
  std::vector<ThreadSession*> idle GUARDED_BY(mu);
};

class WtSessionPool::Lease {
 public:
  Lease(std::shared_ptr<Shared> shared, ThreadSession* session)
      : shared_(std::move(shared)), session_(session) {}
  Lease(Lease&& other) noexcept
      : shared_(std::move(other.shared_)), session_(std::exchange(other.session_, nullptr)) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() {
    if (session_ == nullptr || shared_ == nullptr) return;
    MutexLock lock(&shared_->mu);
    if (shared_->closed) return;  // the connection closed (or will close) it
    session_->data->reset(session_->data);
    session_->index->reset(session_->index);
    shared_->idle.push_back(session_);
  }
  ThreadSession* session() const { return session_; }

 private:
  std::shared_ptr<Shared> shared_;
  ThreadSession* session_;
};

namespace {
std::atomic<uint64_t> next_pool_id{1};
}  // namespace

Status WtStatus(int ret, const std::string& what) {
  if (ret == 0) return Status::Ok();
  return Status::IoError(what + ": " + wiredtiger_strerror(ret));
}

WtSessionPool::WtSessionPool(WT_CONNECTION* conn, std::string data_uri, std::string index_uri)
    : pool_id_(next_pool_id.fetch_add(1)), shared_(std::make_shared<Shared>()) {
  shared_->conn = conn;
  shared_->data_uri = std::move(data_uri);
  shared_->index_uri = std::move(index_uri);
}

WtSessionPool::~WtSessionPool() { Close(); }

void WtSessionPool::Close() {
  MutexLock lock(&shared_->mu);
  shared_->closed = true;
  shared_->idle.clear();
}

size_t WtSessionPool::sessions_opened() const {
  MutexLock lock(&shared_->mu);
  return shared_->all.size();
}

Result<ThreadSession*> WtSessionPool::ForThisThread() {
  thread_local std::unordered_map<uint64_t, Lease> leases;
  if (auto it = leases.find(pool_id_); it != leases.end()) return it->second.session();

  MutexLock lock(&shared_->mu);
  if (shared_->closed) return Status::ShuttingDown("storage is closed");
  ThreadSession* ts = nullptr;
  if (!shared_->idle.empty()) {
    ts = shared_->idle.back();
    shared_->idle.pop_back();
  } else {
    auto fresh = std::make_unique<ThreadSession>();
    int ret =
        shared_->conn->open_session(shared_->conn, nullptr, "isolation=snapshot", &fresh->session);
    if (ret != 0) return WtStatus(ret, "open WiredTiger session");
    ret = fresh->session->open_cursor(fresh->session, shared_->data_uri.c_str(), nullptr, nullptr,
                                      &fresh->data);
    if (ret == 0) {
      ret = fresh->session->open_cursor(fresh->session, shared_->index_uri.c_str(), nullptr,
                                        nullptr, &fresh->index);
    }
    if (ret != 0) {
      fresh->session->close(fresh->session, nullptr);
      return WtStatus(ret, "open WiredTiger cursor");
    }
    ts = fresh.get();
    shared_->all.push_back(std::move(fresh));
  }
  leases.emplace(pool_id_, Lease(shared_, ts));
  return ts;
}

}  // namespace alder
