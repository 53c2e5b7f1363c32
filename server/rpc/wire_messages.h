// Conversions between the cluster layer's messages (server/cluster/
// messages.h, Record) and the internode protocol's generated types
// (thrift/internode.thrift). The only place that knows both.
#ifndef ALDER_SERVER_RPC_WIRE_MESSAGES_H_
#define ALDER_SERVER_RPC_WIRE_MESSAGES_H_

#include <cstdint>

#include "internode_types.h"
#include "server/cluster/messages.h"
#include "server/common/record.h"
#include "server/common/status.h"
#include "server/storage/hint_store.h"

namespace alder {

internode::WireRecord ToWire(const Record& record);
// Returns InvalidArgument for a record no node could have sent: a node id of
// 0, a negative expiry, or a tombstone carrying a value or an expiry.
Result<Record> FromWire(const internode::WireRecord& wire);

internode::Sender ToWire(const MessageHeader& header);
// Negative ids and counts read as 0, which no peer has.
MessageHeader FromWire(const internode::Sender& sender);

internode::HeartbeatReply ToWire(const HeartbeatAnswer& answer);
HeartbeatAnswer FromWire(const internode::HeartbeatReply& reply);

internode::KeyDigest ToWire(const KeyDigest& digest);
KeyDigest FromWire(const internode::KeyDigest& digest);

internode::KeyedRecord ToWire(const KeyedRecord& record);
Result<KeyedRecord> FromWire(const internode::KeyedRecord& record);

internode::HintedWrite ToWire(const Hint& hint);
// The key and record of a hinted write (target and sequence are the
// sender's business).
Result<Hint> FromWire(const internode::HintedWrite& hint);

internode::TreeShape ToWire(TreeShapeId shape);
// Negative sizes read as 0, which no tree has.
TreeShapeId FromWire(const internode::TreeShape& shape);

internode::RefusalReason::type ToWire(Status::Refusal reason);
// The reason of a peer's Refused, as the number it sent. A peer may send a
// number this node does not know (a newer version's reason, or garbage);
// it is read as a number, not loaded as a RefusalReason (enum_number.h).
int32_t ReasonNumber(const internode::Refused& refused);
// An unknown number gives a Refusal matching none of the named ones.
Status::Refusal FromWire(const internode::Refused& refused);

}  // namespace alder

#endif  // ALDER_SERVER_RPC_WIRE_MESSAGES_H_
