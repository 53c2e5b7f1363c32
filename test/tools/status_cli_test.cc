// alder status's report driven in-process: the text table and counters, the
// clock-fence and syncing warnings, the anti-entropy section, the JSON, and
// the exit code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/tools/cli_test_support.h"
#include "tools/commands.h"

namespace alder::tools {
namespace {

using cli_testing::CountLines;
using cli_testing::Lines;
using cli_testing::Outcome;
using cli_testing::RunCli;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

// A three-node cluster as node 1 sees it, nodes deliberately out of order.
ClusterStatus ThreeNodes() {
  ClusterStatus s;
  s.node_id = 1;
  s.partitions = 256;
  s.replication_factor = 3;
  s.hints_dropped = 7;
  s.clock_rejections = 2;
  NodeStatus n3;
  n3.node_id = 3;
  n3.internode_address = "127.0.0.1:7721";
  n3.up = false;
  n3.partitions_owned = 256;
  n3.hints_pending = 1042;
  NodeStatus n1;
  n1.node_id = 1;
  n1.internode_address = "127.0.0.1:7701";
  n1.is_self = true;
  n1.up = true;
  n1.partitions_owned = 256;
  NodeStatus n2;
  n2.node_id = 2;
  n2.internode_address = "127.0.0.1:7711";
  n2.up = true;
  n2.last_heartbeat_ms_ago = 412;
  n2.clock_offset_ms = 5012;
  n2.partitions_owned = 256;
  s.nodes = {n3, n1, n2};
  return s;
}

TEST(StatusFormatTest, HeartbeatAges) {
  EXPECT_EQ(FormatHeartbeatAge(std::nullopt), "never");
  EXPECT_EQ(FormatHeartbeatAge(0), "0.0s ago");
  EXPECT_EQ(FormatHeartbeatAge(412), "0.4s ago");
  EXPECT_EQ(FormatHeartbeatAge(9'940), "9.9s ago");
  EXPECT_EQ(FormatHeartbeatAge(42'700), "42s ago");
  EXPECT_EQ(FormatHeartbeatAge(12 * 60'000 + 5), "12m ago");
  EXPECT_EQ(FormatHeartbeatAge(5 * 3'600'000), "5h ago");
  EXPECT_EQ(FormatHeartbeatAge(3 * 86'400'000LL), "3d ago");
  EXPECT_EQ(FormatHeartbeatAge(-3), "0.0s ago");  // a clock step must not print nonsense
}

TEST(StatusFormatTest, ClockOffsets) {
  EXPECT_EQ(FormatClockOffset(std::nullopt), "-");
  EXPECT_EQ(FormatClockOffset(5012), "+5012 ms");
  EXPECT_EQ(FormatClockOffset(-3), "-3 ms");
  EXPECT_EQ(FormatClockOffset(0), "+0 ms");
}

TEST(StatusFormatTest, TextHasHeaderTableAndCounters) {
  const std::string text = FormatStatusText(ThreeNodes());
  const std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 8u) << text;
  EXPECT_EQ(lines[0], "node 1 answered: 256 partitions, replication factor 3");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2],
            "node  address         state      last heartbeat  clock offset  partitions  "
            "hints pending");
  // Rows sorted by node id; numbers right-aligned under their headings.
  EXPECT_EQ(lines[3],
            "1     127.0.0.1:7701  up (self)  -                          -         256  "
            "            0");
  EXPECT_EQ(lines[4],
            "2     127.0.0.1:7711  up         0.4s ago            +5012 ms         256  "
            "            0");
  EXPECT_EQ(lines[5],
            "3     127.0.0.1:7721  down       never                      -         256  "
            "         1042");
  EXPECT_EQ(lines[6], "");
  EXPECT_EQ(
      lines[7],
      "nodes up: 2 of 3, hints dropped: 7, clock rejections: 2, writes refused while fenced: 0");
  EXPECT_THAT(text, Not(HasSubstr("warning")));
}

TEST(StatusFormatTest, ClockFenceIsAWarningWithItsReason) {
  ClusterStatus s = ThreeNodes();
  s.clock_fenced = true;
  s.clock_fence_reason = "node 2's clock is 5012 ms ahead (max_clock_offset 500ms)";
  std::vector<std::string> lines = Lines(FormatStatusText(s));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "warning: node 1 is clock-fenced and refuses to coordinate writes: node 2's clock "
            "is 5012 ms ahead (max_clock_offset 500ms)");

  s.clock_fence_reason.reset();
  lines = Lines(FormatStatusText(s));
  EXPECT_EQ(lines[1], "warning: node 1 is clock-fenced and refuses to coordinate writes");
}

TEST(StatusFormatTest, SelfWithAHeartbeatShowsIt) {
  ClusterStatus s = ThreeNodes();
  s.nodes[1].last_heartbeat_ms_ago = 0;
  s.nodes[1].clock_offset_ms = 0;
  const std::vector<std::string> lines = Lines(FormatStatusText(s));
  EXPECT_THAT(lines[3], HasSubstr("up (self)  0.0s ago"));
  EXPECT_THAT(lines[3], HasSubstr("+0 ms"));
}

TEST(StatusFormatTest, JsonUsesTheIdlNamesAndNullForUnset) {
  ClusterStatus s = ThreeNodes();
  s.nodes[0].internode_address = "odd\"host";
  const std::string json = FormatStatusJson(s, "127.0.0.1:7700");
  EXPECT_EQ(CountLines(json), 1);
  EXPECT_THAT(json, StartsWith("{\"endpoint\":\"127.0.0.1:7700\",\"node_id\":1,\"partitions\":256,"
                               "\"replication_factor\":3,\"clock_fenced\":false,"
                               "\"clock_fence_reason\":null,\"hints_dropped\":7,"
                               "\"clock_rejections\":2,\"fenced_writes\":0,\"hint_window_ms\":null,"
                               "\"all_up\":false,\"nodes\":[{\"node_id\":1,"));
  EXPECT_THAT(json, HasSubstr("{\"node_id\":1,\"internode_address\":\"127.0.0.1:7701\","
                              "\"is_self\":true,\"up\":true,\"last_heartbeat_ms_ago\":null,"
                              "\"clock_offset_ms\":null,\"partitions_owned\":256,"
                              "\"hints_pending\":0}"));
  EXPECT_THAT(json, HasSubstr("\"last_heartbeat_ms_ago\":412,\"clock_offset_ms\":5012,"));
  EXPECT_THAT(json, HasSubstr("{\"node_id\":3,\"internode_address\":\"odd\\\"host\","
                              "\"is_self\":false,\"up\":false,"));
  EXPECT_THAT(json, HasSubstr("\"hints_pending\":1042}],"));
  // A server that predates the anti-entropy fields: they are null.
  EXPECT_THAT(json, HasSubstr("],\"oldest_exchange_ms_ago\":null,\"records_purged\":null,"
                              "\"syncing\":null,\"exchanges\":null,\"metrics\":[]}\n"));

  s.clock_fenced = true;
  s.clock_fence_reason = "why";
  EXPECT_THAT(FormatStatusJson(s, "h:1"),
              HasSubstr("\"clock_fenced\":true,\"clock_fence_reason\":\"why\""));
}

TEST(StatusFormatTest, ExitCodeIsOneWhenAnyNodeIsDown) {
  ClusterStatus s = ThreeNodes();
  EXPECT_EQ(StatusExitCode(s), kExitFailure);
  s.nodes[0].up = true;
  EXPECT_EQ(StatusExitCode(s), kExitOk);
  EXPECT_THAT(FormatStatusJson(s, "h:1"), HasSubstr("\"all_up\":true"));
  s.clock_fenced = true;  // a fence is a warning, not a down node
  EXPECT_EQ(StatusExitCode(s), kExitOk);
}

TEST(StatusHelpTest, DocumentsTheExitCodes) {
  const Outcome o = RunCli({"status", "--help"});
  EXPECT_EQ(o.exit_code, kExitOk);
  EXPECT_THAT(o.out, HasSubstr("--json"));
  EXPECT_THAT(o.out, HasSubstr("0 every node is up, 1 some node is down"));
  EXPECT_THAT(o.out, HasSubstr("3 connection failure"));
}

// ---- status: anti-entropy fields ----

ClusterStatus WithExchanges() {
  ClusterStatus s = ThreeNodes();
  s.exchanges = std::vector<ExchangeState>{};
  for (int32_t p = 0; p < 3; ++p) {
    for (int32_t peer : {3, 2}) {
      ExchangeState e;
      e.partition = p;
      e.peer = peer;
      e.last_success_ms_ago = 1'000 * (p + 1) + peer;
      s.exchanges->push_back(e);
    }
  }
  s.oldest_exchange_ms_ago = 42'700;
  s.records_purged = 1034;
  s.syncing = false;
  return s;
}

TEST(StatusAntiEntropyTest, SectionWithOldestExchangePerPeerAndPurged) {
  const std::string text = FormatStatusText(WithExchanges());
  const std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 13u) << text;
  EXPECT_EQ(
      lines[7],
      "nodes up: 2 of 3, hints dropped: 7, clock rejections: 2, writes refused while fenced: 0");
  EXPECT_EQ(lines[8], "");
  // The server's summary wins over the pairs listed.
  EXPECT_EQ(lines[9], "anti-entropy: oldest exchange 42s ago (6 partition-replica pairs)");
  EXPECT_EQ(lines[10], "  with node 2: 3 partitions, oldest exchange 3.0s ago");
  EXPECT_EQ(lines[11], "  with node 3: 3 partitions, oldest exchange 3.0s ago");
  EXPECT_EQ(lines[12], "records purged: 1034");
  EXPECT_THAT(text, Not(HasSubstr("warning")));
}

TEST(StatusAntiEntropyTest, SomePartitionsNeverExchanged) {
  ClusterStatus s = WithExchanges();
  s.oldest_exchange_ms_ago.reset();
  (*s.exchanges)[1].last_success_ms_ago.reset();  // partition 0 with node 2
  (*s.exchanges)[3].last_success_ms_ago.reset();  // partition 1 with node 2
  const std::string text = FormatStatusText(s);
  EXPECT_THAT(text, HasSubstr("anti-entropy: some partitions never exchanged (2 of 6 "
                              "partition-replica pairs since node 1 started)\n"));
  EXPECT_THAT(text, HasSubstr("  with node 2: 3 partitions, 2 never exchanged, oldest exchange "
                              "3.0s ago\n"));
  EXPECT_THAT(text, Not(HasSubstr("oldest exchange 42s")));
}

TEST(StatusAntiEntropyTest, OldestComputedWhenTheServerLeavesItUnset) {
  ClusterStatus s = WithExchanges();
  s.oldest_exchange_ms_ago.reset();
  EXPECT_THAT(FormatStatusText(s), HasSubstr("anti-entropy: oldest exchange 3.0s ago"));
}

TEST(StatusAntiEntropyTest, NoOtherReplicas) {
  ClusterStatus s = WithExchanges();
  s.exchanges->clear();
  s.oldest_exchange_ms_ago.reset();
  EXPECT_THAT(FormatStatusText(s), HasSubstr("anti-entropy: no other replicas to exchange with\n"));
}

TEST(StatusAntiEntropyTest, SyncingIsAWarningAtTheTop) {
  ClusterStatus s = WithExchanges();
  s.syncing = true;
  const std::vector<std::string> lines = Lines(FormatStatusText(s));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "warning: node 1 is syncing after a long absence: it serves nothing until it has "
            "caught up with the other replicas");
  s.clock_fenced = true;
  const std::vector<std::string> fenced = Lines(FormatStatusText(s));
  EXPECT_THAT(fenced[1], StartsWith("warning: node 1 is clock-fenced"));
  EXPECT_THAT(fenced[2], StartsWith("warning: node 1 is syncing after a long absence"));
}

TEST(StatusAntiEntropyTest, OldServerPrintsNoSection) {
  EXPECT_THAT(FormatStatusText(ThreeNodes()), Not(HasSubstr("anti-entropy")));
  EXPECT_THAT(FormatStatusText(ThreeNodes()), Not(HasSubstr("purged")));
}

TEST(StatusAntiEntropyTest, JsonHasTheNewFields) {
  ClusterStatus s = WithExchanges();
  (*s.exchanges)[5].last_success_ms_ago.reset();
  s.syncing = true;
  const std::string json = FormatStatusJson(s, "h:1");
  EXPECT_EQ(CountLines(json), 1);
  EXPECT_THAT(json, HasSubstr("\"oldest_exchange_ms_ago\":42700,\"records_purged\":1034,"
                              "\"syncing\":true,\"exchanges\":[{\"partition\":0,\"peer\":3,"
                              "\"last_success_ms_ago\":1003},"));
  EXPECT_THAT(json, HasSubstr("{\"partition\":2,\"peer\":2,\"last_success_ms_ago\":null}],"
                              "\"metrics\":[]}\n"));
}

}  // namespace
}  // namespace alder::tools
