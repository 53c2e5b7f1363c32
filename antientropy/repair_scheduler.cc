#include "antientropy/repair_scheduler.h"

#include <spdlog/spdlog.h>

namespace alder {

RepairScheduler::RepairScheduler(uint32_t self_id, const ClusterMap* map, const TreeSet* trees,
                                 TreeExchange* exchange, Membership* membership,
                                 const clock::PhysicalClock* clock,
                                 std::chrono::milliseconds interval, std::atomic<bool>* syncing,
                                 clock::BackgroundRunner* runner)
    : self_id_(self_id),
      map_(map),
      trees_(trees),
      exchange_(exchange),
      membership_(membership),
      clock_(clock),
      interval_(interval),
      syncing_(syncing),
      runner_(runner) {}

RepairScheduler::~RepairScheduler() { Stop(); }

void RepairScheduler::Start() {
  if (task_) return;
  task_ = runner_->Start("alder-repair", NextWait(), [this](std::stop_token stop) {
    RunRound(stop);
    return NextWait();
  });
}

void RepairScheduler::Stop() { task_.reset(); }

std::chrono::milliseconds RepairScheduler::NextWait() const {
  return syncing_ && syncing_->load() ? std::min(interval_, std::chrono::milliseconds(1000))
                                      : interval_;
}

std::chrono::milliseconds RepairScheduler::Since(std::chrono::microseconds start) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(runner_->Now() - start);
}

void RepairScheduler::CountExchange(bool succeeded, const ExchangeCounters& counters) {
  MutexLock lock(&mu_);
  ++(succeeded ? totals_.succeeded : totals_.failed);
  totals_.records_sent += counters.records_sent;
  totals_.bytes_sent += counters.bytes_sent;
}

ExchangeTotals RepairScheduler::totals() const {
  MutexLock lock(&mu_);
  return totals_;
}

void RepairScheduler::ExchangePartition(uint32_t partition, RepairTotals* totals) {
  const bool syncing = syncing_ && syncing_->load();
  for (uint32_t peer : map_->Current()->AllReplicas(partition)) {
    if (peer == self_id_) continue;
    // A peer marked down may be back since its last heartbeat: try it.
    if (!membership_->ConfirmUp(peer)) {
      CountExchange(false, {});
      ++totals->failed_exchanges;
      if (totals->first_error.empty()) {
        totals->first_error = "node " + std::to_string(peer) + " is down";
      }
      continue;
    }
    const uint64_t started_ms = clock_->NowMs();
    auto result = exchange_->Run(
        partition, peer, syncing ? ExchangeMode::kPullOnly : ExchangeMode::kRepair, nullptr);
    CountExchange(result.ok(), result.ok() ? result.value() : ExchangeCounters{});
    if (!result.ok()) {
      if (syncing && result.status().refusal() == Status::Refusal::kSyncing) {
        MutexLock lock(&mu_);
        synced_with_.insert({partition, peer});
      }
      ++totals->failed_exchanges;
      if (totals->first_error.empty()) {
        totals->first_error = "partition " + std::to_string(partition) + " with node " +
                              std::to_string(peer) + ": " + result.status().message();
      }
      continue;
    }
    ++totals->exchanges;
    totals->counters.Add(result.value());
    MutexLock lock(&mu_);
    // Only a two-way exchange shows that the peer holds this node's records.
    if (syncing) {
      synced_with_.insert({partition, peer});
    } else {
      last_success_[{partition, peer}] = started_ms;
    }
  }
  ++totals->partitions;
}

Result<RepairTotals> RepairScheduler::RepairNow(std::optional<uint32_t> partition) {
  if (partition && !trees_->Owns(*partition)) {
    return Status::InvalidArgument("node " + std::to_string(self_id_) +
                                   " does not replicate partition " + std::to_string(*partition));
  }
  MutexLock round(&run_mu_);
  const auto start = runner_->Now();
  RepairTotals totals;
  if (partition) {
    ExchangePartition(*partition, &totals);
  } else {
    for (uint32_t p : trees_->owned()) ExchangePartition(p, &totals);
  }
  totals.elapsed = Since(start);
  MaybeFinishSync();
  return totals;
}

void RepairScheduler::MaybeFinishSync() {
  if (!syncing_ || !syncing_->load()) return;
  const std::shared_ptr<const ClusterView> view = map_->Current();
  MutexLock lock(&mu_);
  for (uint32_t p : trees_->owned()) {
    for (uint32_t peer : view->AllReplicas(p)) {
      if (peer == self_id_) continue;
      if (!synced_with_.contains({p, peer})) return;
    }
  }
  syncing_->store(false);
  spdlog::info("synced every partition with every other replica; serving data again");
}

void RepairScheduler::RunRound(std::stop_token stop) {
  RepairTotals totals;
  {
    MutexLock round(&run_mu_);
    const auto start = runner_->Now();
    for (uint32_t p : trees_->owned()) {
      if (stop.stop_requested()) return;
      ExchangePartition(p, &totals);
    }
    totals.elapsed = Since(start);
  }
  MaybeFinishSync();
  if (totals.counters.records_sent > 0 || totals.failed_exchanges > 0) {
    spdlog::info(
        "anti-entropy: {} exchanges ({} failed{}{}) in {} ms, {} records differed, {} "
        "sent ({} bytes)",
        totals.exchanges, totals.failed_exchanges, totals.first_error.empty() ? "" : ": ",
        totals.first_error, totals.elapsed.count(), totals.counters.records_differing,
        totals.counters.records_sent, totals.counters.bytes_sent);
  }
}

std::optional<uint64_t> RepairScheduler::LastSuccessStartMs(uint32_t partition,
                                                            uint32_t peer) const {
  MutexLock lock(&mu_);
  auto it = last_success_.find({partition, peer});
  if (it == last_success_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::optional<uint64_t>>>
RepairScheduler::Snapshot() const {
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::optional<uint64_t>>> out;
  const std::shared_ptr<const ClusterView> view = map_->Current();
  MutexLock lock(&mu_);
  for (uint32_t p : trees_->owned()) {
    for (uint32_t peer : view->AllReplicas(p)) {
      if (peer == self_id_) continue;
      auto it = last_success_.find({p, peer});
      out.push_back(
          {{p, peer},
           it == last_success_.end() ? std::nullopt : std::optional<uint64_t>(it->second)});
    }
  }
  return out;
}

bool ExchangeGuard::ReplicasHold(std::string_view key, const StoredRecord& stored) {
  const std::shared_ptr<const ClusterView> view = map_->Current();
  const uint32_t partition = view->PartitionOfKey(key);
  for (uint32_t peer : view->AllReplicas(partition)) {
    if (peer == self_id_) continue;
    const auto last = scheduler_->LastSuccessStartMs(partition, peer);
    if (!last || *last <= stored.stored_at_ms) return false;
  }
  return true;
}

}  // namespace alder
