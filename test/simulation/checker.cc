// The checks compare versions only: values are derived from keys, and the
// LWW merge is tested on its own (test/server/record_test.cc).
#include "test/simulation/checker.h"

#include <fmt/format.h>

#include <set>

namespace alder::sim {
namespace {

Ring MakeRing(const SimSettings& s) {
  std::vector<uint32_t> ids;
  for (uint32_t id = 1; id <= s.nodes; ++id) ids.push_back(id);
  return std::move(Ring::Create(ids, s.partitions, s.replication_factor)).value();
}

bool IsWrite(const Op& op) { return op.kind != OpKind::kGet; }

std::string Describe(const Op& op) {
  return fmt::format("{} {} {} at node {} [{:.3f}s, {:.3f}s]{}", LevelName(op.consistency),
                     KindName(op.kind), op.key, op.node, op.start.count() / 1e6,
                     op.end.count() / 1e6,
                     op.version ? " version " + op.version->ToString() : std::string());
}

std::string DescribeStored(const std::optional<StoredRecord>& stored) {
  if (!stored) return "nothing";
  const Record& r = stored->record;
  return fmt::format("{}{}", r.version.ToString(),
                     r.tombstone       ? " (tombstone)"
                     : r.expires_at_ms ? " (with TTL)"
                                       : "");
}

}  // namespace

Checker::Checker(const SimSettings* settings, std::vector<std::unique_ptr<SimNode>>* nodes,
                 const History* history)
    : settings_(settings), nodes_(nodes), history_(history), ring_(MakeRing(*settings)) {}

std::string Checker::Divergence(uint64_t now_ms) {
  std::set<std::string> keys;
  for (const Op& op : *history_) {
    if (IsWrite(op)) keys.insert(op.key);
  }
  for (const std::string& key : keys) {
    // Agreed: every replica holds the same version, or (the key is dead)
    // some have purged it and the others hold the same dead version.
    std::set<Version> held;
    bool any_live = false, any_absent = false;
    std::string states;
    for (uint32_t id : ring_.NodesForKey(key)) {
      const std::optional<StoredRecord> stored = Node(id).Stored(key);
      states += fmt::format(" node {}: {};", id, DescribeStored(stored));
      if (stored) {
        held.insert(stored->record.version);
        any_live = any_live || stored->record.IsLiveAt(now_ms);
      } else {
        any_absent = true;
      }
    }
    if (held.size() > 1 || (any_live && any_absent)) {
      return fmt::format("replicas of {} differ:{}", key, states);
    }
  }
  return "";
}

std::vector<std::string> Checker::Check(uint64_t now_ms) {
  std::vector<std::string> out;
  if (std::string why = Divergence(now_ms); !why.empty()) out.push_back("not converged: " + why);
  CheckDurability(now_ms, &out);
  CheckReads(&out);
  CheckOrder(&out);
  for (auto& node : *nodes_) {
    for (const std::string& v : node->disk().violations()) {
      out.push_back(fmt::format("node {}'s disk: {}", node->id(), v));
    }
    if (node->syncing()) {
      out.push_back(fmt::format("node {} still syncing (refusing reads) at the end", node->id()));
    }
  }
  return out;
}

bool Checker::DeadOnSomeReplica(const std::string& key, const Version& version, uint64_t now_ms) {
  for (uint32_t id : ring_.NodesForKey(key)) {
    const std::optional<StoredRecord> stored = Node(id).Stored(key);
    if (stored) {
      if (stored->record.version >= version && !stored->record.IsLiveAt(now_ms)) return true;
      continue;
    }
    const std::optional<Version> highest = Node(id).disk().HighestDurable(key);
    if (highest && *highest >= version) return true;  // purged after it
  }
  return false;
}

void Checker::CheckDurability(uint64_t now_ms, std::vector<std::string>* out) {
  for (const Op& op : *history_) {
    if (!IsWrite(op) || !op.acked) continue;
    for (uint32_t id : ring_.NodesForKey(op.key)) {
      const std::optional<StoredRecord> stored = Node(id).Stored(op.key);
      if (stored && stored->record.version >= *op.version) continue;
      const std::optional<Version> highest = Node(id).disk().HighestDurable(op.key);
      if (!stored && highest && *highest >= *op.version) continue;  // purged after it
      if (!stored && DeadOnSomeReplica(op.key, *op.version, now_ms)) continue;
      out->push_back(fmt::format("acknowledged write lost: {}; node {} holds {}", Describe(op), id,
                                 DescribeStored(stored)));
    }
  }
}

bool Checker::MayBeDeletedBefore(const Op& write, const Op& read) const {
  if (write.ttl_ms) return true;
  for (const Op& other : *history_) {
    if (other.key != write.key || other.kind == OpKind::kGet) continue;
    if (other.kind == OpKind::kPut && !other.ttl_ms) continue;
    if (other.acked ? *other.version > *write.version : other.start < read.end) return true;
  }
  return false;
}

void Checker::CheckReads(std::vector<std::string>* out) {
  const uint32_t rf = settings_->replication_factor;
  for (const Op& read : *history_) {
    if (read.kind != OpKind::kGet || !read.acked) continue;
    for (const Op& write : *history_) {
      if (!IsWrite(write) || !write.acked || write.key != read.key || write.end >= read.start) {
        continue;
      }
      if (RequiredAcks(write.consistency, rf) + RequiredAcks(read.consistency, rf) <= rf) continue;
      if (read.version ? *read.version >= *write.version : MayBeDeletedBefore(write, read)) {
        continue;
      }
      if (!read.version && write.kind == OpKind::kRemove) continue;
      out->push_back(fmt::format("stale read: {} after {}", Describe(read), Describe(write)));
    }
  }
}

void Checker::CheckOrder(std::vector<std::string>* out) {
  const SimTime margin = 3 * SimTime(settings_->max_clock_offset);
  for (const Op& first : *history_) {
    if (!IsWrite(first) || !first.acked) continue;
    for (const Op& later : *history_) {
      if (!IsWrite(later) || !later.acked || later.key != first.key) continue;
      if (later.start > first.end + margin && *later.version < *first.version) {
        out->push_back(fmt::format("writes reordered: {} lost to the earlier {}", Describe(later),
                                   Describe(first)));
      }
    }
  }
}

}  // namespace alder::sim
