#include "server/cluster_status.h"

#include <chrono>

#include "server/rpc/metric_samples.h"

namespace alder {

api::ClusterStatus DescribeCluster(const NodeConfig& config, const Ring& ring,
                                   const Membership& membership, const Metrics& metrics) {
  api::ClusterStatus out;
  out.__set_metrics(SamplesOf(metrics.Collect()));
  const auto figure = [&](const std::string& name, std::map<std::string, std::string> labels = {}) {
    return static_cast<int64_t>(SumOf(out.metrics, name, labels));
  };
  out.node_id = static_cast<int32_t>(config.node_id);
  out.partitions = static_cast<int32_t>(ring.partitions());
  out.replication_factor = static_cast<int32_t>(ring.replication_factor());
  const Status fence = membership.CheckClockInStep();
  out.clock_fenced = !fence.ok();
  if (!fence.ok()) out.__set_clock_fence_reason(fence.message());
  out.hints_dropped = figure("alder_hints_dropped_total");
  out.clock_rejections = figure("alder_clock_rejections_total");
  out.__set_fenced_writes(figure("alder_fenced_writes_total"));
  out.__set_hint_window_ms(config.hint_window.count());
  out.__set_max_key_bytes(static_cast<int32_t>(config.max_key_bytes));
  out.__set_max_value_bytes(static_cast<int32_t>(config.max_value_bytes));

  const std::vector<PeerView> views = membership.Snapshot();
  for (const Peer& peer : config.peers) {
    api::NodeStatus node;
    node.node_id = static_cast<int32_t>(peer.node_id);
    node.internode_address = peer.internode.ToString();
    node.is_self = peer.node_id == config.node_id;
    node.up = node.is_self;
    if (node.is_self) node.__set_client_address(config.listen.ToString());
    node.partitions_owned = static_cast<int32_t>(ring.PartitionsOf(peer.node_id).size());
    node.hints_pending = figure("alder_hints_pending", {{"peer", std::to_string(peer.node_id)}});
    for (const PeerView& view : views) {
      if (view.node_id != peer.node_id) continue;
      node.up = view.up;
      if (view.last_heartbeat_ago)
        node.__set_last_heartbeat_ms_ago(view.last_heartbeat_ago->count());
      if (view.clock_offset_ms) node.__set_clock_offset_ms(*view.clock_offset_ms);
      if (!view.client_address.empty()) node.__set_client_address(view.client_address);
    }
    out.nodes.push_back(std::move(node));
  }
  return out;
}

}  // namespace alder
