#include "server/common/status.h"

namespace alder {

std::string Status::ToString() const {
  const char* kind = "ok";
  switch (code_) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      kind = "invalid argument";
      break;
    case Code::kNotFound:
      kind = "not found";
      break;
    case Code::kUnavailable:
      kind = "unavailable";
      break;
    case Code::kTimedOut:
      kind = "timed out";
      break;
    case Code::kCorruption:
      kind = "corruption";
      break;
    case Code::kIoError:
      kind = "I/O error";
      break;
    case Code::kShuttingDown:
      kind = "shutting down";
      break;
    case Code::kRefused:
      kind = "refused";
      break;
    case Code::kRetryLater:
      kind = "retry later";
      break;
  }
  return std::string(kind) + ": " + message_;
}

}  // namespace alder
