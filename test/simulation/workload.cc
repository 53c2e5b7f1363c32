// A client waits for its request's fiber on the scheduler; the request runs
// as a fiber of its coordinator so that a crash of that node waits for it
// (and ends it early: its waits are cut short).
#include "test/simulation/workload.h"

#include <fmt/format.h>

namespace alder::sim {

Workload::Workload(Scheduler* scheduler, std::vector<std::unique_ptr<SimNode>>* nodes,
                   WorkloadOptions options, History* history)
    : scheduler_(scheduler), nodes_(nodes), options_(options), history_(history) {}

void Workload::Start() {
  for (int c = 0; c < options_.clients; ++c) {
    scheduler_->Spawn(kNoOwner, "client", [this, c] { RunClient(c); });
  }
}

Op Workload::NextOp(int client) {
  Random& random = scheduler_->random();
  Op op;
  const Consistency levels[] = {Consistency::kOne, Consistency::kQuorum, Consistency::kQuorum,
                                Consistency::kAll};
  op.consistency = levels[random.Below(4)];
  if (client == 0) {  // the set: every key written once
    op.kind = OpKind::kPut;
    op.key = fmt::format("set-{}", next_unique_++);
    return op;
  }
  op.key = fmt::format("reg-{}", random.Below(options_.register_keys));
  const uint64_t roll = random.Below(10);
  op.kind = roll < 4 ? OpKind::kPut : roll < 6 ? OpKind::kRemove : OpKind::kGet;
  if (op.kind == OpKind::kPut && random.Chance(0.2)) op.ttl_ms = random.Between(300, 3000);
  return op;
}

void Workload::RunClient(int client) {
  Random& random = scheduler_->random();
  while (scheduler_->Now() < options_.until) {
    std::vector<SimNode*> up;
    for (auto& node : *nodes_) {
      if (node->serving()) up.push_back(node.get());
    }
    if (!up.empty()) {
      Op op = NextOp(client);
      Execute(up[random.Below(up.size())], &op);
      history_->push_back(std::move(op));
    }
    scheduler_->SleepFor(random.Between(SimTime(100), options_.think_max));
  }
}

void Workload::Execute(SimNode* node, Op* op) {
  op->node = node->id();
  op->start = scheduler_->Now();
  const uint64_t incarnation = node->incarnation();
  const uint64_t client = scheduler_->current_id();
  bool done = false;
  scheduler_->Spawn(node->id(), KindName(op->kind), [=, this, &done] {
    Status status;
    if (!node->up() || node->incarnation() != incarnation) {
      status = Status::Unavailable("its node crashed");
    } else if (op->kind == OpKind::kGet) {
      Coordinator& coordinator = node->coordinator();
      Result<Record> got = coordinator.Get(op->key, op->consistency);
      if (got.ok()) op->version = got->version;
      status =
          got.ok() || got.status().code() == Status::Code::kNotFound ? Status::Ok() : got.status();
    } else {
      Coordinator& coordinator = node->coordinator();
      WriteOptions options;
      options.consistency = op->consistency;
      if (op->ttl_ms) options.ttl = std::chrono::milliseconds(*op->ttl_ms);
      Result<Version> wrote = op->kind == OpKind::kPut
                                  ? coordinator.Put(op->key, "v" + op->key, options)
                                  : coordinator.Remove(op->key, options);
      if (wrote.ok()) op->version = wrote.value();
      status = wrote.ok() ? Status::Ok() : wrote.status();
    }
    const bool same_node = node->up() && node->incarnation() == incarnation;
    op->acked = status.ok() && same_node;
    op->error = status.ok() ? (same_node ? "" : "its node crashed") : status.ToString();
    op->end = scheduler_->Now();
    done = true;
    scheduler_->Wake(client);
  });
  while (!done) scheduler_->Block(scheduler_->Now() + std::chrono::seconds(10));
  scheduler_->trace().Add(
      scheduler_->Now().count(),
      fmt::format("{} {} at {} {}: {}", KindName(op->kind), op->key, op->node,
                  LevelName(op->consistency),
                  op->acked ? (op->version ? op->version->ToString() : "none") : op->error));
}

}  // namespace alder::sim
