#include "server/rpc/request_limits.h"

#include <gtest/gtest.h>

namespace alder {
namespace {

TEST(RequestLimits, KeysMustBeOneToMaxBytes) {
  const RequestLimits limits;
  EXPECT_FALSE(ValidateKey("", limits).ok());
  EXPECT_TRUE(ValidateKey("k", limits).ok());
  EXPECT_TRUE(ValidateKey(std::string(2048, 'k'), limits).ok());
  const Status over = ValidateKey(std::string(2049, 'k'), limits);
  EXPECT_EQ(over.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(over.message().find("2049"), std::string::npos);
  EXPECT_NE(over.message().find("2048"), std::string::npos);
}

TEST(RequestLimits, ValuesMayBeEmptyUpToMaxBytes) {
  const RequestLimits limits;
  EXPECT_TRUE(ValidateValue("", limits).ok());
  EXPECT_TRUE(ValidateValue(std::string(1 << 20, 'v'), limits).ok());
  EXPECT_FALSE(ValidateValue(std::string((1 << 20) + 1, 'v'), limits).ok());
}

TEST(RequestLimits, TtlIsOneMillisecondToTenYears) {
  EXPECT_FALSE(ValidateTtlMs(0).ok());
  EXPECT_FALSE(ValidateTtlMs(-1).ok());
  EXPECT_TRUE(ValidateTtlMs(1).ok());
  EXPECT_TRUE(ValidateTtlMs(RequestLimits::kMaxTtlMs).ok());
  EXPECT_FALSE(ValidateTtlMs(RequestLimits::kMaxTtlMs + 1).ok());
}

}  // namespace
}  // namespace alder
