// ReplyCollector: finishes replica calls whose replies the coordinator no
// longer waits for (it answered the client once the consistency level was
// met), so that their connections go back to the pool and failures still
// leave hints.
//
// One thread polls every outstanding call's socket at once and finishes each
// as its reply arrives; a call still unanswered at its deadline is dropped
// (its connection closed) and reported as timed out. One thread and one
// poll() for all of them: handing each leftover call to a worker thread cost
// a context switch per write and, under load, queued calls (and their open
// connections) faster than the workers finished them.
//
// Thread-safe. The destructor reports every call still outstanding as timed
// out and joins the thread.
#ifndef ALDER_SERVER_RPC_REPLY_COLLECTOR_H_
#define ALDER_SERVER_RPC_REPLY_COLLECTOR_H_

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "server/common/thread_annotations.h"
#include "server/rpc/peer_connections.h"

namespace alder {

class ReplyCollector {
 public:
  // Called once per call on the collector's thread: with the call when its
  // reply is readable (the callback runs Finish), or with nullptr when the
  // deadline passed first (the call was dropped).
  using OnReply = std::function<void(PendingCall* call)>;

  ReplyCollector();
  ~ReplyCollector();
  ReplyCollector(const ReplyCollector&) = delete;
  ReplyCollector& operator=(const ReplyCollector&) = delete;

  void Add(std::unique_ptr<PendingCall> call, std::chrono::steady_clock::time_point deadline,
           OnReply on_reply);

  size_t outstanding() const;

 private:
  struct Entry {
    std::unique_ptr<PendingCall> call;
    std::chrono::steady_clock::time_point deadline;
    OnReply on_reply;
  };
  void Run();
  void Wake();

  const int wake_fd_;  // eventfd: Add() and the destructor wake the poll
  mutable Mutex mu_;
  std::vector<Entry> incoming_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::atomic<size_t> outstanding_{0};
  std::thread thread_;
};

}  // namespace alder

#endif  // ALDER_SERVER_RPC_REPLY_COLLECTOR_H_
