// Wire-message decoding (server/rpc/wire_messages.h): the structs a peer
// sends inside internode calls and replies, read from the binary protocol
// with the server's limits and then turned into Alder's own values. The
// first input byte picks the struct, the rest is its encoding. Records are
// checked both ways: what FromWire accepts, ToWire writes back unchanged,
// since a record passed on (a hint, a repair) must keep its version.
// Replies matter as much as requests: a node decodes what its peers answer
// (a heartbeat's reply, a read's record) with the same functions.
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "server/rpc/peer_connections.h"
#include "server/rpc/wire_messages.h"

namespace {

using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;

// Reads one T from `bytes` as a peer's connection would. False if it does
// not decode (what the connection would drop). The limits are the input's
// size, which no string in it can exceed: with alderd's (megabytes) every
// input announcing a long string had the protocol allocate and clear that
// much before finding the input short, most of the fuzzer's time.
template <typename T>
bool Read(const uint8_t* bytes, size_t size, T* out) {
  const int kLimit = static_cast<int>(std::max<size_t>(size, 1));
  auto config = std::make_shared<apache::thrift::TConfiguration>(kLimit, kLimit);
  auto buffer = std::make_shared<TMemoryBuffer>(
      const_cast<uint8_t*>(bytes), static_cast<uint32_t>(size), TMemoryBuffer::OBSERVE, config);
  TBinaryProtocol protocol(buffer, kLimit, 65536, false, true);
  try {
    out->read(&protocol);
    return true;
  } catch (const apache::thrift::TException&) {
    return false;
  }
}

void CheckRecord(const alder::internode::WireRecord& wire) {
  auto record = alder::FromWire(wire);
  if (!record.ok()) return;
  if (!(alder::ToWire(record.value()) == wire)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace wire = alder::internode;
  if (size == 0) return 0;
  const uint8_t kind = data[0];
  ++data;
  --size;
  switch (kind % 8) {
    case 0: {
      wire::WireRecord r;
      if (Read(data, size, &r)) CheckRecord(r);
      break;
    }
    case 1: {
      wire::KeyedRecord r;
      if (Read(data, size, &r)) {
        if (r.__isset.record) CheckRecord(r.record);
        (void)alder::FromWire(r);
      }
      break;
    }
    case 2: {
      wire::HintedWrite w;
      if (Read(data, size, &w)) {
        CheckRecord(w.record);
        (void)alder::FromWire(w);
      }
      break;
    }
    case 3: {
      wire::KeyDigest d;
      if (Read(data, size, &d)) (void)alder::FromWire(d);
      break;
    }
    case 4: {
      wire::Sender s;
      if (Read(data, size, &s)) (void)alder::FromWire(s);
      break;
    }
    case 5: {
      wire::HeartbeatReply r;
      if (Read(data, size, &r)) (void)alder::FromWire(r);
      break;
    }
    case 6: {
      wire::TreeShape s;
      if (Read(data, size, &s)) (void)alder::FromWire(s);
      break;
    }
    case 7: {
      wire::Refused refused;
      if (Read(data, size, &refused)) {
        // As PeerConnections reads a peer's refusal.
        (void)alder::RefusalReasonName(alder::ReasonNumber(refused));
        (void)alder::FromWire(refused);
      }
      break;
    }
  }
  return 0;
}
