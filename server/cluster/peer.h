// Where the nodes of a cluster are: the addresses the configuration lists.
#ifndef ALDER_SERVER_CLUSTER_PEER_H_
#define ALDER_SERVER_CLUSTER_PEER_H_

#include <cstdint>
#include <string>

namespace alder {

struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

// One node of the cluster and its internode address.
struct Peer {
  uint32_t node_id = 0;
  HostPort internode;
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_PEER_H_
