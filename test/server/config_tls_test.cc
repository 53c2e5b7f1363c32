// The TLS settings of DESIGN.md section 13 as alderd parses them: the keys,
// the modes, the permissions, and the files each mode needs.
#include <gtest/gtest.h>

#include <vector>

#include "server/config.h"
#include "test/server/parse_flags.h"

namespace alder {
namespace {

const std::vector<std::string> kFiles = {"--tls_cert_file", "n.pem",         "--tls_key_file",
                                         "n.key",           "--tls_ca_file", "ca.pem"};

std::vector<std::string> WithFiles(std::vector<std::string> args) {
  args.insert(args.end(), kFiles.begin(), kFiles.end());
  return args;
}

TEST(ConfigTls, OffByDefault) {
  auto parsed = Parse({});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->config.tls.client, ClientTls::kOff);
  EXPECT_EQ(parsed->config.tls.internode, InternodeTls::kOff);
  EXPECT_FALSE(parsed->config.tls.any());
  EXPECT_EQ(parsed->config.tls.permissions.default_permission, Permission::kWrite);
}

TEST(ConfigTls, ReadsModesFilesAndPermissions) {
  auto parsed = Parse(
      WithFiles({"--client_tls", "mutual", "--internode_tls", "mutual", "--client_permissions",
                 " reporting = read , ops=admin", "--client_default_permission", "none"}));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const TlsSettings& tls = parsed->config.tls;
  EXPECT_EQ(tls.client, ClientTls::kMutual);
  EXPECT_EQ(tls.internode, InternodeTls::kMutual);
  EXPECT_EQ(tls.files.cert, "n.pem");
  EXPECT_EQ(tls.files.key, "n.key");
  EXPECT_EQ(tls.files.ca, "ca.pem");
  EXPECT_EQ(tls.permissions.For("reporting"), Permission::kRead);
  EXPECT_EQ(tls.permissions.For("ops"), Permission::kAdmin);
  EXPECT_EQ(tls.permissions.For("stranger"), Permission::kNone);
}

TEST(ConfigTls, RefusesWhatCannotWorkNamingWhy) {
  struct Case {
    std::vector<std::string> args;
    std::string mentions;
  };
  const std::vector<Case> cases = {
      {{"--client_tls", "yes"}, "client_tls must be off, on or mutual"},
      {{"--internode_tls", "on"}, "internode_tls must be off or mutual"},
      {{"--client_tls", "on"}, "need tls_cert_file and tls_key_file"},
      {{"--client_tls", "on", "--tls_cert_file", "n.pem"}, "need tls_cert_file and tls_key_file"},
      {{"--internode_tls", "mutual", "--tls_cert_file", "n.pem", "--tls_key_file", "n.key"},
       "need tls_ca_file"},
      {WithFiles({"--client_tls", "on", "--client_permissions", "ops=admin"}),
       "need client_tls = mutual"},
      {WithFiles({"--client_default_permission", "read"}), "need client_tls = mutual"},
      {WithFiles({"--client_tls", "mutual", "--client_permissions", "ops"}),
       "'ops' is not CN=PERMISSION"},
      {WithFiles({"--client_tls", "mutual", "--client_permissions", "ops=root"}),
       "ops: a permission is none, read, write or admin, got 'root'"},
      {WithFiles({"--client_tls", "mutual", "--client_permissions", "ops=read,ops=admin"}),
       "ops is listed twice"},
      {WithFiles({"--client_tls", "mutual", "--client_permissions", "=read"}), "no CN"},
      {WithFiles({"--client_tls", "mutual", "--client_default_permission", "all"}),
       "client_default_permission"},
  };
  for (const Case& c : cases) {
    auto parsed = Parse(c.args);
    ASSERT_FALSE(parsed.ok()) << c.mentions;
    EXPECT_NE(parsed.status().message().find(c.mentions), std::string::npos)
        << parsed.status().message();
  }
}

TEST(ConfigTls, HelpAndTheTemplateListEveryKeyOfTheContract) {
  auto help = Parse({"--help"});
  auto config = Parse({"--print-config"});
  ASSERT_TRUE(help.ok() && config.ok());
  for (const char* key : {"tls_cert_file", "tls_key_file", "tls_ca_file", "client_tls",
                          "internode_tls", "client_permissions", "client_default_permission"}) {
    EXPECT_NE(help->output.find(std::string("--") + key), std::string::npos) << key;
    EXPECT_NE(config->output.find(std::string(key) + " ="), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace alder
