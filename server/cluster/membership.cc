#include "server/cluster/membership.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <future>

namespace alder {

struct Membership::PeerState {
  uint32_t node_id = 0;
  HostPort address;
  // Guarded by Membership::mu_.
  bool up = false;
  bool ever_answered = false;
  std::optional<std::chrono::microseconds> last_heartbeat;  // on the runner's clock
  std::string last_error;
  std::string client_address;
  bool logged_down = false;  // the current outage was logged
  bool probing = false;      // a ConfirmUp heartbeat is under way
  std::optional<std::chrono::microseconds> last_probe;
  // Its heartbeat task's next beat (the task's own), on the runner's clock.
  std::chrono::microseconds next_beat{0};
};

// A stamp this node issues is refused by a peer more than max_clock_offset
// ahead of the peer's clock; this margin keeps a few ms of measurement error
// between the two judgements from turning an accepted stamp into a refusal.
constexpr std::chrono::milliseconds kStampLeadMargin{10};

Membership::Membership(uint32_t self_id, const std::vector<Peer>& peers, PeerTransport* transport,
                       clock::HybridLogicalClock* clock, clock::ClusterClock* cluster_clock,
                       MembershipOptions options, clock::BackgroundRunner* runner)
    : self_id_(self_id),
      clock_(clock),
      cluster_clock_(cluster_clock),
      transport_(transport),
      options_(options),
      runner_(runner) {
  for (const Peer& peer : peers) {
    if (peer.node_id == self_id) continue;
    auto state = std::make_unique<PeerState>();
    state->node_id = peer.node_id;
    state->address = peer.internode;
    peers_.emplace(peer.node_id, std::move(state));
  }
}

Membership::~Membership() { Stop(); }

void Membership::Heartbeat(PeerState* peer) {
  const uint32_t id = peer->node_id;
  const std::chrono::microseconds sent = cluster_clock_->monotonic().Now();
  Result<HeartbeatAnswer> answered = transport_->Heartbeat(id);
  Status status = answered.status();
  const std::optional<Status::Refusal> refusal = status.refusal();
  const HeartbeatAnswer reply = answered.ok() ? answered.value() : HeartbeatAnswer{};
  const std::chrono::microseconds received = cluster_clock_->monotonic().Now();
  const auto now = runner_->Now();
  if (status.ok() && reply.node_id != id) {
    status = Status::Refused(fmt::format("{} answers as node {}, but peers lists it as node {}",
                                         peer->address.ToString(), reply.node_id, id));
  }
  if (status.ok()) {
    // Heartbeats carry the peer's HLC too; a rejection (the peer is too far
    // ahead) is counted by the clock and shows in the offset below.
    clock_->Update(clock::Timestamp::FromPacked(reply.hlc));
    cluster_clock_->RecordSample(id, reply.wall_us, sent, received);
    MutexLock lock(&mu_);
    if (!peer->up)
      spdlog::info("node {} is up (clock offset {:+} ms)", id, OffsetMs(id).value_or(0));
    peer->up = true;
    peer->ever_answered = true;
    peer->logged_down = false;
    peer->last_heartbeat = now;
    peer->last_error.clear();
    if (!reply.client_address.empty()) peer->client_address = reply.client_address;
    return;
  }
  MutexLock lock(&mu_);
  peer->last_error = status.message();
  const bool timed_out =
      !peer->last_heartbeat || now - *peer->last_heartbeat >= options_.failure_timeout;
  // A refusal means the peer is alive but will not work with us (another
  // cluster): it is down for replication, at once.
  if (peer->up && (timed_out || refusal)) {
    peer->up = false;
    spdlog::warn("node {} is down: {}", id, status.message());
    peer->logged_down = true;
  } else if (!peer->up && !peer->logged_down && (timed_out || refusal)) {
    if (refusal == Status::Refusal::kClusterMismatch || !peer->ever_answered) {
      spdlog::warn("node {} is not available: {}", id, status.message());
    }
    peer->logged_down = true;
  }
}

void Membership::HeartbeatAllNow() {
  // Real threads and real time: this runs once, before alderd serves; the
  // simulation starts its nodes without it.
  const auto deadline = std::chrono::steady_clock::now() + options_.failure_timeout;
  std::vector<std::future<void>> beats;
  for (auto& [id, peer] : peers_) {
    beats.push_back(std::async(std::launch::async, [this, p = peer.get()] { Heartbeat(p); }));
  }
  for (auto& f : beats) f.wait_until(deadline);
  MutexLock tasks(&tasks_mu_);
  for (auto& f : beats) first_heartbeats_.push_back(std::move(f));
}

void Membership::Start() {
  MutexLock tasks(&tasks_mu_);
  if (!heartbeat_tasks_.empty()) return;
  for (auto& [id, peer] : peers_) {
    {
      MutexLock lock(&mu_);
      peer->next_beat = runner_->Now() + options_.heartbeat_interval;
    }
    heartbeat_tasks_.emplace(
        id, runner_->Start("alder-beat-" + std::to_string(id), options_.heartbeat_interval,
                           [this, p = peer.get()](std::stop_token) { return HeartbeatPass(p); }));
  }
}

void Membership::Stop() {
  std::vector<std::future<void>> first_beats;
  {
    MutexLock tasks(&tasks_mu_);
    heartbeat_tasks_.clear();
    first_beats.swap(first_heartbeats_);
  }
  for (auto& f : first_beats) f.wait();
}

std::chrono::milliseconds Membership::HeartbeatPass(PeerState* peer) {
  Heartbeat(peer);
  const auto now = runner_->Now();
  MutexLock lock(&mu_);
  // After a slow heartbeat, carry on from now rather than firing a burst.
  peer->next_beat =
      std::max(peer->next_beat, now - options_.heartbeat_interval) + options_.heartbeat_interval;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max(peer->next_beat - now, std::chrono::microseconds(0)));
}

bool Membership::IsUp(uint32_t node_id) const {
  if (node_id == self_id_) return true;
  MutexLock lock(&mu_);
  auto it = peers_.find(node_id);
  return it != peers_.end() && it->second->up;
}

bool Membership::ConfirmUp(uint32_t node_id) {
  if (IsUp(node_id)) return true;
  auto it = peers_.find(node_id);  // keys fixed at construction
  if (it == peers_.end()) return false;
  PeerState* peer = it->second.get();
  {
    MutexLock lock(&mu_);
    const auto now = runner_->Now();
    if (peer->probing || (peer->last_probe && now - *peer->last_probe < kProbeInterval)) {
      return peer->up;
    }
    peer->probing = true;
    peer->last_probe = now;
  }
  Heartbeat(peer);
  MutexLock lock(&mu_);
  peer->probing = false;
  return peer->up;
}

void Membership::HeardFrom(uint32_t node_id) {
  auto it = peers_.find(node_id);
  if (it == peers_.end()) return;
  PeerState* peer = it->second.get();
  {
    MutexLock lock(&mu_);
    if (peer->up) return;
    spdlog::info("node {} is up (heard from it)", node_id);
    peer->up = true;
    peer->logged_down = false;
    peer->last_error.clear();
    // failure_timeout counts from now: the peer has to answer a heartbeat
    // within it to stay up.
    peer->last_heartbeat = runner_->Now();
  }
  MutexLock tasks(&tasks_mu_);
  if (auto task = heartbeat_tasks_.find(node_id); task != heartbeat_tasks_.end()) {
    task->second->Wake();  // a heartbeat now confirms it and measures its clock
  }
}

void Membership::ReportUnreachable(uint32_t node_id, const std::string& why) {
  MutexLock lock(&mu_);
  auto it = peers_.find(node_id);
  if (it == peers_.end() || !it->second->up) return;
  it->second->up = false;
  it->second->last_error = why;
  it->second->logged_down = true;
  spdlog::warn("node {} is down: {}", node_id, why);
}

std::optional<int64_t> Membership::OffsetMs(uint32_t peer) const {
  const std::optional<int64_t> us = cluster_clock_->OffsetUs(peer);
  if (!us) return std::nullopt;
  return *us / 1000;
}

std::chrono::milliseconds Membership::MaxStampLead() const {
  return std::max(std::chrono::milliseconds(0), options_.max_clock_offset - kStampLeadMargin);
}

bool Membership::VouchesForClock(uint32_t peer_id, bool up) const {
  if (!cluster_clock_->OffsetUs(peer_id)) return false;
  if (up) return true;
  // A peer that is down is known by its last measurement only. If its
  // clock was off ours then, it was wrong or we were: either way its
  // estimate says nothing of our clock now (found by the simulation, seed
  // 81199: a peer last measured 3.7 s ahead went down, this node's clock
  // then jumped 3.6 s, and the stale estimate called it in step).
  const std::optional<int64_t> then_us = cluster_clock_->OffsetWhenMeasuredUs(peer_id);
  return then_us && std::llabs(*then_us / 1000) <= options_.max_clock_offset.count();
}

Status Membership::CheckClockInStep() const {
  size_t out_of_step = 0, measured = 0;
  int64_t worst = 0;
  {
    // Every write asks: no copy of the peers, one short hold of mu_ (the
    // cluster clock's own lock nests inside it, never the other way).
    MutexLock lock(&mu_);
    for (const auto& [id, peer] : peers_) {
      if (!VouchesForClock(id, peer->up)) continue;
      const std::optional<int64_t> offset = OffsetMs(id);
      measured += offset ? 1 : 0;
      if (offset && std::llabs(*offset) > options_.max_clock_offset.count()) {
        ++out_of_step;
        if (std::llabs(*offset) > std::llabs(worst)) worst = *offset;
      }
    }
  }
  // With itself, the measured peers must be a majority of the cluster.
  if ((measured + 1) * 2 <= peers_.size() + 1) {
    return Status::Unavailable(fmt::format(
        "node {} has measured the clocks of {} of its {} peers since it started, too few to "
        "vouch for its own clock; it refuses to coordinate writes until it hears from more",
        self_id_, measured, peers_.size()));
  }
  // Of the peers whose clocks it knows, not only of all: a peer it has not
  // heard from since it started cannot vouch for its clock (found by the
  // simulation: restarted with its clock off while a peer was down, a node
  // saw one peer off and one unknown, and stamped writes seconds ahead).
  if (out_of_step * 2 > measured) {
    // A peer's offset is its clock minus ours: ours is off by the opposite.
    return Status::Unavailable(fmt::format(
        "node {}'s clock is {:+} ms off {} of the {} peers it has measured "
        "(max_clock_offset {} ms); it refuses to coordinate writes until its clock is back in "
        "step",
        self_id_, -worst, out_of_step, measured, options_.max_clock_offset.count()));
  }
  const int64_t lead_ms = static_cast<int64_t>(clock_->Last().wall_ms()) -
                          static_cast<int64_t>(clock_->physical().NowMs());
  if (!peers_.empty() && lead_ms > MaxStampLead().count()) {
    return Status::Unavailable(fmt::format(
        "node {}'s hybrid logical clock is {} ms ahead of the cluster's time (max_clock_offset "
        "{} ms); it refuses to coordinate writes until time catches up",
        self_id_, lead_ms, options_.max_clock_offset.count()));
  }
  return Status::Ok();
}

void Membership::NoteFenced(const Status& fence) {
  const bool fenced = !fence.ok();
  if (fenced_.exchange(fenced) == fenced) return;
  if (fenced) {
    spdlog::warn("fenced: {}", fence.message());
  } else {
    spdlog::info("clock back in step with the cluster: coordinating writes again");
  }
}

Result<clock::Timestamp> Membership::StampWrite() {
  Status fence = CheckClockInStep();
  std::optional<clock::Timestamp> stamp;
  if (fence.ok()) {
    // One node alone has nobody to be out of step with.
    stamp = peers_.empty() ? clock_->Now() : clock_->NowIfWithin(MaxStampLead());
    if (!stamp) {
      fence = Status::Unavailable(fmt::format(
          "node {}'s hybrid logical clock leads the cluster's time by more than {} ms; it "
          "refuses to coordinate writes until time catches up",
          self_id_, MaxStampLead().count()));
    }
  }
  NoteFenced(fence);
  if (!fence.ok()) {
    fenced_writes_.fetch_add(1);
    return fence;
  }
  return *stamp;
}

bool Membership::SenderInStep(uint32_t node_id, std::optional<int64_t> sender_wall_us,
                              std::string* why) const {
  // A node that is itself fenced is the one out of step: it accepts its
  // peers' messages (their stamps are the right ones) and only refuses to
  // stamp writes of its own.
  if (!CheckClockInStep().ok()) return true;
  const int64_t max_ms = options_.max_clock_offset.count();
  std::optional<int64_t> measured;
  if (sender_wall_us) {
    measured = (*sender_wall_us - static_cast<int64_t>(cluster_clock_->local().NowUs())) / 1000;
    if (*measured < -max_ms) measured.reset();  // behind: perhaps only delayed
  }
  if (!measured) measured = OffsetMs(node_id);
  if (!measured) return true;
  const int64_t offset = *measured;
  if (std::llabs(offset) <= max_ms) return true;
  *why = fmt::format("node {}'s clock is {:+} ms off node {}'s (max_clock_offset {} ms)", node_id,
                     offset, self_id_, options_.max_clock_offset.count());
  return false;
}

std::vector<PeerView> Membership::Snapshot() const {
  MutexLock lock(&mu_);
  std::vector<PeerView> views;
  for (const auto& [id, peer] : peers_) {
    PeerView v;
    v.node_id = id;
    v.address = peer->address;
    v.up = peer->up;
    if (peer->last_heartbeat) {
      v.last_heartbeat_ago = std::chrono::duration_cast<std::chrono::milliseconds>(
          runner_->Now() - *peer->last_heartbeat);
    }
    v.clock_offset_ms = OffsetMs(id);
    v.last_error = peer->last_error;
    v.client_address = peer->client_address;
    views.push_back(std::move(v));
  }
  return views;
}

}  // namespace alder
