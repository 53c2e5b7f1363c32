// Alder's internode protocol: how the nodes of one cluster talk to each other
// (DESIGN.md section 5). Not part of the public API; served on its own port
// (internode_listen, default 7701) and never exposed to clients.
//
// Every message carries a Sender: who sent it, the sender's hybrid logical
// clock at the time, and the cluster identity the sender believes in. The
// receiver merges the sender's clock into its own (HLC receive rule) and
// refuses the message when that clock is more than max_clock_offset ahead of
// its physical time, when its own heartbeats measured the sender's clock out
// of step, or when the sender belongs to another cluster (a different
// cluster_name or partition count).

namespace cpp alder.internode
namespace py alder_internode

struct Sender {
  1: required i32 node_id,
  2: required i64 hlc,            // packed HLC timestamp (48-bit ms, 16-bit counter)
  3: required string cluster_name,
  4: required i32 partitions,
  5: optional i64 wall_us,        // the sender's own wall clock (µs) as it sent
}

// A replicated record: the LWW register of DESIGN.md section 3.
struct WireRecord {
  1: required i64 hlc,            // the version's packed HLC timestamp
  2: required i32 node_id,        // the node that stamped the version
  3: required bool tombstone,
  4: required i64 expires_at_ms,  // 0: never expires
  5: required binary value,       // empty on tombstones
}

struct ReadReply {
  1: optional WireRecord record,  // unset: the replica holds nothing for the key
}

struct HeartbeatReply {
  1: required i32 node_id,
  2: required i64 hlc,
  3: required i64 wall_ms,        // the responder's physical clock as it answered
  4: optional i64 wall_us,        // the same in microseconds, for a finer clock estimate
  5: optional string client_address,  // host:port of the responder's client API
}

// A write kept for a replica that was down, replayed when it is back.
struct HintedWrite {
  1: required string key,
  2: required WireRecord record,
}

// Anti-entropy: a key's version as a replica's digest index holds it.
struct KeyDigest {
  1: required string key,
  2: required binary digest,      // 16 bytes: DigestOf(key, record)
  3: required i64 hlc,
  4: required i32 node_id,
  5: required bool tombstone,
  6: required i64 expires_at_ms,
}

struct KeyedRecord {
  1: required string key,
  2: optional WireRecord record,  // unset: the replica holds nothing
}

// The shape of the Merkle trees; both sides of an exchange must agree.
struct TreeShape {
  1: required i32 fanout,
  2: required i32 depth,
}

enum RefusalReason {
  CLOCK_AHEAD = 1,        // a timestamp in the message is too far ahead of our clock
  CLOCK_OUT_OF_STEP = 2,  // our heartbeats measured the sender's clock out of step
  CLUSTER_MISMATCH = 3,   // another cluster_name or partition count
  UNKNOWN_NODE = 4,       // the sender is not in our peers
  STORAGE = 5,            // the replica could not read or write its storage: may succeed later
  NOT_A_REPLICA = 6,      // the node does not replicate that partition
  TREE_MISMATCH = 7,      // the trees have another shape
  SYNCING = 8,            // back after a long absence: not serving until synced
  MALFORMED = 9,          // a record in the message does not decode: will fail again
}

exception Refused {
  1: string message,
  2: RefusalReason reason,
}

service Internode {
  // Stores `record` for `key` (LWW merge); returns once durable.
  void write(1: Sender sender, 2: string key, 3: WireRecord record) throws (1: Refused refused)

  // The record stored for `key`, tombstones and expired records included.
  ReadReply read(1: Sender sender, 2: string key) throws (1: Refused refused)

  // Liveness and clock measurement. Answered even when the sender's clock is
  // out of step, so that it can see so; refused only across clusters.
  HeartbeatReply heartbeat(1: Sender sender) throws (1: Refused refused)

  // Replays hints in order; every one is durable when it returns.
  void deliverHints(1: Sender sender, 2: list<HintedWrite> hints) throws (1: Refused refused)

  // Anti-entropy (DESIGN.md section 7). The hashes of tree nodes `indexes`
  // at `level` (0 = the root) of `partition`'s tree.
  list<binary> treeNodes(1: Sender sender, 2: TreeShape shape, 3: i32 partition, 4: i32 level,
                         5: list<i32> indexes) throws (1: Refused refused)

  // Every key, with its version, in leaves `leaves` of `partition`.
  list<KeyDigest> leafKeys(1: Sender sender, 2: TreeShape shape, 3: i32 partition,
                           4: list<i32> leaves) throws (1: Refused refused)

  // The records of `keys`, tombstones included.
  list<KeyedRecord> fetchRecords(1: Sender sender, 2: list<string> keys) throws (1: Refused refused)

  // Merges `records` (LWW); durable when it returns.
  void pushRecords(1: Sender sender, 2: list<KeyedRecord> records) throws (1: Refused refused)
}
