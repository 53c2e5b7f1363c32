#include "server/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "test/server/parse_flags.h"
#include "test/support/temp_dir.h"

namespace alder {
namespace {

TEST(Config, DefaultsRunAOneNodeClusterOnPort7700) {
  auto parsed = Parse({});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const NodeConfig& c = parsed->config;
  EXPECT_EQ(c.listen.port, 7700);
  EXPECT_EQ(c.internode_listen.port, 7701);
  EXPECT_EQ(c.data_dir, "alder-data");
  EXPECT_EQ(c.partitions, 256u);
  EXPECT_EQ(c.peers.size(), 1u);
  EXPECT_EQ(c.replication_factor, 1u);  // defaulted 3, capped at one node
  EXPECT_EQ(c.durability, Durability::kFsync);
  EXPECT_EQ(c.gc_grace, std::chrono::hours(240));
  EXPECT_EQ(c.max_clock_offset, std::chrono::milliseconds(500));
  EXPECT_EQ(c.max_value_bytes, 1u << 20);
}

// The defaults --help shows are NodeConfig's, formatted: read back, they give
// NodeConfig{} again (but replication_factor, capped at the node count).
TEST(Config, NoSettingsGiveNodeConfigsDefaults) {
  auto parsed = Parse({});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const NodeConfig& c = parsed->config;
  const NodeConfig d;
  EXPECT_EQ(c.node_id, d.node_id);
  EXPECT_EQ(c.data_dir, d.data_dir);
  EXPECT_EQ(c.listen.ToString(), d.listen.ToString());
  EXPECT_EQ(c.internode_listen.ToString(), d.internode_listen.ToString());
  ASSERT_TRUE(c.metrics_listen.has_value());
  EXPECT_EQ(c.metrics_listen->ToString(), d.metrics_listen->ToString());
  EXPECT_EQ(c.partitions, d.partitions);
  EXPECT_EQ(c.cluster_name, d.cluster_name);
  EXPECT_EQ(c.request_timeout, d.request_timeout);
  EXPECT_EQ(c.heartbeat_interval, d.heartbeat_interval);
  EXPECT_EQ(c.failure_timeout, d.failure_timeout);
  EXPECT_EQ(c.hint_replay_rate, d.hint_replay_rate);
  EXPECT_EQ(c.tree_fanout, d.tree_fanout);
  EXPECT_EQ(c.tree_depth, d.tree_depth);
  EXPECT_EQ(c.repair_rate_bytes, d.repair_rate_bytes);
  EXPECT_EQ(c.maintain_trees, d.maintain_trees);
  EXPECT_EQ(c.durability, d.durability);
  EXPECT_EQ(c.gc_grace, d.gc_grace);
  EXPECT_EQ(c.gc_interval, d.gc_interval);
  EXPECT_EQ(c.hint_window, d.hint_window);
  EXPECT_EQ(c.anti_entropy_interval, d.anti_entropy_interval);
  EXPECT_EQ(c.max_clock_offset, d.max_clock_offset);
  EXPECT_EQ(c.checkpoint_interval, d.checkpoint_interval);
  EXPECT_EQ(c.max_key_bytes, d.max_key_bytes);
  EXPECT_EQ(c.max_value_bytes, d.max_value_bytes);
  EXPECT_EQ(c.max_connections, d.max_connections);
  EXPECT_EQ(c.client_idle_timeout, d.client_idle_timeout);
  EXPECT_EQ(c.cache_size_bytes, d.cache_size_bytes);
  EXPECT_EQ(c.log_level, d.log_level);
}

TEST(Config, ReadsTheConfigFileAndFlagsWin) {
  testing::TempDir dir;
  const std::string path = dir.Sub("alder.conf");
  std::ofstream(path) << "node_id = 2\nlisten = 127.0.0.1:7710\ngc_grace = 30s\n"
                         "durability = process\npeers = 2@127.0.0.1:7711\n";
  auto parsed = Parse({"--config", path, "--listen", "127.0.0.1:7720"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->config.node_id, 2u);
  EXPECT_EQ(parsed->config.listen.port, 7720);
  EXPECT_EQ(parsed->config.gc_grace, std::chrono::seconds(30));
  EXPECT_EQ(parsed->config.durability, Durability::kProcess);
}

TEST(Config, RejectsBadValuesNamingTheSetting) {
  struct Case {
    std::vector<std::string> args;
    std::string mentions;
  };
  const std::vector<Case> cases = {
      {{"--gc_grace", "10 days"}, "gc_grace"},
      {{"--durability", "maybe"}, "durability"},
      {{"--partitions", "100"}, "power of two"},
      {{"--node_id", "0"}, "node_id"},
      {{"--listen", "nohost"}, "listen"},
      {{"--peers", "1@127.0.0.1:7701,1@127.0.0.1:7711"}, "twice"},
      {{"--peers", "2@127.0.0.1:7711"}, "this node"},
      {{"--replication_factor", "3"}, "replication_factor"},
      {{"--cache_size", "lots"}, "cache_size"},
      {{"--no_such_setting", "1"}, "no_such_setting"},
  };
  for (const Case& c : cases) {
    auto parsed = Parse(c.args);
    ASSERT_FALSE(parsed.ok()) << c.args[0];
    EXPECT_NE(parsed.status().message().find(c.mentions), std::string::npos)
        << parsed.status().message();
  }
}

TEST(Config, HelpListsEverySettingOfTheContract) {
  auto parsed = Parse({"--help"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->exit_now);
  for (const char* key :
       {"node_id", "data_dir", "listen", "internode_listen", "peers", "replication_factor",
        "partitions", "durability", "gc_grace", "hint_window", "anti_entropy_interval",
        "max_clock_offset", "max_key_bytes", "max_value_bytes"}) {
    EXPECT_NE(parsed->output.find(std::string("--") + key), std::string::npos) << key;
  }
}

// The template is a config file: read back, it gives the settings it was
// printed from; every setting of --help is in it, the given ones set and the
// others commented out with their defaults.
TEST(Config, PrintConfigWritesEverySettingAndReadsBackTheSame) {
  auto printed = Parse({"--print-config", "--data_dir", "/var/lib/alder", "--node_id", "7"});
  ASSERT_TRUE(printed.ok()) << printed.status().ToString();
  ASSERT_TRUE(printed->exit_now);
  const std::string text = printed->output;
  EXPECT_NE(text.find("\ndata_dir = /var/lib/alder\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nnode_id = 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n# listen = 127.0.0.1:7700\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n# gc_grace = 10d\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n# max_value_bytes = 1048576\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n# hint_window =\n"), std::string::npos) << "no default: derived";
  const std::string help = Parse({"--help"})->output;
  for (size_t at = help.find("\n  --"); at != std::string::npos; at = help.find("\n  --", at + 1)) {
    const size_t name_start = at + 5;
    const std::string name = help.substr(name_start, help.find(' ', name_start) - name_start);
    if (name == "help" || name == "version" || name == "config" || name == "print-config") continue;
    const bool listed = text.find("\n# " + name + " =") != std::string::npos ||
                        text.find("\n" + name + " =") != std::string::npos;
    EXPECT_TRUE(listed) << name << " missing";
  }

  testing::TempDir dir;
  const std::string path = dir.Sub("alderd.conf");
  std::ofstream(path) << text;
  auto read_back = Parse({"--config", path});
  ASSERT_TRUE(read_back.ok()) << read_back.status().ToString();
  EXPECT_EQ(read_back->config.data_dir, "/var/lib/alder");
  EXPECT_EQ(read_back->config.node_id, 7u);
  EXPECT_EQ(read_back->config.listen.port, 7700);
  EXPECT_EQ(read_back->config.gc_grace, std::chrono::hours(240));
}

TEST(Config, DefaultHintWindowIsTheRuleInCode) {
  // kHintWindowRule: the shorter of 3h and half the room gc_grace leaves
  // after request_timeout.
  using std::chrono::hours, std::chrono::milliseconds, std::chrono::seconds;
  EXPECT_EQ(DefaultHintWindow(hours(240), seconds(2)), hours(3));
  EXPECT_EQ(DefaultHintWindow(hours(4), seconds(2)), milliseconds(2 * 3600 * 1000 - 1000));
  EXPECT_EQ(DefaultHintWindow(seconds(3), seconds(2)), milliseconds(500));
  EXPECT_EQ(DefaultHintWindow(seconds(2), seconds(2)), milliseconds(0));
  EXPECT_EQ(DefaultHintWindow(seconds(1), seconds(2)), milliseconds(0));

  EXPECT_EQ(Parse({}).value().config.hint_window, hours(3));
  EXPECT_EQ(Parse({"--gc_grace", "4h"}).value().config.hint_window,
            milliseconds(2 * 3600 * 1000 - 1000));
  EXPECT_EQ(Parse({"--gc_grace", "2s", "--request_timeout", "500ms"}).value().config.hint_window,
            milliseconds(750));
  EXPECT_EQ(Parse({"--gc_grace", "2s", "--hint_window", "0s"}).value().config.hint_window,
            milliseconds(0));
  EXPECT_EQ(Parse({"--gc_grace", "1h", "--hint_window", "10m"}).value().config.hint_window,
            std::chrono::minutes(10));
  EXPECT_FALSE(Parse({"--gc_grace", "2s"}).ok()) << "hints silently off";
}

TEST(Config, ParsesByteSizes) {
  EXPECT_EQ(ParseByteSize("512MB").value(), 512ull << 20);
  EXPECT_EQ(ParseByteSize("2GB").value(), 2ull << 30);
  EXPECT_EQ(ParseByteSize("4096").value(), 4096u);
  EXPECT_FALSE(ParseByteSize("12XB").ok());
  EXPECT_FALSE(ParseByteSize("").ok());
}

TEST(Config, FormatsByteSizesInTheLargestExactUnit) {
  EXPECT_EQ(FormatByteSize(256ull << 10), "256KB");
  EXPECT_EQ(FormatByteSize(256ull << 20), "256MB");
  EXPECT_EQ(FormatByteSize(2ull << 30), "2GB");
  EXPECT_EQ(FormatByteSize(1536ull << 10), "1536KB");
  EXPECT_EQ(FormatByteSize(1000), "1000B");
  EXPECT_EQ(FormatByteSize(0), "0B");
  for (uint64_t bytes : {0ull, 1000ull, 256ull << 10, 3ull << 30, ~0ull}) {
    EXPECT_EQ(ParseByteSize(FormatByteSize(bytes)).value(), bytes) << bytes;
  }
}

}  // namespace
}  // namespace alder
