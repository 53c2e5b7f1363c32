// Connections and requests refused for security's sake: a failed handshake,
// an untrusted, expired or missing certificate, a node certificate that does
// not name the node it speaks for, a client without the permission.
// Counted per listener and reason (alder_tls_refusals_total) and each logged
// once, with the peer's address, as a warning. A flood of them (a port scan,
// a misconfigured fleet) is logged at most kMaxLinesPerSecond a second, with
// a line saying how many were left out; every one is counted.
//
// Thread-safe.
#ifndef ALDER_SERVER_TLS_TLS_REFUSALS_H_
#define ALDER_SERVER_TLS_TLS_REFUSALS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "server/common/thread_annotations.h"

namespace alder {

enum class TlsListener { kClients = 0, kInternode = 1 };
inline constexpr int kTlsListeners = 2;

enum class TlsRefusal {
  kHandshake = 0,      // not TLS, a protocol or version we refuse, or never finished
  kCertificate = 1,    // not signed by a trusted CA, expired, not yet valid
  kNoCertificate = 2,  // none presented where one is required
  kIdentity = 3,       // a node certificate not naming the node it speaks for
  kPermission = 4,     // a client certificate without the permission for the call
};
inline constexpr int kTlsRefusals = 5;

// "clients", "internode" / "handshake", "certificate", "no_certificate",
// "identity", "permission": the metric's label values.
const char* TlsListenerName(TlsListener listener);
const char* TlsRefusalName(TlsRefusal reason);

class TlsRefusals {
 public:
  static constexpr int kMaxLinesPerSecond = 10;

  // Counts the refusal and logs "refused <what> from <peer>: <detail>".
  void Record(TlsListener listener, TlsRefusal reason, const std::string& peer,
              const std::string& detail);
  uint64_t count(TlsListener listener, TlsRefusal reason) const;

 private:
  bool MayLog() EXCLUDES(mu_);

  std::atomic<uint64_t> counts_[kTlsListeners][kTlsRefusals] = {};
  Mutex mu_;
  std::chrono::steady_clock::time_point second_start_ GUARDED_BY(mu_);
  int lines_this_second_ GUARDED_BY(mu_) = 0;
  uint64_t left_out_ GUARDED_BY(mu_) = 0;
};

}  // namespace alder

#endif  // ALDER_SERVER_TLS_TLS_REFUSALS_H_
