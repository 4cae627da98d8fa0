// String operations on a database: SET and its variants, MSET, GETDEL, counters, APPEND, SETRANGE
// (with the events each reports, as redis-server 7.0 reports them), GETRANGE slices and LCS.
#include "storage/string_ops.h"

#include <gtest/gtest.h>

#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "storage/clock.h"
#include "storage/list_object.h"
#include "tests/storage/recording_observer.h"

namespace respd::storage {
namespace {

using Events = std::vector<std::string>;
using Condition = SetParams::Condition;

class StringOpsTest : public ::testing::Test {
 protected:
  StringOpsTest() {
    store_.AddObserver(&observer_);
    SetCommandTimeMs(1'000'000);
  }

  Database& db() { return store_.db(0); }
  std::string Value(std::string_view key) {
    Entry* e = db().FindRead(key);
    return e == nullptr ? "<none>" : std::string(e->str());
  }

  // Sets a string without reporting events, then forgets what was recorded.
  void Given(std::string_view key, std::string_view value, int64_t expire_at = Entry::kNoExpire) {
    db().SetString(key, value, expire_at);
    observer_.Clear();
  }

  RecordingObserver observer_;
  Store store_{1, /*locking=*/false};
};

TEST_F(StringOpsTest, SetCreatesOrReplacesAndReportsNewThenSet) {
  uint64_t dirty = store_.dirty();
  OpResult<SetOutcome> first = Set(db(), "k", "v1", {});
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->written);
  EXPECT_FALSE(first->old_value);
  EXPECT_TRUE(Set(db(), "k", "v2", {})->written);
  EXPECT_EQ(Value("k"), "v2");
  EXPECT_EQ(observer_.events, (Events{"0:new:k", "0:set:k", "0:set:k"}));
  EXPECT_EQ(store_.dirty() - dirty, 2u);
}

TEST_F(StringOpsTest, SetWithAnExpireTimeReportsExpireAfterSet) {
  EXPECT_TRUE(Set(db(), "k", "v", {.expire_at_ms = 5'000'000})->written);
  EXPECT_EQ(db().Peek("k")->expire_at(), 5'000'000);
  EXPECT_EQ(observer_.events, (Events{"0:new:k", "0:set:k", "0:expire:k"}));
}

TEST_F(StringOpsTest, SetKeepsOrDropsTheTtl) {
  Given("k", "v", 5'000'000);
  Set(db(), "k", "w", {.keep_ttl = true});
  EXPECT_EQ(db().Peek("k")->expire_at(), 5'000'000);
  Set(db(), "k", "x", {});
  EXPECT_FALSE(db().Peek("k")->has_expire());
  EXPECT_EQ(observer_.events, (Events{"0:set:k", "0:set:k"}));
}

TEST_F(StringOpsTest, SetConditionsSkipWithoutEvents) {
  Given("k", "v");
  uint64_t dirty = store_.dirty();
  EXPECT_FALSE(Set(db(), "k", "w", {.condition = Condition::kIfAbsent})->written);
  EXPECT_FALSE(Set(db(), "missing", "w", {.condition = Condition::kIfPresent})->written);
  EXPECT_EQ(Value("k"), "v");
  EXPECT_EQ(db().Peek("missing"), nullptr);
  EXPECT_TRUE(observer_.events.empty());
  EXPECT_EQ(store_.dirty(), dirty);
  EXPECT_TRUE(Set(db(), "k", "w", {.condition = Condition::kIfPresent})->written);
  EXPECT_TRUE(Set(db(), "n", "w", {.condition = Condition::kIfAbsent})->written);
  EXPECT_EQ(observer_.events, (Events{"0:set:k", "0:new:n", "0:set:n"}));
}

TEST_F(StringOpsTest, SetGetReturnsTheOldValueAndCountsAReadLookup) {
  Given("k", "old");
  uint64_t hits = store_.stats().keyspace_hits;
  uint64_t misses = store_.stats().keyspace_misses;
  OpResult<SetOutcome> got = Set(db(), "k", "new", {.get_old = true});
  EXPECT_EQ(got->old_value, "old");
  EXPECT_TRUE(got->written);
  // NX refuses the write but GET still returns the value.
  got = Set(db(), "k", "newer", {.condition = Condition::kIfAbsent, .get_old = true});
  EXPECT_EQ(got->old_value, "new");
  EXPECT_FALSE(got->written);
  got = Set(db(), "absent", "v", {.get_old = true});
  EXPECT_FALSE(got->old_value);
  EXPECT_EQ(store_.stats().keyspace_hits - hits, 2u);
  EXPECT_EQ(store_.stats().keyspace_misses - misses, 1u);
}

TEST_F(StringOpsTest, SetGetRefusesOtherTypesButPlainSetReplacesThem) {
  db().AddObject("h", std::make_unique<List>());
  observer_.Clear();
  EXPECT_EQ(Set(db(), "h", "v", {.get_old = true}).status(), OpStatus::kWrongType);
  EXPECT_EQ(db().Peek("h")->type(), ValueType::kList);
  EXPECT_TRUE(observer_.events.empty());
  EXPECT_TRUE(Set(db(), "h", "v", {})->written);
  EXPECT_EQ(Value("h"), "v");
  EXPECT_EQ(observer_.events, Events{"0:set:h"});
}

TEST_F(StringOpsTest, MSetWritesEveryPairInOrder) {
  Given("a", "old");
  std::string_view pairs[] = {"a", "1", "b", "2", "a", "3"};
  uint64_t dirty = store_.dirty();
  EXPECT_TRUE(MSet(db(), pairs, /*only_if_none_exist=*/false));
  EXPECT_EQ(Value("a"), "3");
  EXPECT_EQ(Value("b"), "2");
  EXPECT_EQ(observer_.events, (Events{"0:set:a", "0:new:b", "0:set:b", "0:set:a"}));
  EXPECT_EQ(store_.dirty() - dirty, 3u);
}

TEST_F(StringOpsTest, MSetNxWritesNothingWhenAKeyExists) {
  Given("b", "old");
  std::string_view pairs[] = {"a", "1", "b", "2"};
  EXPECT_FALSE(MSet(db(), pairs, /*only_if_none_exist=*/true));
  EXPECT_EQ(db().Peek("a"), nullptr);
  EXPECT_TRUE(observer_.events.empty());
  std::string_view fresh[] = {"c", "1", "d", "2"};
  EXPECT_TRUE(MSet(db(), fresh, true));
  EXPECT_EQ(observer_.events, (Events{"0:new:c", "0:set:c", "0:new:d", "0:set:d"}));
}

TEST_F(StringOpsTest, GetDelReturnsAndDeletes) {
  Given("k", "v");
  EXPECT_EQ(**GetDel(db(), "k"), "v");
  EXPECT_EQ(db().Peek("k"), nullptr);
  EXPECT_FALSE(*GetDel(db(), "k"));
  EXPECT_EQ(observer_.events, (Events{"0:del:k", "0:keymiss:k"}));
}

TEST_F(StringOpsTest, WritersReportRedisEvents) {
  IncrBy(db(), "i", 1);   // created
  IncrBy(db(), "i", 1);   // rewritten in place
  IncrBy(db(), "i", 10);  // wider: rewritten as a new entry
  IncrBy(db(), "i", -1);
  IncrByFloat(db(), "i", "1.5");
  Append(db(), "a", "x", 100);
  Append(db(), "a", "y", 100);
  SetRange(db(), "r", 1, "xy", 100);
  SetRange(db(), "r", 0, "", 100);  // writes nothing: no event
  SetRange(db(), "r", 0, "z", 100);
  EXPECT_EQ(observer_.events, (Events{"0:new:i", "0:incrby:i", "0:incrby:i", "0:incrby:i",
                                      "0:incrby:i", "0:incrbyfloat:i", "0:new:a", "0:append:a",
                                      "0:append:a", "0:new:r", "0:setrange:r", "0:setrange:r"}));
}

TEST_F(StringOpsTest, FailedWritersReportNothing) {
  Given("s", "text");
  uint64_t dirty = store_.dirty();
  EXPECT_FALSE(IncrBy(db(), "s", 1).ok());
  EXPECT_FALSE(IncrByFloat(db(), "s", "x").ok());
  EXPECT_FALSE(Append(db(), "s", "toolong", 5).ok());
  EXPECT_FALSE(SetRange(db(), "s", 10, "x", 5).ok());
  EXPECT_TRUE(observer_.events.empty());
  EXPECT_EQ(store_.dirty(), dirty);
}

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
