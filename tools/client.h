// Client: one framed, binary-protocol Thrift connection to an alderd client
// port (DESIGN.md section 8), speaking Alder's own types so that nothing above
// it includes generated code.
//
// Contract:
// - Errors are values: every call returns a CallStatus whose message is one
//   line a user can act on (no "alder: " prefix; the caller adds it).
// - The connection opens lazily on the first call (or explicitly with
//   Connect()). A transport failure (connection lost, reply timeout, garbled
//   reply) closes it; the next call opens a new one. Server-side errors
//   (InvalidArgument, NotFound, Unavailable, TimedOut, an application
//   exception) keep it open.
// - `timeout` bounds connecting, each send and each receive separately.
// - Not thread-safe: use one Client per thread. Different Clients are
//   independent.
// - Thrift's own stderr logging is silenced process-wide by the first Client
//   constructed, so that errors reach the user once, through CallStatus.
#ifndef ALDER_TOOLS_CLIENT_H_
#define ALDER_TOOLS_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace alder::tools {

// Consistency levels of the public API; unset means the server default (QUORUM).
enum class Consistency { kOne, kQuorum, kAll };
std::string_view ConsistencyName(Consistency level);  // "one", "quorum", "all"

// TLS to a node's client port (DESIGN.md section 13): the CA that signs the
// server's certificate, which must also name the host dialled; and for
// client_tls = mutual, this client's certificate and key.
struct ClientTlsFiles {
  std::string ca;
  std::string cert;  // optional, with key
  std::string key;
};

struct ClientOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7700;
  std::chrono::milliseconds timeout{10'000};  // connect, send and receive, each
  std::optional<ClientTlsFiles> tls;          // unset: plaintext
};

struct WriteParams {
  std::optional<std::chrono::milliseconds> ttl;  // unset: the value never expires
  std::optional<Consistency> consistency;        // unset: server default
};

struct ReadParams {
  std::optional<Consistency> consistency;  // unset: server default
};

// A value as read: the bytes and the version (HLC timestamp) of the write.
struct StoredValue {
  std::string bytes;
  int64_t version = 0;
  std::optional<int64_t> expires_at_ms;  // Unix ms; unset when there is no TTL
};

// One node as the answering node sees it (the public API's NodeStatus).
struct NodeStatus {
  int32_t node_id = 0;
  std::string internode_address;                 // host:port
  bool is_self = false;                          // the node that answered
  bool up = false;                               // as the answering node sees it
  std::optional<int64_t> last_heartbeat_ms_ago;  // unset: never heard from
  std::optional<int64_t> clock_offset_ms;        // its clock minus the answering node's
  int32_t partitions_owned = 0;                  // partitions it replicates
  int64_t hints_pending = 0;                     // hints the answering node holds for it
  std::optional<std::string> client_address;     // its client API host:port, once known
};

// One sample of one of the answering node's metrics (DESIGN.md section 15),
// as /metrics shows it: histograms as _bucket (label le), _sum and _count.
struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// The last successful anti-entropy exchange of one partition with one other
// replica (the public API's ExchangeState).
struct ExchangeState {
  int32_t partition = 0;
  int32_t peer = 0;                            // node id of the other replica
  std::optional<int64_t> last_success_ms_ago;  // unset: never since the node started
};

// How the answering node sees the cluster (the public API's ClusterStatus).
struct ClusterStatus {
  int32_t node_id = 0;  // the node that answered
  int32_t partitions = 0;
  int32_t replication_factor = 0;
  std::vector<NodeStatus> nodes;  // in the order the server sent them
  bool clock_fenced = false;      // the answering node refuses to coordinate writes
  std::optional<std::string> clock_fence_reason;
  int64_t hints_dropped = 0;     // hints older than hint_window, dropped
  int64_t clock_rejections = 0;  // remote timestamps refused as too far ahead
  int64_t fenced_writes = 0;     // writes refused while clock-fenced
  // Anti-entropy. Each is unset when the server does not report it (a server
  // older than these fields).
  std::optional<std::vector<ExchangeState>> exchanges;  // per partition and other replica
  std::optional<int64_t> oldest_exchange_ms_ago;        // unset: some pair never exchanged
  std::optional<int64_t> records_purged;                // tombstones and expired records GC removed
  std::optional<bool> syncing;  // fenced after a long absence, syncing first
  // Unset when the server predates them.
  std::optional<int64_t> hint_window_ms;  // effective hint_window; 0: no hints
  std::optional<int32_t> max_key_bytes;   // the answering node's request limits
  std::optional<int32_t> max_value_bytes;
  std::vector<MetricSample> metrics;  // every metric of the answering node (empty: older server)
};

// What to repair or compare: everything the node replicates (both unset),
// one partition, or the partition of one key. Setting both is the caller's
// mistake; the server decides what it means.
struct RepairParams {
  std::optional<int32_t> partition;
  std::optional<std::string> key;
};

// What anti-entropy moved (the public API's RepairReport), summed over the
// exchanges of one request.
struct RepairReport {
  int32_t partitions = 0;        // partitions repaired
  int32_t exchanges = 0;         // replica pairs exchanged successfully
  int32_t failed_exchanges = 0;  // replica pairs that could not be reached
  int64_t tree_nodes_compared = 0;
  int64_t keys_listed = 0;
  int64_t records_sent = 0;  // in both directions
  int64_t bytes_sent = 0;
  int64_t records_differing = 0;  // keys whose versions actually differed
  int64_t elapsed_ms = 0;
  std::optional<std::string> error;  // why failed exchanges failed (the first)
};

struct CompareParams {
  std::optional<int32_t> partition;
  std::optional<std::string> key;
  bool list_keys = false;  // also list the differing keys
};

// One replica's version of a key (the public API's ReplicaVersion).
struct ReplicaVersion {
  int32_t node_id = 0;
  std::optional<int64_t> version;  // HLC timestamp; unset: the replica holds nothing
  bool tombstone = false;
};

struct KeyDifference {
  std::string key;
  std::vector<ReplicaVersion> versions;
};

// One replica's Merkle root of a partition (the public API's ReplicaRoot).
struct ReplicaRoot {
  int32_t node_id = 0;
  std::optional<std::string> root_hash;  // raw bytes; unset: unreachable (see error)
  std::optional<std::string> error;
};

struct PartitionComparison {
  int32_t partition = 0;
  std::vector<ReplicaRoot> roots;
  bool converged = false;
  std::vector<KeyDifference> differences;  // only when list_keys was asked
};

// The public API's Comparison.
struct Comparison {
  std::vector<PartitionComparison> partitions;  // the compared ones
  bool converged = false;                       // every replica reached and equal
  int32_t unreachable = 0;                      // replicas that could not be asked
};

// The public API's TreeVerification.
struct TreeVerification {
  int32_t partitions_checked = 0;
  std::vector<int32_t> mismatched_partitions;  // live tree differs from the index
  int64_t index_entries = 0;
};

// Why a call failed. The first three are the client's side of the
// connection; the rest are answers from the server.
enum class ErrorKind {
  kConnect,          // could not open a connection (refused, unreachable, DNS)
  kIo,               // connection lost or reply not understood
  kReplyTimeout,     // no reply within the client's timeout
  kInvalidArgument,  // server rejected the request (key or value size, TTL)
  kNotFound,         // get of a key that has no live value
  kUnavailable,      // too few live replicas for the consistency level
  kTimedOut,         // replicas did not acknowledge in time (server-side timeout)
  kServerError,      // the server raised an application exception
};
inline constexpr int kErrorKindCount = 8;
static_assert(static_cast<int>(ErrorKind::kServerError) + 1 == kErrorKindCount);

// A short snake_case name, stable for JSON: "connect", "io", "reply_timeout",
// "invalid_argument", "not_found", "unavailable", "timed_out", "server_error".
std::string_view ErrorKindName(ErrorKind kind);

// True for the kinds that mean the connection itself failed.
bool IsConnectionError(ErrorKind kind);

class CallStatus {
 public:
  static CallStatus Ok() { return CallStatus(); }
  static CallStatus Error(ErrorKind kind, std::string message) {
    return CallStatus(kind, std::move(message));
  }

  bool ok() const { return !kind_.has_value(); }
  // REQUIRES: !ok()
  ErrorKind kind() const { return *kind_; }
  // Empty when ok().
  const std::string& message() const { return message_; }

 private:
  CallStatus() = default;
  CallStatus(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  std::optional<ErrorKind> kind_;
  std::string message_;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Opens the connection if it is not open. kConnect on failure.
  CallStatus Connect();
  bool connected() const;
  // Closes the connection, if open. The next call reopens it.
  void Disconnect();

  // "host:port", for messages.
  std::string endpoint() const;

  // Stores `value` under `key`. On success sets *version (if non-null) to the
  // version the server wrote. A key and value too large for any server's
  // frame are first checked against the server's limits (learned once per
  // Client through Status, the defaults for a server that does not report
  // them): over them is kInvalidArgument, and nothing is sent.
  CallStatus Put(const std::string& key, const std::string& value, const WriteParams& params,
                 int64_t* version);

  // Reads `key` into *value. kNotFound when the key has no live value.
  CallStatus Get(const std::string& key, const ReadParams& params, StoredValue* value);

  // Deletes `key` (removing an absent key is not an error). On success sets
  // *version (if non-null) to the version of the tombstone.
  CallStatus Remove(const std::string& key, const WriteParams& params, int64_t* version);

  // Asks the server how it sees the cluster, into *status. A server that
  // predates the status method answers kServerError.
  CallStatus Status(ClusterStatus* status);

  // Runs anti-entropy on the answering node now, into *report. The server
  // answers kInvalidArgument for a partition out of range or one it does not
  // replicate. A repair can take longer than a plain call: `timeout` bounds
  // the wait for its reply too.
  CallStatus Repair(const RepairParams& params, RepairReport* report);

  // Compares the replicas' Merkle trees (and, with list_keys, their keys),
  // into *comparison.
  CallStatus Compare(const CompareParams& params, Comparison* comparison);

  // Has the answering node rebuild its trees from the digest index and
  // compare them with the live ones, into *verification.
  CallStatus VerifyTrees(TreeVerification* verification);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Renders arbitrary bytes for a one-line message: printable ASCII as is,
// everything else as \xNN, cut to `max_bytes` of input with "..." appended.
std::string Printable(std::string_view bytes, size_t max_bytes = 200);

}  // namespace alder::tools

#endif  // ALDER_TOOLS_CLIENT_H_
