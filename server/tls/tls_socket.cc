#include "server/tls/tls_socket.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "server/tls/tls_settings.h"

namespace alder {
namespace {

using apache::thrift::transport::DefaultClientAccessManager;
using apache::thrift::transport::SSLContext;
using apache::thrift::transport::TSSLException;
using apache::thrift::transport::TSSLSocket;
using apache::thrift::transport::TTransportException;

bool NamesSomeNode(const CertificateNames& names) {
  auto is_node = [](const std::string& name) { return name.rfind(kNodeNamePrefix, 0) == 0; };
  if (is_node(names.common_name)) return true;
  for (const std::string& dns : names.dns_names) {
    if (is_node(dns)) return true;
  }
  return false;
}

}  // namespace

TlsSocket::TlsSocket(std::shared_ptr<SSLContext> context, THRIFT_SOCKET fd,
                     std::shared_ptr<THRIFT_SOCKET> interrupt, TlsRole role)
    : TSSLSocket(std::move(context), fd, std::move(interrupt)), role_(role) {
  server(true);
}

TlsSocket::TlsSocket(std::shared_ptr<SSLContext> context, const std::string& host, int port,
                     TlsRole role, std::string expected_name)
    : TSSLSocket(std::move(context), host, port),
      role_(role),
      expected_name_(std::move(expected_name)) {
  server(false);
  // Thrift's host-name check, for clients that name no node (the alder CLI).
  if (expected_name_.empty()) access(std::make_shared<DefaultClientAccessManager>());
}

uint32_t TlsSocket::read(uint8_t* buf, uint32_t len) {
  if (buffered_end_ == buffered_begin_) {
    if (len >= kReadBufferBytes) return ReadRecord(buf, len);
    if (!read_buffer_) read_buffer_ = std::make_unique<uint8_t[]>(kReadBufferBytes);
    buffered_begin_ = 0;
    buffered_end_ = ReadRecord(read_buffer_.get(), kReadBufferBytes);
  }
  const uint32_t n = std::min(len, buffered_end_ - buffered_begin_);
  std::memcpy(buf, read_buffer_.get() + buffered_begin_, n);
  buffered_begin_ += n;
  return n;
}

uint32_t TlsSocket::ReadRecord(uint8_t* buf, uint32_t len) {
  try {
    // Wait first when nothing is decrypted yet: OpenSSL would try a read,
    // find nothing, and Thrift would wait and read again (one more system
    // call per message). Throws on the receive timeout or an interrupt.
    if (handshake_done_ && ssl_ != nullptr && SSL_pending(ssl_) == 0) waitForEvent(true);
    return TSSLSocket::read(buf, len);
  } catch (const TTransportException& e) {
    if (handshake_done_ || !role_.server) throw;
    Refuse(e);
  }
}

bool TlsSocket::hasPendingDataToRead() {
  return buffered_end_ > buffered_begin_ || TSSLSocket::hasPendingDataToRead();
}

bool TlsSocket::peek() {
  if (buffered_end_ > buffered_begin_) return true;
  try {
    return TSSLSocket::peek();
  } catch (const TTransportException& e) {
    if (handshake_done_ || !role_.server) throw;
    Refuse(e);
  }
}

void TlsSocket::open() {
  // Thrift would keep its handshake flag across a close and reuse a freed
  // session: a closed TlsSocket stays closed.
  if (closed_) {
    throw TTransportException(TTransportException::NOT_OPEN, "a closed TLS socket is not reopened");
  }
  TSSLSocket::open();
}

void TlsSocket::close() {
  // No close_notify (SSL_shutdown): every message is framed, so a cut
  // connection cannot pass for a whole message; and Thrift logs as errors
  // the shutdowns that fail, which is most of them: the peer has usually
  // closed first, or the handshake never finished.
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
    closed_ = true;
  }
  TSSLSocket::close();
}

void TlsSocket::authorize() {
  const long verified = SSL_get_verify_result(ssl_);
  if (verified != X509_V_OK) {
    throw TSSLException(std::string("certificate: ") + X509_verify_cert_error_string(verified));
  }
  X509* certificate = SSL_get1_peer_certificate(ssl_);
  peer_names_ = NamesOf(certificate);
  X509_free(certificate);
  if (!role_.server && expected_name_.empty()) TSSLSocket::authorize();  // the host name
  if (!expected_name_.empty() && !peer_names_.Includes(expected_name_)) {
    const std::string why =
        "identity: the certificate names " + peer_names_.Describe() + ", not " + expected_name_;
    if (role_.refusals) {
      role_.refusals->Record(role_.listener, TlsRefusal::kIdentity,
                             getHost() + ":" + std::to_string(getPort()), why);
    }
    throw TSSLException(why);
  }
  if (role_.server && role_.require_node_name && !NamesSomeNode(peer_names_)) {
    throw TSSLException("identity: the certificate (" + peer_names_.Describe() +
                        ") names no node (" + kNodeNamePrefix + "<id>)");
  }
  handshake_done_ = true;
}

void TlsSocket::Refuse(const TTransportException& e) {
  const std::string peer = PeerAddressOf(*this);
  const std::string what = e.what();
  const bool nothing_received = ssl_ == nullptr || BIO_number_read(SSL_get_rbio(ssl_)) == 0;
  if (e.getType() == TTransportException::TIMED_OUT) {
    if (role_.refusals) {
      role_.refusals->Record(role_.listener, TlsRefusal::kHandshake, peer,
                             "the handshake did not finish in time");
    }
  } else if (nothing_received) {
    spdlog::debug("{} connection from {} closed before its TLS handshake",
                  TlsListenerName(role_.listener), peer);
  } else if (role_.refusals) {
    TlsRefusal reason = TlsRefusal::kHandshake;
    std::string detail = what;
    const long verified = ssl_ ? SSL_get_verify_result(ssl_) : X509_V_OK;
    if (what.find("identity: ") != std::string::npos) {
      reason = TlsRefusal::kIdentity;
    } else if (what.find("peer did not return a certificate") != std::string::npos) {
      reason = TlsRefusal::kNoCertificate;
      detail = "no client certificate presented";
    } else if (verified != X509_V_OK) {
      reason = TlsRefusal::kCertificate;
      detail = std::string("certificate: ") + X509_verify_cert_error_string(verified);
    }
    role_.refusals->Record(role_.listener, reason, peer, detail);
  }
  // Closed now: Thrift's clean-up would flush and so retry the handshake.
  close();
  throw TTransportException(TTransportException::END_OF_FILE, "TLS handshake refused: " + what);
}

std::string PeerAddressOf(apache::thrift::transport::TTransport& transport) {
  auto* socket = dynamic_cast<apache::thrift::transport::TSocket*>(&transport);
  if (socket == nullptr) return "unknown peer";
  return socket->getPeerAddress() + ":" + std::to_string(socket->getPeerPort());
}

void HandshakeNow(apache::thrift::transport::TSocket& socket) {
  // TSSLSocket shakes hands on its first write; a write of nothing does
  // only that.
  if (dynamic_cast<TlsSocket*>(&socket) != nullptr) socket.write(nullptr, 0);
}

TlsSocketFactory::TlsSocketFactory(TlsRole role)
    : TSSLSocketFactory(apache::thrift::transport::SSLTLS), role_(role) {
  server(role.server);
}

std::shared_ptr<TlsSocket> TlsSocketFactory::Accepted(THRIFT_SOCKET fd,
                                                      std::shared_ptr<THRIFT_SOCKET> interrupt) {
  return std::shared_ptr<TlsSocket>(new TlsSocket(ctx_, fd, std::move(interrupt), role_));
}

std::shared_ptr<TlsSocket> TlsSocketFactory::Connecting(const std::string& host, int port,
                                                        const std::string& expected_name) {
  return std::shared_ptr<TlsSocket>(new TlsSocket(ctx_, host, port, role_, expected_name));
}

}  // namespace alder
