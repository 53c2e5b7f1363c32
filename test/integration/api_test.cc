// Every method and every error of the public API, against a real alderd over
// a real socket with the generated C++ client.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "test/support/alderd_process.h"
#include "test/support/temp_dir.h"

namespace alder {
namespace {

using testing::AlderdProcess;
using testing::ApiClient;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    server_ = new AlderdProcess(dir_->Sub("node"));
    ASSERT_TRUE(server_->Start()) << server_->ReadLog();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->Terminate(), 0) << server_->ReadLog();
    delete server_;
    delete dir_;
  }
  void SetUp() override { client_ = std::make_unique<ApiClient>(server_->port()); }

  api::Entry Get(const std::string& key) {
    api::Entry entry;
    (*client_)->get(entry, key, api::ReadOptions());
    return entry;
  }
  bool Exists(const std::string& key) {
    try {
      Get(key);
      return true;
    } catch (const api::NotFound&) {
      return false;
    }
  }

  static testing::TempDir* dir_;
  static AlderdProcess* server_;
  std::unique_ptr<ApiClient> client_;
};
testing::TempDir* ApiTest::dir_ = nullptr;
AlderdProcess* ApiTest::server_ = nullptr;

TEST_F(ApiTest, PutThenGetReturnsValueAndVersion) {
  const int64_t version = (*client_)->put("greeting", "hello", api::WriteOptions());
  EXPECT_GT(version, 0);
  const api::Entry entry = Get("greeting");
  EXPECT_EQ(entry.value, "hello");
  EXPECT_EQ(entry.version, version);
  EXPECT_FALSE(entry.__isset.expires_at_ms);
}

TEST_F(ApiTest, PutOverwritesWithAGreaterVersion) {
  const int64_t v1 = (*client_)->put("k-overwrite", "one", api::WriteOptions());
  const int64_t v2 = (*client_)->put("k-overwrite", "two", api::WriteOptions());
  EXPECT_GT(v2, v1);
  EXPECT_EQ(Get("k-overwrite").value, "two");
}

TEST_F(ApiTest, VersionIsAnHlcTimestampNearWallClock) {
  const int64_t version = (*client_)->put("k-hlc", "v", api::WriteOptions());
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t wall_ms = version >> 16;
  EXPECT_NEAR(static_cast<double>(wall_ms), static_cast<double>(now_ms), 5000.0);
}

TEST_F(ApiTest, GetOfAMissingKeyThrowsNotFoundWithTheKey) {
  try {
    Get("never-written");
    FAIL() << "expected NotFound";
  } catch (const api::NotFound& e) {
    EXPECT_EQ(e.key, "never-written");
  }
}

TEST_F(ApiTest, RemoveHidesTheValueAndReturnsANewerVersion) {
  const int64_t put_version = (*client_)->put("k-remove", "v", api::WriteOptions());
  const int64_t remove_version = (*client_)->remove("k-remove", api::WriteOptions());
  EXPECT_GT(remove_version, put_version);
  EXPECT_FALSE(Exists("k-remove"));
  // A newer put brings the key back.
  (*client_)->put("k-remove", "again", api::WriteOptions());
  EXPECT_EQ(Get("k-remove").value, "again");
}

TEST_F(ApiTest, RemovingAnAbsentKeyIsNotAnError) {
  EXPECT_GT((*client_)->remove("k-never-there", api::WriteOptions()), 0);
  EXPECT_FALSE(Exists("k-never-there"));
}

TEST_F(ApiTest, ValuesWithTtlExpire) {
  api::WriteOptions options;
  options.__set_ttl_ms(300);
  const int64_t version = (*client_)->put("k-ttl", "short-lived", options);
  const api::Entry entry = Get("k-ttl");
  ASSERT_TRUE(entry.__isset.expires_at_ms);
  EXPECT_EQ(entry.expires_at_ms, (version >> 16) + 300);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_FALSE(Exists("k-ttl"));
}

TEST_F(ApiTest, PutWithoutTtlClearsAnEarlierTtl) {
  api::WriteOptions ttl;
  ttl.__set_ttl_ms(200);
  (*client_)->put("k-ttl-cleared", "v1", ttl);
  (*client_)->put("k-ttl-cleared", "v2", api::WriteOptions());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Get("k-ttl-cleared").value, "v2");
}

TEST_F(ApiTest, EveryConsistencyLevelWorksOnOneNode) {
  for (auto level : {api::Consistency::ONE, api::Consistency::QUORUM, api::Consistency::ALL}) {
    api::WriteOptions w;
    w.__set_consistency(level);
    (*client_)->put("k-level", std::to_string(level), w);
    api::ReadOptions r;
    r.__set_consistency(level);
    api::Entry entry;
    (*client_)->get(entry, "k-level", r);
    EXPECT_EQ(entry.value, std::to_string(level));
  }
}

TEST_F(ApiTest, BinaryValuesWithAll256ByteValuesRoundTrip) {
  std::string value;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b) value.push_back(static_cast<char>(b));
  }
  (*client_)->put("k-binary", value, api::WriteOptions());
  EXPECT_EQ(Get("k-binary").value, value);
  (*client_)->put("k-empty", "", api::WriteOptions());
  EXPECT_EQ(Get("k-empty").value, "");
}

TEST_F(ApiTest, UnicodeKeysAreDistinctAndExact) {
  const std::vector<std::string> keys = {"ключ", "键", "🔑", "cle\xCC\x81", "cl\xC3\xA9"};
  for (const auto& k : keys) (*client_)->put(k, "v:" + k, api::WriteOptions());
  for (const auto& k : keys) EXPECT_EQ(Get(k).value, "v:" + k);
}

TEST_F(ApiTest, KeysAtTheLimitWorkAndOverItAreRejected) {
  const std::string at_limit(2048, 'k');
  (*client_)->put(at_limit, "v", api::WriteOptions());
  EXPECT_EQ(Get(at_limit).value, "v");
  const std::string over(2049, 'k');
  try {
    (*client_)->put(over, "v", api::WriteOptions());
    FAIL() << "expected InvalidArgument";
  } catch (const api::InvalidArgument& e) {
    EXPECT_NE(e.message.find("2049"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("2048"), std::string::npos) << e.message;
  }
  EXPECT_THROW(Get(over), api::InvalidArgument);
  EXPECT_THROW((*client_)->remove(over, api::WriteOptions()), api::InvalidArgument);
}

TEST_F(ApiTest, EmptyKeyIsRejectedEverywhere) {
  EXPECT_THROW((*client_)->put("", "v", api::WriteOptions()), api::InvalidArgument);
  EXPECT_THROW(Get(""), api::InvalidArgument);
  EXPECT_THROW((*client_)->remove("", api::WriteOptions()), api::InvalidArgument);
}

TEST_F(ApiTest, ValueAtOneMebibyteWorksAndOverItIsRejectedStoringNothing) {
  const std::string at_limit(1 << 20, 'v');
  (*client_)->put("k-big", at_limit, api::WriteOptions());
  EXPECT_EQ(Get("k-big").value.size(), at_limit.size());
  try {
    (*client_)->put("k-too-big", at_limit + "x", api::WriteOptions());
    FAIL() << "expected InvalidArgument";
  } catch (const api::InvalidArgument& e) {
    EXPECT_NE(e.message.find("1048577"), std::string::npos) << e.message;
  }
  EXPECT_FALSE(Exists("k-too-big"));
}

TEST_F(ApiTest, OneConnectionCarriesMoreThanAnyMessageLimitInAll) {
  // 130 puts of 1 MiB: more than Thrift's 100 MB default message budget and
  // a hundred times the configured one, through one connection. The budget
  // must apply per message, not accumulate over the connection.
  const std::string value(1 << 20, 'x');
  for (int i = 0; i < 130; ++i) {
    (*client_)->put("k-many-big", value, api::WriteOptions());
    ASSERT_EQ(Get("k-many-big").value.size(), value.size()) << "round " << i;
  }
}

TEST_F(ApiTest, BadTtlIsRejectedStoringNothing) {
  for (int64_t ttl : {int64_t{0}, int64_t{-5}, int64_t{3650} * 86'400'000 + 1}) {
    api::WriteOptions options;
    options.__set_ttl_ms(ttl);
    EXPECT_THROW((*client_)->put("k-bad-ttl", "v", options), api::InvalidArgument) << ttl;
  }
  EXPECT_FALSE(Exists("k-bad-ttl"));
}

TEST_F(ApiTest, UnknownConsistencyIsRejected) {
  api::WriteOptions options;
  options.__set_consistency(static_cast<api::Consistency::type>(7));
  EXPECT_THROW((*client_)->put("k-level-bad", "v", options), api::InvalidArgument);
  EXPECT_FALSE(Exists("k-level-bad"));
}

TEST_F(ApiTest, ManyConcurrentClientsEachSeeTheirOwnWrites) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      ApiClient client(server_->port());
      for (int i = 0; i < 50; ++i) {
        const std::string key = "c" + std::to_string(t) + "-" + std::to_string(i);
        client->put(key, key, api::WriteOptions());
        api::Entry e;
        client->get(e, key, api::ReadOptions());
        if (e.value != key) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace alder
