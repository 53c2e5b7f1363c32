#include "test/support/test_certs.h"

#include "test/support/run_program.h"

#ifndef ALDER_SOURCE_DIR
#error "ALDER_SOURCE_DIR must name the source tree (for scripts/make-certs.sh)"
#endif

namespace alder::testing {

TestCerts::TestCerts(std::string dir, const std::vector<std::string>& args) : dir_(std::move(dir)) {
  std::vector<std::string> argv = {std::string(ALDER_SOURCE_DIR) + "/scripts/make-certs.sh", dir_};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProgramOutcome made = RunProgram(argv);
  if (made.exit_code != 0) error_ = "make-certs.sh failed: " + made.err + made.out;
}

TestTls TestCerts::client(const std::string& name) const {
  return TestTls{ca(), dir_ + "/client-" + name + ".pem", dir_ + "/client-" + name + ".key"};
}

std::vector<std::string> TestCerts::NodeFlags(int node) const {
  return {"--tls_cert_file", node_cert(node), "--tls_key_file",
          node_key(node),    "--tls_ca_file", ca()};
}

}  // namespace alder::testing
