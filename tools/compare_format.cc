// compare's report: the text and JSON of a Comparison and its exit code.
// A node that is down makes every partition it replicates incomplete; the
// text sums those up per node rather than listing a line per partition and
// replica, and lists in full only partitions whose reachable replicas differ.
#include <algorithm>
#include <climits>
#include <set>

#include "fmt/format.h"
#include "tools/anti_entropy_commands.h"

namespace alder::tools {
namespace {

std::string JsonInt(const std::optional<int64_t>& value) {
  return value ? std::to_string(*value) : "null";
}

std::string JsonStringOrNull(const std::optional<std::string>& value) {
  return value ? JsonString(*value) : "null";
}

std::string Hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return out;
}

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

std::string FormatReplicaVersion(const ReplicaVersion& version) {
  if (!version.version) return "none";
  const auto v = static_cast<uint64_t>(*version.version);
  std::string out = fmt::format("{}.{}", v >> 16, v & 0xffff);
  if (version.tombstone) out += " (deleted)";
  return out;
}

std::string ShortHash(std::string_view bytes) { return Hex(bytes.substr(0, 8)); }

namespace {

// Why a partition is listed.
std::string PartitionState(const PartitionComparison& p) {
  std::set<std::string> hashes;
  size_t unreachable = 0;
  for (const ReplicaRoot& r : p.roots) {
    if (r.root_hash) {
      hashes.insert(*r.root_hash);
    } else {
      ++unreachable;
    }
  }
  if (hashes.size() > 1) {
    return unreachable > 0 ? fmt::format("replicas differ ({} unreachable)", unreachable)
                           : "replicas differ";
  }
  if (unreachable > 0)
    return fmt::format("{} unreachable", Plural(unreachable, "replica", "replicas"));
  if (!p.differences.empty()) return "keys differ";
  return "not converged";
}

}  // namespace

// True when the replicas that answered agree and list no differing key:
// the partition's only trouble is a replica that could not be asked.
bool OnlyUnreachable(const PartitionComparison& p) {
  std::set<std::string> hashes;
  bool unreachable = false;
  for (const ReplicaRoot& r : p.roots) {
    if (r.root_hash) {
      hashes.insert(*r.root_hash);
    } else {
      unreachable = true;
    }
  }
  return unreachable && hashes.size() <= 1 && p.differences.empty();
}

// A node that could not be asked about some partitions: how many, and why
// (the first reason given).
struct UnreachableNode {
  int32_t node_id = 0;
  size_t partitions = 0;
  std::string error;
};

std::string FormatCompareText(const Comparison& comparison) {
  std::string out;
  size_t listed = 0;
  size_t min_replicas = SIZE_MAX, max_replicas = 0;
  // A node that is down makes every partition it replicates incomplete;
  // listing each would print a line per partition and replica. Those are
  // summed up by node instead, and only real differences are listed.
  std::vector<UnreachableNode> unreachable_nodes;
  size_t incomplete = 0;
  for (const PartitionComparison& p : comparison.partitions) {
    min_replicas = std::min(min_replicas, p.roots.size());
    max_replicas = std::max(max_replicas, p.roots.size());
    if (p.converged) continue;
    ++listed;
    for (const ReplicaRoot& r : p.roots) {
      if (r.root_hash) continue;
      auto it = std::find_if(unreachable_nodes.begin(), unreachable_nodes.end(),
                             [&](const UnreachableNode& n) { return n.node_id == r.node_id; });
      if (it == unreachable_nodes.end()) {
        unreachable_nodes.push_back({r.node_id, 0, Printable(r.error.value_or(""))});
        it = unreachable_nodes.end() - 1;
      }
      ++it->partitions;
    }
    if (OnlyUnreachable(p)) {
      ++incomplete;
      continue;
    }
    out += fmt::format("partition {}: {}\n", p.partition, PartitionState(p));
    std::vector<ReplicaRoot> roots = p.roots;
    std::stable_sort(roots.begin(), roots.end(), [](const ReplicaRoot& a, const ReplicaRoot& b) {
      return a.node_id < b.node_id;
    });
    for (const ReplicaRoot& r : roots) {
      if (r.root_hash) {
        out += fmt::format("  node {}: root {}\n", r.node_id,
                           r.root_hash->empty() ? "(empty)" : ShortHash(*r.root_hash));
      } else {
        out += fmt::format("  node {}: unreachable{}\n", r.node_id,
                           r.error && !r.error->empty() ? ": " + Printable(*r.error) : "");
      }
    }
    for (const KeyDifference& d : p.differences) {
      out += fmt::format("  key {}\n", Printable(d.key));
      std::vector<ReplicaVersion> versions = d.versions;
      std::stable_sort(
          versions.begin(), versions.end(),
          [](const ReplicaVersion& a, const ReplicaVersion& b) { return a.node_id < b.node_id; });
      for (const ReplicaVersion& v : versions) {
        out += fmt::format("    node {}: {}\n", v.node_id, FormatReplicaVersion(v));
      }
    }
  }
  const size_t total = comparison.partitions.size();
  if (comparison.converged && comparison.unreachable == 0 && listed == 0) {
    std::string replicas;
    if (total == 0) {
      replicas = "nothing to compare";
    } else if (min_replicas == max_replicas) {
      replicas = fmt::format("{} each equal",
                             Plural(static_cast<int64_t>(max_replicas), "replica", "replicas"));
    } else {
      replicas = fmt::format("{}-{} replicas each equal", min_replicas, max_replicas);
    }
    out += fmt::format("converged: {}, {}\n",
                       Plural(static_cast<int64_t>(total), "partition", "partitions"), replicas);
    return out;
  }
  if (!unreachable_nodes.empty()) {
    std::sort(
        unreachable_nodes.begin(), unreachable_nodes.end(),
        [](const UnreachableNode& a, const UnreachableNode& b) { return a.node_id < b.node_id; });
    if (!out.empty()) out += '\n';
    for (const UnreachableNode& n : unreachable_nodes) {
      out += fmt::format("node {} could not be asked about {}{}\n", n.node_id,
                         Plural(static_cast<int64_t>(n.partitions), "partition", "partitions"),
                         n.error.empty() ? "" : ": " + n.error);
    }
    if (incomplete > 0) {
      out += fmt::format(
          "{} the replicas that answered agree ({} not listed); 'alder compare --json' lists "
          "every partition, '--partition N --keys' one with its differing keys\n",
          incomplete == 1 ? "in 1 partition" : fmt::format("in {} partitions", incomplete),
          incomplete == 1 ? "it is" : "they are");
    }
  }
  std::string summary = fmt::format("not converged: {} of {} {}", listed, total,
                                    total == 1 ? "partition" : "partitions");
  if (comparison.unreachable > 0) {
    summary += fmt::format(", {} unreachable (the comparison is incomplete)",
                           Plural(comparison.unreachable, "replica", "replicas"));
  }
  if (!out.empty()) out += '\n';
  return out + summary + '\n';
}

std::string FormatCompareJson(const Comparison& comparison, std::string_view endpoint) {
  std::string out = fmt::format(
      "{{\"endpoint\":{},\"converged\":{},\"unreachable\":{},\"partitions\":[",
      JsonString(endpoint), comparison.converged ? "true" : "false", comparison.unreachable);
  bool first_partition = true;
  for (const PartitionComparison& p : comparison.partitions) {
    out += fmt::format("{}{{\"partition\":{},\"converged\":{},\"roots\":[",
                       first_partition ? "" : ",", p.partition, p.converged ? "true" : "false");
    first_partition = false;
    bool first = true;
    for (const ReplicaRoot& r : p.roots) {
      out += fmt::format("{}{{\"node_id\":{},\"root_hash\":{},\"error\":{}}}", first ? "" : ",",
                         r.node_id, r.root_hash ? JsonString(Hex(*r.root_hash)) : "null",
                         JsonStringOrNull(r.error));
      first = false;
    }
    out += "],\"differences\":[";
    first = true;
    for (const KeyDifference& d : p.differences) {
      out += fmt::format("{}{{\"key\":{},\"versions\":[", first ? "" : ",", JsonString(d.key));
      first = false;
      bool first_version = true;
      for (const ReplicaVersion& v : d.versions) {
        out += fmt::format("{}{{\"node_id\":{},\"version\":{},\"tombstone\":{}}}",
                           first_version ? "" : ",", v.node_id, JsonInt(v.version),
                           v.tombstone ? "true" : "false");
        first_version = false;
      }
      out += "]}";
    }
    out += "]}";
  }
  return out + "]}\n";
}

int CompareExitCode(const Comparison& comparison) {
  if (comparison.unreachable > 0) return kExitUnavailable;  // incomplete: wins over "differ"
  if (!comparison.converged) return kExitFailure;
  for (const PartitionComparison& p : comparison.partitions) {
    if (!p.converged) return kExitFailure;
  }
  return kExitOk;
}

}  // namespace alder::tools
