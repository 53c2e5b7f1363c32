#include "antientropy/tree_exchange.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace alder {
namespace {

// Calls carry at most this many tree nodes, leaves or records, so that no
// message approaches the internode frame limit.
constexpr size_t kNodesPerCall = 4096;
constexpr size_t kLeavesPerCall = 256;
constexpr size_t kRecordsPerCall = 128;

TreeShapeId IdOf(const TreeShape& shape) { return TreeShapeId{shape.fanout, shape.depth}; }

// Past gc_grace since it stopped being readable (server/record.h).
bool Purgeable(const IndexEntry& e, uint64_t now_ms, std::chrono::milliseconds gc_grace) {
  Record r;
  r.version = e.version;
  r.tombstone = e.tombstone;
  r.expires_at_ms = e.expires_at_ms;
  return r.IsPurgeableAt(now_ms, gc_grace);
}

}  // namespace

TreeExchange::TreeExchange(Storage* storage, const TreeSet* trees, PeerTransport* transport,
                           const clock::PhysicalClock* clock, std::chrono::milliseconds gc_grace,
                           RateLimiter* limiter)
    : storage_(storage),
      trees_(trees),
      transport_(transport),
      clock_(clock),
      gc_grace_(gc_grace),
      limiter_(limiter) {}

Result<std::vector<TreeHash>> TreeExchange::RemoteNodes(uint32_t partition, uint32_t peer,
                                                        uint32_t level,
                                                        const std::vector<uint32_t>& indexes) {
  std::vector<TreeHash> out;
  out.reserve(indexes.size());
  for (size_t start = 0; start < indexes.size(); start += kNodesPerCall) {
    const std::vector<uint32_t> batch(
        indexes.begin() + static_cast<std::ptrdiff_t>(start),
        indexes.begin() +
            static_cast<std::ptrdiff_t>(std::min(indexes.size(), start + kNodesPerCall)));
    auto answered = transport_->TreeNodes(peer, IdOf(trees_->shape()), partition, level, batch);
    if (!answered.ok()) return answered.status();
    const std::vector<std::string>& hashes = answered.value();
    if (hashes.size() != batch.size()) {
      return Status::IoError("node " + std::to_string(peer) + " answered " +
                             std::to_string(hashes.size()) + " tree nodes for " +
                             std::to_string(batch.size()));
    }
    for (const std::string& h : hashes) {
      TreeHash t{};
      std::memcpy(t.data(), h.data(), std::min(h.size(), t.size()));
      out.push_back(t);
    }
  }
  return out;
}

Result<TreeHash> TreeExchange::RemoteRoot(uint32_t partition, uint32_t peer) {
  auto nodes = RemoteNodes(partition, peer, 0, {0});
  if (!nodes.ok()) return nodes.status();
  return nodes->front();
}

Result<std::vector<std::optional<IndexEntry>>> TreeExchange::RemoteVersions(
    uint32_t peer, const std::vector<std::string>& keys) {
  std::vector<std::optional<IndexEntry>> out;
  for (size_t start = 0; start < keys.size(); start += kRecordsPerCall) {
    std::vector<std::string> batch(
        keys.begin() + static_cast<std::ptrdiff_t>(start),
        keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), start + kRecordsPerCall)));
    auto records = transport_->FetchRecords(peer, batch);
    if (!records.ok()) return records.status();
    for (const KeyedRecord& r : records.value()) {
      if (!r.record) {
        out.emplace_back();
        continue;
      }
      out.emplace_back(IndexEntryOf(r.key, *r.record));
    }
  }
  return out;
}

Status TreeExchange::Transfer(uint32_t peer, const std::vector<KeyDifference>& to_push,
                              const std::vector<KeyDifference>& to_fetch,
                              ExchangeCounters* counters) {
  // Ours, newer: read and push, in batches.
  for (size_t start = 0; start < to_push.size(); start += kRecordsPerCall) {
    std::vector<KeyedRecord> batch;
    uint64_t bytes = 0;
    for (size_t i = start; i < std::min(to_push.size(), start + kRecordsPerCall); ++i) {
      auto stored = storage_->Read(to_push[i].key);
      if (!stored.ok()) return stored.status();
      if (!stored.value()) continue;  // purged meanwhile
      bytes += to_push[i].key.size() + stored.value()->record.value.size();
      batch.push_back(KeyedRecord{to_push[i].key, std::move(stored.value()->record)});
    }
    if (batch.empty()) continue;
    limiter_->Acquire(bytes);
    if (Status s = transport_->PushRecords(peer, batch); !s.ok()) return s;
    counters->records_sent += batch.size();
    counters->bytes_sent += bytes;
  }
  // Theirs, newer: fetch and merge here.
  for (size_t start = 0; start < to_fetch.size(); start += kRecordsPerCall) {
    std::vector<std::string> keys;
    for (size_t i = start; i < std::min(to_fetch.size(), start + kRecordsPerCall); ++i) {
      keys.push_back(to_fetch[i].key);
    }
    auto records = transport_->FetchRecords(peer, keys);
    if (!records.ok()) return records.status();
    uint64_t bytes = 0;
    for (const KeyedRecord& r : records.value()) {
      if (!r.record) continue;
      auto applied = storage_->ApplyNoWait(r.key, *r.record);
      if (!applied.ok()) return applied.status();
      bytes += r.key.size() + r.record->value.size();
      ++counters->records_sent;
    }
    storage_->WaitDurable();  // one log flush for the batch
    counters->bytes_sent += bytes;
    limiter_->Acquire(bytes);
  }
  return Status::Ok();
}

Result<ExchangeCounters> TreeExchange::Run(uint32_t partition, uint32_t peer, ExchangeMode mode,
                                           std::vector<KeyDifference>* differences) {
  ExchangeCounters counters;
  const TreeShape& shape = trees_->shape();

  // Descend from the root into differing nodes only.
  std::vector<uint32_t> differing = {0};
  for (uint32_t level = 0; level <= shape.depth && !differing.empty(); ++level) {
    std::vector<uint32_t> asked;
    if (level == 0) {
      asked = {0};
    } else {
      for (uint32_t parent : differing) {
        for (uint32_t c = 0; c < shape.fanout; ++c) asked.push_back(parent * shape.fanout + c);
      }
    }
    // Comparing and listing cost both nodes work too: the limiter paces
    // them along with the records (16 bytes a node hash, key bytes below).
    limiter_->Acquire(asked.size() * sizeof(TreeHash));
    auto theirs = RemoteNodes(partition, peer, level, asked);
    if (!theirs.ok()) return theirs.status();
    const std::vector<TreeHash> ours = trees_->Nodes(partition, level, asked);
    counters.tree_nodes_compared += asked.size();
    differing.clear();
    for (size_t i = 0; i < asked.size(); ++i) {
      if (ours[i] != theirs.value()[i]) differing.push_back(asked[i]);
    }
  }
  if (differing.empty()) return counters;

  // Keys of the differing leaves, on both sides.
  std::map<std::string, KeyDifference> keys;
  for (size_t start = 0; start < differing.size(); start += kLeavesPerCall) {
    const std::vector<uint32_t> leaves(
        differing.begin() + static_cast<std::ptrdiff_t>(start),
        differing.begin() +
            static_cast<std::ptrdiff_t>(std::min(differing.size(), start + kLeavesPerCall)));
    auto remote = transport_->LeafKeys(peer, IdOf(shape), partition, leaves);
    if (!remote.ok()) return remote.status();
    counters.keys_listed += remote->size();
    uint64_t listed_bytes = 0;
    for (const KeyDigest& d : remote.value()) {
      listed_bytes += d.key.size() + d.entry.digest.size();
    }
    limiter_->Acquire(2 * listed_bytes);  // their listing, and ours of about as much
    for (const KeyDigest& d : remote.value()) {
      KeyDifference& k = keys[d.key];
      k.key = d.key;
      k.remote = d.entry;
    }
    for (uint32_t leaf : leaves) {
      uint64_t first = 0, last = 0;
      trees_->LeafRange(partition, leaf, &first, &last);
      Status scanned = storage_->ScanIndex(
          first, last, [&](uint64_t, std::string_view key, const IndexEntry& entry) {
            ++counters.keys_listed;
            KeyDifference& k = keys[std::string(key)];
            k.key = std::string(key);
            k.local = entry;
          });
      if (!scanned.ok()) return scanned;
    }
  }

  const uint64_t now_ms = clock_->NowMs();
  std::vector<KeyDifference> to_push, to_fetch;
  for (auto& [key, k] : keys) {
    if (k.local && k.remote && k.local->digest == k.remote->digest) continue;
    ++counters.records_differing;
    if (differences) differences->push_back(k);
    const bool ours_newer = k.local && (!k.remote || k.local->version > k.remote->version);
    const bool theirs_newer = k.remote && (!k.local || k.remote->version > k.local->version);
    // Never hand a purgeable record to a side that has nothing for the key.
    if (ours_newer && mode == ExchangeMode::kRepair &&
        !(!k.remote && Purgeable(*k.local, now_ms, gc_grace_))) {
      to_push.push_back(k);
    }
    if (theirs_newer && mode != ExchangeMode::kCompare &&
        !(!k.local && Purgeable(*k.remote, now_ms, gc_grace_))) {
      to_fetch.push_back(k);
    }
  }
  if (Status s = Transfer(peer, to_push, to_fetch, &counters); !s.ok()) return s;
  return counters;
}

}  // namespace alder
