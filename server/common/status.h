// Errors are values inside the engine: Status says whether an operation
// succeeded and, if not, what kind of failure and a message a user can act
// on. Result<T> carries a value or a non-OK Status. Both are translated to
// Thrift exceptions only at the API edge.
#ifndef ALDER_SERVER_COMMON_STATUS_H_
#define ALDER_SERVER_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace alder {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,  // the caller's input is wrong; nothing was changed
    kNotFound,
    kUnavailable,  // too few replicas alive to try
    kTimedOut,     // tried, not enough acknowledgements in time
    kCorruption,   // data on disk does not decode
    kIoError,      // the storage engine failed
    kShuttingDown,
    kRefused,     // another node refused the message and would again (clock, cluster)
    kRetryLater,  // another node could not do it now (storage failure); nothing applied
  };

  // How many replicas a replicated operation needed and how many it had:
  // for Unavailable, replicas required and alive; for TimedOut, acks
  // required and received. Absent on other errors.
  struct ReplicaCounts {
    int required = 0;
    int reached = 0;
  };

  // Why another node refused a message (thrift/internode.thrift's
  // RefusalReason, same numbers): carried by Refused and RetryLater.
  enum class Refusal {
    kClockAhead = 1,      // a timestamp in the message is too far ahead of its clock
    kClockOutOfStep = 2,  // its heartbeats measured the sender's clock out of step
    kClusterMismatch = 3,
    kUnknownNode = 4,
    kStorage = 5,  // it could not read or write its storage: may succeed later
    kNotAReplica = 6,
    kTreeMismatch = 7,
    kSyncing = 8,    // back after a long absence: not serving until synced
    kMalformed = 9,  // a record in the message does not decode
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Unavailable(std::string msg, ReplicaCounts counts) {
    return {Code::kUnavailable, std::move(msg), counts};
  }
  static Status TimedOut(std::string msg) { return {Code::kTimedOut, std::move(msg)}; }
  static Status TimedOut(std::string msg, ReplicaCounts counts) {
    return {Code::kTimedOut, std::move(msg), counts};
  }
  static Status Refused(std::string msg) { return {Code::kRefused, std::move(msg)}; }
  static Status RetryLater(std::string msg) { return {Code::kRetryLater, std::move(msg)}; }
  // A refusal for `reason`: RetryLater for kStorage (it may pass), else
  // Refused (it would be given again).
  static Status RefusedFor(Refusal reason, std::string msg) {
    Status s(reason == Refusal::kStorage ? Code::kRetryLater : Code::kRefused, std::move(msg));
    s.refusal_ = reason;
    return s;
  }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status ShuttingDown(std::string msg) { return {Code::kShuttingDown, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::optional<ReplicaCounts>& replica_counts() const { return counts_; }
  // The reason of a refusal made with RefusedFor; absent otherwise.
  const std::optional<Refusal>& refusal() const { return refusal_; }
  // "ok", or "<kind>: <message>".
  std::string ToString() const;

 private:
  Status(Code code, std::string message, std::optional<ReplicaCounts> counts = std::nullopt)
      : code_(code), message_(std::move(message)), counts_(counts) {}
  Code code_ = Code::kOk;
  std::string message_;
  std::optional<ReplicaCounts> counts_;
  std::optional<Refusal> refusal_;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok().
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace alder

#endif  // ALDER_SERVER_COMMON_STATUS_H_
