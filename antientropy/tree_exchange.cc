#include "antientropy/tree_exchange.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "server/rpc/wire_record.h"

namespace alder {
namespace {

// Calls carry at most this many tree nodes, leaves or records, so that no
// message approaches the internode frame limit.
constexpr size_t kNodesPerCall = 4096;
constexpr size_t kLeavesPerCall = 256;
constexpr size_t kRecordsPerCall = 128;

internode::TreeShape WireShape(const TreeShape& shape) {
  internode::TreeShape out;
  out.fanout = static_cast<int32_t>(shape.fanout);
  out.depth = static_cast<int32_t>(shape.depth);
  return out;
}

IndexEntry EntryOf(const internode::KeyDigest& d) {
  IndexEntry e;
  std::memcpy(e.digest.data(), d.digest.data(), std::min(d.digest.size(), e.digest.size()));
  e.version = Version{clock::Timestamp::FromPacked(static_cast<uint64_t>(d.hlc)),
                      static_cast<uint32_t>(d.node_id)};
  e.tombstone = d.tombstone;
  e.expires_at_ms = static_cast<uint64_t>(d.expires_at_ms);
  return e;
}

// Past gc_grace since it stopped being readable (server/record.h).
bool Purgeable(const IndexEntry& e, uint64_t now_ms, std::chrono::milliseconds gc_grace) {
  Record r;
  r.version = e.version;
  r.tombstone = e.tombstone;
  r.expires_at_ms = e.expires_at_ms;
  return r.IsPurgeableAt(now_ms, gc_grace);
}

}  // namespace

TreeExchange::TreeExchange(Storage* storage, const TreeSet* trees, Replicas* replicas,
                           const clock::PhysicalClock* clock, std::chrono::milliseconds gc_grace,
                           RateLimiter* limiter)
    : storage_(storage),
      trees_(trees),
      replicas_(replicas),
      clock_(clock),
      gc_grace_(gc_grace),
      limiter_(limiter) {}

Result<std::vector<TreeHash>> TreeExchange::RemoteNodes(uint32_t partition, uint32_t peer,
                                                        uint32_t level,
                                                        const std::vector<uint32_t>& indexes) {
  std::vector<TreeHash> out;
  out.reserve(indexes.size());
  for (size_t start = 0; start < indexes.size(); start += kNodesPerCall) {
    std::vector<int32_t> batch;
    for (size_t i = start; i < std::min(indexes.size(), start + kNodesPerCall); ++i) {
      batch.push_back(static_cast<int32_t>(indexes[i]));
    }
    std::vector<std::string> hashes;
    Status s = replicas_->CallPeer(peer, [&](internode::InternodeClient& c,
                                             const internode::Sender& sender) {
      c.treeNodes(hashes, sender, WireShape(trees_->shape()), static_cast<int32_t>(partition),
                  static_cast<int32_t>(level), batch);
    });
    if (!s.ok()) return s;
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
    std::vector<std::string> batch(keys.begin() + static_cast<std::ptrdiff_t>(start),
                                   keys.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min(keys.size(), start + kRecordsPerCall)));
    std::vector<internode::KeyedRecord> records;
    Status s = replicas_->CallPeer(peer, [&](internode::InternodeClient& c,
                                             const internode::Sender& sender) {
      c.fetchRecords(records, sender, batch);
    });
    if (!s.ok()) return s;
    for (const internode::KeyedRecord& r : records) {
      if (!r.__isset.record) {
        out.emplace_back();
        continue;
      }
      auto record = FromWire(r.record);
      if (!record.ok()) return record.status();
      out.emplace_back(IndexEntryOf(r.key, record.value()));
    }
  }
  return out;
}

Status TreeExchange::Transfer(uint32_t peer, const std::vector<KeyDifference>& to_push,
                              const std::vector<KeyDifference>& to_fetch,
                              ExchangeCounters* counters) {
  // Ours, newer: read and push, in batches.
  for (size_t start = 0; start < to_push.size(); start += kRecordsPerCall) {
    std::vector<internode::KeyedRecord> batch;
    uint64_t bytes = 0;
    for (size_t i = start; i < std::min(to_push.size(), start + kRecordsPerCall); ++i) {
      auto stored = storage_->Read(to_push[i].key);
      if (!stored.ok()) return stored.status();
      if (!stored.value()) continue;  // purged meanwhile
      internode::KeyedRecord r;
      r.key = to_push[i].key;
      r.__set_record(ToWire(stored.value()->record));
      bytes += r.key.size() + r.record.value.size();
      batch.push_back(std::move(r));
    }
    if (batch.empty()) continue;
    limiter_->Acquire(bytes);
    Status s = replicas_->CallPeer(peer, [&](internode::InternodeClient& c,
                                             const internode::Sender& sender) {
      c.pushRecords(sender, batch);
    });
    if (!s.ok()) return s;
    counters->records_sent += batch.size();
    counters->bytes_sent += bytes;
  }
  // Theirs, newer: fetch and merge here.
  for (size_t start = 0; start < to_fetch.size(); start += kRecordsPerCall) {
    std::vector<std::string> keys;
    for (size_t i = start; i < std::min(to_fetch.size(), start + kRecordsPerCall); ++i) {
      keys.push_back(to_fetch[i].key);
    }
    std::vector<internode::KeyedRecord> records;
    Status s = replicas_->CallPeer(peer, [&](internode::InternodeClient& c,
                                             const internode::Sender& sender) {
      c.fetchRecords(records, sender, keys);
    });
    if (!s.ok()) return s;
    uint64_t bytes = 0;
    for (const internode::KeyedRecord& r : records) {
      if (!r.__isset.record) continue;
      auto record = FromWire(r.record);
      if (!record.ok()) return Status::IoError("node " + std::to_string(peer) + " sent " +
                                               record.status().message());
      auto applied = storage_->ApplyNoWait(r.key, record.value());
      if (!applied.ok()) return applied.status();
      bytes += r.key.size() + r.record.value.size();
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
    std::vector<int32_t> leaves;
    for (size_t i = start; i < std::min(differing.size(), start + kLeavesPerCall); ++i) {
      leaves.push_back(static_cast<int32_t>(differing[i]));
    }
    std::vector<internode::KeyDigest> remote;
    Status s = replicas_->CallPeer(peer, [&](internode::InternodeClient& c,
                                             const internode::Sender& sender) {
      c.leafKeys(remote, sender, WireShape(shape), static_cast<int32_t>(partition), leaves);
    });
    if (!s.ok()) return s;
    counters.keys_listed += remote.size();
    uint64_t listed_bytes = 0;
    for (const internode::KeyDigest& d : remote) listed_bytes += d.key.size() + d.digest.size();
    limiter_->Acquire(2 * listed_bytes);  // their listing, and ours of about as much
    for (const internode::KeyDigest& d : remote) {
      KeyDifference& k = keys[d.key];
      k.key = d.key;
      k.remote = EntryOf(d);
    }
    for (int32_t leaf : leaves) {
      uint64_t first = 0, last = 0;
      trees_->LeafRange(partition, static_cast<uint32_t>(leaf), &first, &last);
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
