// Alder's public API. This file is a contract (DESIGN.md section 8): clients in
// every language are generated from it. Methods may be added; the ones below
// may not change.

namespace cpp alder.api
namespace py alder_api
namespace go alder_api
namespace java org.alderdb.api
namespace rb AlderApi

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
  9: optional string client_address,      // host:port of its client API, once heard from
}

// One sample of a metric (DESIGN.md section 15) as /metrics shows it; a
// histogram is its _bucket (label "le"), _sum and _count samples.
struct MetricSample {
  1: required string name,
  2: required map<string, string> labels,
  3: required double value,
}

// The last successful anti-entropy exchange of one partition with one replica.
struct ExchangeState {
  1: required i32 partition,
  2: required i32 peer,
  3: optional i64 last_success_ms_ago,    // unset: never since this node started
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
  9: optional list<ExchangeState> exchanges,  // anti-entropy, per partition and replica
  10: optional i64 oldest_exchange_ms_ago,    // unset: some pair never exchanged
  11: optional i64 records_purged,            // tombstones and expired records GC removed
  12: optional bool syncing,                  // fenced after a long absence, syncing first
  13: optional i64 fenced_writes,             // writes refused while clock-fenced, since start
  14: optional i64 hint_window_ms,            // the effective hint_window (0: no hints)
  15: optional i32 max_key_bytes,             // this node's limits, so clients can check first
  16: optional i32 max_value_bytes,
  17: optional list<MetricSample> metrics,    // every metric of the answering node
}

// Anti-entropy for operators (alder repair, alder compare); added after the
// contract. A node repairs and compares the partitions it replicates,
// against their other replicas.

struct RepairRequest {
  1: optional i32 partition,   // unset: every partition this node replicates
  2: optional string key,      // the partition of this key
}

// What an exchange moved (summed over the exchanges a request ran).
struct RepairReport {
  1: required i32 partitions,          // partitions repaired
  2: required i32 exchanges,           // replica pairs exchanged successfully
  3: required i32 failed_exchanges,    // replica pairs that could not be reached
  4: required i64 tree_nodes_compared,
  5: required i64 keys_listed,
  6: required i64 records_sent,        // in both directions
  7: required i64 bytes_sent,
  8: required i64 records_differing,   // keys whose versions actually differed
  9: required i64 elapsed_ms,
  10: optional string error,           // why failed exchanges failed (the first)
}

struct CompareRequest {
  1: optional i32 partition,
  2: optional string key,
  3: optional bool list_keys,          // also list the differing keys
}

struct ReplicaVersion {
  1: required i32 node_id,
  2: optional i64 version,             // unset: the replica holds nothing
  3: optional bool tombstone,
}

struct KeyDifference {
  1: required string key,
  2: required list<ReplicaVersion> versions,
}

struct ReplicaRoot {
  1: required i32 node_id,
  2: optional binary root_hash,        // unset: unreachable (see error)
  3: optional string error,
}

struct PartitionComparison {
  1: required i32 partition,
  2: required list<ReplicaRoot> roots,
  3: required bool converged,
  4: required list<KeyDifference> differences,  // with list_keys
}

struct Comparison {
  1: required list<PartitionComparison> partitions,  // the compared ones
  2: required bool converged,                        // every replica reached and equal
  3: required i32 unreachable,                       // replicas that could not be asked
}

struct TreeVerification {
  1: required i32 partitions_checked,
  2: required list<i32> mismatched_partitions,  // live tree differs from the index
  3: required i64 index_entries,
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

  // Added: runs anti-entropy now and reports what moved.
  RepairReport repair(1: RepairRequest request) throws (1: InvalidArgument invalid)

  // Added: compares the replicas' Merkle trees (and, with list_keys, keys).
  // Differences seen once are checked again before they are reported, so
  // writes still in flight are not reported.
  Comparison compare(1: CompareRequest request) throws (1: InvalidArgument invalid)

  // Added: rebuilds every tree from the digest index and compares it with
  // the live one.
  TreeVerification verifyTrees()
}
