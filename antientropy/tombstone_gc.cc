#include "antientropy/tombstone_gc.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>
#include <vector>

namespace alder {

TombstoneCollector::TombstoneCollector(Storage* storage, const clock::PhysicalClock* clock,
                                       PurgeGuard* guard, TombstoneGcOptions options,
                                       clock::BackgroundRunner* runner)
    : storage_(storage), clock_(clock), guard_(guard), options_(options), runner_(runner) {}

TombstoneCollector::~TombstoneCollector() { Stop(); }

Result<GcPassStats> TombstoneCollector::RunOnce() {
  GcPassStats pass;
  std::string after;
  bool start = true;
  while (true) {
    // Collect candidates first and purge after the scan step: the scan's
    // cursor must not move under our own deletes.
    const uint64_t now_ms = clock_->NowMs();
    std::vector<std::pair<std::string, Version>> candidates;
    auto last = storage_->ScanRecords(
        after, start, options_.batch, [&](std::string_view key, const StoredRecord& stored) {
          ++pass.scanned;
          if (!stored.record.IsPurgeableAt(now_ms, options_.gc_grace)) {
            return;
          }
          ++pass.purgeable;
          if (!guard_->ReplicasHold(key, stored)) {
            ++pass.held_back;
            return;
          }
          candidates.emplace_back(key, stored.record.version);
        });
    if (!last.ok()) return last.status();
    for (const auto& [key, version] : candidates) {
      auto purged = storage_->PurgeIfUnchanged(key, version);
      if (!purged.ok()) return purged.status();
      pass.purged += purged.value() ? 1 : 0;
    }
    if (!last.value()) break;
    after = std::move(*last.value());
    start = false;
  }
  passes_.fetch_add(1);
  scanned_.fetch_add(pass.scanned);
  purgeable_.fetch_add(pass.purgeable);
  held_back_.fetch_add(pass.held_back);
  purged_.fetch_add(pass.purged);
  return pass;
}

void TombstoneCollector::Start() {
  MutexLock lock(&task_mu_);
  if (task_) return;
  task_ = runner_->Start("alder-gc", options_.interval, [this](std::stop_token) {
    LogPass(RunOnce());
    return options_.interval;
  });
}

void TombstoneCollector::Stop() {
  MutexLock lock(&task_mu_);
  task_.reset();
}

void TombstoneCollector::LogPass(const Result<GcPassStats>& pass) {
  if (!pass.ok()) {
    spdlog::error("tombstone GC pass failed: {}", pass.status().ToString());
  } else if (pass->purged > 0 || pass->held_back > 0) {
    spdlog::info(
        "tombstone GC: scanned {}, purged {}, held back {} (replicas not known to "
        "hold them)",
        pass->scanned, pass->purged, pass->held_back);
  }
}

GcPassStats TombstoneCollector::totals() const {
  return GcPassStats{scanned_.load(), purgeable_.load(), held_back_.load(), purged_.load()};
}

}  // namespace alder
