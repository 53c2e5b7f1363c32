// SimTransport: one node's PeerTransport over the SimNetwork. A request
// travels for the network's delay, is served by a fiber of the receiving
// node (so a crash of that node waits for it, as a process would die with
// it), and its answer travels back; a cut link or a lost message leaves the
// caller waiting until its timeout, as a blackholed TCP peer would. Answers
// are mapped as the wire maps them: every error a service returns comes
// back as a refusal (RetryLater for storage failures).
//
// Calls handed off by a round are finished by fibers of this node when their
// answer comes or their deadline passes; Abandon() finishes those left when
// the node crashes, so the coordinator can be destroyed.
//
// Not thread-safe: it lives on the scheduler's thread.
#ifndef ALDER_TEST_SIMULATION_SIM_TRANSPORT_H_
#define ALDER_TEST_SIMULATION_SIM_TRANSPORT_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "server/cluster/transport.h"
#include "test/simulation/scheduler.h"
#include "test/simulation/sim_network.h"

namespace alder::sim {

class SimTransport final : public PeerTransport {
 public:
  SimTransport(Scheduler* scheduler, SimNetwork* network, uint32_t self, HeaderSource header,
               std::chrono::microseconds timeout);
  ~SimTransport() override;

  std::chrono::microseconds Now() const override;
  Result<std::unique_ptr<ReplicaCall>> StartWrite(uint32_t node, std::string_view key,
                                                  const Record& record) override;
  Status FinishWrite(ReplicaCall& call) override;
  Result<std::unique_ptr<ReplicaCall>> StartRead(uint32_t node, std::string_view key) override;
  Result<std::optional<Record>> FinishRead(ReplicaCall& call) override;
  std::unique_ptr<ReplicaRound> NewRound(std::chrono::microseconds deadline) override;

  Status Write(uint32_t node, std::string_view key, const Record& record) override;
  Result<std::optional<Record>> Read(uint32_t node, std::string_view key) override;
  Result<HeartbeatAnswer> Heartbeat(uint32_t node) override;
  Status DeliverHints(uint32_t node, const std::vector<Hint>& hints) override;
  Result<std::vector<std::string>> TreeNodes(uint32_t node, TreeShapeId shape, uint32_t partition,
                                             uint32_t level,
                                             const std::vector<uint32_t>& indexes) override;
  Result<std::vector<KeyDigest>> LeafKeys(uint32_t node, TreeShapeId shape, uint32_t partition,
                                          const std::vector<uint32_t>& leaves) override;
  Result<std::vector<KeyedRecord>> FetchRecords(uint32_t node,
                                                const std::vector<std::string>& keys) override;
  Status PushRecords(uint32_t node, const std::vector<KeyedRecord>& records) override;

  // Finishes every handed-off call still waiting (with no answer).
  void Abandon();

  struct Pending;  // a replica call's state, shared with the network's events
  class PendingCall;
  // Takes over `call` (a round's, still in flight): `finish` runs when its
  // answer comes, or with nullptr at `deadline`.
  void HandOff(std::unique_ptr<ReplicaCall> call, std::function<void(ReplicaCall*)> finish,
               std::chrono::microseconds deadline);

 private:
  // Sends a request `serve` answers on `node`; `answer` takes what it gave
  // (a service's answer, or a transport error) once it is back here.
  using Serve = std::function<void(const Endpoint&, const MessageHeader&)>;
  void Send(uint32_t node, bool may_duplicate, Serve serve);
  template <typename T>
  T Call(uint32_t node, const std::string& what, bool may_duplicate,
         std::function<T(const Endpoint&, const MessageHeader&)> serve);
  template <typename T>
  std::unique_ptr<ReplicaCall> Start(uint32_t node, const std::string& what, bool may_duplicate,
                                     std::function<T(const Endpoint&, const MessageHeader&)> serve);
  void RunFinisher(uint64_t id);

  Scheduler* const scheduler_;
  SimNetwork* const network_;
  const uint32_t self_;
  const HeaderSource header_;
  const std::chrono::microseconds timeout_;
  uint64_t next_handoff_ = 1;
  struct HandedOff;
  std::map<uint64_t, std::unique_ptr<HandedOff>> handed_off_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for events that outlive it
};

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_SIM_TRANSPORT_H_
