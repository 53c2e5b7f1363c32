// /metrics of real alderd processes, scraped over HTTP (DESIGN.md section
// 15): exact request counts by op and outcome, peer liveness and hints
// following a replica killed and restarted, the status RPC carrying the same
// figures, and the endpoint answering while the node serves load.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "test/support/local_cluster.h"
#include "test/support/scrape.h"
#include "test/support/temp_dir.h"

namespace alder::testing {
namespace {

using namespace std::chrono_literals;
using api::Consistency;

std::string Requests(const std::string& op, const std::string& outcome) {
  return "alder_client_requests_total{op=\"" + op + "\",outcome=\"" + outcome + "\"}";
}

// The value of `series` on the node whose metrics port is `port` (-1 when
// the scrape failed or the series is absent).
double Metric(uint16_t port, const std::string& series) {
  const auto text = Scrape(port);
  if (!text) return -1;
  return SampleIn(*text, series).value_or(-1);
}

// Waits until `series` on `port` reads `value`.
bool WaitForMetric(uint16_t port, const std::string& series, double value) {
  return WaitFor([&] { return Metric(port, series) == value; }, 10s);
}

double StatusFigure(const api::ClusterStatus& status, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
  for (const api::MetricSample& s : status.metrics) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return -1;
}

TEST(MetricsTest, CountsEveryClientRequestByOpAndOutcome) {
  TempDir dir;
  AlderdProcess node(dir.Sub("node"));
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  constexpr int kPuts = 25, kMissingGets = 12, kInvalidPuts = 7, kInvalidGets = 3;
  ApiClient client(node.port());
  for (int i = 0; i < kPuts; ++i) client->put("key" + std::to_string(i), "v", {});
  for (int i = 0; i < kMissingGets; ++i) {
    api::Entry entry;
    EXPECT_THROW(client->get(entry, "missing" + std::to_string(i), {}), api::NotFound);
  }
  for (int i = 0; i < kInvalidPuts; ++i)
    EXPECT_THROW(client->put("", "v", {}), api::InvalidArgument);
  for (int i = 0; i < kInvalidGets; ++i) {
    api::Entry entry;
    EXPECT_THROW(client->get(entry, std::string(5000, 'k'), {}), api::InvalidArgument);
  }

  const auto text = Scrape(node.metrics_port());
  ASSERT_TRUE(text) << node.ReadLog();
  EXPECT_EQ(SampleIn(*text, Requests("put", "ok")), kPuts);
  EXPECT_EQ(SampleIn(*text, Requests("put", "invalid_argument")), kInvalidPuts);
  EXPECT_EQ(SampleIn(*text, Requests("get", "not_found")), kMissingGets);
  EXPECT_EQ(SampleIn(*text, Requests("get", "invalid_argument")), kInvalidGets);
  EXPECT_EQ(SampleIn(*text, Requests("get", "ok")), 0);
  EXPECT_EQ(SampleIn(*text, Requests("remove", "ok")), 0);
  EXPECT_EQ(SampleIn(*text, Requests("put", "unavailable")), 0);
  EXPECT_EQ(SampleIn(*text, "alder_client_request_duration_seconds_count{op=\"put\"}"),
            kPuts + kInvalidPuts);
  EXPECT_EQ(SampleIn(*text, "alder_client_request_duration_seconds_count{op=\"get\"}"),
            kMissingGets + kInvalidGets);
  EXPECT_EQ(SampleIn(*text, "alder_client_connections"), 1);  // this test's client
  EXPECT_TRUE(SampleIn(*text, "alder_storage_log_flushes_total").value_or(0) >= 1);

  // Every name DESIGN.md section 15 fixes, with its type.
  for (const char* family : {"alder_client_requests_total counter",
                             "alder_client_request_duration_seconds histogram",
                             "alder_replica_requests_total counter",
                             "alder_replica_request_duration_seconds histogram",
                             "alder_peer_up gauge",
                             "alder_clock_offset_seconds gauge",
                             "alder_clock_rejections_total counter",
                             "alder_hints_pending gauge",
                             "alder_hints_stored_total counter",
                             "alder_hints_delivered_total counter",
                             "alder_hints_dropped_total counter",
                             "alder_read_repairs_total counter",
                             "alder_antientropy_exchanges_total counter",
                             "alder_antientropy_records_sent_total counter",
                             "alder_antientropy_bytes_sent_total counter",
                             "alder_antientropy_oldest_exchange_age_seconds gauge",
                             "alder_tombstones_purged_total counter",
                             "alder_storage_log_flushes_total counter",
                             "alder_storage_write_conflicts_total counter",
                             "alder_client_connections gauge"}) {
    EXPECT_NE(text->find(std::string("# TYPE ") + family + "\n"), std::string::npos) << family;
  }

  // The status RPC carries the same registry.
  api::ClusterStatus status;
  client->status(status);
  EXPECT_EQ(StatusFigure(status, "alder_client_requests_total", {{"op", "put"}, {"outcome", "ok"}}),
            kPuts);
  EXPECT_EQ(StatusFigure(status, "alder_client_requests_total",
                         {{"op", "get"}, {"outcome", "not_found"}}),
            kMissingGets);
}

TEST(MetricsTest, PeerUpAndHintsFollowAReplicaKilledAndRestarted) {
  TempDir dir;
  LocalCluster cluster(dir.path(), LocalClusterOptions{});
  ASSERT_TRUE(cluster.StartAll()) << cluster.Logs();
  ASSERT_TRUE(cluster.WaitUntilConverged()) << cluster.Logs();
  const uint16_t metrics = cluster.node(1).metrics_port();
  EXPECT_EQ(Metric(metrics, "alder_peer_up{peer=\"3\"}"), 1);
  EXPECT_EQ(Metric(metrics, "alder_hints_pending{peer=\"3\"}"), 0);

  cluster.node(3).Kill();
  ASSERT_TRUE(WaitForMetric(metrics, "alder_peer_up{peer=\"3\"}", 0)) << cluster.Logs();
  EXPECT_EQ(Metric(metrics, "alder_peer_up{peer=\"2\"}"), 1);
  constexpr int kWrites = 10;
  ApiClient client(cluster.node(1).port());
  for (int i = 0; i < kWrites; ++i)
    client->put("k" + std::to_string(i), "v", At(Consistency::QUORUM));
  EXPECT_EQ(Metric(metrics, "alder_hints_pending{peer=\"3\"}"), kWrites);
  EXPECT_EQ(Metric(metrics, "alder_hints_stored_total"), kWrites);

  ASSERT_TRUE(cluster.node(3).Start()) << cluster.Logs();
  EXPECT_EQ(Metric(metrics, "alder_peer_up{peer=\"3\"}"), 1);  // told by its first heartbeat
  EXPECT_TRUE(WaitForMetric(metrics, "alder_hints_pending{peer=\"3\"}", 0)) << cluster.Logs();
  EXPECT_EQ(Metric(metrics, "alder_hints_delivered_total"), kWrites);
  EXPECT_EQ(Metric(cluster.node(3).metrics_port(), "alder_hints_received_total"), kWrites);
  EXPECT_EQ(Metric(cluster.node(3).metrics_port(), "alder_hints_refused_stale_total"), 0);
  // Node 3 counted each batch it received as a replica request.
  EXPECT_GE(Metric(cluster.node(3).metrics_port(),
                   "alder_replica_requests_total{op=\"deliver_hints\",outcome=\"ok\"}"),
            1);
}

TEST(MetricsTest, AnswersScrapesWhileTheNodeServesLoad) {
  TempDir dir;
  AlderdProcess node(dir.Sub("node"), {"--durability", "fsync"});
  ASSERT_TRUE(node.Start()) << node.ReadLog();
  constexpr int kWriters = 8, kPutsEach = 300;
  std::atomic<int> done{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      ApiClient client(node.port());
      for (int i = 0; i < kPutsEach; ++i) {
        client->put("w" + std::to_string(w) + "-" + std::to_string(i), "value", {});
      }
      done.fetch_add(1);
    });
  }
  int scrapes = 0, failed = 0;
  std::chrono::steady_clock::duration slowest{};
  while (done.load() < kWriters) {
    const auto start = std::chrono::steady_clock::now();
    if (!Scrape(node.metrics_port())) ++failed;
    slowest = std::max(slowest, std::chrono::steady_clock::now() - start);
    ++scrapes;
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failed, 0) << "of " << scrapes << " scrapes";
  EXPECT_GT(scrapes, 0);
  EXPECT_EQ(Metric(node.metrics_port(), Requests("put", "ok")), kWriters * kPutsEach);
  std::cout << scrapes << " scrapes under load, slowest "
            << std::chrono::duration_cast<std::chrono::microseconds>(slowest).count() << " us\n";
}

TEST(MetricsTest, AnAddressInUseIsOneClearLineAndAnEmptyAddressTurnsTheEndpointOff) {
  TempDir dir;
  AlderdProcess first(dir.Sub("a"));
  ASSERT_TRUE(first.Start()) << first.ReadLog();
  AlderdProcess second(dir.Sub("b"));
  const int code = second.RunToExit({"--data_dir", dir.Sub("b"), "--listen",
                                     "127.0.0.1:" + std::to_string(FreePort()), "--metrics_listen",
                                     "127.0.0.1:" + std::to_string(first.metrics_port())});
  EXPECT_EQ(code, 1);
  EXPECT_NE(second.ReadLog().find("cannot serve metrics on 127.0.0.1:"), std::string::npos)
      << second.ReadLog();

  AlderdProcess quiet(dir.Sub("c"), {"--metrics_listen", ""});
  ASSERT_TRUE(quiet.Start()) << quiet.ReadLog();
  EXPECT_EQ(quiet.ReadLog().find("metrics on"), std::string::npos) << quiet.ReadLog();
}

}  // namespace
}  // namespace alder::testing
