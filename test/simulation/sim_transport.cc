// Every call is a request and an answer, each a message on the SimNetwork:
// Deliver() sends the request, serves it in a fiber of the receiver and
// sends the answer back to a callback. Sync calls block their fiber on the
// answer or their timeout; split-phase calls keep the answer in a Pending a
// round waits on.
#include "test/simulation/sim_transport.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace alder::sim {
namespace {

// An error from a service as the wire brings it back: a refusal.
Status Wire(Status status) {
  if (status.ok()) return status;
  return Status::RefusedFor(status.refusal().value_or(Status::Refusal::kStorage), status.message());
}
template <typename T>
Result<T> Wire(Result<T> result) {
  if (result.ok()) return result;
  return Wire(result.status());
}

}  // namespace

struct SimTransport::Pending {
  bool answered = false;
  Status status;                    // a write's answer, or why a read failed
  std::optional<Record> record;     // a read's answer
  uint64_t waiter = 0;              // the fiber waiting on it, if any
  std::function<void()> on_answer;  // set once handed off
};

class SimTransport::PendingCall final : public ReplicaCall {
 public:
  std::shared_ptr<Pending> pending = std::make_shared<Pending>();
};

struct SimTransport::HandedOff {
  std::shared_ptr<ReplicaCall> call;
  std::function<void(ReplicaCall*)> finish;
};

namespace {

void Store(SimTransport::Pending* pending, Status status) { pending->status = std::move(status); }
void Store(SimTransport::Pending* pending, Result<std::optional<Record>> result) {
  if (result.ok()) {
    pending->record = std::move(result).value();
  } else {
    pending->status = result.status();
  }
}

}  // namespace

// A round's calls, waited on by the request's fiber.
class SimRound final : public ReplicaRound {
 public:
  SimRound(SimTransport* transport, Scheduler* scheduler, const SimNetwork* network, uint32_t self,
           std::chrono::microseconds deadline)
      : transport_(transport),
        scheduler_(scheduler),
        network_(network),
        self_(self),
        deadline_(deadline) {}

  std::chrono::microseconds deadline() const override { return deadline_; }
  size_t in_flight() const override { return calls_.size(); }
  bool all_answered() const override { return calls_.empty() && !handed_off_; }
  void Add(uint32_t node, std::unique_ptr<ReplicaCall> call) override {
    calls_.emplace_back(node, std::move(call));
  }

  bool AwaitReplies(std::chrono::microseconds until, const OnReply& on_reply) override {
    until = std::min(until, deadline_);
    for (;;) {
      std::vector<std::pair<uint32_t, std::unique_ptr<ReplicaCall>>> answered;
      for (auto it = calls_.begin(); it != calls_.end();) {
        if (PendingOf(*it->second).answered) {
          answered.push_back(std::move(*it));
          it = calls_.erase(it);
        } else {
          ++it;
        }
      }
      for (auto& [node, call] : answered) on_reply(node, *call);
      if (!answered.empty()) return true;
      if (calls_.empty() || transport_->Now() >= until || !network_->Up(self_)) return false;
      for (auto& [node, call] : calls_) PendingOf(*call).waiter = scheduler_->current_id();
      scheduler_->Block(scheduler_->Now() + (until - transport_->Now()));
    }
  }

  void HandOff(const OnLateReply& late) override {
    for (auto& [node, call] : calls_) {
      handed_off_ = true;
      transport_->HandOff(std::move(call), late(node), deadline_);
    }
    calls_.clear();
  }

 private:
  static SimTransport::Pending& PendingOf(ReplicaCall& call) {
    return *static_cast<SimTransport::PendingCall&>(call).pending;
  }

  SimTransport* const transport_;
  Scheduler* const scheduler_;
  const SimNetwork* const network_;
  const uint32_t self_;
  const std::chrono::microseconds deadline_;
  std::vector<std::pair<uint32_t, std::unique_ptr<ReplicaCall>>> calls_;
  bool handed_off_ = false;
};

SimTransport::SimTransport(Scheduler* scheduler, SimNetwork* network, uint32_t self,
                           HeaderSource header, std::chrono::microseconds timeout)
    : scheduler_(scheduler),
      network_(network),
      self_(self),
      header_(std::move(header)),
      timeout_(timeout) {}

SimTransport::~SimTransport() = default;

std::chrono::microseconds SimTransport::Now() const {
  return scheduler_->Now() + std::chrono::seconds(1);
}

// Sends a request to `node`, serves it there and sends `answer` its result.
// A request or answer that is lost, or crosses a cut link, is never
// answered; a node that is down refuses the connection.
template <typename T>
void Deliver(Scheduler* scheduler, SimNetwork* network, uint32_t from, uint32_t node,
             MessageHeader header, const std::string& what, bool may_duplicate,
             std::function<T(const Endpoint&, const MessageHeader&)> serve,
             std::function<void(T)> answer) {
  scheduler->trace().Add(scheduler->Now().count(), fmt::format("{} {}>{}", what, from, node));
  if (!network->Up(node)) {
    scheduler->At(scheduler->Now() + network->Delay(), [answer, node] {
      answer(T(Status::Unavailable(fmt::format("node {} refused the connection", node))));
    });
    return;
  }
  if (!network->Linked(from, node) || network->Dropped()) return;
  const int copies = may_duplicate && network->Duplicated() ? 2 : 1;
  for (int copy = 0; copy < copies; ++copy) {
    scheduler->At(scheduler->Now() + network->Delay(), [=] {
      if (!network->Up(node)) return;  // it crashed meanwhile: the connection is gone
      scheduler->Spawn(node, what, [=] {
        if (!network->Up(node)) return;  // crashed before this fiber began
        T result = Wire(serve(network->endpoint(node), header));
        if (copy > 0 || !network->Up(node)) return;
        if (!network->Linked(node, from) || network->Dropped()) return;
        scheduler->At(scheduler->Now() + network->Delay(),
                      [answer, result = std::move(result)] { answer(result); });
      });
    });
  }
}

template <typename T>
T SimTransport::Call(uint32_t node, const std::string& what, bool may_duplicate,
                     std::function<T(const Endpoint&, const MessageHeader&)> serve) {
  if (!network_->Up(self_)) return T(Status::Unavailable("this node crashed"));
  auto answer = std::make_shared<std::optional<T>>();
  const uint64_t waiter = scheduler_->current_id();
  Scheduler* scheduler = scheduler_;
  Deliver<T>(scheduler_, network_, self_, node, header_(), what, may_duplicate, std::move(serve),
             [answer, waiter, scheduler](T result) {
               if (answer->has_value()) return;
               *answer = std::move(result);
               scheduler->Wake(waiter);
             });
  const SimTime deadline = scheduler_->Now() + timeout_;
  while (!answer->has_value() && scheduler_->Now() < deadline && network_->Up(self_)) {
    scheduler_->Block(deadline);
  }
  if (answer->has_value()) return std::move(**answer);
  if (!network_->Up(self_)) return T(Status::Unavailable("this node crashed"));
  return T(Status::TimedOut(fmt::format("{} to node {}: no answer in time", what, node)));
}

template <typename T>
std::unique_ptr<ReplicaCall> SimTransport::Start(
    uint32_t node, const std::string& what, bool may_duplicate,
    std::function<T(const Endpoint&, const MessageHeader&)> serve) {
  auto call = std::make_unique<SimTransport::PendingCall>();
  Scheduler* scheduler = scheduler_;
  Deliver<T>(scheduler_, network_, self_, node, header_(), what, may_duplicate, std::move(serve),
             [pending = call->pending, scheduler](T result) {
               if (pending->answered) return;
               pending->answered = true;
               Store(pending.get(), std::move(result));
               if (pending->waiter != 0) scheduler->Wake(pending->waiter);
               if (pending->on_answer) pending->on_answer();
             });
  return call;
}

Result<std::unique_ptr<ReplicaCall>> SimTransport::StartWrite(uint32_t node, std::string_view key,
                                                              const Record& record) {
  if (!network_->Up(self_)) return Status::Unavailable("this node crashed");
  return Start<Status>(node, "write", true,
                       [key = std::string(key), record](const Endpoint& e, const MessageHeader& h) {
                         return e.replicas->Write(h, key, record);
                       });
}

Status SimTransport::FinishWrite(ReplicaCall& call) {
  return static_cast<PendingCall&>(call).pending->status;
}

Result<std::unique_ptr<ReplicaCall>> SimTransport::StartRead(uint32_t node, std::string_view key) {
  if (!network_->Up(self_)) return Status::Unavailable("this node crashed");
  return Start<Result<std::optional<Record>>>(
      node, "read", false, [key = std::string(key)](const Endpoint& e, const MessageHeader& h) {
        return e.replicas->Read(h, key);
      });
}

Result<std::optional<Record>> SimTransport::FinishRead(ReplicaCall& call) {
  const Pending& pending = *static_cast<PendingCall&>(call).pending;
  if (!pending.status.ok()) return pending.status;
  return pending.record;
}

std::unique_ptr<ReplicaRound> SimTransport::NewRound(std::chrono::microseconds deadline) {
  return std::make_unique<SimRound>(this, scheduler_, network_, self_, deadline);
}

void SimTransport::HandOff(std::unique_ptr<ReplicaCall> call,
                           std::function<void(ReplicaCall*)> finish,
                           std::chrono::microseconds deadline) {
  const uint64_t id = next_handoff_++;
  Pending& pending = *static_cast<PendingCall&>(*call).pending;
  handed_off_[id] = std::make_unique<HandedOff>(HandedOff{std::move(call), std::move(finish)});
  if (pending.answered) {
    RunFinisher(id);
    return;
  }
  std::weak_ptr<bool> alive = alive_;
  pending.on_answer = [this, alive, id] {
    if (alive.lock()) RunFinisher(id);
  };
  scheduler_->At(scheduler_->Now() + std::max(deadline - Now(), SimTime(0)), [this, alive, id] {
    if (alive.lock()) RunFinisher(id);
  });
}

// Runs a handed-off call's finisher in a fiber of this node: with the call
// if it was answered, else (its deadline passed) with nullptr.
void SimTransport::RunFinisher(uint64_t id) {
  auto it = handed_off_.find(id);
  if (it == handed_off_.end()) return;
  std::shared_ptr<HandedOff> taken(std::move(it->second));
  handed_off_.erase(it);
  scheduler_->Spawn(self_, "late-reply", [taken] {
    const bool answered = static_cast<PendingCall&>(*taken->call).pending->answered;
    taken->finish(answered ? taken->call.get() : nullptr);
  });
}

void SimTransport::Abandon() {
  auto left = std::move(handed_off_);
  handed_off_.clear();
  for (auto& [id, handed] : left) handed->finish(nullptr);
}

Status SimTransport::Write(uint32_t node, std::string_view key, const Record& record) {
  return Call<Status>(node, "write", true,
                      [key = std::string(key), record](const Endpoint& e, const MessageHeader& h) {
                        return e.replicas->Write(h, key, record);
                      });
}

Result<std::optional<Record>> SimTransport::Read(uint32_t node, std::string_view key) {
  return Call<Result<std::optional<Record>>>(
      node, "read", false, [key = std::string(key)](const Endpoint& e, const MessageHeader& h) {
        return e.replicas->Read(h, key);
      });
}

Result<HeartbeatAnswer> SimTransport::Heartbeat(uint32_t node) {
  return Call<Result<HeartbeatAnswer>>(
      node, "heartbeat", false,
      [](const Endpoint& e, const MessageHeader& h) { return e.replicas->Heartbeat(h); });
}

Status SimTransport::DeliverHints(uint32_t node, const std::vector<Hint>& hints) {
  return Call<Status>(node, "hints", false, [hints](const Endpoint& e, const MessageHeader& h) {
    return e.replicas->DeliverHints(h, hints);
  });
}

Result<std::vector<std::string>> SimTransport::TreeNodes(uint32_t node, TreeShapeId shape,
                                                         uint32_t partition, uint32_t level,
                                                         const std::vector<uint32_t>& indexes) {
  return Call<Result<std::vector<std::string>>>(
      node, "tree-nodes", false, [=](const Endpoint& e, const MessageHeader& h) {
        return e.exchange->TreeNodes(h, shape, partition, level, indexes);
      });
}

Result<std::vector<KeyDigest>> SimTransport::LeafKeys(uint32_t node, TreeShapeId shape,
                                                      uint32_t partition,
                                                      const std::vector<uint32_t>& leaves) {
  return Call<Result<std::vector<KeyDigest>>>(
      node, "leaf-keys", false, [=](const Endpoint& e, const MessageHeader& h) {
        return e.exchange->LeafKeys(h, shape, partition, leaves);
      });
}

Result<std::vector<KeyedRecord>> SimTransport::FetchRecords(uint32_t node,
                                                            const std::vector<std::string>& keys) {
  return Call<Result<std::vector<KeyedRecord>>>(node, "fetch", false,
                                                [keys](const Endpoint& e, const MessageHeader& h) {
                                                  return e.exchange->FetchRecords(h, keys);
                                                });
}

Status SimTransport::PushRecords(uint32_t node, const std::vector<KeyedRecord>& records) {
  return Call<Status>(node, "push", false, [records](const Endpoint& e, const MessageHeader& h) {
    return e.exchange->PushRecords(h, records);
  });
}

}  // namespace alder::sim
