// Hash operations on a database: results, create-if-absent, delete-when-empty, and the keyspace
// events each reports in Redis 7.0's order (src/t_hash.c).
#include "storage/hash_ops.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/clock.h"
#include "tests/storage/event_recorder.h"

namespace respd::storage {
namespace {

using Strings = std::vector<std::string>;
using Views = std::vector<std::string_view>;

class HashOpsTest : public ::testing::Test {
 protected:
  HashOpsTest() {
    SetCommandTimeMs(1'000'000);
    store_.AddObserver(&recorder_);
  }

  Database& db() { return store_.db(0); }

  void Seed(std::string_view key, Views field_values) {
    ASSERT_TRUE(HSet(db(), key, field_values, false, limits_).ok());
    recorder_.Clear();
  }

  std::string Field(std::string_view key, std::string_view field) {
    auto found = FindHash(db(), key);
    if (!found.ok()) return "<no hash>";
    auto value = (*found)->Get(field);
    return value ? std::string(*value) : "<none>";
  }

  Store store_{1, /*locking=*/false};
  EventRecorder recorder_;
  HashLimits limits_;
};

TEST_F(HashOpsTest, SetCreatesCountsNewFieldsAndAlwaysReports) {
  EXPECT_EQ(*HSet(db(), "h", Views{"a", "1", "b", "2"}, false, limits_), 2u);
  EXPECT_EQ(recorder_.Take(), Strings{"hset:h"});
  EXPECT_TRUE(recorder_.ready.empty());  // nobody blocks on a hash
  EXPECT_EQ(*HSet(db(), "h", Views{"a", "1", "c", "3"}, false, limits_), 1u);
  EXPECT_EQ(recorder_.Take(), Strings{"hset:h"});
  EXPECT_EQ(Field("h", "c"), "3");
}

TEST_F(HashOpsTest, SetOnlyNewFieldsKeepsExistingValuesSilently) {
  EXPECT_EQ(*HSet(db(), "h", Views{"a", "1"}, true, limits_), 1u);
  EXPECT_EQ(recorder_.Take(), Strings{"hset:h"});
  recorder_.Clear();
  EXPECT_EQ(*HSet(db(), "h", Views{"a", "2"}, true, limits_), 0u);
  EXPECT_EQ(Field("h", "a"), "1");
  EXPECT_TRUE(recorder_.events.empty());
  EXPECT_TRUE(recorder_.modified.empty());
}

TEST_F(HashOpsTest, OtherTypesAreWrongTypeAndUntouched) {
  db().SetString("s", "v", Entry::kNoExpire);
  recorder_.Clear();
  EXPECT_EQ(HSet(db(), "s", Views{"a", "1"}, false, limits_).status(), OpStatus::kWrongType);
  EXPECT_EQ(HDel(db(), "s", Views{"a"}).status(), OpStatus::kWrongType);
  EXPECT_EQ(HIncrBy(db(), "s", "a", 1, limits_).status(), OpStatus::kWrongType);
  EXPECT_EQ(HIncrByFloat(db(), "s", "a", 1, limits_).status(), OpStatus::kWrongType);
  EXPECT_EQ(FindHash(db(), "s").status(), OpStatus::kWrongType);
  EXPECT_TRUE(recorder_.events.empty());
  EXPECT_TRUE(recorder_.modified.empty());
}

TEST_F(HashOpsTest, DelReportsHdelThenDelWhenEmptied) {
  EXPECT_EQ(HDel(db(), "h", Views{"a"}).status(), OpStatus::kKeyNotFound);
  Seed("h", {"a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(*HDel(db(), "h", Views{"a", "zz", "a"}), 1u);
  EXPECT_EQ(recorder_.Take(), Strings{"hdel:h"});
  EXPECT_EQ(*HDel(db(), "h", Views{"zz"}), 0u);
  EXPECT_TRUE(recorder_.events.empty());
  EXPECT_EQ(*HDel(db(), "h", Views{"b", "c"}), 2u);
  EXPECT_EQ(recorder_.Take(), (Strings{"hdel:h", "del:h"}));
  EXPECT_EQ(FindHash(db(), "h").status(), OpStatus::kKeyNotFound);
}

TEST_F(HashOpsTest, IncrByCreatesAndChecksTheStoredValue) {
  EXPECT_EQ(*HIncrBy(db(), "h", "n", 5, limits_), 5);
  EXPECT_EQ(*HIncrBy(db(), "h", "n", -7, limits_), -2);
  EXPECT_EQ(recorder_.Take(), (Strings{"hincrby:h", "hincrby:h"}));
  Seed("h", {"s", "text", "big", "9223372036854775807"});
  EXPECT_EQ(HIncrBy(db(), "h", "s", 1, limits_).status(), OpStatus::kNotInteger);
  EXPECT_EQ(HIncrBy(db(), "h", "big", 1, limits_).status(), OpStatus::kOverflow);
  EXPECT_EQ(Field("h", "big"), "9223372036854775807");
  EXPECT_TRUE(recorder_.events.empty());
}

TEST_F(HashOpsTest, IncrByFloatFormatsLikeRedis) {
  EXPECT_EQ(*HIncrByFloat(db(), "h", "f", 10.5L, limits_), "10.5");
  EXPECT_EQ(*HIncrByFloat(db(), "h", "f", -0.5L, limits_), "10");
  EXPECT_EQ(Field("h", "f"), "10");
  EXPECT_EQ(recorder_.Take(), (Strings{"hincrbyfloat:h", "hincrbyfloat:h"}));
  Seed("h", {"s", "text", "max", "1e4932"});
  EXPECT_EQ(HIncrByFloat(db(), "h", "s", 1, limits_).status(), OpStatus::kNotFloat);
  EXPECT_EQ(HIncrByFloat(db(), "h", "max", 1e4932L, limits_).status(), OpStatus::kNanOrInfinity);
  EXPECT_TRUE(recorder_.events.empty());
}

TEST_F(HashOpsTest, FailedCountersCreateNoKey) {
  db().SetString("s", "v", Entry::kNoExpire);
  EXPECT_EQ(HIncrBy(db(), "s", "n", 1, limits_).status(), OpStatus::kWrongType);
  EXPECT_EQ(db().Size(), 1u);
}

}  // namespace
}  // namespace respd::storage
