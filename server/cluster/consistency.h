// Consistency levels, and what each asks of a key's replicas (DESIGN.md
// section 5): how many acknowledgements, and the errors that say why a
// request could not have them.
#ifndef ALDER_SERVER_CLUSTER_CONSISTENCY_H_
#define ALDER_SERVER_CLUSTER_CONSISTENCY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server/common/status.h"

namespace alder {

enum class Consistency { kOne = 1, kQuorum = 2, kAll = 3 };

// "ONE", "QUORUM" or "ALL", as errors name a level.
const char* LevelName(Consistency level);

// Acknowledgements a level needs with `replicas` replicas: ONE 1, QUORUM a
// majority, ALL every one.
uint32_t RequiredAcks(Consistency level, uint32_t replicas);

// The answer when fewer of a replica set are up than the level needs:
// nothing was sent. `which` names the set: "" (the only one), "old " or
// "new " (during a ring change).
Status TooFewUp(Consistency level, uint32_t required, size_t replicas, size_t up,
                const char* which);

// Whether a failed replica write certainly left the replica unchanged: it
// refused the write, or the request never reached it. A time-out or a broken
// connection after sending may have applied it.
bool DefinitelyNotApplied(const Status& s);

// `parts` joined with "; ", as errors list what each replica said.
std::string JoinReasons(const std::vector<std::string>& parts);

}  // namespace alder

#endif  // ALDER_SERVER_CLUSTER_CONSISTENCY_H_
