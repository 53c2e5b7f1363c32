#include "server/rpc/api_handler.h"

#include <spdlog/spdlog.h>
#include <thrift/TApplicationException.h>

#include "server/rpc/enum_number.h"

namespace alder {
namespace {

[[noreturn]] void ThrowInvalid(const Status& status) {
  api::InvalidArgument e;
  e.message = status.message();
  throw e;
}

void ThrowIfInvalid(const Status& status) {
  if (!status.ok()) ThrowInvalid(status);
}

// The consistency a request asked for (QUORUM when unset), or InvalidArgument.
// `level` is taken by reference and read as a number (server/rpc/enum_number.h).
Consistency ConsistencyOf(bool isset, const api::Consistency::type& level) {
  if (!isset) return Consistency::kQuorum;
  const int32_t number = EnumNumber(level);
  switch (number) {
    case api::Consistency::ONE:
      return Consistency::kOne;
    case api::Consistency::QUORUM:
      return Consistency::kQuorum;
    case api::Consistency::ALL:
      return Consistency::kAll;
  }
  ThrowInvalid(Status::InvalidArgument("consistency " + std::to_string(number) +
                                       " is not one of ONE (1), QUORUM (2), ALL (3)"));
}

// Throws the API exception for a failed coordinator call.
[[noreturn]] void ThrowFailure(const Status& status, const std::string& key) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      ThrowInvalid(status);
    case Status::Code::kNotFound: {
      api::NotFound e;
      e.key = key;
      throw e;
    }
    case Status::Code::kTimedOut: {
      api::TimedOut e;
      e.message = status.message();
      const auto counts = status.replica_counts().value_or(Status::ReplicaCounts{1, 0});
      e.acknowledged = counts.reached;
      e.required_acks = counts.required;
      throw e;
    }
    default: {
      // Unavailable, and storage failures: the request could not be served
      // here; the client may retry (the write may or may not have landed).
      if (status.code() != Status::Code::kUnavailable) {
        spdlog::error("request for key of {} bytes failed: {}", key.size(), status.ToString());
      }
      api::Unavailable e;
      e.message =
          status.code() == Status::Code::kUnavailable ? status.message() : status.ToString();
      const auto counts = status.replica_counts().value_or(Status::ReplicaCounts{1, 0});
      e.required_replicas = counts.required;
      e.alive_replicas = counts.reached;
      throw e;
    }
  }
}

WriteOptions WriteOptionsOf(const api::WriteOptions& options) {
  WriteOptions out;
  out.consistency = ConsistencyOf(options.__isset.consistency, options.consistency);
  if (options.__isset.ttl_ms) {
    ThrowIfInvalid(ValidateTtlMs(options.ttl_ms));
    out.ttl = std::chrono::milliseconds(options.ttl_ms);
  }
  return out;
}

// The op label of each method, by ClientOp.
enum ClientOp : size_t { kPut, kGet, kRemove, kStatus, kRepair, kCompare, kVerifyTrees };
std::vector<std::string> ClientOpNames() {
  return {"put", "get", "remove", "status", "repair", "compare", "verify_trees"};
}

// The outcome of the API exception in flight.
Outcome ClassifyApiException() {
  try {
    throw;
  } catch (const api::NotFound&) {
    return Outcome::kNotFound;
  } catch (const api::InvalidArgument&) {
    return Outcome::kInvalidArgument;
  } catch (const api::Unavailable&) {
    return Outcome::kUnavailable;
  } catch (const api::TimedOut&) {
    return Outcome::kTimedOut;
  } catch (...) {
    return Outcome::kError;
  }
}

}  // namespace

ApiHandler::ApiHandler(Coordinator* coordinator, RequestLimits limits, StatusSource status,
                       AdminHooks admin, Metrics* metrics)
    : coordinator_(coordinator),
      limits_(limits),
      status_(std::move(status)),
      admin_(std::move(admin)),
      requests_(metrics, "client", ClientOpNames(),
                {Outcome::kOk, Outcome::kNotFound, Outcome::kInvalidArgument, Outcome::kUnavailable,
                 Outcome::kTimedOut, Outcome::kError}) {}

void ApiHandler::status(api::ClusterStatus& status) {
  Measured(&requests_, kStatus, ClassifyApiException, [&] { status = status_(); });
}

namespace {
[[noreturn]] void NotAvailable(const char* what) {
  throw apache::thrift::TApplicationException(std::string(what) + " is not available on this node");
}
}  // namespace

void ApiHandler::repair(api::RepairReport& report, const api::RepairRequest& request) {
  Measured(&requests_, kRepair, ClassifyApiException, [&] {
    if (!admin_.repair) NotAvailable("repair");
    report = admin_.repair(request);
  });
}

void ApiHandler::compare(api::Comparison& comparison, const api::CompareRequest& request) {
  Measured(&requests_, kCompare, ClassifyApiException, [&] {
    if (!admin_.compare) NotAvailable("compare");
    comparison = admin_.compare(request);
  });
}

void ApiHandler::verifyTrees(api::TreeVerification& verification) {
  Measured(&requests_, kVerifyTrees, ClassifyApiException, [&] {
    if (!admin_.verify_trees) NotAvailable("verifyTrees");
    verification = admin_.verify_trees();
  });
}

int64_t ApiHandler::put(const std::string& key, const std::string& value,
                        const api::WriteOptions& options) {
  return Measured(&requests_, kPut, ClassifyApiException, [&] {
    ThrowIfInvalid(ValidateKey(key, limits_));
    ThrowIfInvalid(ValidateValue(value, limits_));
    const WriteOptions write_options = WriteOptionsOf(options);
    auto version = coordinator_->Put(key, value, write_options);
    if (!version.ok()) ThrowFailure(version.status(), key);
    return static_cast<int64_t>(version->hlc.packed());
  });
}

void ApiHandler::get(api::Entry& entry, const std::string& key, const api::ReadOptions& options) {
  Measured(&requests_, kGet, ClassifyApiException, [&] {
    ThrowIfInvalid(ValidateKey(key, limits_));
    const Consistency level = ConsistencyOf(options.__isset.consistency, options.consistency);
    auto record = coordinator_->Get(key, level);
    if (!record.ok()) ThrowFailure(record.status(), key);
    entry.value = std::move(record->value);
    entry.version = static_cast<int64_t>(record->version.hlc.packed());
    if (record->expires_at_ms != 0) {
      entry.__set_expires_at_ms(static_cast<int64_t>(record->expires_at_ms));
    }
  });
}

int64_t ApiHandler::remove(const std::string& key, const api::WriteOptions& options) {
  return Measured(&requests_, kRemove, ClassifyApiException, [&] {
    ThrowIfInvalid(ValidateKey(key, limits_));
    WriteOptions write_options = WriteOptionsOf(options);
    if (write_options.ttl) {
      ThrowInvalid(Status::InvalidArgument(
          "ttl_ms does not apply to remove: a tombstone is kept for gc_grace"));
    }
    auto version = coordinator_->Remove(key, write_options);
    if (!version.ok()) ThrowFailure(version.status(), key);
    return static_cast<int64_t>(version->hlc.packed());
  });
}

}  // namespace alder
