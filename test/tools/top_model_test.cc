#include "tools/top_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace alder::tools {
namespace {

constexpr const char* kDuration = "alder_client_request_duration_seconds";

// A histogram for `op` with `counts` observations per bucket (bounds 0.001,
// 0.01, 0.1, +Inf), as the status RPC carries it: cumulative.
std::vector<MetricSample> Histogram(const std::string& op, std::vector<double> counts) {
  const std::vector<std::string> bounds = {"0.001", "0.01", "0.1", "+Inf"};
  std::vector<MetricSample> out;
  double cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    out.push_back(
        {std::string(kDuration) + "_bucket", {{"op", op}, {"le", bounds[i]}}, cumulative});
  }
  out.push_back({std::string(kDuration) + "_count", {{"op", op}}, cumulative});
  return out;
}

TEST(TopModel, QuantileInterpolatesWithinTheBucketOfTheIntervalsObservations) {
  const auto before = Histogram("put", {50, 0, 0, 0});
  // In the interval: 90 under 1 ms, 10 between 1 and 10 ms.
  const auto after = Histogram("put", {140, 10, 0, 0});
  const auto p99 = QuantileBetween(before, after, kDuration, "put", 0.99);
  ASSERT_TRUE(p99);
  // Rank 99 of 100 is the 9th of the 10 in (1 ms, 10 ms]: 1 + 9 * 0.9 ms.
  EXPECT_NEAR(*p99, 0.001 + 0.009 * 0.9, 1e-9);
  const auto p50 = QuantileBetween(before, after, kDuration, "put", 0.5);
  ASSERT_TRUE(p50);
  EXPECT_NEAR(*p50, 0.001 * 50.0 / 90.0, 1e-9);
}

TEST(TopModel, QuantileIsUnsetWithoutObservationsAndInfiniteBeyondTheLastBound) {
  const auto same = Histogram("get", {5, 5, 5, 0});
  EXPECT_FALSE(QuantileBetween(same, same, kDuration, "get", 0.99));
  EXPECT_FALSE(QuantileBetween(same, same, kDuration, "put", 0.99));  // no such op
  const auto slow = Histogram("get", {5, 5, 5, 100});
  const auto p99 = QuantileBetween(same, slow, kDuration, "get", 0.99);
  ASSERT_TRUE(p99);
  EXPECT_TRUE(std::isinf(*p99));
}

TEST(TopModel, LineOfTakesRatesOverTheIntervalAndErrorsByKind) {
  ClusterStatus before, after;
  before.node_id = after.node_id = 2;
  before.metrics = Histogram("put", {0, 0, 0, 0});
  after.metrics = Histogram("put", {200, 0, 0, 0});
  before.metrics.push_back(
      {"alder_client_requests_total", {{"op", "put"}, {"outcome", "unavailable"}}, 4});
  after.metrics.push_back(
      {"alder_client_requests_total", {{"op", "put"}, {"outcome", "unavailable"}}, 10});
  after.metrics.push_back({"alder_hints_pending", {{"peer", "1"}}, 3});
  after.metrics.push_back({"alder_hints_pending", {{"peer", "3"}}, 4});
  after.metrics.push_back({"alder_antientropy_records_sent_total", {}, 17});
  const NodeLine line = LineOf(before, after, std::chrono::seconds(2));
  EXPECT_EQ(line.node_id, 2);
  EXPECT_EQ(line.state, "up");
  EXPECT_DOUBLE_EQ(line.ops_per_second.at("put"), 100);
  EXPECT_DOUBLE_EQ(line.ops_per_second.at("get"), 0);
  EXPECT_DOUBLE_EQ(line.errors_per_second.at("unavailable"), 3);
  EXPECT_EQ(line.errors_per_second.count("timed_out"), 0u);
  EXPECT_EQ(line.hints_pending, 7);
  EXPECT_EQ(line.records_repaired, 17);

  after.clock_fenced = true;
  EXPECT_EQ(LineOf(before, after, std::chrono::seconds(2)).state, "fenced");
}

TEST(TopModel, TextHasAHeaderRowAndOneRowPerNodeAndJsonOneLine) {
  NodeLine up;
  up.node_id = 1;
  up.address = "127.0.0.1:7700";
  up.state = "up";
  up.ops_per_second = {{"put", 1500}, {"get", 2.5}, {"remove", 0}};
  up.p99_seconds = {{"put", 0.0021}, {"get", 0.0004}, {"remove", std::nullopt}};
  up.hints_pending = 0;
  NodeLine down;
  down.node_id = 2;
  down.state = "down";
  const std::string text = FormatTopText("header", {up, down});
  EXPECT_NE(text.find("NODE"), std::string::npos);
  EXPECT_NE(text.find("1500"), std::string::npos) << text;
  EXPECT_NE(text.find("2.1ms"), std::string::npos) << text;
  EXPECT_NE(text.find("400us"), std::string::npos) << text;
  EXPECT_NE(text.find("down"), std::string::npos) << text;
  const std::string json = FormatTopJson({up, down}, 1);
  EXPECT_EQ(json.find('\n'), json.size() - 1);
  EXPECT_NE(json.find("\"state\":\"down\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"remove\":null"), std::string::npos) << json;
}

TEST(TopModel, HelpNamesEveryColumn) {
  const std::string help = TopColumnHelp();
  for (const char* column :
       {"NODE", "ADDRESS", "STATE", "PUT/s", "GET/s", "DEL/s", "PUT p99", "GET p99", "DEL p99",
        "HINTS", "AE OLDEST", "AE REPAIRED", "CLOCK", "ERRORS"}) {
    EXPECT_NE(help.find(column), std::string::npos) << column;
  }
}

}  // namespace
}  // namespace alder::tools
