// Conversions between Alder's Record and the internode protocol's WireRecord
// (thrift/internode.thrift). The only place that knows both.
#ifndef ALDER_SERVER_RPC_WIRE_RECORD_H_
#define ALDER_SERVER_RPC_WIRE_RECORD_H_

#include "internode_types.h"
#include "server/common/record.h"
#include "server/common/status.h"

namespace alder {

internode::WireRecord ToWire(const Record& record);

// Returns InvalidArgument for a record no node could have sent: a node id of
// 0, a negative expiry, or a tombstone carrying a value or an expiry.
Result<Record> FromWire(const internode::WireRecord& wire);

}  // namespace alder

#endif  // ALDER_SERVER_RPC_WIRE_RECORD_H_
