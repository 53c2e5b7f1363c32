#include "server/coordinator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <memory>

#include "server/quorum_wait.h"

namespace alder {
namespace {

const char* LevelName(Consistency level) {
  switch (level) {
    case Consistency::kOne: return "ONE";
    case Consistency::kQuorum: return "QUORUM";
    case Consistency::kAll: return "ALL";
  }
  return "?";
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

uint32_t RequiredAcks(Consistency level, uint32_t replicas) {
  switch (level) {
    case Consistency::kOne: return 1;
    case Consistency::kQuorum: return replicas / 2 + 1;
    case Consistency::kAll: return replicas;
  }
  return replicas;
}

Coordinator::Coordinator(const Ring* ring, clock::HybridLogicalClock* clock, Replicas* replicas,
                         Membership* membership, HintStore* hints, CoordinatorOptions options)
    : ring_(ring),
      clock_(clock),
      replicas_(replicas),
      membership_(membership),
      hints_(hints),
      options_(options),
      pool_(options.replica_call_threads) {}

Coordinator::~Coordinator() { pool_.join(); }

uint32_t Coordinator::AliveCount(const std::vector<uint32_t>& replicas) const {
  uint32_t alive = 0;
  for (uint32_t node : replicas) alive += membership_->IsUp(node) ? 1 : 0;
  return alive;
}

void Coordinator::StoreHint(uint32_t node, const std::string& key, const Record& record) {
  if (options_.hint_window.count() == 0) return;
  if (Status s = hints_->Add(node, key, record); !s.ok()) {
    spdlog::error("could not store a hint for node {}: {}", node, s.ToString());
    return;
  }
  hints_stored_.fetch_add(1);
}

Result<Version> Coordinator::Write(std::string_view key_view, Record record,
                                   Consistency consistency) {
  const std::vector<uint32_t>& replicas = ring_->NodesForKey(key_view);
  const auto required = RequiredAcks(consistency, static_cast<uint32_t>(replicas.size()));
  const uint32_t alive = AliveCount(replicas);
  const Status::ReplicaCounts counts{static_cast<int>(required), static_cast<int>(alive)};
  if (alive < required) {
    failures_.fetch_add(1);
    return Status::Unavailable(fmt::format("{} needs {} of the key's {} replicas, {} are up",
                                           LevelName(consistency), required, replicas.size(),
                                           alive),
                               counts);
  }
  if (Status s = membership_->CheckClockInStep(); !s.ok()) {
    failures_.fetch_add(1);
    return Status::Unavailable(s.message(), counts);
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.request_timeout;
  record.version = Version{clock_->Now(), replicas_->self_id()};
  if (record.expires_at_ms != 0) record.expires_at_ms += record.version.hlc.wall_ms();

  const std::string key(key_view);
  auto acks = std::make_shared<QuorumWait<uint32_t>>(required, replicas.size());
  bool write_locally = false;
  for (uint32_t node : replicas) {
    if (node == replicas_->self_id()) {
      write_locally = true;
    } else if (!membership_->IsUp(node)) {
      acks->Fail(fmt::format("node {} is down", node));
      StoreHint(node, key, record);
    } else {
      boost::asio::post(pool_, [this, node, key, record, acks] {
        const Status s = replicas_->Write(node, key, record);
        if (s.ok()) {
          acks->Succeed(node);
          return;
        }
        acks->Fail(s.message());
        if (s.code() == Status::Code::kUnavailable) membership_->ReportUnreachable(node, s.message());
        // A refusal (clock, cluster) would be refused again on replay.
        if (s.code() != Status::Code::kRefused) StoreHint(node, key, record);
      });
    }
  }
  if (write_locally) {
    const Status s = replicas_->Write(replicas_->self_id(), key, record);
    if (s.ok()) {
      acks->Succeed(replicas_->self_id());
    } else {
      spdlog::error("local write failed: {}", s.ToString());
      acks->Fail(s.ToString());
    }
  }
  if (acks->WaitUntil(deadline)) return record.version;

  failures_.fetch_add(1);
  const auto acked = static_cast<int>(acks->successes().size());
  const std::string why = Join(acks->failures());
  if (acks->AllAnswered()) {
    // Every replica answered and too few took the write: not a matter of time.
    return Status::Unavailable(fmt::format("{} needs {} acks, {} replicas took the write: {}",
                                           LevelName(consistency), required, acked, why),
                               Status::ReplicaCounts{static_cast<int>(required), acked});
  }
  return Status::TimedOut(
      fmt::format("{} needs {} acks, {} arrived within {} ms (the write may still land){}{}",
                  LevelName(consistency), required, acked, options_.request_timeout.count(),
                  why.empty() ? "" : ": ", why),
      Status::ReplicaCounts{static_cast<int>(required), acked});
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

void Coordinator::ReadRepair(
    const std::string& key, const Record& winner,
    const std::vector<std::pair<uint32_t, std::optional<Record>>>& answers) {
  for (const auto& [node, held] : answers) {
    if (held && held->version >= winner.version) continue;
    read_repairs_.fetch_add(1);
    boost::asio::post(pool_, [this, node = node, key, winner] {
      if (Status s = replicas_->Write(node, key, winner); !s.ok()) {
        spdlog::debug("read repair of node {} failed: {}", node, s.ToString());
      }
    });
  }
}

Result<Record> Coordinator::Get(std::string_view key_view, Consistency consistency) {
  gets_.fetch_add(1);
  const std::vector<uint32_t>& replicas = ring_->NodesForKey(key_view);
  const auto required = RequiredAcks(consistency, static_cast<uint32_t>(replicas.size()));
  // Live replicas, this node first: its answer costs no network.
  std::vector<uint32_t> candidates;
  for (uint32_t node : replicas) {
    if (node == replicas_->self_id()) candidates.insert(candidates.begin(), node);
  }
  for (uint32_t node : replicas) {
    if (node != replicas_->self_id() && membership_->IsUp(node)) candidates.push_back(node);
  }
  if (candidates.size() < required) {
    failures_.fetch_add(1);
    return Status::Unavailable(
        fmt::format("{} needs {} of the key's {} replicas, {} are up", LevelName(consistency),
                    required, replicas.size(), candidates.size()),
        Status::ReplicaCounts{static_cast<int>(required), static_cast<int>(candidates.size())});
  }

  using Answer = std::pair<uint32_t, std::optional<Record>>;
  const auto deadline = std::chrono::steady_clock::now() + options_.request_timeout;
  const std::string key(key_view);
  auto answers = std::make_shared<QuorumWait<Answer>>(required, required);
  // Replicas beyond the first `required` are asked when one of those fails.
  auto next_candidate = std::make_shared<std::atomic<size_t>>(required);
  auto shared_candidates = std::make_shared<const std::vector<uint32_t>>(candidates);
  auto ask = [this, key, answers, next_candidate, shared_candidates](uint32_t node) {
    for (;;) {
      auto held = replicas_->Read(node, key);
      if (held.ok()) {
        answers->Succeed(Answer{node, std::move(held).value()});
        return;
      }
      if (held.status().code() == Status::Code::kUnavailable) {
        membership_->ReportUnreachable(node, held.status().message());
      }
      const size_t next = next_candidate->fetch_add(1);
      if (next < shared_candidates->size()) answers->AddAttempt();
      answers->Fail(held.status().message());
      if (next >= shared_candidates->size()) return;
      node = (*shared_candidates)[next];
    }
  };
  bool read_locally = false;
  for (size_t i = 0; i < required; ++i) {
    if (candidates[i] == replicas_->self_id()) {
      read_locally = true;
    } else {
      boost::asio::post(pool_, [ask, node = candidates[i]] { ask(node); });
    }
  }
  if (read_locally) ask(replicas_->self_id());
  const bool enough = answers->WaitUntil(deadline);
  const std::vector<Answer> got = answers->successes();
  if (!enough) {
    failures_.fetch_add(1);
    const std::string why = Join(answers->failures());
    if (answers->AllAnswered()) {
      // Every replica asked answered, too few with a record: not a matter of time.
      return Status::Unavailable(
          fmt::format("{} needs {} replicas to answer, {} could: {}", LevelName(consistency),
                      required, got.size(), why),
          Status::ReplicaCounts{static_cast<int>(required), static_cast<int>(got.size())});
    }
    return Status::TimedOut(
        fmt::format("{} needs {} replicas to answer, {} did within {} ms{}{}",
                    LevelName(consistency), required, got.size(),
                    options_.request_timeout.count(), why.empty() ? "" : ": ", why),
        Status::ReplicaCounts{static_cast<int>(required), static_cast<int>(got.size())});
  }

  const Record* winner = nullptr;
  for (const Answer& a : got) {
    if (a.second && (!winner || a.second->version > winner->version)) winner = &*a.second;
  }
  if (!winner) {
    get_misses_.fetch_add(1);
    return Status::NotFound(key);
  }
  ReadRepair(key, *winner, got);
  // Expiry is judged by the physical clock: a TTL is a promise about real time.
  if (!winner->IsLiveAt(clock_->physical().NowMs())) {
    get_misses_.fetch_add(1);
    return Status::NotFound(key);
  }
  return *winner;
}

CoordinatorStats Coordinator::stats() const {
  return CoordinatorStats{puts_.load(),     removes_.load(),      gets_.load(),
                          get_misses_.load(), failures_.load(), hints_stored_.load(),
                          read_repairs_.load()};
}

}  // namespace alder
