// alder repair and alder compare: anti-entropy on demand (DESIGN.md sections
// 7 and 9).
//
// Contract (Run* as in tools/commands.h: `args` follow the command name,
// exit codes from tools/command.h, never throws):
// - repair: with --partition N or --key K, one repair call. Without either,
//   status() gives the partition count and repair(partition=p) runs for each
//   p in 0..partitions-1, one at a time, with a progress line on io.err
//   (redrawn with '\r' when io.err_is_tty, else one line per 10%).
//   Partitions the node answers "does not replicate" (InvalidArgument) are
//   skipped and counted. Then a summary on io.out (text, or --json one
//   object). Exit 0 when every exchange succeeded; 1 when some failed (the
//   first error on io.err), the node refused a request, or a server error
//   stopped the run; 2 usage; 3 connection failure (the run stops; nothing
//   on io.out).
// - compare: one compare call. Text lists each partition that is not
//   converged with its replicas' root hashes (and with --keys each differing
//   key with every replica's version); when converged, one line. Exit 0
//   converged, 1 not converged, 2 a replica could not be reached
//   (Comparison.unreachable > 0, even when differences were found among the
//   replicas reached), the node rejected the request or a usage error,
//   3 connection failure to the node asked. 2 covers both usage errors and
//   "could not compare everything" by design: 0 and 1 are the only answers
//   about convergence.
#ifndef ALDER_TOOLS_ANTI_ENTROPY_COMMANDS_H_
#define ALDER_TOOLS_ANTI_ENTROPY_COMMANDS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/command.h"

namespace alder::tools {

int RunRepair(const ClientOptions& client, const std::vector<std::string>& args, Io& io);
int RunCompare(const ClientOptions& client, const std::vector<std::string>& args, Io& io);
// verify-trees: asks the node to rebuild its Merkle trees from its digest
// index and compare them with the live ones. Exit 0 when all match, 1 when a
// partition's tree differs (listed on io.out), 3 connection failure.
int RunVerifyTrees(const ClientOptions& client, const std::vector<std::string>& args, Io& io);
std::string FormatTreeVerification(const TreeVerification& verification);

std::string RepairHelp();
std::string CompareHelp();
std::string VerifyTreesHelp();

// ---- repair ----

// What a repair run did: the reports of its calls summed, plus what only the
// client knows.
struct RepairRun {
  std::optional<int32_t> node_id;  // the node that repaired, when status() was asked
  int32_t partitions_total = 0;    // the cluster's partitions (every-partition runs), else 0
  int32_t not_replicated = 0;      // partitions skipped: the node does not replicate them
  RepairReport total;              // summed; total.error unused (see first_error)
  std::optional<std::string> first_error;  // the first failed exchange's error
  std::chrono::milliseconds wall{0};       // the whole run, as the client timed it
};

// Adds one call's report to run->total; keeps the first error, prefixed
// with the partition when `partition` is set.
void AddRepairReport(const RepairReport& report, std::optional<int32_t> partition, RepairRun* run);

// True when a failed repair call means "this node does not replicate that
// partition" (InvalidArgument whose message says so), which an
// every-partition run skips.
bool IsNotReplicatedError(const CallStatus& status);

// The summary: one "name: value" line each, every line ending in '\n'.
std::string FormatRepairText(const RepairRun& run);
// One JSON object on one line: the RepairReport field names (summed;
// elapsed_ms is the servers' time summed), plus "endpoint", "node_id",
// "partitions_total", "not_replicated", "wall_ms" and "error" (the first).
std::string FormatRepairJson(const RepairRun& run, std::string_view endpoint);
// kExitOk when no exchange failed, kExitFailure otherwise.
int RepairExitCode(const RepairRun& run);

// The progress line of an every-partition run, on io.err.
class RepairProgress {
 public:
  RepairProgress(Io& io, int32_t partitions);
  // After each partition: `done` partitions of the total are finished.
  void Update(int32_t done, int64_t records_sent);
  // Ends the line (tty) so that what follows starts on a fresh one.
  void Finish();

 private:
  Io& io_;
  int32_t partitions_;
  int last_decile_ = 0;     // non-tty: the last 10% step printed
  size_t last_length_ = 0;  // tty: to blank out a longer previous line
  bool drawn_ = false;
};

// Repairs partitions 0..partitions-1 one at a time through `repair`, adding
// to *run and reporting progress. Stops at the first call that fails for
// another reason than "not replicated" and returns it, with the partition in
// *stopped_at; returns Ok after the last partition.
using RepairPartitionFn = std::function<CallStatus(int32_t partition, RepairReport* report)>;
CallStatus RepairEachPartition(int32_t partitions, const RepairPartitionFn& repair, Io& io,
                               RepairRun* run, int32_t* stopped_at);

// ---- compare ----

// An HLC version as "<unix ms>.<logical counter>", e.g. "1764000000000.3";
// "none" when unset; " (deleted)" appended for a tombstone.
std::string FormatReplicaVersion(const ReplicaVersion& version);
// The first 8 bytes of a hash as 16 lower-case hex digits (all of it when
// shorter).
std::string ShortHash(std::string_view bytes);

// Text: for each partition that is not converged, a header and one line per
// replica root, then (when listed) each differing key with each replica's
// version; finally one summary line ("converged: N partitions, R replicas
// each equal", or "not converged: ..."). Every line ends in '\n'.
std::string FormatCompareText(const Comparison& comparison);
// One JSON object on one line, the IDL's field names, root hashes in full
// hex, unset fields as null, plus "endpoint".
std::string FormatCompareJson(const Comparison& comparison, std::string_view endpoint);
int CompareExitCode(const Comparison& comparison);

}  // namespace alder::tools

#endif  // ALDER_TOOLS_ANTI_ENTROPY_COMMANDS_H_
