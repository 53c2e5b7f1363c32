#include "server/rpc/admin_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

namespace alder {
namespace {

// How long compare waits before it looks again at what differed: writes in
// flight land on every replica well within this.
constexpr auto kSecondLook = std::chrono::milliseconds(300);
// How long verifyTrees waits before it checks a tree that looked off again.
constexpr auto kVerifyAgain = std::chrono::milliseconds(100);

[[noreturn]] void Invalid(const std::string& message) {
  api::InvalidArgument e;
  e.message = message;
  throw e;
}

std::string HashBytes(const TreeHash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

api::ReplicaVersion VersionOf(uint32_t node, const std::optional<IndexEntry>& entry) {
  api::ReplicaVersion v;
  v.node_id = static_cast<int32_t>(node);
  if (entry) {
    v.__set_version(static_cast<int64_t>(entry->version.hlc.packed()));
    v.__set_tombstone(entry->tombstone);
  }
  return v;
}

// Whether every replica holds the same version of a key (or none holds it).
bool AllAgree(const std::map<uint32_t, std::optional<IndexEntry>>& by_node) {
  const std::optional<IndexEntry>& first = by_node.begin()->second;
  return std::all_of(by_node.begin(), by_node.end(), [&](const auto& node_entry) {
    const std::optional<IndexEntry>& entry = node_entry.second;
    return entry.has_value() == first.has_value() && (!entry || entry->digest == first->digest);
  });
}

}  // namespace

AntiEntropyAdmin::AntiEntropyAdmin(uint32_t self_id, const ClusterMap* map, TreeSet* trees,
                                   TreeExchange* exchange, RepairScheduler* scheduler,
                                   Storage* storage, clock::Sleeper* sleeper)
    : self_id_(self_id),
      map_(map),
      trees_(trees),
      exchange_(exchange),
      scheduler_(scheduler),
      storage_(storage),
      sleeper_(sleeper) {}

std::optional<uint32_t> AntiEntropyAdmin::PartitionOf(bool has_partition, int32_t partition,
                                                      bool has_key, const std::string& key) const {
  if (has_partition && has_key) Invalid("give a partition or a key, not both");
  const std::shared_ptr<const ClusterView> view = map_->Current();
  if (has_key) return view->PartitionOfKey(key);
  if (!has_partition) return std::nullopt;
  if (partition < 0 || static_cast<uint32_t>(partition) >= view->partitions()) {
    Invalid(fmt::format("partition {} is not in 0..{}", partition, view->partitions() - 1));
  }
  return static_cast<uint32_t>(partition);
}

api::RepairReport AntiEntropyAdmin::Repair(const api::RepairRequest& request) {
  const auto partition =
      PartitionOf(request.__isset.partition, request.partition, request.__isset.key, request.key);
  auto totals = scheduler_->RepairNow(partition);
  if (!totals.ok()) Invalid(totals.status().message());
  api::RepairReport r;
  r.partitions = static_cast<int32_t>(totals->partitions);
  r.exchanges = static_cast<int32_t>(totals->exchanges);
  r.failed_exchanges = static_cast<int32_t>(totals->failed_exchanges);
  r.tree_nodes_compared = static_cast<int64_t>(totals->counters.tree_nodes_compared);
  r.keys_listed = static_cast<int64_t>(totals->counters.keys_listed);
  r.records_sent = static_cast<int64_t>(totals->counters.records_sent);
  r.bytes_sent = static_cast<int64_t>(totals->counters.bytes_sent);
  r.records_differing = static_cast<int64_t>(totals->counters.records_differing);
  r.elapsed_ms = totals->elapsed.count();
  if (!totals->first_error.empty()) r.__set_error(totals->first_error);
  return r;
}

api::PartitionComparison AntiEntropyAdmin::ComparePartition(uint32_t partition, bool list_keys,
                                                            int32_t* unreachable, bool may_pause) {
  api::PartitionComparison out;
  out.partition = static_cast<int32_t>(partition);
  out.converged = true;
  // During a ring change, the replicas of both rings.
  const std::vector<uint32_t> replicas = map_->Current()->AllReplicas(partition);
  std::map<uint32_t, std::optional<TreeHash>> roots;
  auto look = [&] {
    roots.clear();
    for (uint32_t node : replicas) {
      if (node == self_id_) {
        roots[node] = trees_->Root(partition);
        continue;
      }
      auto root = exchange_->RemoteRoot(partition, node);
      roots[node] = root.ok() ? std::optional<TreeHash>(root.value()) : std::nullopt;
    }
  };
  auto all_equal = [&] {
    const TreeHash mine = *roots.at(self_id_);
    for (const auto& [node, root] : roots) {
      if (root && *root != mine) return false;
    }
    return true;
  };
  look();
  if (!all_equal() && may_pause) {
    // A difference may be a write still in flight: look again before saying so.
    sleeper_->SleepFor(kSecondLook);
    look();
  }
  for (const auto& [node, root] : roots) {
    api::ReplicaRoot r;
    r.node_id = static_cast<int32_t>(node);
    if (root) {
      r.__set_root_hash(HashBytes(*root));
    } else {
      r.__set_error("could not reach node " + std::to_string(node));
      ++*unreachable;
      out.converged = false;
    }
    out.roots.push_back(std::move(r));
  }
  if (all_equal()) return out;
  out.converged = false;
  if (!list_keys) return out;

  // Which keys: the exchange's descent without sending anything, then a
  // second look at each key before reporting it.
  std::map<std::string, std::map<uint32_t, std::optional<IndexEntry>>> differing;
  for (const auto& [node, root] : roots) {
    if (node == self_id_ || !root || *root == *roots.at(self_id_)) continue;
    std::vector<KeyDifference> diffs;
    if (!exchange_->Run(partition, node, ExchangeMode::kCompare, &diffs).ok()) continue;
    for (const KeyDifference& d : diffs) differing[d.key];
  }
  if (differing.empty()) return out;
  if (may_pause) sleeper_->SleepFor(kSecondLook);
  std::vector<std::string> keys;
  for (const auto& [key, unused] : differing) keys.push_back(key);
  for (uint32_t node : replicas) {
    if (node == self_id_) {
      for (const std::string& key : keys) {
        auto entry = storage_->ReadIndex(key);
        differing[key][node] = entry.ok() ? entry.value() : std::nullopt;
      }
      continue;
    }
    auto versions = exchange_->RemoteVersions(node, keys);
    if (!versions.ok()) continue;
    for (size_t i = 0; i < keys.size(); ++i) differing[keys[i]][node] = versions.value()[i];
  }
  for (const auto& [key, by_node] : differing) {
    if (AllAgree(by_node)) continue;  // it was in flight
    api::KeyDifference d;
    d.key = key;
    for (const auto& [node, entry] : by_node) d.versions.push_back(VersionOf(node, entry));
    out.differences.push_back(std::move(d));
  }
  return out;
}

api::PartitionComparison AntiEntropyAdmin::CompareKey(const std::string& key,
                                                      int32_t* unreachable) {
  const std::shared_ptr<const ClusterView> view = map_->Current();
  const uint32_t partition = view->PartitionOfKey(key);
  const std::vector<uint32_t> replicas = view->AllReplicas(partition);
  api::PartitionComparison out;
  out.partition = static_cast<int32_t>(partition);
  for (int attempt = 0; attempt < 2; ++attempt) {
    out.roots.clear();
    out.differences.clear();
    std::map<uint32_t, std::optional<IndexEntry>> versions;
    bool reached_all = true;
    for (uint32_t node : replicas) {
      api::ReplicaRoot r;
      r.node_id = static_cast<int32_t>(node);
      if (node == self_id_) {
        auto entry = storage_->ReadIndex(key);
        versions[node] = entry.ok() ? entry.value() : std::nullopt;
      } else {
        auto remote = exchange_->RemoteVersions(node, {key});
        if (!remote.ok()) {
          r.__set_error(remote.status().message());
          reached_all = false;
        } else {
          versions[node] = remote->front();
        }
      }
      out.roots.push_back(std::move(r));
    }
    const bool same = AllAgree(versions);
    out.converged = same && reached_all;
    if (!same) {
      api::KeyDifference d;
      d.key = key;
      for (const auto& [node, entry] : versions) d.versions.push_back(VersionOf(node, entry));
      out.differences.push_back(std::move(d));
    }
    if (out.converged || !reached_all) {
      if (!reached_all) ++*unreachable;
      break;
    }
    sleeper_->SleepFor(kSecondLook);  // in flight? look once more
  }
  return out;
}

api::Comparison AntiEntropyAdmin::Compare(const api::CompareRequest& request) {
  api::Comparison out;
  out.unreachable = 0;
  if (request.__isset.key) {
    if (request.__isset.partition) Invalid("give a partition or a key, not both");
    out.partitions.push_back(CompareKey(request.key, &out.unreachable));
  } else {
    const auto partition =
        PartitionOf(request.__isset.partition, request.partition, false, std::string());
    if (partition && !trees_->Owns(*partition)) {
      Invalid(fmt::format("node {} does not replicate partition {}", self_id_, *partition));
    }
    const bool list_keys = request.__isset.list_keys && request.list_keys;
    std::vector<uint32_t> partitions =
        partition ? std::vector<uint32_t>{*partition} : trees_->owned();
    // First look at every partition without pausing; then one pause, and a
    // second look (with keys, if asked) at the ones that differed.
    std::vector<api::PartitionComparison> first;
    int32_t first_unreachable = 0;
    for (uint32_t p : partitions) {
      first.push_back(ComparePartition(p, false, &first_unreachable, false));
    }
    bool paused = false;
    for (api::PartitionComparison& c : first) {
      if (c.converged) {
        out.partitions.push_back(std::move(c));
        continue;
      }
      out.partitions.push_back(ComparePartition(static_cast<uint32_t>(c.partition), list_keys,
                                                &out.unreachable, !paused));
      paused = true;
    }
  }
  out.converged = out.unreachable == 0;
  for (const auto& p : out.partitions) out.converged &= p.converged;
  return out;
}

void AntiEntropyAdmin::DescribeInto(api::ClusterStatus* status, uint64_t now_ms,
                                    uint64_t records_purged, bool syncing) const {
  std::vector<api::ExchangeState> states;
  std::optional<int64_t> oldest;
  bool never = false;
  for (const auto& [pair, last] : scheduler_->Snapshot()) {
    api::ExchangeState s;
    s.partition = static_cast<int32_t>(pair.first);
    s.peer = static_cast<int32_t>(pair.second);
    if (last) {
      const int64_t ago = static_cast<int64_t>(now_ms) - static_cast<int64_t>(*last);
      s.__set_last_success_ms_ago(ago);
      oldest = std::max(oldest.value_or(ago), ago);
    } else {
      never = true;
    }
    states.push_back(std::move(s));
  }
  status->__set_exchanges(std::move(states));
  if (oldest && !never) status->__set_oldest_exchange_ms_ago(*oldest);
  status->__set_records_purged(static_cast<int64_t>(records_purged));
  status->__set_syncing(syncing);
}

api::TreeVerification AntiEntropyAdmin::VerifyTrees() {
  api::TreeVerification out;
  uint64_t entries = 0;
  auto mismatched = trees_->Verify(storage_, &entries);
  if (mismatched.ok() && !mismatched->empty()) {
    // Writes during the scan can make a tree look off: check again.
    sleeper_->SleepFor(kVerifyAgain);
    mismatched = trees_->Verify(storage_, &entries);
  }
  if (!mismatched.ok()) Invalid("cannot read the digest index: " + mismatched.status().message());
  out.partitions_checked = static_cast<int32_t>(trees_->owned().size());
  out.index_entries = static_cast<int64_t>(entries);
  for (uint32_t p : mismatched.value())
    out.mismatched_partitions.push_back(static_cast<int32_t>(p));
  return out;
}

}  // namespace alder
