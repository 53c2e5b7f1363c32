#include "server/cluster/consistency.h"

#include <fmt/format.h>

namespace alder {

const char* LevelName(Consistency level) {
  switch (level) {
    case Consistency::kOne:
      return "ONE";
    case Consistency::kQuorum:
      return "QUORUM";
    case Consistency::kAll:
      return "ALL";
  }
  return "?";
}

uint32_t RequiredAcks(Consistency level, uint32_t replicas) {
  switch (level) {
    case Consistency::kOne:
      return 1;
    case Consistency::kQuorum:
      return replicas / 2 + 1;
    case Consistency::kAll:
      return replicas;
  }
  return replicas;
}

Status TooFewUp(Consistency level, uint32_t required, size_t replicas, size_t up,
                const char* which) {
  return Status::Unavailable(
      fmt::format("{} needs {} of the key's {} {}replicas, {} are up", LevelName(level), required,
                  replicas, which, up),
      Status::ReplicaCounts{static_cast<int>(required), static_cast<int>(up)});
}

bool DefinitelyNotApplied(const Status& s) {
  return s.code() == Status::Code::kRefused || s.code() == Status::Code::kRetryLater ||
         s.code() == Status::Code::kUnavailable;
}

std::string JoinReasons(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace alder
