#include "antientropy/exchange_service.h"

#include <fmt/format.h>

namespace alder {

Status ExchangeService::CheckTree(const MessageHeader& sender, TreeShapeId shape,
                                  uint32_t partition) {
  if (!trees_ || shape.fanout != trees_->shape().fanout || shape.depth != trees_->shape().depth) {
    return replicas_->Refuse(
        sender, Status::Refusal::kTreeMismatch,
        fmt::format("node {} keeps trees of fanout {} and depth {}, node {} asked for {} and {}",
                    replicas_->identity().node_id, trees_ ? trees_->shape().fanout : 0,
                    trees_ ? trees_->shape().depth : 0, sender.node_id, shape.fanout, shape.depth));
  }
  if (!trees_->Owns(partition)) {
    return replicas_->Refuse(sender, Status::Refusal::kNotAReplica,
                             fmt::format("node {} does not replicate partition {}",
                                         replicas_->identity().node_id, partition));
  }
  return Status::Ok();
}

Status ExchangeService::CheckTreeRequest(const MessageHeader& sender, TreeShapeId shape,
                                         uint32_t partition) {
  if (Status s = replicas_->CheckSender(sender); !s.ok()) return s;
  if (Status s = replicas_->RefuseWhileSyncing(sender); !s.ok()) return s;
  return CheckTree(sender, shape, partition);
}

Result<std::vector<std::string>> ExchangeService::TreeNodes(const MessageHeader& sender,
                                                            TreeShapeId shape, uint32_t partition,
                                                            uint32_t level,
                                                            const std::vector<uint32_t>& indexes) {
  if (Status s = CheckTreeRequest(sender, shape, partition); !s.ok()) return s;
  std::vector<std::string> hashes;
  for (const TreeHash& h : trees_->Nodes(partition, level, indexes)) {
    hashes.emplace_back(reinterpret_cast<const char*>(h.data()), h.size());
  }
  return hashes;
}

Result<std::vector<KeyDigest>> ExchangeService::LeafKeys(const MessageHeader& sender,
                                                         TreeShapeId shape, uint32_t partition,
                                                         const std::vector<uint32_t>& leaves) {
  if (Status s = CheckTreeRequest(sender, shape, partition); !s.ok()) return s;
  std::vector<KeyDigest> keys;
  for (uint32_t leaf : leaves) {
    if (leaf >= trees_->shape().leaves()) continue;
    uint64_t first = 0, last = 0;
    trees_->LeafRange(partition, leaf, &first, &last);
    Status s = replicas_->storage()->ScanIndex(
        first, last, [&](uint64_t, std::string_view key, const IndexEntry& entry) {
          keys.push_back(KeyDigest{std::string(key), entry});
        });
    if (!s.ok()) return replicas_->Refuse(sender, Status::Refusal::kStorage, s.ToString());
  }
  return keys;
}

Result<std::vector<KeyedRecord>> ExchangeService::FetchRecords(
    const MessageHeader& sender, const std::vector<std::string>& keys) {
  if (Status s = replicas_->CheckSender(sender); !s.ok()) return s;
  if (Status s = replicas_->RefuseWhileSyncing(sender); !s.ok()) return s;
  std::vector<KeyedRecord> records;
  for (const std::string& key : keys) {
    auto stored = replicas_->storage()->Read(key);
    if (!stored.ok()) {
      return replicas_->Refuse(sender, Status::Refusal::kStorage, stored.status().ToString());
    }
    KeyedRecord r{key, std::nullopt};
    if (stored.value()) r.record = std::move(stored.value()->record);
    records.push_back(std::move(r));
  }
  return records;
}

Status ExchangeService::PushRecords(const MessageHeader& sender,
                                    const std::vector<KeyedRecord>& records) {
  if (Status s = replicas_->CheckSender(sender); !s.ok()) return s;
  for (const KeyedRecord& r : records) {
    if (!r.record) continue;
    if (Status s = replicas_->Apply(sender, r.key, *r.record, false); !s.ok()) return s;
  }
  replicas_->storage()->WaitDurable();
  return Status::Ok();
}

}  // namespace alder
