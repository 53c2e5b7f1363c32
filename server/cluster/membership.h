// Membership: which peers are up, and whose clocks can be trusted
// (DESIGN.md section 5; issue 3: failure detection and clock fencing).
//
// Every node sends a heartbeat to every other node each heartbeat_interval,
// one thread per peer so that a peer that hangs delays only its own
// heartbeats. A peer is up from its first answered heartbeat, or from the
// first message of any kind it sends us (issue 9: a node that starts learns
// who is up from its first round of heartbeats, and its peers learn that it
// is up from the same round, before its client port opens). It is down once
// failure_timeout has passed without an answered heartbeat (or at once, when
// a call to it could not even connect). All-to-all heartbeats are simple and
// enough for the tens of nodes a static membership describes.
//
// Each answered heartbeat also measures the peer's clock against this
// node's monotonic clock (clock/cluster_clock.h), so that between heartbeats
// the peer's clock is still known, and a jump of this node's own wall clock
// shows at once as an offset from every peer.
//
// Clock fencing (issue 8): this node refuses to stamp writes
//  - until it has measured the clocks of enough peers that they and it are
//    a majority of the cluster (1 peer of 2 in three nodes, 2 of 4 in
//    five): its own clock alone cannot vouch for itself. A node restarted
//    while cut off from the others takes no writes until it hears from
//    them (found by the simulation, seed 423: restarted isolated with its
//    clock 2 s ahead, a node stamped writes that later overwrote newer
//    acknowledged ones). Measurements stay after a peer goes down, so a
//    node already running keeps coordinating; but those of a peer that was
//    out of step when it went down no longer count (seed 81199);
//  - while its own wall clock is more than max_clock_offset away from the
//    clocks of a strict majority of the peers it has measured, as
//    estimated now (not at the last heartbeat): one node whose clock jumps
//    is fenced before its next write, and the healthy nodes, each seeing
//    one peer off, are not. Where they cannot tell who is wrong (a
//    two-node cluster; two nodes of three while the third has not been
//    heard from) both refuse;
//  - while its hybrid logical clock leads the cluster's time by more than
//    max_clock_offset less a small margin (it could only issue stamps its
//    peers would refuse). Refusing does not advance the clock, so a node
//    catches up by waiting out the lead; a wall-clock jump never enters the
//    clock at all (the clock runs on the cluster's time), so a node is
//    fenced only while its wall clock is off.
// Peers also refuse the messages of a node whose offset they measure out of
// step (SenderInStep). All of this assumes most clocks are right: nodes
// whose clocks are off together agree with each other, and nothing fences
// them.
//
// Thread-safe.
#ifndef ALDER_SERVER_CLUSTER_MEMBERSHIP_H_
#define ALDER_SERVER_CLUSTER_MEMBERSHIP_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clock/background_runner.h"
#include "clock/cluster_clock.h"
#include "clock/hlc.h"
#include "server/cluster/peer.h"
#include "server/cluster/transport.h"
#include "server/common/status.h"
#include "server/common/thread_annotations.h"

namespace alder {

// No defaults: alderd sets every field from NodeConfig (server/config.h).
struct MembershipOptions {
  std::chrono::milliseconds heartbeat_interval{};
  std::chrono::milliseconds failure_timeout{};
  std::chrono::milliseconds max_clock_offset{};
};

// What this node knows of one peer.
struct PeerView {
  uint32_t node_id = 0;
  HostPort address;
  bool up = false;
  // How long ago it last answered a heartbeat, or was heard from after a
  // time down.
  std::optional<std::chrono::milliseconds> last_heartbeat_ago;
  std::optional<int64_t> clock_offset_ms;  // estimated now: the peer's clock minus ours
  std::string last_error;                  // why the last heartbeat failed, if it did
  std::string client_address;              // its client API's host:port, once it said
};

class Membership {
 public:
  // `peers` are the other nodes (not this one), reached through
  // `transport`; it and both clocks must outlive Membership. `clock` runs
  // on `cluster_clock`, which Membership feeds with its measurements.
  // Heartbeats run on `runner`, whose time also measures failure_timeout.
  Membership(uint32_t self_id, const std::vector<Peer>& peers, PeerTransport* transport,
             clock::HybridLogicalClock* clock, clock::ClusterClock* cluster_clock,
             MembershipOptions options, clock::BackgroundRunner* runner = clock::RealTimeRunner());
  ~Membership();  // Stop()s
  Membership(const Membership&) = delete;
  Membership& operator=(const Membership&) = delete;

  // Sends one heartbeat to every peer at once and waits for the answers, at
  // most failure_timeout, so that a starting node knows who is up and
  // whether its clock is in step before it serves anyone, and every peer
  // that answers knows this node is up. Heartbeats still unanswered then
  // carry on in the background.
  void HeartbeatAllNow();

  // Starts the heartbeat threads; Stop() ends them. Idempotent.
  void Start();
  void Stop();

  // This node is always up; a node that is not a peer never is.
  bool IsUp(uint32_t node_id) const;

  // Whether `node_id` is up; when it is marked down, first tries it once (a
  // heartbeat, bounded by the connection timeout) unless it was tried in the
  // last kProbeInterval or is being tried by another caller. For callers
  // about to fail because a peer is down: a peer that just came back is
  // found at once rather than at its next heartbeat.
  bool ConfirmUp(uint32_t node_id);

  // A message from `node_id` passed the identity checks: the peer is up. If
  // it was down, its next heartbeat is sent at once to measure its clock.
  void HeardFrom(uint32_t node_id);

  // Marks a peer down at once (a call to it could not connect). The next
  // answered heartbeat, or message from it, brings it back up.
  void ReportUnreachable(uint32_t node_id, const std::string& why);

  // ConfirmUp tries one peer at most this often.
  static constexpr std::chrono::milliseconds kProbeInterval{100};

  // OK, or Unavailable saying how far this node's clock is from its peers,
  // or how far its hybrid logical clock leads (the fencing rule above).
  Status CheckClockInStep() const EXCLUDES(mu_);

  // A new timestamp for a write this node coordinates, or Unavailable when
  // it is fenced (then nothing is stamped and the clock does not move).
  // Logs when the node becomes fenced and when it is in step again.
  Result<clock::Timestamp> StampWrite();

  // Writes refused by StampWrite since start.
  uint64_t fenced_write_count() const { return fenced_writes_.load(); }

  // Whether the messages of `node_id` may be accepted: false, with `why`
  // set, when its clock is more than max_clock_offset off ours and this
  // node is not fenced itself (then it is the one out of step). The clock
  // reading the message carries (`sender_wall_us`, if any) decides when it
  // is in step or ahead; one that looks behind may only have been delayed
  // on the way, and then the estimate from heartbeats decides.
  bool SenderInStep(uint32_t node_id, std::optional<int64_t> sender_wall_us,
                    std::string* why) const;

  std::vector<PeerView> Snapshot() const;

 private:
  struct PeerState;
  // A heartbeat task's pass: heartbeats `peer`, returns the wait until the
  // next one.
  std::chrono::milliseconds HeartbeatPass(PeerState* peer);
  void Heartbeat(PeerState* peer);
  // Current offsets of the peers' clocks from this node's, in ms.
  std::optional<int64_t> OffsetMs(uint32_t peer) const;
  // Whether `peer_id`'s measured clock counts in judging this node's: it
  // was measured, and is up or was in step when last measured.
  bool VouchesForClock(uint32_t peer_id, bool up) const;
  // Logs a change of the fencing state.
  void NoteFenced(const Status& fence);
  // How far this node's hybrid logical clock may lead the cluster's time.
  std::chrono::milliseconds MaxStampLead() const;

  const uint32_t self_id_;
  clock::HybridLogicalClock* const clock_;
  clock::ClusterClock* const cluster_clock_;
  PeerTransport* const transport_;
  const MembershipOptions options_;

  clock::BackgroundRunner* const runner_;

  // Guards the PeerStates' mutable fields (the analysis cannot name a
  // Membership's mutex from inside PeerState: they carry a comment instead).
  mutable Mutex mu_;
  std::map<uint32_t, std::unique_ptr<PeerState>> peers_;  // keys fixed at construction
  Mutex tasks_mu_;                                        // Start and Stop from any thread
  // By peer.
  std::map<uint32_t, std::unique_ptr<clock::BackgroundTask>> heartbeat_tasks_ GUARDED_BY(tasks_mu_);
  // HeartbeatAllNow's still running; joined by Stop().
  std::vector<std::future<void>> first_heartbeats_ GUARDED_BY(tasks_mu_);
  std::atomic<bool> fenced_{false};
  std::atomic<uint64_t> fenced_writes_{0};
};

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_MEMBERSHIP_H_
