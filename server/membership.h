// Membership: which peers are up, and whose clocks can be trusted
// (DESIGN.md section 5; issue 3: failure detection and clock fencing).
//
// Every node sends a heartbeat to every other node each heartbeat_interval,
// one thread per peer so that a peer that hangs delays only its own
// heartbeats. A peer is up from its first answered heartbeat and down once
// failure_timeout has passed without one (or at once, when a call to it
// could not even connect). All-to-all heartbeats are simple and enough for
// the tens of nodes a static membership describes.
//
// Each answered heartbeat also measures the peer's clock: offset = the
// peer's physical time as it answered minus the midpoint of our send and
// receive times (NTP's estimate; the error is at most half the round trip).
//
// Clock fencing: this node refuses to coordinate writes while its clock is
// more than max_clock_offset away from a majority of its peers (a strict
// majority of the other nodes, by their last measured offsets). One node
// whose clock is off is then fenced by its own measurements, and the healthy
// nodes, each seeing one peer off, are not. In a two-node cluster the two
// cannot tell who is wrong, and both refuse. Peers also refuse the messages
// of a node whose offset they measured out of step (SenderInStep).
//
// Thread-safe.
#ifndef ALDER_SERVER_MEMBERSHIP_H_
#define ALDER_SERVER_MEMBERSHIP_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "Internode.h"
#include "clock/hlc.h"
#include "server/config.h"
#include "server/peer_connections.h"
#include "server/status.h"

namespace alder {

struct MembershipOptions {
  std::chrono::milliseconds heartbeat_interval{500};
  std::chrono::milliseconds failure_timeout{2000};
  std::chrono::milliseconds max_clock_offset{500};
};

// What this node knows of one peer.
struct PeerView {
  uint32_t node_id = 0;
  HostPort address;
  bool up = false;
  std::optional<std::chrono::steady_clock::time_point> last_heartbeat;  // last answered
  std::optional<int64_t> clock_offset_ms;  // last measured: the peer's clock minus ours
  std::string last_error;                  // why the last heartbeat failed, if it did
};

class Membership {
 public:
  // Builds the sender header of every internode message this node sends.
  using SenderFactory = std::function<internode::Sender()>;

  // `peers` are the other nodes (not this one), with their connection pools;
  // the pools, `clock` and `sender` must outlive Membership.
  Membership(uint32_t self_id, std::map<uint32_t, PeerConnections*> peers,
             clock::HybridLogicalClock* clock, SenderFactory sender, MembershipOptions options);
  ~Membership();  // Stop()s
  Membership(const Membership&) = delete;
  Membership& operator=(const Membership&) = delete;

  // Sends one heartbeat to every peer at once and waits for the answers (each
  // bounded by the connection timeout), so that a starting node knows who is
  // up and whether its clock is in step before it serves anyone.
  void HeartbeatAllNow();

  // Starts the heartbeat threads; Stop() ends them. Idempotent.
  void Start();
  void Stop();

  // This node is always up; a node that is not a peer never is.
  bool IsUp(uint32_t node_id) const;

  // Marks a peer down at once (a call to it could not connect). The next
  // answered heartbeat brings it back up.
  void ReportUnreachable(uint32_t node_id, const std::string& why);

  // OK, or Unavailable saying how far this node's clock is from its peers.
  Status CheckClockInStep() const;

  // Whether the messages of `node_id` may be accepted: false, with `why`
  // set, when its last measured offset exceeds max_clock_offset and this
  // node is not fenced itself (then it is the one out of step).
  bool SenderInStep(uint32_t node_id, std::string* why) const;

  std::vector<PeerView> Snapshot() const;

 private:
  struct PeerState;
  void HeartbeatLoop(PeerState* peer);
  void Heartbeat(PeerState* peer);

  const uint32_t self_id_;
  clock::HybridLogicalClock* const clock_;
  const SenderFactory sender_;
  const MembershipOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::map<uint32_t, std::unique_ptr<PeerState>> peers_;  // keys fixed at construction
  std::vector<std::thread> threads_;
};

}  // namespace alder

#endif  // ALDER_SERVER_MEMBERSHIP_H_
