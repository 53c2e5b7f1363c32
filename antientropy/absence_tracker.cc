#include "antientropy/absence_tracker.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <string>

namespace alder {
namespace {

constexpr const char* kLastAliveKey = "last_alive_ms";

}  // namespace

AbsenceTracker::AbsenceTracker(Storage* storage, const clock::PhysicalClock* clock,
                               std::chrono::milliseconds every, clock::BackgroundRunner* runner)
    : storage_(storage), clock_(clock), every_(every), runner_(runner) {}

AbsenceTracker::~AbsenceTracker() { Stop(); }

Result<std::optional<std::chrono::milliseconds>> AbsenceTracker::TimeAway() {
  auto stored = storage_->GetMetadata(kLastAliveKey);
  if (!stored.ok()) return stored.status();
  if (!stored.value()) return std::optional<std::chrono::milliseconds>();
  uint64_t last = 0;
  const std::string& text = *stored.value();
  std::from_chars(text.data(), text.data() + text.size(), last);
  const uint64_t now = clock_->NowMs();
  return std::optional<std::chrono::milliseconds>(
      std::chrono::milliseconds(now > last ? now - last : 0));
}

void AbsenceTracker::Record() {
  if (Status s = storage_->PutMetadata(kLastAliveKey, std::to_string(clock_->NowMs())); !s.ok()) {
    spdlog::error("cannot record that this node is alive: {}", s.ToString());
  }
}

void AbsenceTracker::Start() {
  if (task_) return;
  Record();
  task_ = runner_->Start("alder-alive", every_, [this](std::stop_token) {
    Record();
    return every_;
  });
}

void AbsenceTracker::Stop() {
  if (!task_) return;
  task_.reset();
  Record();  // a clean stop counts as alive until now
}

}  // namespace alder
