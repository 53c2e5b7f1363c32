// Alder's public API. This file is a contract (DESIGN.md section 8): clients in
// every language are generated from it. Methods may be added; the ones below
// may not change.

namespace cpp alder.api
namespace py alder_api
namespace go alder_api
namespace java org.alderdb.api

enum Consistency { ONE = 1, QUORUM = 2, ALL = 3 }

struct WriteOptions { 1: optional i64 ttl_ms, 2: optional Consistency consistency }
struct ReadOptions  { 1: optional Consistency consistency }

struct Entry {
  1: required binary value,
  2: required i64 version,        // HLC timestamp of the winning write
  3: optional i64 expires_at_ms,  // Unix ms; unset when the value has no TTL
}

exception InvalidArgument { 1: string message }
exception NotFound        { 1: string key }
exception Unavailable     { 1: string message, 2: i32 required_replicas, 3: i32 alive_replicas }
exception TimedOut        { 1: string message, 2: i32 acknowledged, 3: i32 required_acks }

service Alder {
  i64   put(1: string key, 2: binary value, 3: WriteOptions options)
          throws (1: InvalidArgument invalid, 2: Unavailable unavailable, 3: TimedOut timed_out)
  Entry get(1: string key, 2: ReadOptions options)
          throws (1: InvalidArgument invalid, 2: NotFound not_found, 3: Unavailable unavailable, 4: TimedOut timed_out)
  i64   remove(1: string key, 2: WriteOptions options)
          throws (1: InvalidArgument invalid, 2: Unavailable unavailable, 3: TimedOut timed_out)
}
