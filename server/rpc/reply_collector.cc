#include "server/rpc/reply_collector.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace alder {

ReplyCollector::ReplyCollector()
    : wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), thread_([this] { Run(); }) {}

ReplyCollector::~ReplyCollector() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();
  close(wake_fd_);
}

void ReplyCollector::Wake() {
  const uint64_t one = 1;
  // A full counter (never in practice) already means "wake up".
  [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof(one));
}

void ReplyCollector::Add(std::unique_ptr<PendingCall> call,
                         std::chrono::steady_clock::time_point deadline, OnReply on_reply) {
  outstanding_.fetch_add(1);
  {
    MutexLock lock(&mu_);
    incoming_.push_back(Entry{std::move(call), deadline, std::move(on_reply)});
  }
  Wake();
}

size_t ReplyCollector::outstanding() const { return outstanding_.load(); }

void ReplyCollector::Run() {
  std::vector<Entry> entries;
  std::vector<pollfd> fds;
  bool stopping = false;
  while (!stopping || !entries.empty()) {
    {
      MutexLock lock(&mu_);
      for (Entry& e : incoming_) entries.push_back(std::move(e));
      incoming_.clear();
      stopping = stopping_;
    }
    const auto now = std::chrono::steady_clock::now();
    // Calls past their deadline, or all of them when stopping, time out.
    for (size_t i = entries.size(); i-- > 0;) {
      if (stopping || entries[i].deadline <= now) {
        Entry e = std::move(entries[i]);
        entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
        e.call.reset();  // closes the connection: its reply may never come
        e.on_reply(nullptr);
        outstanding_.fetch_sub(1);
      }
    }
    if (stopping) break;

    fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
    auto next_deadline = now + std::chrono::seconds(1);
    for (const Entry& e : entries) {
      fds.push_back(pollfd{e.call->fd(), POLLIN, 0});
      next_deadline = std::min(next_deadline, e.deadline);
    }
    const auto wait_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_deadline - now).count() + 1;
    const int ready = poll(fds.data(), fds.size(), static_cast<int>(wait_ms));
    if (ready <= 0) continue;  // timeout or EINTR: deadlines are checked above
    if (fds[0].revents != 0) {
      uint64_t drained = 0;
      [[maybe_unused]] const ssize_t n = read(wake_fd_, &drained, sizeof(drained));
    }
    for (size_t i = fds.size() - 1; i >= 1; --i) {
      if (fds[i].revents == 0) continue;
      Entry e = std::move(entries[i - 1]);
      entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i - 1));
      e.on_reply(e.call.get());
      outstanding_.fetch_sub(1);
    }
  }
}

}  // namespace alder
