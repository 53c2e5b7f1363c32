#include "server/common/duration.h"

#include <gtest/gtest.h>

namespace alder {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(ParseDuration("500ms"), 500ms);
  EXPECT_EQ(ParseDuration("30s"), 30s);
  EXPECT_EQ(ParseDuration("10m"), 10min);
  EXPECT_EQ(ParseDuration("3h"), 3h);
  EXPECT_EQ(ParseDuration("10d"), std::chrono::hours(240));
  EXPECT_EQ(ParseDuration("0s"), 0ms);
}

TEST(Duration, RejectsWhatIsNotADuration) {
  for (const char* bad :
       {"", "10", "s", "-5s", "1.5s", "10 s", "10sec", "5w", "99999999999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(Duration, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(FormatDuration(std::chrono::hours(240)), "10d");
  EXPECT_EQ(FormatDuration(90s), "90s");
  EXPECT_EQ(FormatDuration(1500ms), "1500ms");
  EXPECT_EQ(FormatDuration(0ms), "0ms");
}

}  // namespace
}  // namespace alder
