// The alder command line's anti-entropy commands driven in-process: repair's
// and compare's reports, exit codes and JSON, and repair's partition loop.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fmt/format.h"
#include "test/tools/cli_test_support.h"
#include "tools/anti_entropy_commands.h"
#include "tools/commands.h"

namespace alder::tools {
namespace {

using cli_testing::CountLines;
using cli_testing::Lines;
using cli_testing::Outcome;
using cli_testing::RunCli;
using std::chrono::milliseconds;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::Not;
using testing::StartsWith;

// ---- repair ----

RepairReport OneExchange(int64_t records) {
  RepairReport r;
  r.partitions = 1;
  r.exchanges = 2;
  r.tree_nodes_compared = 31;
  r.keys_listed = 4 * records;
  r.records_differing = records;
  r.records_sent = records;
  r.bytes_sent = 700 * records;
  r.elapsed_ms = 12;
  return r;
}

TEST(RepairFormatTest, SummaryLines) {
  RepairRun run;
  run.node_id = 1;
  run.partitions_total = 256;
  run.not_replicated = 16;
  for (int i = 0; i < 240; ++i) AddRepairReport(OneExchange(i == 7 ? 5 : 0), i, &run);
  run.wall = milliseconds(12'340);
  EXPECT_EQ(FormatRepairText(run),
            "partitions repaired: 240 of 256 (16 skipped: node 1 does not replicate them)\n"
            "exchanges: 480 (0 failed)\n"
            "tree nodes compared: 7440\n"
            "keys listed: 20\n"
            "records differing: 5\n"
            "records sent: 5 (1.00 per record differing)\n"
            "bytes sent: 3.4 KiB (3500 bytes)\n"
            "elapsed: 12.34s\n");
  EXPECT_EQ(RepairExitCode(run), kExitOk);
}

TEST(RepairFormatTest, OnePartitionNothingMoved) {
  RepairRun run;
  AddRepairReport(OneExchange(0), 3, &run);
  run.wall = milliseconds(61'500);
  const std::string text = FormatRepairText(run);
  EXPECT_THAT(text, StartsWith("partitions repaired: 1\nexchanges: 2 (0 failed)\n"));
  EXPECT_THAT(text, HasSubstr("records sent: 0\n"));
  EXPECT_THAT(text, HasSubstr("bytes sent: 0 bytes\n"));
  EXPECT_THAT(text, HasSubstr("elapsed: 1m 01s\n"));
}

TEST(RepairFormatTest, FailedExchangesKeepTheFirstErrorAndExitFour) {
  RepairRun run;
  AddRepairReport(OneExchange(1), 0, &run);
  RepairReport failed = OneExchange(0);
  failed.exchanges = 1;
  failed.failed_exchanges = 1;
  failed.error = "node 3: connection refused";
  AddRepairReport(failed, 1, &run);
  failed.error = "node 2: timed out";
  AddRepairReport(failed, 2, &run);
  EXPECT_EQ(run.total.failed_exchanges, 2);
  EXPECT_EQ(run.first_error, "partition 1: node 3: connection refused");
  EXPECT_EQ(RepairExitCode(run), kExitUnavailable);
  EXPECT_THAT(FormatRepairText(run), HasSubstr("exchanges: 4 (2 failed)\n"));

  // Without a partition (--key), the error is the server's alone.
  RepairRun by_key;
  AddRepairReport(failed, std::nullopt, &by_key);
  EXPECT_EQ(by_key.first_error, "node 2: timed out");
}

TEST(RepairFormatTest, JsonIsTheSummedReport) {
  RepairRun run;
  run.node_id = 2;
  run.partitions_total = 4;
  run.not_replicated = 1;
  AddRepairReport(OneExchange(2), 0, &run);
  AddRepairReport(OneExchange(1), 1, &run);
  run.wall = milliseconds(40);
  const std::string json = FormatRepairJson(run, "127.0.0.1:7710");
  EXPECT_EQ(CountLines(json), 1);
  EXPECT_EQ(json,
            "{\"endpoint\":\"127.0.0.1:7710\",\"node_id\":2,\"partitions_total\":4,"
            "\"not_replicated\":1,\"partitions\":2,\"exchanges\":4,\"failed_exchanges\":0,"
            "\"tree_nodes_compared\":62,\"keys_listed\":12,\"records_sent\":3,\"bytes_sent\":2100,"
            "\"records_differing\":3,\"elapsed_ms\":24,\"wall_ms\":40,\"error\":null}\n");
  RepairRun single;
  AddRepairReport(OneExchange(0), 5, &single);
  EXPECT_THAT(FormatRepairJson(single, "h:1"),
              HasSubstr("\"node_id\":null,\"partitions_total\":null,\"not_replicated\":0,"));
}

TEST(RepairLoopTest, NotReplicatedErrorsAreRecognized) {
  for (const char* message : {"invalid argument: node 2 does not replicate partition 7",
                              "invalid argument: partition 7 is not replicated by this node",
                              "invalid argument: Node 2 is not a replica of partition 7",
                              "invalid argument: this node doesn't replicate partition 7"}) {
    EXPECT_TRUE(IsNotReplicatedError(CallStatus::Error(ErrorKind::kInvalidArgument, message)))
        << message;
  }
  EXPECT_FALSE(IsNotReplicatedError(CallStatus::Ok()));
  EXPECT_FALSE(IsNotReplicatedError(CallStatus::Error(
      ErrorKind::kInvalidArgument, "invalid argument: partition 300 out of range")));
  EXPECT_FALSE(IsNotReplicatedError(
      CallStatus::Error(ErrorKind::kServerError, "server error: does not replicate")));
}

// A fake node for RepairEachPartition: partitions in `skip` are not
// replicated, `stop_at` fails with `stop_error`.
struct FakeRepairs {
  std::set<int32_t> skip;
  std::optional<int32_t> stop_at;
  CallStatus stop_error = CallStatus::Ok();
  std::vector<int32_t> asked;

  RepairPartitionFn Fn() {
    return [this](int32_t partition, RepairReport* report) {
      asked.push_back(partition);
      if (skip.count(partition)) {
        return CallStatus::Error(ErrorKind::kInvalidArgument,
                                 fmt::format("invalid argument: node 1 does not replicate "
                                             "partition {}",
                                             partition));
      }
      if (stop_at == partition) return stop_error;
      *report = OneExchange(partition % 2);
      return CallStatus::Ok();
    };
  }
};

TEST(RepairLoopTest, EveryPartitionInOrderSkippingNotReplicated) {
  FakeRepairs fake;
  fake.skip = {3, 7};
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, false};
  RepairRun run;
  int32_t stopped_at = -1;
  const CallStatus status = RepairEachPartition(20, fake.Fn(), io, &run, &stopped_at);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(fake.asked.size(), 20u);
  EXPECT_EQ(fake.asked.front(), 0);
  EXPECT_EQ(fake.asked.back(), 19);
  EXPECT_EQ(run.not_replicated, 2);
  EXPECT_EQ(run.total.partitions, 18);
  EXPECT_EQ(run.total.records_sent, 8);  // odd partitions send 1; 3 and 7 skipped
  EXPECT_EQ(out.str(), "");
  // Not a tty: one line per 10%, never a carriage return.
  const std::vector<std::string> lines = Lines(err.str());
  ASSERT_EQ(lines.size(), 10u) << err.str();
  EXPECT_EQ(lines[0], "repair: partition 2/20, 1 record sent so far");
  EXPECT_EQ(lines[9], "repair: partition 20/20, 8 records sent so far");
  EXPECT_THAT(err.str(), Not(HasSubstr("\r")));
}

TEST(RepairLoopTest, TtyRedrawsOneLine) {
  FakeRepairs fake;
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, true};
  RepairRun run;
  int32_t stopped_at = -1;
  ASSERT_TRUE(RepairEachPartition(3, fake.Fn(), io, &run, &stopped_at).ok());
  EXPECT_EQ(err.str(),
            "\rrepair: partition 0/3, 0 records sent so far"
            "\rrepair: partition 1/3, 0 records sent so far"
            "\rrepair: partition 2/3, 1 record sent so far "
            "\rrepair: partition 3/3, 1 record sent so far\n");
}

TEST(RepairLoopTest, FewPartitionsStillReportEachStep) {
  FakeRepairs fake;
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, false};
  RepairRun run;
  int32_t stopped_at = -1;
  ASSERT_TRUE(RepairEachPartition(4, fake.Fn(), io, &run, &stopped_at).ok());
  EXPECT_EQ(CountLines(err.str()), 4);
}

TEST(RepairLoopTest, StopsAtAConnectionFailure) {
  FakeRepairs fake;
  fake.stop_at = 5;
  fake.stop_error = CallStatus::Error(ErrorKind::kIo, "connection to h:1 closed by the server");
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, true};
  RepairRun run;
  int32_t stopped_at = -1;
  const CallStatus status = RepairEachPartition(256, fake.Fn(), io, &run, &stopped_at);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.kind(), ErrorKind::kIo);
  EXPECT_EQ(stopped_at, 5);
  EXPECT_EQ(fake.asked.size(), 6u);
  EXPECT_EQ(run.total.partitions, 5);
  EXPECT_EQ(err.str().back(), '\n');  // the progress line is ended before the error
}

TEST(RepairLoopTest, StopsAtAnotherInvalidArgument) {
  FakeRepairs fake;
  fake.stop_at = 0;
  fake.stop_error =
      CallStatus::Error(ErrorKind::kInvalidArgument, "invalid argument: partition 0 out of range");
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, false};
  RepairRun run;
  int32_t stopped_at = -1;
  EXPECT_FALSE(RepairEachPartition(8, fake.Fn(), io, &run, &stopped_at).ok());
  EXPECT_EQ(stopped_at, 0);
  EXPECT_EQ(err.str(), "");
}

// ---- compare ----

ReplicaRoot Root(int32_t node, std::optional<std::string> hash,
                 std::optional<std::string> error = std::nullopt) {
  ReplicaRoot r;
  r.node_id = node;
  r.root_hash = std::move(hash);
  r.error = std::move(error);
  return r;
}

ReplicaVersion Version(int32_t node, std::optional<int64_t> version, bool tombstone = false) {
  ReplicaVersion v;
  v.node_id = node;
  v.version = version;
  v.tombstone = tombstone;
  return v;
}

const std::string kHashA =
    std::string("\x3f\x2a\x9c\x01\xd4\xe5\xb6\xa7", 8) + std::string(24, 'a');
const std::string kHashB =
    std::string("\x9b\x1c\x00\xff\x10\x20\x30\x40", 8) + std::string(24, 'b');
constexpr int64_t kHlc = (int64_t{1764000000000} << 16) | 3;

Comparison Converged(int32_t partitions) {
  Comparison c;
  c.converged = true;
  for (int32_t p = 0; p < partitions; ++p) {
    PartitionComparison pc;
    pc.partition = p;
    pc.converged = true;
    pc.roots = {Root(1, kHashA), Root(2, kHashA), Root(3, kHashA)};
    c.partitions.push_back(pc);
  }
  return c;
}

TEST(CompareFormatTest, Versions) {
  EXPECT_EQ(FormatReplicaVersion(Version(1, kHlc)), "1764000000000.3");
  EXPECT_EQ(FormatReplicaVersion(Version(2, std::nullopt)), "none");
  EXPECT_EQ(FormatReplicaVersion(Version(3, kHlc + 1, true)), "1764000000000.4 (deleted)");
  EXPECT_EQ(FormatReplicaVersion(Version(3, std::nullopt, true)), "none");
}

TEST(CompareFormatTest, ShortHashIsSixteenHexDigits) {
  EXPECT_EQ(ShortHash(kHashA), "3f2a9c01d4e5b6a7");
  EXPECT_EQ(ShortHash(std::string("\x01\x02", 2)), "0102");
  EXPECT_EQ(ShortHash(""), "");
}

TEST(CompareFormatTest, ConvergedIsOneLineAndExitZero) {
  const Comparison c = Converged(256);
  EXPECT_EQ(FormatCompareText(c), "converged: 256 partitions, 3 replicas each equal\n");
  EXPECT_EQ(CompareExitCode(c), kExitOk);
  EXPECT_EQ(FormatCompareText(Converged(1)), "converged: 1 partition, 3 replicas each equal\n");
}

TEST(CompareFormatTest, DifferingPartitionsWithRootsAndKeys) {
  Comparison c = Converged(4);
  c.converged = false;
  PartitionComparison& p = c.partitions[2];
  p.converged = false;
  p.roots = {Root(2, kHashB), Root(1, kHashA), Root(3, kHashA)};
  KeyDifference d;
  d.key = "user:42";
  d.versions = {Version(1, kHlc), Version(2, std::nullopt), Version(3, kHlc + 1, true)};
  p.differences.push_back(d);
  KeyDifference odd;
  odd.key = std::string("k\n\xff", 3);
  odd.versions = {Version(1, kHlc), Version(2, kHlc - 1)};
  p.differences.push_back(odd);
  EXPECT_EQ(FormatCompareText(c),
            "partition 2: replicas differ\n"
            "  node 1: root 3f2a9c01d4e5b6a7\n"
            "  node 2: root 9b1c00ff10203040\n"
            "  node 3: root 3f2a9c01d4e5b6a7\n"
            "  key user:42\n"
            "    node 1: 1764000000000.3\n"
            "    node 2: none\n"
            "    node 3: 1764000000000.4 (deleted)\n"
            "  key k\\x0a\\xff\n"
            "    node 1: 1764000000000.3\n"
            "    node 2: 1764000000000.2\n"
            "\n"
            "not converged: 1 of 4 partitions\n");
  EXPECT_EQ(CompareExitCode(c), kExitFailure);
}

TEST(CompareFormatTest, UnreachableReplicaIsExitFourEvenWithDifferences) {
  Comparison c = Converged(2);
  c.converged = false;
  c.unreachable = 1;
  c.partitions[0].converged = false;
  c.partitions[0].roots[2] = Root(3, std::nullopt, "connection refused");
  const std::string text = FormatCompareText(c);
  // The reachable replicas agree: summed up under the node, not listed.
  EXPECT_THAT(text, Not(HasSubstr("partition 0:")));
  EXPECT_THAT(text, HasSubstr("node 3 could not be asked about 1 partition: connection refused\n"
                              "in 1 partition the replicas that answered agree (it is not "
                              "listed); 'alder compare --json' lists every partition, "
                              "'--partition N --keys' one with its differing keys\n"));
  EXPECT_THAT(text, HasSubstr("not converged: 1 of 2 partitions, 1 replica unreachable (the "
                              "comparison is incomplete)\n"));
  EXPECT_EQ(CompareExitCode(c), kExitUnavailable);

  c.partitions[1].converged = false;
  c.partitions[1].roots[0] = Root(1, kHashB);
  c.partitions[1].roots[2] = Root(3, std::nullopt, "connection refused");
  const std::string both = FormatCompareText(c);
  EXPECT_THAT(both, HasSubstr("partition 1: replicas differ (1 unreachable)\n"
                              "  node 1: root 9b1c00ff10203040\n"
                              "  node 2: root 3f2a9c01d4e5b6a7\n"
                              "  node 3: unreachable: connection refused\n"));
  EXPECT_THAT(both,
              HasSubstr("node 3 could not be asked about 2 partitions: connection refused\n"));
  EXPECT_EQ(CompareExitCode(c), kExitUnavailable);  // unreachable wins over "not converged"
}

TEST(CompareFormatTest, ANodeDownIsOneLineNotOnePerPartition) {
  Comparison c = Converged(256);
  c.converged = false;
  c.unreachable = 256;
  for (PartitionComparison& p : c.partitions) {
    p.converged = false;
    p.roots[1] = Root(2, std::nullopt, "node 2 is down");
  }
  const std::string text = FormatCompareText(c);
  EXPECT_EQ(CountLines(text), 4) << text;  // two lines, a blank one, the summary
  EXPECT_THAT(text, StartsWith("node 2 could not be asked about 256 partitions: node 2 is down\n"
                               "in 256 partitions the replicas that answered agree (they are not "
                               "listed)"));
}

TEST(CompareFormatTest, ExitCodesExactly) {
  Comparison c = Converged(3);
  EXPECT_EQ(CompareExitCode(c), 0);
  c.converged = false;
  c.partitions[1].converged = false;
  EXPECT_EQ(CompareExitCode(c), 1);
  c.unreachable = 2;
  EXPECT_EQ(CompareExitCode(c), 4);
  // A partition marked not converged wins over an inconsistent summary flag.
  Comparison inconsistent = Converged(3);
  inconsistent.partitions[0].converged = false;
  EXPECT_EQ(CompareExitCode(inconsistent), 1);
}

TEST(CompareFormatTest, EmptyComparison) {
  Comparison c;
  c.converged = true;
  EXPECT_EQ(FormatCompareText(c), "converged: 0 partitions, nothing to compare\n");
  EXPECT_EQ(CompareExitCode(c), kExitOk);
}

TEST(CompareFormatTest, JsonHasFullHashesAndNulls) {
  Comparison c = Converged(1);
  c.converged = false;
  c.unreachable = 1;
  c.partitions[0].converged = false;
  c.partitions[0].roots = {Root(1, std::string("\x01\xab", 2)), Root(2, std::nullopt, "down")};
  KeyDifference d;
  d.key = "q\"";
  d.versions = {Version(1, kHlc, true), Version(2, std::nullopt)};
  c.partitions[0].differences.push_back(d);
  const std::string json = FormatCompareJson(c, "h:1");
  EXPECT_EQ(CountLines(json), 1);
  EXPECT_EQ(json,
            "{\"endpoint\":\"h:1\",\"converged\":false,\"unreachable\":1,\"partitions\":["
            "{\"partition\":0,\"converged\":false,\"roots\":["
            "{\"node_id\":1,\"root_hash\":\"01ab\",\"error\":null},"
            "{\"node_id\":2,\"root_hash\":null,\"error\":\"down\"}],"
            "\"differences\":[{\"key\":\"q\\\"\",\"versions\":["
            "{\"node_id\":1,\"version\":" +
                std::to_string(kHlc) +
                ",\"tombstone\":true},"
                "{\"node_id\":2,\"version\":null,\"tombstone\":false}]}]}]}\n");
}

TEST(AntiEntropyCliTest, PartitionAndKeyTogetherIsAUsageError) {
  for (const char* command : {"repair", "compare"}) {
    const Outcome o = RunCli({command, "--partition", "1", "--key", "k"});
    EXPECT_EQ(o.exit_code, kExitUsage);
    EXPECT_EQ(o.err, fmt::format("alder: {}: --partition and --key exclude each other; give one "
                                 "(see 'alder {} --help')\n",
                                 command, command));
    EXPECT_THAT(o.out, IsEmpty());
  }
}

TEST(AntiEntropyCliTest, HelpDocumentsExitCodes) {
  const Outcome compare = RunCli({"compare", "--help"});
  EXPECT_EQ(compare.exit_code, kExitOk);
  EXPECT_THAT(compare.out, HasSubstr("0 converged, 1 not converged, 2 usage or invalid input"));
  EXPECT_THAT(compare.out, HasSubstr("4 a replica could\nnot be reached"));
  EXPECT_THAT(compare.out, HasSubstr("3 connection failure to the node asked"));
  EXPECT_THAT(compare.out, HasSubstr("--keys"));
  const Outcome repair = RunCli({"repair", "--help"});
  EXPECT_EQ(repair.exit_code, kExitOk);
  EXPECT_THAT(repair.out, HasSubstr("0 every exchange succeeded, 2 usage or invalid input"));
  EXPECT_THAT(repair.out, HasSubstr("4 some exchange\nfailed"));
  EXPECT_THAT(repair.out, HasSubstr("--partition N"));
  const Outcome program = RunCli({"--help"});
  EXPECT_THAT(program.out, HasSubstr("  repair  "));
  EXPECT_THAT(program.out, HasSubstr("  compare "));
}

}  // namespace
}  // namespace alder::tools
