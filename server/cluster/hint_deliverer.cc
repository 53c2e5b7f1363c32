#include "server/cluster/hint_deliverer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace alder {
namespace {

constexpr auto kPass = std::chrono::milliseconds(100);
constexpr auto kDropAtMostEvery = std::chrono::seconds(10);

}  // namespace

HintDeliverer::HintDeliverer(std::vector<uint32_t> targets, HintStore* hints, Replicas* replicas,
                             const Membership* membership, HintDeliveryOptions options,
                             clock::BackgroundRunner* runner)
    : targets_(std::move(targets)),
      hints_(hints),
      replicas_(replicas),
      membership_(membership),
      options_(options),
      runner_(runner) {}

HintDeliverer::~HintDeliverer() { Stop(); }

void HintDeliverer::Start() {
  if (task_) return;
  task_ = runner_->Start("alder-hints", kPass, [this](std::stop_token) {
    Pass();
    return kPass;
  });
}

void HintDeliverer::Stop() { task_.reset(); }

size_t HintDeliverer::DeliverTo(uint32_t target, size_t budget) {
  auto oldest = hints_->Oldest(target, budget);
  if (!oldest.ok()) {
    spdlog::error("cannot read hints for node {}: {}", target, oldest.status().ToString());
    return 0;
  }
  std::vector<Hint>& hints = oldest.value();
  // Keep a batch's bytes bounded (values can be 1 MiB each); one hint always goes.
  size_t bytes = 0, count = 0;
  while (count < hints.size() &&
         (count == 0 || bytes + hints[count].record.value.size() + hints[count].key.size() <=
                            options_.max_batch_bytes)) {
    bytes += hints[count].record.value.size() + hints[count].key.size();
    ++count;
  }
  hints.resize(count);
  if (hints.empty()) return 0;
  if (Status s = replicas_->transport()->DeliverHints(target, hints); !s.ok()) {
    spdlog::debug("hint delivery to node {} failed, will retry: {}", target, s.ToString());
    return 0;
  }
  if (Status s = hints_->Remove(hints); !s.ok()) {
    spdlog::error("cannot remove delivered hints: {}", s.ToString());
  }
  delivered_.fetch_add(hints.size());
  return hints.size();
}

void HintDeliverer::DropExpiredHints() {
  // Old hints are looked for often enough that none outlives the window by
  // more than a quarter of it (or 10 s).
  const auto drop_every =
      std::clamp<std::chrono::milliseconds>(options_.hint_window / 4, kPass, kDropAtMostEvery);
  const auto now = runner_->Now();
  if (last_drop_ != std::chrono::microseconds::min() && now - last_drop_ < drop_every) return;
  last_drop_ = now;
  auto dropped = hints_->DropOlderThan(options_.hint_window);
  if (!dropped.ok()) {
    spdlog::error("cannot drop old hints: {}", dropped.status().ToString());
  } else if (dropped.value() > 0) {
    spdlog::warn("dropped {} hints older than hint_window", dropped.value());
  }
}

void HintDeliverer::Pass() {
  const size_t per_pass = std::max<size_t>(1, options_.replay_rate * kPass.count() / 1000);
  DropExpiredHints();
  for (uint32_t target : targets_) {
    if (hints_->Pending(target) == 0 || !membership_->IsUp(target)) continue;
    size_t sent = 0;
    while (sent < per_pass) {
      const size_t n = DeliverTo(target, per_pass - sent);
      if (n == 0) break;
      sent += n;
    }
    if (sent > 0 && hints_->Pending(target) == 0) {
      spdlog::info("node {} has every hint it was owed", target);
    }
  }
}

}  // namespace alder
