// alderd's TLS connections, both ends, on Thrift's TSSLSocket. Beyond it:
//  - after the handshake the socket keeps the peer certificate's names, which
//    the handlers check on every request (permissions, node identity);
//  - a client may require the server's certificate to carry a given name
//    (the node it dialled: a holder of node 3's certificate cannot answer as
//    node 2); without one, the host name is checked as Thrift does;
//  - a server may require every peer certificate to name some node
//    (alder-node-<id>), as the internode port does;
//  - on a server, a handshake that fails is counted and logged once in
//    TlsRefusals with the peer's address, and the connection then ends as a
//    plain end of file (Thrift would log it a second time). A connection
//    closed before sending a byte (a port probe) is not a refusal.
//  - reads are buffered (one SSL_read per record), and wait for the socket
//    before reading rather than after a read that found nothing;
//  - closing sends no close_notify, and a peer's missing one is an end of
//    file: every message is framed, so a cut cannot pass for a whole one.
// The process must ignore SIGPIPE (alderd, alder and the tests do): OpenSSL
// writes with write(2), and a peer that closed would otherwise kill it.
// Timeouts: the handshake waits at most the socket's receive timeout
// (client_idle_timeout on a server) for each of the peer's messages.
#ifndef ALDER_SERVER_TLS_TLS_SOCKET_H_
#define ALDER_SERVER_TLS_TLS_SOCKET_H_

#include <thrift/transport/TSSLSocket.h>

#include <memory>
#include <string>

#include "server/tls/certificate_names.h"
#include "server/tls/tls_refusals.h"

namespace alder {

// Which end a factory's sockets are, and what they check and report.
struct TlsRole {
  bool server = false;
  TlsListener listener = TlsListener::kClients;
  TlsRefusals* refusals = nullptr;  // may be null: nothing counted
  bool require_node_name = false;   // server: the peer must be some alder-node-<id>
};

class TlsSocket final : public apache::thrift::transport::TSSLSocket {
 public:
  // Closes as close() does: TSSLSocket's destructor would call its own.
  ~TlsSocket() override { close(); }

  // The peer's certificate names; empty before the handshake, or when the
  // peer sent no certificate (allowed only where none is required).
  const CertificateNames& peer_names() const { return peer_names_; }
  bool handshake_done() const { return handshake_done_; }

  uint32_t read(uint8_t* buf, uint32_t len) override;
  bool peek() override;
  bool hasPendingDataToRead() override;
  void open() override;
  void close() override;  // final: a closed TlsSocket is not opened again

 protected:
  void authorize() override;

 private:
  friend class TlsSocketFactory;
  TlsSocket(std::shared_ptr<apache::thrift::transport::SSLContext> context, THRIFT_SOCKET fd,
            std::shared_ptr<THRIFT_SOCKET> interrupt, TlsRole role);
  TlsSocket(std::shared_ptr<apache::thrift::transport::SSLContext> context, const std::string& host,
            int port, TlsRole role, std::string expected_name);

  // Reports a failed handshake (on a server) and rethrows it as an end of file.
  [[noreturn]] void Refuse(const apache::thrift::transport::TTransportException& e);
  // One SSL_read of up to `len` bytes, a failed handshake reported.
  uint32_t ReadRecord(uint8_t* buf, uint32_t len);

  // Small reads are served from here, filled by one SSL_read: a message is
  // one record (frame header and body), and each SSL_read costs OpenSSL 3's
  // fixed overhead, which a framed transport's two reads per message doubled.
  static constexpr uint32_t kReadBufferBytes = 16 * 1024;
  std::unique_ptr<uint8_t[]> read_buffer_;
  uint32_t buffered_begin_ = 0;
  uint32_t buffered_end_ = 0;

  const TlsRole role_;
  const std::string expected_name_;  // client: the name the server must carry
  CertificateNames peer_names_;
  bool handshake_done_ = false;
  bool closed_ = false;
};

// Makes the TlsSockets of one role on one SSL context. Set the context up
// (certificates, verification, versions: server/tls/tls_context.h) before
// making sockets; every socket shares it and keeps it alive.
class TlsSocketFactory final : public apache::thrift::transport::TSSLSocketFactory {
 public:
  explicit TlsSocketFactory(TlsRole role);

  SSL_CTX* context() { return ctx_->get(); }
  const TlsRole& role() const { return role_; }

  // The server's end of an accepted connection. `interrupt` (may be null)
  // is the server's signal to end its connections: reads, the handshake's
  // included, stop when it is readable, so that a server can stop.
  std::shared_ptr<TlsSocket> Accepted(THRIFT_SOCKET fd, std::shared_ptr<THRIFT_SOCKET> interrupt);
  // A client connection (not yet open) to host:port. A non-empty
  // `expected_name` must be among the server certificate's names; an empty
  // one checks the certificate against `host` (DNS or IP SAN, or the CN).
  std::shared_ptr<TlsSocket> Connecting(const std::string& host, int port,
                                        const std::string& expected_name);

 private:
  const TlsRole role_;
};

// "host:port" of a connection's peer, for log lines; "unknown peer" if
// `transport` is not a socket.
std::string PeerAddressOf(apache::thrift::transport::TTransport& transport);

// On an open client TlsSocket, runs the handshake now, so that a refused one
// fails the connect (nothing sent yet) rather than the first call; throws
// as the handshake does. Nothing to do on a plaintext socket.
void HandshakeNow(apache::thrift::transport::TSocket& socket);

}  // namespace alder

#endif  // ALDER_SERVER_TLS_TLS_SOCKET_H_
