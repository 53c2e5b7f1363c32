#include "server/rpc/polling_round.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "clock/physical_clock.h"

namespace alder {
namespace {

// Waits until at least one of `calls` has its reply readable, or `deadline`.
// Returns the indices of the readable ones (empty on timeout). A socket in
// error counts as readable: Finish() then reports the error.
std::vector<size_t> WaitForReplies(const std::vector<PendingCall*>& calls,
                                   std::chrono::microseconds deadline) {
  std::vector<pollfd> fds;
  for (PendingCall* call : calls) fds.push_back(pollfd{call->fd(), POLLIN, 0});
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::SteadyClock().Now());
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

void PollingRound::Add(uint32_t node, std::unique_ptr<ReplicaCall> call) {
  calls_.push_back(
      InFlight{node, std::unique_ptr<PendingCall>(static_cast<PendingCall*>(call.release()))});
}

bool PollingRound::AwaitReplies(std::chrono::microseconds until, const OnReply& on_reply) {
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

void PollingRound::HandOff(const OnLateReply& late) {
  handed_off_ = handed_off_ || !calls_.empty();
  for (InFlight& f : calls_) {
    const auto deadline = std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline_));
    std::function<void(ReplicaCall*)> finish = late(f.node);
    collector_->Add(std::move(f.call), deadline,
                    [finish = std::move(finish)](PendingCall* call) { finish(call); });
  }
  calls_.clear();
}

}  // namespace alder
