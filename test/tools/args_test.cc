#include "tools/args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace alder::tools {
namespace {

using std::chrono::milliseconds;
using testing::HasSubstr;

TEST(ArgsTest, ConsistencyAcceptsTheThreeLevelsInAnyCase) {
  EXPECT_EQ(ParseConsistencyArg("--consistency", "one").value(), Consistency::kOne);
  EXPECT_EQ(ParseConsistencyArg("--consistency", "QUORUM").value(), Consistency::kQuorum);
  EXPECT_EQ(ParseConsistencyArg("--consistency", "All").value(), Consistency::kAll);
}

TEST(ArgsTest, ConsistencyRejectsOthersNamingTheChoices) {
  const auto r = ParseConsistencyArg("--consistency", "two");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("--consistency"));
  EXPECT_THAT(r.error(), HasSubstr("'two'"));
  EXPECT_THAT(r.error(), HasSubstr("one, quorum or all"));
  EXPECT_FALSE(ParseConsistencyArg("--consistency", "").ok());
}

TEST(ArgsTest, DurationAcceptsEveryUnit) {
  EXPECT_EQ(ParsePositiveDurationArg("--ttl", "500ms").value(), milliseconds(500));
  EXPECT_EQ(ParsePositiveDurationArg("--ttl", "30s").value(), milliseconds(30'000));
  EXPECT_EQ(ParsePositiveDurationArg("--ttl", "10m").value(), milliseconds(600'000));
  EXPECT_EQ(ParsePositiveDurationArg("--ttl", "3h").value(), milliseconds(10'800'000));
  EXPECT_EQ(ParsePositiveDurationArg("--ttl", "10d").value(), milliseconds(864'000'000));
}

TEST(ArgsTest, DurationRejectsMissingUnitsFractionsAndNegatives) {
  for (const char* bad : {"30", "1.5s", "-5s", "s", "", "5 s", "5sec", "10w", "30s "}) {
    const auto r = ParsePositiveDurationArg("--ttl", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.error(), HasSubstr("--ttl: '"));
    EXPECT_THAT(r.error(), HasSubstr("500ms, 30s, 10m, 3h, 10d"));
  }
}

TEST(ArgsTest, DurationRejectsZero) {
  const auto r = ParsePositiveDurationArg("--timeout", "0s");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "--timeout: must be greater than 0");
}

TEST(ArgsTest, DurationRejectsOverflow) {
  EXPECT_FALSE(ParsePositiveDurationArg("--ttl", "99999999999999999d").ok());
}

TEST(ArgsTest, UnsignedChecksRangeAndSyntax) {
  EXPECT_EQ(ParseUnsignedArg("--keys", "100000", 1, 1'000'000).value(), 100000u);
  EXPECT_EQ(ParseUnsignedArg("--keys", "1", 1, 10).value(), 1u);
  EXPECT_EQ(ParseUnsignedArg("--keys", "0", 1, 10).error(), "--keys: 0 is out of range 1..10");
  EXPECT_EQ(ParseUnsignedArg("--keys", "11", 1, 10).error(), "--keys: 11 is out of range 1..10");
  EXPECT_EQ(ParseUnsignedArg("--keys", "-1", 0, 10).error(), "--keys: '-1' is not a whole number");
  EXPECT_FALSE(ParseUnsignedArg("--keys", "1e5", 0, UINT64_MAX).ok());
  EXPECT_FALSE(ParseUnsignedArg("--keys", "", 0, UINT64_MAX).ok());
  EXPECT_FALSE(ParseUnsignedArg("--keys", "12abc", 0, UINT64_MAX).ok());
  EXPECT_THAT(ParseUnsignedArg("--keys", "99999999999999999999999", 0, UINT64_MAX).error(),
              HasSubstr("too large"));
}

TEST(ArgsTest, RatioAcceptsZeroToOne) {
  EXPECT_DOUBLE_EQ(ParseRatioArg("--read-ratio", "0").value(), 0.0);
  EXPECT_DOUBLE_EQ(ParseRatioArg("--read-ratio", "0.95").value(), 0.95);
  EXPECT_DOUBLE_EQ(ParseRatioArg("--read-ratio", "1").value(), 1.0);
  EXPECT_FALSE(ParseRatioArg("--read-ratio", "1.01").ok());
  EXPECT_FALSE(ParseRatioArg("--read-ratio", "-0.1").ok());
  EXPECT_FALSE(ParseRatioArg("--read-ratio", "nan").ok());
  EXPECT_FALSE(ParseRatioArg("--read-ratio", "half").ok());
  EXPECT_FALSE(ParseRatioArg("--read-ratio", "").ok());
}

TEST(ArgsTest, PortIsOneTo65535) {
  EXPECT_EQ(ParsePortArg("--port", "7700").value(), 7700);
  EXPECT_EQ(ParsePortArg("--port", "65535").value(), 65535);
  EXPECT_FALSE(ParsePortArg("--port", "0").ok());
  EXPECT_FALSE(ParsePortArg("--port", "65536").ok());
  EXPECT_FALSE(ParsePortArg("--port", "http").ok());
}

}  // namespace
}  // namespace alder::tools
