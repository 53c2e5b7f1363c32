// TLS on one real alderd: certificates rotated by SIGHUP while clients stay
// connected, a bad new certificate refused with the old one kept, bad TLS
// files refused at start-up with the reason, and a handshake left unfinished
// closed after client_idle_timeout.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test/support/local_cluster.h"
#include "test/support/run_program.h"
#include "test/support/scrape.h"
#include "test/support/temp_dir.h"
#include "test/support/test_certs.h"

namespace alder::testing {
namespace {

using apache::thrift::TException;
namespace fs = std::filesystem;

ProgramOutcome Alderd(std::vector<std::string> args) {
  args.insert(args.begin(), ALDERD_PATH);
  return RunProgram(args);
}

bool LogSays(const AlderdProcess& node, const std::string& text) {
  return WaitFor([&] { return node.ReadLog().find(text) != std::string::npos; },
                 std::chrono::seconds(10));
}

void Install(const std::string& from, const std::string& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

TEST(TlsRotation, SighupServesNewConnectionsWithTheNewCertificateAndKeepsOpenOnes) {
  TempDir dir;
  TestCerts first(dir.Sub("first")), second(dir.Sub("second"));
  ASSERT_TRUE(first.ok() && second.ok()) << first.error() << second.error();
  const std::string cert = dir.Sub("node.pem"), key = dir.Sub("node.key");
  Install(first.node_cert(1), cert);
  Install(first.node_key(1), key);
  AlderdProcess node(dir.Sub("node"),
                     {"--client_tls", "on", "--tls_cert_file", cert, "--tls_key_file", key});
  ASSERT_TRUE(node.Start()) << node.ReadLog();

  ApiClient old_client(node.port(), std::chrono::seconds(5), first.anonymous());
  old_client->put("k", "before", At(api::Consistency::ONE));

  Install(second.node_cert(1), cert);
  Install(second.node_key(1), key);
  node.Signal(SIGHUP);
  ASSERT_TRUE(LogSays(node, "reloaded TLS certificates")) << node.ReadLog();

  ApiClient new_client(node.port(), std::chrono::seconds(5), second.anonymous());
  new_client->put("k", "after", At(api::Consistency::ONE));
  EXPECT_THROW(ApiClient(node.port(), std::chrono::seconds(5), first.anonymous()), TException)
      << "a new connection was still served the first certificate";
  api::Entry entry;
  old_client->get(entry, "k", ReadAt(api::Consistency::ONE));  // the open connection works on
  EXPECT_EQ(entry.value, "after");

  // A bad new certificate: refused with a log line, the one in use kept.
  std::ofstream(cert) << "not a certificate\n";
  node.Signal(SIGHUP);
  ASSERT_TRUE(LogSays(node, "kept the TLS certificates in use")) << node.ReadLog();
  ApiClient still(node.port(), std::chrono::seconds(5), second.anonymous());
  still->get(entry, "k", ReadAt(api::Consistency::ONE));
  EXPECT_EQ(entry.value, "after");
  EXPECT_EQ(node.Terminate(), 0);
}

TEST(TlsStartup, BadTlsFilesAreRefusedWithTheReason) {
  TempDir dir;
  TestCerts certs(dir.Sub("certs"), {"--expired-client", "old"});
  ASSERT_TRUE(certs.ok()) << certs.error();
  const std::string data = dir.Sub("data");
  auto expect = [&](std::vector<std::string> args, int code, const std::string& says) {
    args.insert(args.end(), {"--data_dir", data, "--metrics_listen", ""});
    const ProgramOutcome o = Alderd(args);
    EXPECT_EQ(o.exit_code, code) << o.err;
    EXPECT_NE(o.err.find(says), std::string::npos) << o.err;
  };
  expect({"--client_tls", "on"}, 2, "need tls_cert_file and tls_key_file");
  expect({"--client_tls", "mutual", "--tls_cert_file", certs.node_cert(1), "--tls_key_file",
          certs.node_key(1)},
         2, "need tls_ca_file");
  expect({"--client_permissions", "ops=admin"}, 2, "need client_tls = mutual");
  expect({"--client_tls", "sometimes"}, 2, "client_tls must be off, on or mutual");
  expect({"--client_tls", "on", "--tls_cert_file", certs.node_cert(1), "--tls_key_file",
          certs.node_key(2)},
         1, "is not the key of tls_cert_file");
  expect({"--client_tls", "on", "--tls_cert_file", certs.client("old").cert, "--tls_key_file",
          certs.client("old").key},
         1, "the certificate has expired");
  expect({"--client_tls", "on", "--tls_cert_file", dir.Sub("missing.pem"), "--tls_key_file",
          certs.node_key(1)},
         1, "missing.pem: No such file or directory");
  // A node whose certificate names another node: its peers would refuse it.
  std::vector<std::string> node2 = certs.NodeFlags(2);
  node2.insert(node2.end(), {"--internode_tls", "mutual", "--node_id", "1"});
  expect(node2, 1, "not alder-node-1");
}

// A connection that starts a handshake and stalls (a ClientHello's first
// bytes, then nothing) is closed after client_idle_timeout, counted, and the
// node serves others meanwhile.
TEST(TlsHandshake, AHandshakeLeftUnfinishedIsClosedAfterTheIdleTimeout) {
  TempDir dir;
  TestCerts certs(dir.Sub("certs"));
  ASSERT_TRUE(certs.ok()) << certs.error();
  std::vector<std::string> args = certs.NodeFlags(1);
  args.insert(args.end(), {"--client_tls", "on", "--client_idle_timeout", "1s"});
  AlderdProcess node(dir.Sub("node"), args);
  ASSERT_TRUE(node.Start()) << node.ReadLog();

  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(node.port());
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const unsigned char hello_start[] = {0x16, 0x03, 0x01, 0x01, 0x00, 0x01};  // record, ClientHello
  ASSERT_EQ(send(fd, hello_start, sizeof(hello_start), 0),
            static_cast<ssize_t>(sizeof(hello_start)));

  ApiClient other(node.port(), std::chrono::seconds(5), certs.anonymous());
  other->put("served", "meanwhile", At(api::Consistency::ONE));

  const auto started = std::chrono::steady_clock::now();
  pollfd wait{fd, POLLIN, 0};
  ASSERT_EQ(poll(&wait, 1, 10'000), 1) << "the stalled handshake was never closed";
  char byte = 0;
  EXPECT_LE(recv(fd, &byte, 1, 0), 0) << "closed, not answered";
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_LT(waited, std::chrono::seconds(5));
  close(fd);
  EXPECT_TRUE(LogSays(node, "the handshake did not finish in time")) << node.ReadLog();
  const auto text = Scrape(node.metrics_port());
  ASSERT_TRUE(text);
  EXPECT_EQ(SampleIn(*text, "alder_tls_refusals_total{listener=\"clients\",reason=\"handshake\"}"),
            1);
}

}  // namespace
}  // namespace alder::testing
