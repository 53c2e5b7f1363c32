#include "server/cluster/coordinator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "server/cluster/ack_tally.h"

namespace alder {

Coordinator::Coordinator(const ClusterMap* map, clock::HybridLogicalClock* clock,
                         Replicas* replicas, Membership* membership, HintStore* hints,
                         CoordinatorOptions options)
    : map_(map),
      clock_(clock),
      replicas_(replicas),
      membership_(membership),
      hints_(hints),
      options_(options),
      transport_(replicas->transport()),
      own_repairs_(options.repair_executor
                       ? nullptr
                       : std::make_unique<BoundedTaskPool>(options.repair_threads,
                                                           options.max_pending_repairs)),
      repairs_(options.repair_executor ? options.repair_executor : own_repairs_.get()) {}

Coordinator::~Coordinator() {
  own_repairs_.reset();  // runs the read repairs accepted
  late_replies_.WaitForZero();
}

uint32_t Coordinator::AliveCount(const std::vector<uint32_t>& replicas, uint32_t required) {
  uint32_t alive = 0;
  for (uint32_t node : replicas) alive += membership_->IsUp(node) ? 1 : 0;
  if (alive >= required) return alive;
  // Too few to go on: a replica marked down may be back since its last
  // heartbeat. Trying it costs a connect, and only requests that would
  // otherwise fail pay it.
  alive = 0;
  for (uint32_t node : replicas) alive += membership_->ConfirmUp(node) ? 1 : 0;
  return alive;
}

Status Coordinator::Failed(Status status) {
  failures_.fetch_add(1);
  return status;
}

void Coordinator::StoreHint(uint32_t node, const std::string& key, const Record& record) {
  if (options_.hint_window.count() == 0) return;
  if (Status s = hints_->Add(node, key, record); !s.ok()) {
    spdlog::error("could not store a hint for node {}: {}", node, s.ToString());
    return;
  }
  hints_stored_.fetch_add(1);
}

void Coordinator::AfterFailedReplicaWrite(uint32_t node, const std::string& key,
                                          const Record& record, const Status& status) {
  if (status.code() == Status::Code::kUnavailable) {
    membership_->ReportUnreachable(node, status.message());
  }
  // A refusal (clock, cluster) would be refused again on replay; anything
  // else (down, no answer, a storage failure there) may pass: keep a hint.
  if (status.code() != Status::Code::kRefused) StoreHint(node, key, record);
}

// The write is sent to every replica at once and this node's own written
// directly meanwhile; the replies are collected until the level's acks
// arrived. A replica that is down or fails gets the write as a hint.
class Coordinator::WriteRound {
 public:
  WriteRound(Coordinator* c, std::string key, const Record& record, AckTally tally)
      : c_(c),
        key_(std::move(key)),
        record_(record),
        tally_(std::move(tally)),
        round_(c->transport_->NewRound(c->transport_->Now() + c->options_.request_timeout)) {}

  // Sends to the other replicas first, then writes this node's own.
  void Send();
  // Waits for replies until the level's acks arrived, every replica
  // answered, or the deadline passed.
  void Collect();
  // Leaves the replies not waited for to the transport: a replica that
  // fails or times out there still gets its hint.
  void HandOffLeftovers();
  bool enough() const { return tally_.enough(); }
  // Why the write did not get its acks.
  Status Shortfall(Consistency level) const;

 private:
  void OnReplicaFailure(uint32_t node, const Status& s);
  // "QUORUM needs 2 acks", and in which sets during a ring change.
  std::string Needs(Consistency level) const;

  Coordinator* const c_;
  const std::string key_;
  const Record& record_;
  AckTally tally_;
  std::unique_ptr<ReplicaRound> round_;
  // Replicas that failed in a way that may still have applied the write
  // (sent, then no answer or a broken connection).
  uint32_t outcome_unknown_ = 0;
  std::vector<std::string> failed_;
};

void Coordinator::WriteRound::Send() {
  const uint32_t self = c_->replicas_->self_id();
  bool write_locally = false;
  for (uint32_t node : tally_.targets()) {
    if (node == self) {
      write_locally = true;
    } else if (!c_->membership_->IsUp(node)) {
      failed_.push_back(fmt::format("node {} is down", node));
      c_->StoreHint(node, key_, record_);
    } else if (auto started = c_->transport_->StartWrite(node, key_, record_); started.ok()) {
      round_->Add(node, std::move(started).value());
    } else {
      OnReplicaFailure(node, started.status());
    }
  }
  if (!write_locally) return;
  if (const Status s = c_->replicas_->Write(self, key_, record_); s.ok()) {
    tally_.Ack(self);
  } else {
    spdlog::error("local write failed: {}", s.ToString());
    failed_.push_back(s.ToString());
  }
}

void Coordinator::WriteRound::Collect() {
  auto on_reply = [this](uint32_t node, ReplicaCall& call) {
    const Status s = c_->transport_->FinishWrite(call);
    if (s.ok()) {
      tally_.Ack(node);
    } else {
      OnReplicaFailure(node, s);
    }
  };
  // Until the acks are in, or no reply is left to wait for or came in time.
  while (!enough() && round_->AwaitReplies(on_reply)) continue;
}

void Coordinator::WriteRound::OnReplicaFailure(uint32_t node, const Status& s) {
  failed_.push_back(s.message());
  if (!DefinitelyNotApplied(s)) ++outcome_unknown_;
  c_->AfterFailedReplicaWrite(node, key_, record_, s);
}

void Coordinator::WriteRound::HandOffLeftovers() {
  round_->HandOff([this](uint32_t node) -> std::function<void(ReplicaCall*)> {
    c_->late_replies_.Add();
    return [c = c_, node, key = key_, record = record_](ReplicaCall* call) {
      const Status s = call ? c->transport_->FinishWrite(*call)
                            : Status::TimedOut(fmt::format("node {} did not answer in time", node));
      if (!s.ok()) c->AfterFailedReplicaWrite(node, key, record, s);
      c->late_replies_.Done();
    };
  });
}

std::string Coordinator::WriteRound::Needs(Consistency level) const {
  return fmt::format("{} needs {} acks{}", LevelName(level), tally_.required(),
                     tally_.set_count() > 1 ? " in each of the old and new replica sets" : "");
}

Status Coordinator::WriteRound::Shortfall(Consistency level) const {
  const std::string why = JoinReasons(failed_);
  const uint32_t required = tally_.required();
  const uint32_t acks = tally_.weakest_acks();
  const Status::ReplicaCounts acked{static_cast<int>(required), static_cast<int>(acks)};
  const bool all_answered = round_->all_answered();
  if (all_answered && tally_.total_acks() == 0 && outcome_unknown_ == 0) {
    // Every replica answered and none took the write: it was written
    // nowhere, which is what Unavailable promises.
    return Status::Unavailable(fmt::format("{}, no replica took the write: {}", Needs(level), why),
                               Status::ReplicaCounts{static_cast<int>(required), 0});
  }
  if (all_answered && outcome_unknown_ == 0) {
    // Some replicas hold the write: its outcome is not "nothing written".
    // Anti-entropy spreads it; the client must treat it as unknown.
    return Status::TimedOut(fmt::format("{}, {} replicas took the write and the others refused it "
                                        "(the write may still take effect): {}",
                                        Needs(level), tally_.total_acks(), why),
                            acked);
  }
  return Status::TimedOut(
      fmt::format("{}, {} arrived within {} ms (the write may still land){}{}", Needs(level), acks,
                  c_->options_.request_timeout.count(), why.empty() ? "" : ": ", why),
      acked);
}

Result<uint32_t> Coordinator::UpInEachSet(const AckTally& tally, Consistency level) {
  uint32_t fewest = UINT32_MAX;
  for (size_t i = 0; i < tally.set_count(); ++i) {
    const uint32_t alive = AliveCount(tally.set(i), tally.required());
    if (alive < tally.required()) {
      return TooFewUp(level, tally.required(), tally.set(i).size(), alive, tally.set_name(i));
    }
    fewest = std::min(fewest, alive);
  }
  return fewest;
}

Result<Version> Coordinator::Write(std::string_view key, Record record, Consistency consistency) {
  // One view for the whole request: a ring change that lands meanwhile
  // applies to the next one.
  const std::shared_ptr<const ClusterView> view = map_->Current();
  AckTally tally(view->WritesTo(view->PartitionOfKey(key)), consistency);
  const Result<uint32_t> alive = UpInEachSet(tally, consistency);
  if (!alive.ok()) return Failed(alive.status());
  // Stamped only when this node's clocks are in step with the cluster, so
  // no replica ever stores a stamp that would beat later writes unfairly.
  Result<clock::Timestamp> stamp = membership_->StampWrite();
  if (!stamp.ok()) {
    return Failed(Status::Unavailable(stamp.status().message(),
                                      Status::ReplicaCounts{static_cast<int>(tally.required()),
                                                            static_cast<int>(alive.value())}));
  }
  record.version = Version{stamp.value(), replicas_->self_id()};
  if (record.expires_at_ms != 0) record.expires_at_ms += record.version.hlc.wall_ms();

  WriteRound round(this, std::string(key), record, std::move(tally));
  round.Send();
  round.Collect();
  round.HandOffLeftovers();
  if (!round.enough()) return Failed(round.Shortfall(consistency));
  return record.version;
}

Result<Version> Coordinator::Put(std::string_view key, std::string value,
                                 const WriteOptions& options) {
  Record record;
  record.value = std::move(value);
  // Write() adds the version's wall time once it has stamped it.
  if (options.ttl) record.expires_at_ms = static_cast<uint64_t>(options.ttl->count());
  puts_.fetch_add(1);
  return Write(key, std::move(record), options.consistency);
}

Result<Version> Coordinator::Remove(std::string_view key, const WriteOptions& options) {
  Record tombstone;
  tombstone.tombstone = true;
  removes_.fetch_add(1);
  return Write(key, std::move(tombstone), options.consistency);
}

// The read asks as many candidates as the level needs, this node first (read
// directly, no network); a replica that fails is replaced by the next
// candidate, while there is one, and so is, once, one that is slow to answer.
class Coordinator::ReadRound {
 public:
  ReadRound(Coordinator* c, std::string key, std::vector<uint32_t> candidates, uint32_t required)
      : c_(c),
        key_(std::move(key)),
        candidates_(std::move(candidates)),
        required_(required),
        round_(c->transport_->NewRound(c->transport_->Now() + c->options_.request_timeout)) {}

  // Asks the other replicas first, then reads this node's own.
  void Send();
  // Waits for replies until enough replicas answered, none is left to ask,
  // or the deadline passed.
  void Collect();
  // Leaves the replies not waited for to the transport, which reads
  // and drops them so that their connections can be reused.
  void HandOffLeftovers();
  bool enough() const { return answers_.size() >= required_; }
  const std::vector<Answer>& answers() const { return answers_; }
  // Why too few replicas answered.
  Status Shortfall(Consistency level) const;

 private:
  // Asks candidates until `required_` answers are possible or none is left.
  void AskMore();
  void Ask(uint32_t node);
  void OnReplicaFailure(uint32_t node, const Status& s);

  Coordinator* const c_;
  const std::string key_;
  const std::vector<uint32_t> candidates_;
  const uint32_t required_;
  std::unique_ptr<ReplicaRound> round_;
  size_t next_ = 0;            // candidates_[next_] is the next to ask
  bool read_locally_ = false;  // this node's own read is yet to be done
  std::vector<Answer> answers_;
  std::vector<std::string> failed_;
};

void Coordinator::ReadRound::AskMore() {
  const uint32_t self = c_->replicas_->self_id();
  while (answers_.size() + round_->in_flight() + (read_locally_ ? 1 : 0) < required_ &&
         next_ < candidates_.size()) {
    const uint32_t node = candidates_[next_++];
    if (node == self) {
      read_locally_ = true;
    } else {
      Ask(node);
    }
  }
}

void Coordinator::ReadRound::Ask(uint32_t node) {
  auto started = c_->transport_->StartRead(node, key_);
  if (started.ok()) {
    round_->Add(node, std::move(started).value());
  } else {
    OnReplicaFailure(node, started.status());
  }
}

void Coordinator::ReadRound::OnReplicaFailure(uint32_t node, const Status& s) {
  failed_.push_back(s.message());
  if (s.code() == Status::Code::kUnavailable) c_->membership_->ReportUnreachable(node, s.message());
}

void Coordinator::ReadRound::Send() {
  AskMore();
  if (!read_locally_) return;
  const uint32_t self = c_->replicas_->self_id();
  auto held = c_->replicas_->Read(self, key_);
  read_locally_ = false;
  if (held.ok()) {
    answers_.emplace_back(self, std::move(held).value());
  } else {
    spdlog::error("local read failed: {}", held.status().ToString());
    failed_.push_back(held.status().ToString());
    AskMore();
  }
}

void Coordinator::ReadRound::Collect() {
  auto on_reply = [this](uint32_t node, ReplicaCall& call) {
    auto held = c_->transport_->FinishRead(call);
    if (held.ok()) {
      answers_.emplace_back(node, std::move(held).value());
    } else {
      OnReplicaFailure(node, held.status());
    }
  };
  // Speculative retry: a replica that has not answered after a tenth of the
  // request timeout may be hung or overloaded (it is still "up" until the
  // failure detector notices); ask one more live replica instead of letting
  // the read wait out the whole timeout on it.
  const auto speculate_at = c_->transport_->Now() + c_->options_.request_timeout / 10;
  bool speculated = false;
  while (!enough() && round_->in_flight() > 0) {
    const bool may_speculate = !speculated && next_ < candidates_.size();
    if (round_->AwaitReplies(may_speculate ? speculate_at : round_->deadline(), on_reply)) {
      AskMore();
      continue;
    }
    if (!may_speculate || c_->transport_->Now() >= round_->deadline()) break;  // deadline
    speculated = true;
    c_->speculative_reads_.fetch_add(1);
    Ask(candidates_[next_++]);
  }
}

void Coordinator::ReadRound::HandOffLeftovers() {
  round_->HandOff([this](uint32_t) -> std::function<void(ReplicaCall*)> {
    c_->late_replies_.Add();
    return [c = c_](ReplicaCall* call) {
      if (call) (void)c->transport_->FinishRead(*call);
      c->late_replies_.Done();
    };
  });
}

Status Coordinator::ReadRound::Shortfall(Consistency level) const {
  const std::string why = JoinReasons(failed_);
  const Status::ReplicaCounts answered{static_cast<int>(required_),
                                       static_cast<int>(answers_.size())};
  if (round_->all_answered()) {
    // Every replica asked answered, too few with a record: not a matter of time.
    return Status::Unavailable(fmt::format("{} needs {} replicas to answer, {} could: {}",
                                           LevelName(level), required_, answers_.size(), why),
                               answered);
  }
  return Status::TimedOut(
      fmt::format("{} needs {} replicas to answer, {} did within {} ms{}{}", LevelName(level),
                  required_, answers_.size(), c_->options_.request_timeout.count(),
                  why.empty() ? "" : ": ", why),
      answered);
}

std::vector<uint32_t> Coordinator::ReadCandidates(const std::vector<uint32_t>& replicas,
                                                  uint32_t required) {
  // This node first: its answer costs no network.
  std::vector<uint32_t> candidates;
  for (uint32_t node : replicas) {
    if (node == replicas_->self_id()) candidates.insert(candidates.begin(), node);
  }
  AliveCount(replicas, required);  // tries replicas marked down when too few are up
  for (uint32_t node : replicas) {
    if (node != replicas_->self_id() && membership_->IsUp(node)) candidates.push_back(node);
  }
  return candidates;
}

Result<Record> Coordinator::Get(std::string_view key, Consistency consistency) {
  gets_.fetch_add(1);
  if (options_.syncing && options_.syncing->load()) {
    return Failed(Status::Unavailable(
        fmt::format("node {} is back after more than gc_grace away and syncs with its peers "
                    "before it serves reads; ask another node",
                    replicas_->self_id())));
  }
  const std::shared_ptr<const ClusterView> view = map_->Current();
  const std::vector<uint32_t>& replicas = view->ReadReplicas(view->PartitionOfKey(key));
  const auto required = RequiredAcks(consistency, static_cast<uint32_t>(replicas.size()));
  std::vector<uint32_t> candidates = ReadCandidates(replicas, required);
  if (candidates.size() < required) {
    return Failed(TooFewUp(consistency, required, replicas.size(), candidates.size(), ""));
  }

  ReadRound round(this, std::string(key), std::move(candidates), required);
  round.Send();
  round.Collect();
  round.HandOffLeftovers();
  if (!round.enough()) return Failed(round.Shortfall(consistency));
  return Newest(std::string(key), round.answers());
}

Result<Record> Coordinator::Newest(const std::string& key, const std::vector<Answer>& answers) {
  const Record* winner = nullptr;
  for (const Answer& a : answers) {
    if (a.second && (!winner || a.second->version > winner->version)) winner = &*a.second;
  }
  if (!winner) {
    get_misses_.fetch_add(1);
    return Status::NotFound(key);
  }
  ReadRepair(key, *winner, answers);
  // Expiry is judged by the physical clock: a TTL is a promise about real time.
  if (!winner->IsLiveAt(clock_->physical().NowMs())) {
    get_misses_.fetch_add(1);
    return Status::NotFound(key);
  }
  return *winner;
}

void Coordinator::ReadRepair(const std::string& key, const Record& winner,
                             const std::vector<Answer>& answers) {
  for (const auto& [node, held] : answers) {
    if (held && held->version >= winner.version) continue;
    // Beyond max_pending_repairs the repair is dropped (repairs_ counts it):
    // the replica still converges, by the next read of the key or by
    // anti-entropy, and a burst of stale reads cannot queue without bound.
    const bool queued = repairs_->TryPost([this, node = node, key, winner] {
      if (Status s = replicas_->Write(node, key, winner); !s.ok()) {
        spdlog::debug("read repair of node {} failed: {}", node, s.ToString());
      }
    });
    if (queued) read_repairs_.fetch_add(1);
  }
}

CoordinatorStats Coordinator::stats() const {
  return CoordinatorStats{puts_.load(),         removes_.load(),           gets_.load(),
                          get_misses_.load(),   failures_.load(),          hints_stored_.load(),
                          read_repairs_.load(), speculative_reads_.load(), repairs_->dropped()};
}

}  // namespace alder
