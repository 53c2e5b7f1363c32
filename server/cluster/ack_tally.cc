#include "server/cluster/ack_tally.h"

#include <algorithm>

namespace alder {
namespace {

bool Contains(const std::vector<uint32_t>& nodes, uint32_t node) {
  return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
}

}  // namespace

AckTally::AckTally(WriteSets sets, Consistency level) {
  for (const std::vector<uint32_t>* nodes : {sets.old_set, sets.new_set}) {
    if (!nodes) continue;
    sets_.push_back(Set{nodes, RequiredAcks(level, static_cast<uint32_t>(nodes->size()))});
    for (uint32_t node : *nodes) {
      if (!Contains(targets_, node)) targets_.push_back(node);
    }
  }
}

const char* AckTally::set_name(size_t i) const {
  if (sets_.size() == 1) return "";
  return i == 0 ? "old " : "new ";
}

void AckTally::Ack(uint32_t node) {
  if (Contains(acked_, node)) return;
  acked_.push_back(node);
  for (Set& s : sets_) s.acks += Contains(*s.nodes, node) ? 1 : 0;
}

bool AckTally::enough() const {
  return std::all_of(sets_.begin(), sets_.end(), [](const Set& s) { return s.acks >= s.required; });
}

uint32_t AckTally::weakest_acks() const {
  uint32_t weakest = sets_[0].acks;
  for (const Set& s : sets_) weakest = std::min(weakest, s.acks);
  return weakest;
}

}  // namespace alder
