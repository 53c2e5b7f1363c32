#include "server/rpc/wire_messages.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "server/rpc/enum_number.h"

namespace alder {

internode::WireRecord ToWire(const Record& record) {
  internode::WireRecord wire;
  wire.hlc = static_cast<int64_t>(record.version.hlc.packed());
  wire.node_id = static_cast<int32_t>(record.version.node_id);
  wire.tombstone = record.tombstone;
  wire.expires_at_ms = static_cast<int64_t>(record.expires_at_ms);
  wire.value = record.value;
  return wire;
}

Result<Record> FromWire(const internode::WireRecord& wire) {
  if (wire.node_id <= 0)
    return Status::InvalidArgument("record stamped by node id " + std::to_string(wire.node_id));
  if (wire.expires_at_ms < 0) return Status::InvalidArgument("record with a negative expiry");
  if (wire.tombstone && (!wire.value.empty() || wire.expires_at_ms != 0)) {
    return Status::InvalidArgument("tombstone carrying a value or an expiry");
  }
  Record record;
  record.version = Version{clock::Timestamp::FromPacked(static_cast<uint64_t>(wire.hlc)),
                           static_cast<uint32_t>(wire.node_id)};
  record.tombstone = wire.tombstone;
  record.expires_at_ms = static_cast<uint64_t>(wire.expires_at_ms);
  record.value = wire.value;
  return record;
}

namespace {

uint32_t NonNegative(int32_t n) { return n < 0 ? 0 : static_cast<uint32_t>(n); }

}  // namespace

internode::Sender ToWire(const MessageHeader& header) {
  internode::Sender sender;
  sender.node_id = static_cast<int32_t>(header.node_id);
  sender.hlc = static_cast<int64_t>(header.hlc);
  sender.cluster_name = header.cluster_name;
  sender.partitions = static_cast<int32_t>(header.partitions);
  if (header.wall_us) sender.__set_wall_us(*header.wall_us);
  return sender;
}

MessageHeader FromWire(const internode::Sender& sender) {
  MessageHeader header;
  header.node_id = NonNegative(sender.node_id);
  header.hlc = static_cast<uint64_t>(sender.hlc);
  header.cluster_name = sender.cluster_name;
  header.partitions = NonNegative(sender.partitions);
  if (sender.__isset.wall_us) header.wall_us = sender.wall_us;
  return header;
}

internode::HeartbeatReply ToWire(const HeartbeatAnswer& answer) {
  internode::HeartbeatReply reply;
  reply.node_id = static_cast<int32_t>(answer.node_id);
  reply.hlc = static_cast<int64_t>(answer.hlc);
  reply.wall_ms = answer.wall_us / 1000;
  reply.__set_wall_us(answer.wall_us);
  if (!answer.client_address.empty()) reply.__set_client_address(answer.client_address);
  return reply;
}

HeartbeatAnswer FromWire(const internode::HeartbeatReply& reply) {
  HeartbeatAnswer answer;
  answer.node_id = NonNegative(reply.node_id);
  answer.hlc = static_cast<uint64_t>(reply.hlc);
  // A peer of an older version reports milliseconds only: take the middle.
  // Clamped first: a wall_ms no clock reads (beyond 2^63 us) overflowed the
  // multiplication (undefined behaviour; found by
  // test/fuzz/wire_record_fuzzer); clamped, it is just far off, which the
  // clock checks refuse as they refuse any such reading.
  constexpr int64_t kMaxWallMs = (std::numeric_limits<int64_t>::max() - 500) / 1000;
  answer.wall_us = reply.__isset.wall_us
                       ? reply.wall_us
                       : std::clamp<int64_t>(reply.wall_ms, -kMaxWallMs, kMaxWallMs) * 1000 + 500;
  if (reply.__isset.client_address) answer.client_address = reply.client_address;
  return answer;
}

internode::KeyDigest ToWire(const KeyDigest& digest) {
  internode::KeyDigest d;
  d.key = digest.key;
  d.digest.assign(reinterpret_cast<const char*>(digest.entry.digest.data()),
                  digest.entry.digest.size());
  d.hlc = static_cast<int64_t>(digest.entry.version.hlc.packed());
  d.node_id = static_cast<int32_t>(digest.entry.version.node_id);
  d.tombstone = digest.entry.tombstone;
  d.expires_at_ms = static_cast<int64_t>(digest.entry.expires_at_ms);
  return d;
}

KeyDigest FromWire(const internode::KeyDigest& d) {
  KeyDigest digest;
  digest.key = d.key;
  std::memcpy(digest.entry.digest.data(), d.digest.data(),
              std::min(d.digest.size(), digest.entry.digest.size()));
  digest.entry.version =
      Version{clock::Timestamp::FromPacked(static_cast<uint64_t>(d.hlc)), NonNegative(d.node_id)};
  digest.entry.tombstone = d.tombstone;
  digest.entry.expires_at_ms = static_cast<uint64_t>(std::max<int64_t>(0, d.expires_at_ms));
  return digest;
}

internode::KeyedRecord ToWire(const KeyedRecord& record) {
  internode::KeyedRecord r;
  r.key = record.key;
  if (record.record) r.__set_record(ToWire(*record.record));
  return r;
}

Result<KeyedRecord> FromWire(const internode::KeyedRecord& r) {
  KeyedRecord record{r.key, std::nullopt};
  if (!r.__isset.record) return record;
  auto decoded = FromWire(r.record);
  if (!decoded.ok()) return decoded.status();
  record.record = std::move(decoded).value();
  return record;
}

internode::HintedWrite ToWire(const Hint& hint) {
  internode::HintedWrite w;
  w.key = hint.key;
  w.record = ToWire(hint.record);
  return w;
}

Result<Hint> FromWire(const internode::HintedWrite& w) {
  auto record = FromWire(w.record);
  if (!record.ok()) return record.status();
  Hint hint;
  hint.key = w.key;
  hint.record = std::move(record).value();
  return hint;
}

internode::TreeShape ToWire(TreeShapeId shape) {
  internode::TreeShape s;
  s.fanout = static_cast<int32_t>(shape.fanout);
  s.depth = static_cast<int32_t>(shape.depth);
  return s;
}

TreeShapeId FromWire(const internode::TreeShape& s) {
  return TreeShapeId{NonNegative(s.fanout), NonNegative(s.depth)};
}

// The enums carry the same numbers (thrift/internode.thrift).
internode::RefusalReason::type ToWire(Status::Refusal reason) {
  return static_cast<internode::RefusalReason::type>(static_cast<int>(reason));
}

int32_t ReasonNumber(const internode::Refused& refused) { return EnumNumber(refused.reason); }

Status::Refusal FromWire(const internode::Refused& refused) {
  return static_cast<Status::Refusal>(ReasonNumber(refused));
}

}  // namespace alder
