#include "server/rpc/replica_round.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>

namespace alder {
namespace {

// Waits until at least one of `calls` has its reply readable, or `deadline`.
// Returns the indices of the readable ones (empty on timeout). A socket in
// error counts as readable: Finish() then reports the error.
std::vector<size_t> WaitForReplies(const std::vector<PendingCall*>& calls,
                                   std::chrono::steady_clock::time_point deadline) {
  std::vector<pollfd> fds;
  for (PendingCall* call : calls) fds.push_back(pollfd{call->fd(), POLLIN, 0});
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  const int timeout_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
  int ready = 0;
  do {
    ready = poll(fds.data(), fds.size(), timeout_ms);
  } while (ready < 0 && errno == EINTR);
  std::vector<size_t> out;
  for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
    if (fds[i].revents != 0) out.push_back(i);
  }
  return out;
}

}  // namespace

void ReplicaRound::Add(uint32_t node, std::unique_ptr<PendingCall> call) {
  calls_.push_back(InFlight{node, std::move(call)});
}

bool ReplicaRound::AwaitReplies(Clock::time_point until, const OnReply& on_reply) {
  if (calls_.empty()) return false;
  std::vector<PendingCall*> calls;
  for (const InFlight& f : calls_) calls.push_back(f.call.get());
  const std::vector<size_t> ready = WaitForReplies(calls, std::min(until, deadline_));
  // From the last index down, so that taking one out keeps the others' places
  // (and calls on_reply adds go after all of them).
  for (auto it = ready.rbegin(); it != ready.rend(); ++it) {
    InFlight answered = std::move(calls_[*it]);
    calls_.erase(calls_.begin() + static_cast<std::ptrdiff_t>(*it));
    on_reply(answered.node, *answered.call);
  }
  return !ready.empty();
}

void ReplicaRound::HandOff(ReplyCollector* collector, const OnLateReply& late) {
  handed_off_ = handed_off_ || !calls_.empty();
  for (InFlight& f : calls_) collector->Add(std::move(f.call), deadline_, late(f.node));
  calls_.clear();
}

}  // namespace alder
