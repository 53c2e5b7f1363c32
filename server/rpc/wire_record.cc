#include "server/rpc/wire_record.h"

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
  if (wire.node_id <= 0) return Status::InvalidArgument("record stamped by node id " + std::to_string(wire.node_id));
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

}  // namespace alder
