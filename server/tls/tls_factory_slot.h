// The TLS factory a port uses now, replaced whole when certificates are
// reloaded (SIGHUP): new connections take the new one, connections open on
// the old one keep it. Old factories are kept for the life of the slot,
// because Thrift asks that a factory outlive every socket it made; a reload
// is rare and a factory small.
//
// Thread-safe.
#ifndef ALDER_SERVER_TLS_TLS_FACTORY_SLOT_H_
#define ALDER_SERVER_TLS_TLS_FACTORY_SLOT_H_

#include <memory>
#include <vector>

#include "server/common/thread_annotations.h"
#include "server/tls/tls_socket.h"

namespace alder {

class TlsFactorySlot {
 public:
  explicit TlsFactorySlot(std::shared_ptr<TlsSocketFactory> factory)
      : current_(std::move(factory)) {}

  std::shared_ptr<TlsSocketFactory> current() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return current_;
  }

  void Replace(std::shared_ptr<TlsSocketFactory> factory) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    retired_.push_back(std::move(current_));
    current_ = std::move(factory);
  }

 private:
  mutable Mutex mu_;
  std::shared_ptr<TlsSocketFactory> current_ GUARDED_BY(mu_);
  std::vector<std::shared_ptr<TlsSocketFactory>> retired_ GUARDED_BY(mu_);
};

}  // namespace alder

#endif  // ALDER_SERVER_TLS_TLS_FACTORY_SLOT_H_
