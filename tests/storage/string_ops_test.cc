// String operations on a database: counters, APPEND, SETRANGE, GETRANGE slices and LCS.
#include "storage/string_ops.h"

#include <gtest/gtest.h>

#include <climits>

#include "storage/clock.h"

namespace respd::storage {
namespace {

class StringOpsTest : public ::testing::Test {
 protected:
  StringOpsTest() { SetCommandTimeMs(1'000'000); }

  Database& db() { return store_.db(0); }
  std::string Value(std::string_view key) {
    Entry* e = db().FindRead(key);
    return e == nullptr ? "<none>" : std::string(e->str());
  }

  Store store_{1, /*locking=*/false};
};

TEST_F(StringOpsTest, IncrByCreatesAndAdds) {
  EXPECT_EQ(*IncrBy(db(), "c", 5), 5);
  EXPECT_EQ(*IncrBy(db(), "c", -7), -2);
  EXPECT_EQ(Value("c"), "-2");
  EXPECT_EQ(db().FindRead("c")->StringEncodingName(), "int");
}

TEST_F(StringOpsTest, IncrByRejectsNonIntegersAndOverflow) {
  db().SetString("s", "1.0", Entry::kNoExpire);
  EXPECT_EQ(IncrBy(db(), "s", 1).status(), OpStatus::kNotInteger);
  db().SetString("s", " 1", Entry::kNoExpire);
  EXPECT_EQ(IncrBy(db(), "s", 1).status(), OpStatus::kNotInteger);
  db().SetString("m", "9223372036854775807", Entry::kNoExpire);
  EXPECT_EQ(IncrBy(db(), "m", 1).status(), OpStatus::kOverflow);
  EXPECT_EQ(*IncrBy(db(), "m", INT64_MIN), -1);
  db().SetString("n", "-9223372036854775808", Entry::kNoExpire);
  EXPECT_EQ(IncrBy(db(), "n", -1).status(), OpStatus::kOverflow);
}

TEST_F(StringOpsTest, CountersKeepTheirTtl) {
  db().SetString("t", "9", 5'000'000);
  EXPECT_EQ(*IncrBy(db(), "t", 1), 10);  // width changes: the key is rewritten
  EXPECT_EQ(db().FindRead("t")->expire_at(), 5'000'000);
  EXPECT_EQ(*IncrByFloat(db(), "t", "0.5"), "10.5");
  EXPECT_EQ(db().FindRead("t")->expire_at(), 5'000'000);
}

TEST_F(StringOpsTest, IncrByAfterAppendIsIntAgain) {
  db().SetString("r", "1", Entry::kNoExpire);
  ASSERT_TRUE(Append(db(), "r", "2", 1 << 20).ok());
  EXPECT_EQ(db().FindRead("r")->StringEncodingName(), "raw");
  EXPECT_EQ(*IncrBy(db(), "r", 1), 13);
  EXPECT_EQ(db().FindRead("r")->StringEncodingName(), "int");
}

TEST_F(StringOpsTest, IncrByFloatFormatsLikeRedis) {
  EXPECT_EQ(*IncrByFloat(db(), "f", "10.5"), "10.5");
  EXPECT_EQ(*IncrByFloat(db(), "f", "0.1"), "10.6");
  EXPECT_EQ(*IncrByFloat(db(), "f", "-0.6"), "10");
  EXPECT_EQ(db().FindRead("f")->StringEncodingName(), "embstr");
  EXPECT_EQ(*IncrByFloat(db(), "f", "5.0e3"), "5010");
  EXPECT_EQ(IncrByFloat(db(), "f", "abc").status(), OpStatus::kNotFloat);
  EXPECT_EQ(IncrByFloat(db(), "f", "inf").status(), OpStatus::kNanOrInfinity);
  db().SetString("s", "x", Entry::kNoExpire);
  EXPECT_EQ(IncrByFloat(db(), "s", "1").status(), OpStatus::kNotFloat);
}

TEST_F(StringOpsTest, AppendGrowsAndLimits) {
  EXPECT_EQ(*Append(db(), "a", "12", 10), 2u);
  EXPECT_EQ(db().FindRead("a")->StringEncodingName(), "int");
  EXPECT_EQ(*Append(db(), "a", "345", 10), 5u);
  EXPECT_EQ(Value("a"), "12345");
  EXPECT_EQ(db().FindRead("a")->StringEncodingName(), "raw");
  EXPECT_EQ(Append(db(), "a", "678901", 10).status(), OpStatus::kStringTooLong);
  EXPECT_EQ(*Append(db(), "a", "67890", 10), 10u);
}

TEST_F(StringOpsTest, SetRangePadsWithZeros) {
  EXPECT_EQ(*SetRange(db(), "r", 3, "ab", 100), 5u);
  EXPECT_EQ(Value("r"), std::string("\0\0\0ab", 5));
  EXPECT_EQ(db().FindRead("r")->StringEncodingName(), "raw");
  EXPECT_EQ(*SetRange(db(), "r", 0, "X", 100), 5u);
  EXPECT_EQ(Value("r"), std::string("X\0\0ab", 5));
  EXPECT_EQ(*SetRange(db(), "r", 50, "", 100), 5u);
  EXPECT_EQ(*SetRange(db(), "none", 50, "", 100), 0u);
  EXPECT_EQ(db().FindRead("none"), nullptr);
  EXPECT_EQ(SetRange(db(), "r", 99, "ab", 100).status(), OpStatus::kStringTooLong);
  EXPECT_EQ(SetRange(db(), "r", UINT64_MAX - 1, "ab", 100).status(), OpStatus::kStringTooLong);
}

TEST_F(StringOpsTest, SubstringFollowsGetrange) {
  std::string_view s = "Hello World";
  EXPECT_EQ(Substring(s, 0, 4), "Hello");
  EXPECT_EQ(Substring(s, -5, -1), "World");
  EXPECT_EQ(Substring(s, -1, -5), "");
  EXPECT_EQ(Substring(s, 5, 1), "");
  EXPECT_EQ(Substring(s, 0, -100), "H");
  EXPECT_EQ(Substring(s, -100, 100), "Hello World");
  EXPECT_EQ(Substring(s, 100, 200), "");
  EXPECT_EQ(Substring(s, INT64_MIN, INT64_MAX), "Hello World");
  EXPECT_EQ(Substring("", 0, -1), "");
}

TEST_F(StringOpsTest, LcsTextLengthAndRuns) {
  LcsResult r = Lcs("ohmytext", "mynewtext", true, true);
  EXPECT_EQ(r.length, 6u);
  EXPECT_EQ(r.text, "mytext");
  ASSERT_EQ(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].a_start, 4u);
  EXPECT_EQ(r.matches[0].a_end, 7u);
  EXPECT_EQ(r.matches[0].b_start, 5u);
  EXPECT_EQ(r.matches[0].b_end, 8u);
  EXPECT_EQ(r.matches[1].length(), 2u);
  EXPECT_EQ(r.matches[1].a_start, 2u);
  EXPECT_EQ(r.matches[1].b_start, 0u);

  LcsResult len_only = Lcs("ohmytext", "mynewtext", false, false);
  EXPECT_EQ(len_only.length, 6u);
  EXPECT_TRUE(len_only.text.empty());
  EXPECT_TRUE(len_only.matches.empty());
  EXPECT_EQ(Lcs("", "abc", true, true).length, 0u);
  EXPECT_EQ(LcsTableBytes(1, 2), 24u);
}

}  // namespace
}  // namespace respd::storage
