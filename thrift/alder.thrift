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

// Cluster status for operators (alder status); added after the contract.

struct NodeStatus {
  1: required i32 node_id,
  2: required string internode_address,  // host:port
  3: required bool is_self,               // the node that answered
  4: required bool up,                    // as the answering node sees it
  5: optional i64 last_heartbeat_ms_ago,  // unset: never heard from
  6: optional i64 clock_offset_ms,        // its clock minus ours, from heartbeats
  7: required i32 partitions_owned,       // partitions it replicates
  8: required i64 hints_pending,          // hints the answering node holds for it
}

struct ClusterStatus {
  1: required i32 node_id,                // the node that answered
  2: required i32 partitions,
  3: required i32 replication_factor,
  4: required list<NodeStatus> nodes,
  5: required bool clock_fenced,          // refusing to coordinate writes
  6: optional string clock_fence_reason,
  7: required i64 hints_dropped,          // hints older than hint_window, dropped
  8: required i64 clock_rejections,       // remote timestamps refused as too far ahead
}

service Alder {
  i64   put(1: string key, 2: binary value, 3: WriteOptions options)
          throws (1: InvalidArgument invalid, 2: Unavailable unavailable, 3: TimedOut timed_out)
  Entry get(1: string key, 2: ReadOptions options)
          throws (1: InvalidArgument invalid, 2: NotFound not_found, 3: Unavailable unavailable, 4: TimedOut timed_out)
  i64   remove(1: string key, 2: WriteOptions options)
          throws (1: InvalidArgument invalid, 2: Unavailable unavailable, 3: TimedOut timed_out)

  // Added: how the answering node sees the cluster.
  ClusterStatus status()
}
