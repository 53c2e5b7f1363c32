#include "antientropy/absence_tracker.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <string>

namespace alder {
namespace {

constexpr const char* kLastAliveKey = "last_alive_ms";

}  // namespace

AbsenceTracker::AbsenceTracker(Storage* storage, const clock::PhysicalClock* clock,
                               std::chrono::milliseconds every)
    : storage_(storage), clock_(clock), every_(every) {}

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
  if (thread_.joinable()) return;
  Record();
  thread_ = std::thread([this] {
    while (true) {
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, every_, [this] { return stopping_; })) return;
      lock.unlock();
      Record();
    }
  });
}

void AbsenceTracker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    Record();  // a clean stop counts as alive until now
  }
}

}  // namespace alder
