#include "server/node_metrics.h"

#include <algorithm>
#include <string>

namespace alder {
namespace {

using prometheus::MetricType;

void AddMembershipMetrics(Metrics* metrics, const NodeParts& parts) {
  metrics->AddScrapedFamily("alder_peer_up", "1 while this node sees the peer up, else 0",
                            MetricType::Gauge, "peer", [m = parts.membership] {
                              Metrics::LabelledValues values;
                              for (const PeerView& p : m->Snapshot()) {
                                values.emplace_back(std::to_string(p.node_id), p.up ? 1 : 0);
                              }
                              return values;
                            });
  metrics->AddScrapedFamily(
      "alder_clock_offset_seconds", "The peer's wall clock minus this node's, as estimated now",
      MetricType::Gauge, "peer", [m = parts.membership] {
        Metrics::LabelledValues values;
        for (const PeerView& p : m->Snapshot()) {
          if (p.clock_offset_ms) {
            values.emplace_back(std::to_string(p.node_id), *p.clock_offset_ms / 1000.0);
          }
        }
        return values;
      });
  metrics->AddScrapedCounter(
      "alder_clock_rejections_total",
      "Timestamps refused for being more than max_clock_offset ahead of this node's clock",
      [c = parts.clock] { return static_cast<double>(c->rejected_remote_count()); });
  metrics->AddScrapedCounter(
      "alder_fenced_writes_total",
      "Writes this node refused to coordinate while its clock was out of step",
      [m = parts.membership] { return static_cast<double>(m->fenced_write_count()); });
}

void AddHintMetrics(Metrics* metrics, const NodeParts& parts) {
  metrics->AddScrapedFamily("alder_hints_pending", "Hinted writes held for the peer",
                            MetricType::Gauge, "peer", [h = parts.hints, ids = parts.peer_ids] {
                              Metrics::LabelledValues values;
                              for (uint32_t id : ids) {
                                values.emplace_back(std::to_string(id),
                                                    static_cast<double>(h->Pending(id)));
                              }
                              return values;
                            });
  metrics->AddScrapedCounter(
      "alder_hints_stored_total", "Hinted writes stored for replicas that missed a write",
      [c = parts.coordinator] { return static_cast<double>(c->stats().hints_stored); });
  metrics->AddScrapedCounter("alder_hints_delivered_total",
                             "Hinted writes delivered to their replicas",
                             [d = parts.deliverer] { return static_cast<double>(d->delivered()); });
  metrics->AddScrapedCounter("alder_hints_dropped_total",
                             "Hinted writes dropped after hint_window undelivered",
                             [h = parts.hints] { return static_cast<double>(h->dropped()); });
  metrics->AddScrapedCounter(
      "alder_hints_received_total", "Hinted writes other nodes delivered to this one",
      [r = parts.replica_service] { return static_cast<double>(r->hints_received()); });
  metrics->AddScrapedCounter(
      "alder_hints_refused_stale_total",
      "Hinted writes other nodes delivered that this one dropped, older than gc_grace",
      [r = parts.replica_service] { return static_cast<double>(r->stale_hints_dropped()); });
}

void AddCoordinatorMetrics(Metrics* metrics, const NodeParts& parts) {
  metrics->AddScrapedCounter(
      "alder_read_repairs_total", "Replicas brought up to date by reads",
      [c = parts.coordinator] { return static_cast<double>(c->stats().read_repairs); });
  metrics->AddScrapedCounter(
      "alder_read_repairs_dropped_total",
      "Read repairs dropped with max_pending_repairs already pending (anti-entropy does them)",
      [c = parts.coordinator] { return static_cast<double>(c->stats().read_repairs_dropped); });
  metrics->AddScrapedCounter(
      "alder_speculative_reads_total", "Reads sent to one more replica after a slow answer",
      [c = parts.coordinator] { return static_cast<double>(c->stats().speculative_reads); });
  metrics->AddScrapedGauge("alder_client_connections", "Client connections open now",
                           [a = parts.api] { return static_cast<double>(a->connections()); });
}

void AddStorageMetrics(Metrics* metrics, const NodeParts& parts) {
  const Storage* s = parts.storage;
  metrics->AddScrapedCounter("alder_tombstones_purged_total",
                             "Tombstones and expired records purged after gc_grace",
                             [s] { return static_cast<double>(s->stats().purges); });
  metrics->AddScrapedCounter("alder_storage_log_flushes_total",
                             "WiredTiger log flushes (each makes a group of writes durable)",
                             [s] { return static_cast<double>(s->stats().log_flushes); });
  metrics->AddScrapedCounter("alder_storage_write_conflicts_total",
                             "Storage transactions retried after a write-write conflict",
                             [s] { return static_cast<double>(s->stats().write_conflicts); });
  metrics->AddScrapedCounter("alder_storage_writes_total",
                             "Records written to storage (stale ones that lost the merge excluded)",
                             [s] { return static_cast<double>(s->stats().applies); });
}

void AddAntiEntropyMetrics(Metrics* metrics, const NodeParts& parts) {
  const RepairScheduler* r = parts.scheduler;
  metrics->AddScrapedFamily("alder_antientropy_exchanges_total",
                            "Merkle-tree exchanges with a peer, by outcome (ok, failed)",
                            MetricType::Counter, "outcome", [r] {
                              const ExchangeTotals t = r ? r->totals() : ExchangeTotals{};
                              return Metrics::LabelledValues{
                                  {"ok", static_cast<double>(t.succeeded)},
                                  {"failed", static_cast<double>(t.failed)}};
                            });
  metrics->AddScrapedCounter("alder_antientropy_records_sent_total",
                             "Records anti-entropy sent to repair a replica, both directions",
                             [r] { return r ? static_cast<double>(r->totals().records_sent) : 0; });
  metrics->AddScrapedCounter("alder_antientropy_bytes_sent_total",
                             "Key and value bytes of those records",
                             [r] { return r ? static_cast<double>(r->totals().bytes_sent) : 0; });
  metrics->AddScrapedGauge(
      "alder_antientropy_oldest_exchange_age_seconds",
      "Age of the oldest last successful exchange over every (partition, peer) pair; a pair "
      "never exchanged counts from the node's start",
      [r, clock = parts.cluster_clock, started = parts.started_ms] {
        if (!r) return 0.0;
        const uint64_t now = clock->NowMs();
        uint64_t oldest = 0;
        for (const auto& [pair, last] : r->Snapshot()) {
          const uint64_t since = last.value_or(started);
          oldest = std::max(oldest, now > since ? now - since : 0);
        }
        return static_cast<double>(oldest) / 1000.0;
      });
}

void AddGcMetrics(Metrics* metrics, const NodeParts& parts) {
  const TombstoneCollector* gc = parts.gc;
  metrics->AddScrapedCounter("alder_gc_passes_total", "Tombstone collector passes over the data",
                             [gc] { return static_cast<double>(gc->passes()); });
  metrics->AddScrapedCounter("alder_gc_records_scanned_total",
                             "Records the tombstone collector looked at",
                             [gc] { return static_cast<double>(gc->totals().scanned); });
  metrics->AddScrapedCounter(
      "alder_gc_records_held_back_total",
      "Records past gc_grace kept because some replica has not exchanged with this node since",
      [gc] { return static_cast<double>(gc->totals().held_back); });
}

}  // namespace

void AddNodeMetrics(Metrics* metrics, const NodeParts& parts) {
  AddMembershipMetrics(metrics, parts);
  AddHintMetrics(metrics, parts);
  AddCoordinatorMetrics(metrics, parts);
  AddStorageMetrics(metrics, parts);
  AddAntiEntropyMetrics(metrics, parts);
  AddGcMetrics(metrics, parts);
}

}  // namespace alder
