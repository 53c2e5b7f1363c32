// TLS on both ports (DESIGN.md section 13) with real alderd processes, real
// handshakes and certificates made by scripts/make-certs.sh: a three-node
// cluster with mutual TLS between nodes and to clients serves the generated
// C++ client, the alder CLI and the generated Python client; every kind of
// refusal is refused, changes nothing, is counted in alder_tls_refusals_total
// and logged once with the peer's address.
#include <gtest/gtest.h>
#include <thrift/TApplicationException.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include <regex>

#include "Internode.h"
#include "server/tls/tls_context.h"
#include "test/support/local_cluster.h"
#include "test/support/run_program.h"
#include "test/support/scrape.h"
#include "test/support/temp_dir.h"
#include "test/support/test_certs.h"

#ifndef ALDER_CLI_PATH
#error "ALDER_CLI_PATH must name the alder binary"
#endif

namespace alder::testing {
namespace {

using apache::thrift::TApplicationException;
using apache::thrift::TException;

// writer is not listed: it has client_default_permission, write.
constexpr const char* kPermissions = "reader=read,admin=admin";

double Refusals(AlderdProcess& node, const std::string& listener, const std::string& reason) {
  const auto text = Scrape(node.metrics_port());
  if (!text) return -1;
  return SampleIn(*text, "alder_tls_refusals_total{listener=\"" + listener + "\",reason=\"" +
                             reason + "\"}")
      .value_or(-1);
}

// Lines of the node's log that report a refused connection of `reason`
// from this machine: each refusal is logged once, with the peer's address.
int RefusalLines(const AlderdProcess& node, const std::string& reason) {
  const std::regex line("refused \\w+ connection from 127\\.0\\.0\\.1:[0-9]+ \\(" + reason + "\\)");
  int n = 0;
  for (const std::string& l : SplitLines(node.ReadLog())) n += std::regex_search(l, line);
  return n;
}

// The internode protocol over mutual TLS with the certificate of `as_node`,
// to a node whose certificate must name `expected`, as a peer would speak it.
class TlsInternodeClient {
 public:
  TlsInternodeClient(uint16_t port, const TestCerts& certs, int as_node, int expected) {
    auto factory = MakeTlsFactory(TlsContextSpec{.role = {.server = false,
                                                          .listener = TlsListener::kInternode,
                                                          .refusals = nullptr,
                                                          .require_node_name = false},
                                                 .files = {.cert = certs.node_cert(as_node),
                                                           .key = certs.node_key(as_node),
                                                           .ca = certs.ca()},
                                                 .verify_peer = true,
                                                 .own_name = ""});
    if (!factory.ok()) throw TException(factory.status().message());
    factory_ = factory.value();
    auto socket = factory_->Connecting("127.0.0.1", port, NodeCertificateName(expected));
    socket->setRecvTimeout(5000);
    transport_ = std::make_shared<apache::thrift::transport::TFramedTransport>(socket);
    client_ = std::make_unique<internode::InternodeClient>(
        std::make_shared<apache::thrift::protocol::TBinaryProtocol>(transport_));
    transport_->open();
  }
  internode::InternodeClient* operator->() { return client_.get(); }

 private:
  std::shared_ptr<TlsSocketFactory> factory_;
  std::shared_ptr<apache::thrift::transport::TTransport> transport_;
  std::unique_ptr<internode::InternodeClient> client_;
};

internode::Sender SenderFor(int node_id) {
  internode::Sender sender;
  sender.node_id = node_id;
  sender.hlc = static_cast<int64_t>(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count())
      << 16);
  sender.cluster_name = "alder";
  sender.partitions = 256;
  return sender;
}

class TlsClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(certs_.ok()) << certs_.error();
    LocalClusterOptions options;
    options.args = {"--client_tls",         "mutual",    "--internode_tls", "mutual",
                    "--client_permissions", kPermissions};
    for (int n = 1; n <= 3; ++n) options.node_args[n] = certs_.NodeFlags(n);
    options.client_tls = certs_.client("admin");
    cluster_ = std::make_unique<LocalCluster>(dir_.Sub("nodes"), options);
    ASSERT_TRUE(cluster_->StartAll() && cluster_->WaitUntilConverged()) << cluster_->Logs();
  }
  void TearDown() override {
    if (HasFailure() && cluster_) std::cerr << cluster_->Logs();
  }

  ProgramOutcome Cli(int node, const TestTls& tls, const std::vector<std::string>& command) {
    std::vector<std::string> argv = {
        ALDER_CLI_PATH, "--port", std::to_string(cluster_->node(node).port()), "--tls-ca", tls.ca};
    if (!tls.cert.empty()) argv.insert(argv.end(), {"--tls-cert", tls.cert, "--tls-key", tls.key});
    argv.insert(argv.end(), command.begin(), command.end());
    return RunProgram(argv);
  }

  ProgramOutcome Python(int node, const TestTls& tls, const std::vector<std::string>& command) {
    std::vector<std::string> argv = {
        "/usr/bin/env",          "PYTHONPATH=" ALDER_PYTHON_BINDINGS,         "/usr/bin/python3",
        ALDER_PYTHON_TLS_CLIENT, std::to_string(cluster_->node(node).port()), tls.ca};
    if (!tls.cert.empty()) argv.insert(argv.end(), {tls.cert, tls.key});
    argv.insert(argv.end(), command.begin(), command.end());
    return RunProgram(argv);
  }

  TempDir dir_;
  TestCerts certs_{dir_.Sub("certs"), {"--expired-client", "old"}};
  std::unique_ptr<LocalCluster> cluster_;
};

TEST_F(TlsClusterTest, ServesTheCppClientTheCliAndPythonOverTlsOnBothPorts) {
  {
    ApiClient writer(cluster_->node(1).port(), std::chrono::seconds(10), certs_.client("writer"));
    writer->put("from-cpp", "c++", At(api::Consistency::ALL));  // through TLS to both peers
  }
  const ProgramOutcome put = Cli(2, certs_.client("writer"), {"put", "from-cli", "cli"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  const ProgramOutcome py = Python(3, certs_.client("writer"), {"put", "from-python", "py"});
  ASSERT_EQ(py.exit_code, 0) << py.err;

  for (int node = 1; node <= 3; ++node) {
    ApiClient reader(cluster_->node(node).port(), std::chrono::seconds(10),
                     certs_.client("reader"));
    for (auto [key, value] : {std::pair{"from-cpp", "c++"}, std::pair{"from-cli", "cli"},
                              std::pair{"from-python", "py"}}) {
      api::Entry entry;
      reader->get(entry, key, ReadAt(api::Consistency::ALL));
      EXPECT_EQ(entry.value, value) << key << " through node " << node;
    }
  }
  const ProgramOutcome got = Cli(3, certs_.client("reader"), {"get", "from-python"});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.out, "py");  // the value's bytes, as they are
  const ProgramOutcome py_got = Python(1, certs_.client("reader"), {"get", "from-cli"});
  EXPECT_EQ(py_got.exit_code, 0) << py_got.err;
  EXPECT_EQ(py_got.out, "cli\n");
  // Nothing was refused on the way: the nodes trust each other.
  for (int node = 1; node <= 3; ++node) {
    for (const char* reason : {"handshake", "certificate", "no_certificate", "identity"}) {
      EXPECT_EQ(Refusals(cluster_->node(node), "internode", reason), 0) << reason;
    }
  }
}

TEST_F(TlsClusterTest, RefusesEachKindOfIntruderCountsAndLogsItOnce) {
  AlderdProcess& node1 = cluster_->node(1);
  const uint16_t port = node1.port();
  // A plaintext client on the TLS port.
  EXPECT_THROW(
      {
        ApiClient plaintext(port, std::chrono::seconds(5));
        api::ClusterStatus status;
        plaintext->status(status);
      },
      TException);
  // A client certificate from another CA.
  TestCerts other(dir_.Sub("other-ca"));
  ASSERT_TRUE(other.ok()) << other.error();
  TestTls foreign = other.client("admin");
  foreign.ca = certs_.ca();  // it trusts the server, the server does not trust it
  EXPECT_THROW(
      {
        ApiClient client(port, std::chrono::seconds(5), foreign);
        api::ClusterStatus status;
        client->status(status);
      },
      TException);
  // No client certificate where one is required.
  EXPECT_THROW(
      {
        ApiClient anonymous(port, std::chrono::seconds(5), certs_.anonymous());
        api::ClusterStatus status;
        anonymous->status(status);
      },
      TException);
  // A read client's put: refused, nothing stored.
  {
    ApiClient reader(port, std::chrono::seconds(5), certs_.client("reader"));
    try {
      reader->put("read-only", "v", At(api::Consistency::ONE));
      ADD_FAILURE() << "a reader's put was accepted";
    } catch (const TApplicationException& e) {
      EXPECT_NE(std::string(e.what()).find("put needs the write permission"), std::string::npos)
          << e.what();
    }
    api::Entry entry;
    EXPECT_THROW(reader->get(entry, "read-only", ReadAt(api::Consistency::ALL)), api::NotFound);
  }
  // A plaintext internode connection.
  const uint16_t internode_port = static_cast<uint16_t>(
      std::stoi(cluster_->peers().substr(cluster_->peers().find(':') + 1)));  // node 1's
  {
    auto socket = std::make_shared<apache::thrift::transport::TSocket>("127.0.0.1", internode_port);
    socket->setRecvTimeout(5000);
    auto transport = std::make_shared<apache::thrift::transport::TFramedTransport>(socket);
    internode::InternodeClient plaintext(
        std::make_shared<apache::thrift::protocol::TBinaryProtocol>(transport));
    transport->open();
    internode::HeartbeatReply reply;
    EXPECT_THROW(plaintext.heartbeat(reply, SenderFor(2)), TException);
  }
  // A node presenting a certificate that names another node: node 3's
  // certificate, speaking as node 2. Its write is refused and not applied.
  {
    TlsInternodeClient impostor(internode_port, certs_, 3, 1);
    internode::WireRecord record;
    record.hlc = SenderFor(2).hlc;
    record.node_id = 2;
    record.tombstone = false;
    record.expires_at_ms = 0;
    record.value = "forged";
    try {
      impostor->write(SenderFor(2), "forged", record);
      ADD_FAILURE() << "node 3's certificate wrote as node 2";
    } catch (const TApplicationException& e) {
      EXPECT_NE(std::string(e.what()).find("names CN=alder-node-3"), std::string::npos) << e.what();
    }
    ApiClient admin(port, std::chrono::seconds(5), certs_.client("admin"));
    api::Entry entry;
    EXPECT_THROW(admin->get(entry, "forged", ReadAt(api::Consistency::ONE)), api::NotFound);
  }

  // An expired certificate of the trusted CA, presented by openssl s_client
  // (our own clients refuse to present one). Its exit code says nothing: in
  // TLS 1.3 the client finishes its handshake before the server verifies it.
  RunProgram({"/usr/bin/openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
              "-CAfile", certs_.ca(), "-cert", certs_.client("old").cert, "-key",
              certs_.client("old").key});

  // Each counted once and logged once, with the peer's address.
  EXPECT_TRUE(WaitFor([&] { return Refusals(node1, "clients", "certificate") == 2; },
                      std::chrono::seconds(5)))
      << "the foreign and the expired certificate";
  EXPECT_EQ(Refusals(node1, "clients", "handshake"), 1);
  EXPECT_EQ(Refusals(node1, "clients", "no_certificate"), 1);
  EXPECT_EQ(Refusals(node1, "clients", "permission"), 1);
  EXPECT_EQ(Refusals(node1, "internode", "handshake"), 1);
  EXPECT_EQ(Refusals(node1, "internode", "identity"), 1);
  EXPECT_EQ(RefusalLines(node1, "certificate"), 2);
  EXPECT_NE(node1.ReadLog().find("certificate has expired"), std::string::npos);
  for (const char* reason : {"handshake", "no_certificate", "permission", "identity"}) {
    EXPECT_EQ(RefusalLines(node1, reason), reason == std::string("handshake") ? 2 : 1) << reason;
  }
  // And the node still serves well-behaved clients.
  ApiClient writer(port, std::chrono::seconds(5), certs_.client("writer"));
  writer->put("after", "ok", At(api::Consistency::ALL));
}

}  // namespace
}  // namespace alder::testing
