#include "server/coordinator.h"

#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <memory>

namespace alder {
namespace {

const char* LevelName(Consistency level) {
  switch (level) {
    case Consistency::kOne:
      return "ONE";
    case Consistency::kQuorum:
      return "QUORUM";
    case Consistency::kAll:
      return "ALL";
  }
  return "?";
}

// Waits until at least one of `calls` has its reply readable, or `deadline`.
// Returns the indices of the readable ones (empty on timeout). A socket in
// error counts as readable: Finish() then reports the error.
std::vector<size_t> WaitForReplies(const std::vector<PendingCall*>& calls,
                                   std::chrono::steady_clock::time_point deadline) {
  std::vector<pollfd> fds;
  for (PendingCall* call : calls) fds.push_back(pollfd{call->fd(), POLLIN, 0});
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  const int timeout_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
  int ready = 0;
  do {
    ready = poll(fds.data(), fds.size(), timeout_ms);
  } while (ready < 0 && errno == EINTR);
  std::vector<size_t> out;
  for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
    if (fds[i].revents != 0) out.push_back(i);
  }
  return out;
}

// Whether a failed replica write certainly left the replica unchanged: it
// refused the write, or the request never reached it. A time-out or a broken
// connection after sending may have applied it.
bool DefinitelyNotApplied(const Status& s) {
  return s.code() == Status::Code::kRefused || s.code() == Status::Code::kRetryLater ||
         s.code() == Status::Code::kUnavailable;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

uint32_t RequiredAcks(Consistency level, uint32_t replicas) {
  switch (level) {
    case Consistency::kOne:
      return 1;
    case Consistency::kQuorum:
      return replicas / 2 + 1;
    case Consistency::kAll:
      return replicas;
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
      pool_(options.repair_threads) {}

Coordinator::~Coordinator() { pool_.join(); }  // replies_ then stops: it is declared later

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

Result<Version> Coordinator::Write(std::string_view key_view, Record record,
                                   Consistency consistency) {
  const std::vector<uint32_t>& replicas = ring_->NodesForKey(key_view);
  const auto required = RequiredAcks(consistency, static_cast<uint32_t>(replicas.size()));
  const uint32_t alive = AliveCount(replicas, required);
  const Status::ReplicaCounts counts{static_cast<int>(required), static_cast<int>(alive)};
  if (alive < required) {
    failures_.fetch_add(1);
    return Status::Unavailable(
        fmt::format("{} needs {} of the key's {} replicas, {} are up", LevelName(consistency),
                    required, replicas.size(), alive),
        counts);
  }
  // Stamped only when this node's clocks are in step with the cluster, so
  // no replica ever stores a stamp that would beat later writes unfairly.
  Result<clock::Timestamp> stamp = membership_->StampWrite();
  if (!stamp.ok()) {
    failures_.fetch_add(1);
    return Status::Unavailable(stamp.status().message(), counts);
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.request_timeout;
  record.version = Version{stamp.value(), replicas_->self_id()};
  if (record.expires_at_ms != 0) record.expires_at_ms += record.version.hlc.wall_ms();
  const std::string key(key_view);

  // Send to the other replicas first, write our own meanwhile, then collect
  // their replies on this thread: no hand-off to another thread on the way.
  uint32_t acks = 0;
  // Replicas that failed in a way that may still have applied the write
  // (sent, then no answer or a broken connection).
  uint32_t outcome_unknown = 0;
  std::vector<std::string> failed;
  std::vector<uint32_t> waiting_nodes;
  std::vector<std::unique_ptr<PendingCall>> waiting;
  bool write_locally = false;
  for (uint32_t node : replicas) {
    if (node == replicas_->self_id()) {
      write_locally = true;
      continue;
    }
    if (!membership_->IsUp(node)) {
      failed.push_back(fmt::format("node {} is down", node));
      StoreHint(node, key, record);
      continue;
    }
    auto started = replicas_->StartWrite(node, key, record);
    if (!started.ok()) {
      failed.push_back(started.status().message());
      if (!DefinitelyNotApplied(started.status())) ++outcome_unknown;
      AfterFailedReplicaWrite(node, key, record, started.status());
      continue;
    }
    waiting_nodes.push_back(node);
    waiting.push_back(std::move(started).value());
  }
  if (write_locally) {
    const Status s = replicas_->Write(replicas_->self_id(), key, record);
    if (s.ok()) {
      ++acks;
    } else {
      spdlog::error("local write failed: {}", s.ToString());
      failed.push_back(s.ToString());
    }
  }
  while (acks < required && !waiting.empty()) {
    std::vector<PendingCall*> calls;
    for (auto& call : waiting) calls.push_back(call.get());
    const std::vector<size_t> ready = WaitForReplies(calls, deadline);
    if (ready.empty()) break;  // deadline
    for (auto it = ready.rbegin(); it != ready.rend(); ++it) {
      const uint32_t node = waiting_nodes[*it];
      const Status s = Replicas::FinishWrite(*waiting[*it]);
      if (s.ok()) {
        ++acks;
      } else {
        failed.push_back(s.message());
        if (!DefinitelyNotApplied(s)) ++outcome_unknown;
        AfterFailedReplicaWrite(node, key, record, s);
      }
      waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(*it));
      waiting_nodes.erase(waiting_nodes.begin() + static_cast<std::ptrdiff_t>(*it));
    }
  }
  // Replies not needed for the answer are collected in the background; a
  // replica that fails or times out there still gets its hint.
  const bool all_answered = waiting.empty();
  for (size_t i = 0; i < waiting.size(); ++i) {
    replies_.Add(std::move(waiting[i]), deadline,
                 [this, node = waiting_nodes[i], key, record](PendingCall* call) {
                   const Status s =
                       call ? Replicas::FinishWrite(*call)
                            : Status::TimedOut(fmt::format("node {} did not answer in time", node));
                   if (!s.ok()) AfterFailedReplicaWrite(node, key, record, s);
                 });
  }
  if (acks >= required) return record.version;

  failures_.fetch_add(1);
  const std::string why = Join(failed);
  const Status::ReplicaCounts acked{static_cast<int>(required), static_cast<int>(acks)};
  if (all_answered && acks == 0 && outcome_unknown == 0) {
    // Every replica answered and none took the write: it was written
    // nowhere, which is what Unavailable promises.
    return Status::Unavailable(fmt::format("{} needs {} acks, no replica took the write: {}",
                                           LevelName(consistency), required, why),
                               Status::ReplicaCounts{static_cast<int>(required), 0});
  }
  if (all_answered && outcome_unknown == 0) {
    // Some replicas hold the write: its outcome is not "nothing written".
    // Anti-entropy spreads it; the client must treat it as unknown.
    return Status::TimedOut(
        fmt::format("{} needs {} acks, {} replicas took the write and the others refused it "
                    "(the write may still take effect): {}",
                    LevelName(consistency), required, acks, why),
        acked);
  }
  return Status::TimedOut(
      fmt::format("{} needs {} acks, {} arrived within {} ms (the write may still land){}{}",
                  LevelName(consistency), required, acks, options_.request_timeout.count(),
                  why.empty() ? "" : ": ", why),
      acked);
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
  if (options_.syncing && options_.syncing->load()) {
    failures_.fetch_add(1);
    return Status::Unavailable(
        fmt::format("node {} is back after more than gc_grace away and syncs with its peers "
                    "before it serves reads; ask another node",
                    replicas_->self_id()));
  }
  const std::vector<uint32_t>& replicas = ring_->NodesForKey(key_view);
  const auto required = RequiredAcks(consistency, static_cast<uint32_t>(replicas.size()));
  // Live replicas, this node first: its answer costs no network.
  std::vector<uint32_t> candidates;
  for (uint32_t node : replicas) {
    if (node == replicas_->self_id()) candidates.insert(candidates.begin(), node);
  }
  AliveCount(replicas, required);  // tries replicas marked down when too few are up
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
  // As for writes: ask the other replicas first, read our own meanwhile,
  // then collect replies on this thread. A replica that fails is replaced by
  // the next live one, while there is one.
  std::vector<Answer> got;
  std::vector<std::string> failed;
  std::vector<uint32_t> waiting_nodes;
  std::vector<std::unique_ptr<PendingCall>> waiting;
  size_t next = 0;
  bool read_locally = false;
  auto on_failure = [&](uint32_t node, const Status& s) {
    failed.push_back(s.message());
    if (s.code() == Status::Code::kUnavailable) membership_->ReportUnreachable(node, s.message());
  };
  // Asks candidates until `required` answers are possible or none are left.
  auto ask_more = [&] {
    while (got.size() + waiting.size() + (read_locally ? 1 : 0) < required &&
           next < candidates.size()) {
      const uint32_t node = candidates[next++];
      if (node == replicas_->self_id()) {
        read_locally = true;
        continue;
      }
      auto started = replicas_->StartRead(node, key);
      if (!started.ok()) {
        on_failure(node, started.status());
        continue;
      }
      waiting_nodes.push_back(node);
      waiting.push_back(std::move(started).value());
    }
  };
  ask_more();
  if (read_locally) {
    auto held = replicas_->Read(replicas_->self_id(), key);
    read_locally = false;
    if (held.ok()) {
      got.emplace_back(replicas_->self_id(), std::move(held).value());
    } else {
      spdlog::error("local read failed: {}", held.status().ToString());
      failed.push_back(held.status().ToString());
      ask_more();
    }
  }
  // Speculative retry: a replica that has not answered after a tenth of the
  // request timeout may be hung or overloaded (it is still "up" until the
  // failure detector notices); ask one more live replica instead of letting
  // the read wait out the whole timeout on it.
  const auto speculate_at = std::chrono::steady_clock::now() + options_.request_timeout / 10;
  bool speculated = false;
  while (got.size() < required && !waiting.empty()) {
    std::vector<PendingCall*> calls;
    for (auto& call : waiting) calls.push_back(call.get());
    const bool may_speculate = !speculated && next < candidates.size();
    const std::vector<size_t> ready =
        WaitForReplies(calls, may_speculate ? std::min(speculate_at, deadline) : deadline);
    if (ready.empty()) {
      if (!may_speculate || std::chrono::steady_clock::now() >= deadline) break;  // deadline
      speculated = true;
      speculative_reads_.fetch_add(1);
      const uint32_t node = candidates[next++];
      auto started = replicas_->StartRead(node, key);
      if (started.ok()) {
        waiting_nodes.push_back(node);
        waiting.push_back(std::move(started).value());
      } else {
        on_failure(node, started.status());
      }
      continue;
    }
    for (auto it = ready.rbegin(); it != ready.rend(); ++it) {
      const uint32_t node = waiting_nodes[*it];
      auto held = Replicas::FinishRead(node, *waiting[*it]);
      waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(*it));
      waiting_nodes.erase(waiting_nodes.begin() + static_cast<std::ptrdiff_t>(*it));
      if (held.ok()) {
        got.emplace_back(node, std::move(held).value());
      } else {
        on_failure(node, held.status());
      }
    }
    ask_more();
  }
  const bool all_answered = waiting.empty();
  for (size_t i = 0; i < waiting.size(); ++i) {
    // Late replies are read and dropped, so their connections can be reused.
    replies_.Add(std::move(waiting[i]), deadline, [node = waiting_nodes[i]](PendingCall* call) {
      if (call) (void)Replicas::FinishRead(node, *call);
    });
  }
  if (got.size() < required) {
    failures_.fetch_add(1);
    const std::string why = Join(failed);
    if (all_answered) {
      // Every replica asked answered, too few with a record: not a matter of time.
      return Status::Unavailable(
          fmt::format("{} needs {} replicas to answer, {} could: {}", LevelName(consistency),
                      required, got.size(), why),
          Status::ReplicaCounts{static_cast<int>(required), static_cast<int>(got.size())});
    }
    return Status::TimedOut(
        fmt::format("{} needs {} replicas to answer, {} did within {} ms{}{}",
                    LevelName(consistency), required, got.size(), options_.request_timeout.count(),
                    why.empty() ? "" : ": ", why),
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
  return CoordinatorStats{puts_.load(),         removes_.load(),          gets_.load(),
                          get_misses_.load(),   failures_.load(),         hints_stored_.load(),
                          read_repairs_.load(), speculative_reads_.load()};
}

}  // namespace alder
