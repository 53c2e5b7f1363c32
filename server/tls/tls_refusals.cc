#include "server/tls/tls_refusals.h"

#include <spdlog/spdlog.h>

namespace alder {

const char* TlsListenerName(TlsListener listener) {
  return listener == TlsListener::kClients ? "clients" : "internode";
}

const char* TlsRefusalName(TlsRefusal reason) {
  switch (reason) {
    case TlsRefusal::kHandshake:
      return "handshake";
    case TlsRefusal::kCertificate:
      return "certificate";
    case TlsRefusal::kNoCertificate:
      return "no_certificate";
    case TlsRefusal::kIdentity:
      return "identity";
    case TlsRefusal::kPermission:
      return "permission";
  }
  return "handshake";
}

void TlsRefusals::Record(TlsListener listener, TlsRefusal reason, const std::string& peer,
                         const std::string& detail) {
  counts_[static_cast<int>(listener)][static_cast<int>(reason)].fetch_add(
      1, std::memory_order_relaxed);
  if (!MayLog()) return;
  spdlog::warn("refused {} connection from {} ({}): {}", TlsListenerName(listener), peer,
               TlsRefusalName(reason), detail);
}

uint64_t TlsRefusals::count(TlsListener listener, TlsRefusal reason) const {
  return counts_[static_cast<int>(listener)][static_cast<int>(reason)].load(
      std::memory_order_relaxed);
}

bool TlsRefusals::MayLog() {
  const auto now = std::chrono::steady_clock::now();
  MutexLock lock(&mu_);
  if (now - second_start_ >= std::chrono::seconds(1)) {
    if (left_out_ > 0) {
      spdlog::warn("{} more refused connections were not logged (see alder_tls_refusals_total)",
                   left_out_);
    }
    second_start_ = now;
    lines_this_second_ = 0;
    left_out_ = 0;
  }
  if (lines_this_second_ >= kMaxLinesPerSecond) {
    ++left_out_;
    return false;
  }
  ++lines_this_second_;
  return true;
}

}  // namespace alder
