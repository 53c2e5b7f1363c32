#include "server/rpc/internode_handler.h"

#include "server/rpc/wire_messages.h"

namespace alder {
namespace {

// The op label of each method, by ReplicaOp.
enum ReplicaOp : size_t {
  kWrite,
  kRead,
  kHeartbeat,
  kDeliverHints,
  kTreeNodes,
  kLeafKeys,
  kFetchRecords,
  kPushRecords
};
std::vector<std::string> ReplicaOpNames() {
  return {"write",      "read",      "heartbeat",     "deliver_hints",
          "tree_nodes", "leaf_keys", "fetch_records", "push_records"};
}

// The outcome of the exception in flight: a refusal, or an error.
Outcome ClassifyRefusal() {
  try {
    throw;
  } catch (const internode::Refused&) {
    return Outcome::kRefused;
  } catch (...) {
    return Outcome::kError;
  }
}

// Throws `status` as internode::Refused unless it is OK. Every error the
// services return is a refusal; anything else is refused as a storage
// failure, which the sender may retry.
void ThrowUnlessOk(const Status& status) {
  if (status.ok()) return;
  internode::Refused refused;
  refused.reason = ToWire(status.refusal().value_or(Status::Refusal::kStorage));
  refused.message = status.message();
  throw refused;
}

template <typename T>
T ValueOrThrow(Result<T> result) {
  ThrowUnlessOk(result.status());
  return std::move(result).value();
}

// Negative indexes (no valid one) become ~0u, which is out of every range.
std::vector<uint32_t> Indexes(const std::vector<int32_t>& wire) {
  std::vector<uint32_t> out;
  out.reserve(wire.size());
  for (int32_t i : wire) out.push_back(i < 0 ? ~0u : static_cast<uint32_t>(i));
  return out;
}

uint32_t Index(int32_t wire) { return wire < 0 ? ~0u : static_cast<uint32_t>(wire); }

// Decodes a message's records; a malformed one refuses the whole message
// (after the sender checks, as for any message), so nothing of it applies.
void RefuseMalformed(ReplicaService* replicas, const MessageHeader& header, const Status& why) {
  ThrowUnlessOk(replicas->CheckSender(header));
  ThrowUnlessOk(
      replicas->Refuse(header, Status::Refusal::kMalformed, "malformed record: " + why.message()));
}

template <typename Wire>
auto DecodeAll(ReplicaService* replicas, const MessageHeader& header,
               const std::vector<Wire>& wire) {
  std::vector<std::decay_t<decltype(FromWire(wire.front()).value())>> decoded;
  decoded.reserve(wire.size());
  for (const Wire& w : wire) {
    auto item = FromWire(w);
    if (!item.ok()) RefuseMalformed(replicas, header, item.status());
    decoded.push_back(std::move(item).value());
  }
  return decoded;
}

}  // namespace

InternodeHandler::InternodeHandler(ReplicaService* replicas, ExchangeService* exchange,
                                   Metrics* metrics)
    : replicas_(replicas),
      exchange_(exchange),
      requests_(metrics, "replica", ReplicaOpNames(),
                {Outcome::kOk, Outcome::kRefused, Outcome::kError}) {}

void InternodeHandler::write(const internode::Sender& sender, const std::string& key,
                             const internode::WireRecord& record) {
  Measured(&requests_, kWrite, ClassifyRefusal, [&] {
    const MessageHeader header = FromWire(sender);
    auto decoded = FromWire(record);
    if (!decoded.ok()) RefuseMalformed(replicas_, header, decoded.status());
    ThrowUnlessOk(replicas_->Write(header, key, decoded.value()));
  });
}

void InternodeHandler::read(internode::ReadReply& reply, const internode::Sender& sender,
                            const std::string& key) {
  Measured(&requests_, kRead, ClassifyRefusal, [&] {
    std::optional<Record> held = ValueOrThrow(replicas_->Read(FromWire(sender), key));
    if (held) reply.__set_record(ToWire(*held));
  });
}

void InternodeHandler::heartbeat(internode::HeartbeatReply& reply,
                                 const internode::Sender& sender) {
  Measured(&requests_, kHeartbeat, ClassifyRefusal,
           [&] { reply = ToWire(ValueOrThrow(replicas_->Heartbeat(FromWire(sender)))); });
}

void InternodeHandler::deliverHints(const internode::Sender& sender,
                                    const std::vector<internode::HintedWrite>& hints) {
  Measured(&requests_, kDeliverHints, ClassifyRefusal, [&] {
    const MessageHeader header = FromWire(sender);
    ThrowUnlessOk(replicas_->DeliverHints(header, DecodeAll(replicas_, header, hints)));
  });
}

void InternodeHandler::treeNodes(std::vector<std::string>& hashes, const internode::Sender& sender,
                                 const internode::TreeShape& shape, int32_t partition,
                                 int32_t level, const std::vector<int32_t>& indexes) {
  Measured(&requests_, kTreeNodes, ClassifyRefusal, [&] {
    hashes = ValueOrThrow(exchange_->TreeNodes(FromWire(sender), FromWire(shape), Index(partition),
                                               Index(level), Indexes(indexes)));
  });
}

void InternodeHandler::leafKeys(std::vector<internode::KeyDigest>& keys,
                                const internode::Sender& sender, const internode::TreeShape& shape,
                                int32_t partition, const std::vector<int32_t>& leaves) {
  Measured(&requests_, kLeafKeys, ClassifyRefusal, [&] {
    for (const KeyDigest& d : ValueOrThrow(exchange_->LeafKeys(
             FromWire(sender), FromWire(shape), Index(partition), Indexes(leaves)))) {
      keys.push_back(ToWire(d));
    }
  });
}

void InternodeHandler::fetchRecords(std::vector<internode::KeyedRecord>& records,
                                    const internode::Sender& sender,
                                    const std::vector<std::string>& keys) {
  Measured(&requests_, kFetchRecords, ClassifyRefusal, [&] {
    for (const KeyedRecord& r : ValueOrThrow(exchange_->FetchRecords(FromWire(sender), keys))) {
      records.push_back(ToWire(r));
    }
  });
}

void InternodeHandler::pushRecords(const internode::Sender& sender,
                                   const std::vector<internode::KeyedRecord>& records) {
  Measured(&requests_, kPushRecords, ClassifyRefusal, [&] {
    const MessageHeader header = FromWire(sender);
    ThrowUnlessOk(exchange_->PushRecords(header, DecodeAll(replicas_, header, records)));
  });
}

}  // namespace alder
