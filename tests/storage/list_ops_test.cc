// List operations on a database: results, create-if-absent, delete-when-empty, and the keyspace
// events each reports in Redis 7.0's order (src/t_list.c).
#include "storage/list_ops.h"

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

class ListOpsTest : public ::testing::Test {
 protected:
  ListOpsTest() {
    SetCommandTimeMs(1'000'000);
    store_.AddObserver(&recorder_);
  }

  Database& db() { return store_.db(0); }

  // Pushes at the tail and forgets what that reported.
  void Seed(std::string_view key, std::vector<std::string_view> values) {
    ASSERT_TRUE(ListPush(db(), key, values, ListEnd::kTail, false, List::kDefaultFill).ok());
    recorder_.Clear();
  }

  Strings Elements(std::string_view key) {
    auto found = FindList(db(), key);
    if (!found.ok()) return {"<none>"};
    Strings out;
    (*found)->Walk(0, false, [&](size_t, std::string_view v) {
      out.emplace_back(v);
      return true;
    });
    return out;
  }

  Store store_{1, /*locking=*/false};
  EventRecorder recorder_;
};

TEST_F(ListOpsTest, PushCreatesSignalsReadyAndReportsItsEnd) {
  std::vector<std::string_view> values{"a", "b"};
  EXPECT_EQ(*ListPush(db(), "l", values, ListEnd::kHead, false, List::kDefaultFill), 2u);
  EXPECT_EQ(Elements("l"), (Strings{"b", "a"}));
  EXPECT_EQ(recorder_.ready, Strings{"l"});
  EXPECT_EQ(recorder_.Take(), Strings{"lpush:l"});
  recorder_.Clear();
  EXPECT_EQ(*ListPush(db(), "l", values, ListEnd::kTail, false, List::kDefaultFill), 4u);
  EXPECT_TRUE(recorder_.ready.empty());  // only a new key wakes waiters
  EXPECT_EQ(recorder_.Take(), Strings{"rpush:l"});
}

TEST_F(ListOpsTest, PushOnlyExistingLeavesAMissingKeyAlone) {
  std::vector<std::string_view> values{"a"};
  EXPECT_EQ(ListPush(db(), "l", values, ListEnd::kHead, true, List::kDefaultFill).status(),
            OpStatus::kKeyNotFound);
  EXPECT_EQ(Elements("l"), Strings{"<none>"});
  EXPECT_TRUE(recorder_.events.empty());
  Seed("l", {"x"});
  EXPECT_EQ(*ListPush(db(), "l", values, ListEnd::kHead, true, List::kDefaultFill), 2u);
  EXPECT_EQ(recorder_.Take(), Strings{"lpush:l"});
}

TEST_F(ListOpsTest, OtherTypesAreWrongTypeAndUntouched) {
  db().SetString("s", "v", Entry::kNoExpire);
  recorder_.Clear();
  std::vector<std::string_view> values{"a"};
  EXPECT_EQ(ListPush(db(), "s", values, ListEnd::kHead, false, 0).status(), OpStatus::kWrongType);
  EXPECT_EQ(ListPop(db(), "s", ListEnd::kHead, 1).status(), OpStatus::kWrongType);
  EXPECT_EQ(ListSet(db(), "s", "0", "x", 0), OpStatus::kWrongType);
  EXPECT_EQ(ListTrim(db(), "s", 0, 1).status(), OpStatus::kWrongType);
  EXPECT_EQ(FindList(db(), "s").status(), OpStatus::kWrongType);
  EXPECT_TRUE(recorder_.events.empty());
  EXPECT_TRUE(recorder_.modified.empty());
}

TEST_F(ListOpsTest, PopReportsPopThenDelWhenEmptied) {
  Seed("l", {"a", "b", "c"});
  EXPECT_EQ(*ListPop(db(), "l", ListEnd::kTail, 1), Strings{"c"});
  EXPECT_EQ(recorder_.Take(), Strings{"rpop:l"});
  EXPECT_EQ(*ListPop(db(), "l", ListEnd::kHead, 5), (Strings{"a", "b"}));
  EXPECT_EQ(recorder_.Take(), (Strings{"lpop:l", "del:l"}));
  EXPECT_EQ(recorder_.modified, (Strings{"l", "l"}));  // one signal per pop
  EXPECT_EQ(ListPop(db(), "l", ListEnd::kHead, 1).status(), OpStatus::kKeyNotFound);
}

TEST_F(ListOpsTest, PopOfZeroChangesNothing) {
  Seed("l", {"a"});
  EXPECT_TRUE(ListPop(db(), "l", ListEnd::kHead, 0)->empty());
  EXPECT_EQ(Elements("l"), Strings{"a"});
  EXPECT_TRUE(recorder_.events.empty());
}

TEST_F(ListOpsTest, PopFirstTakesTheFirstList) {
  Seed("b", {"1", "2"});
  std::vector<std::string_view> keys{"a", "b"};
  auto popped = ListPopFirst(db(), keys, ListEnd::kHead, 5, false);
  ASSERT_TRUE(popped.ok());
  EXPECT_EQ(popped->key, "b");
  EXPECT_EQ(popped->values, (Strings{"1", "2"}));
  EXPECT_EQ(recorder_.Take(), (Strings{"lpop:b", "del:b"}));
  EXPECT_EQ(ListPopFirst(db(), keys, ListEnd::kHead, 1, false).status(), OpStatus::kKeyNotFound);
}

TEST_F(ListOpsTest, PopFirstFailsOnAnotherTypeUnlessSkipping) {
  db().SetString("a", "v", Entry::kNoExpire);
  Seed("b", {"1"});
  std::vector<std::string_view> keys{"a", "b"};
  EXPECT_EQ(ListPopFirst(db(), keys, ListEnd::kHead, 1, false).status(), OpStatus::kWrongType);
  EXPECT_EQ(Elements("b"), Strings{"1"});
  auto popped = ListPopFirst(db(), keys, ListEnd::kTail, 1, true);
  ASSERT_TRUE(popped.ok());
  EXPECT_EQ(popped->key, "b");
}

TEST_F(ListOpsTest, MoveReportsPushOnDestinationThenPopOnSource) {
  Seed("src", {"a", "b"});
  EXPECT_EQ(*ListMove(db(), "src", "dst", ListEnd::kHead, ListEnd::kTail, 0, false), "a");
  EXPECT_EQ(recorder_.ready, Strings{"dst"});
  EXPECT_EQ(recorder_.Take(), (Strings{"rpush:dst", "lpop:src"}));
  EXPECT_EQ(*ListMove(db(), "src", "dst", ListEnd::kTail, ListEnd::kHead, 0, false), "b");
  EXPECT_EQ(recorder_.Take(), (Strings{"lpush:dst", "rpop:src", "del:src"}));
  EXPECT_EQ(Elements("dst"), (Strings{"b", "a"}));
  EXPECT_EQ(Elements("src"), Strings{"<none>"});
}

TEST_F(ListOpsTest, MoveOntoItselfRotates) {
  Seed("l", {"a", "b", "c"});
  EXPECT_EQ(*ListMove(db(), "l", "l", ListEnd::kTail, ListEnd::kHead, 0, false), "c");
  EXPECT_EQ(Elements("l"), (Strings{"c", "a", "b"}));
  EXPECT_EQ(recorder_.Take(), (Strings{"lpush:l", "rpop:l"}));
  Seed("one", {"x"});
  EXPECT_EQ(*ListMove(db(), "one", "one", ListEnd::kHead, ListEnd::kTail, 0, false), "x");
  EXPECT_EQ(Elements("one"), Strings{"x"});
  EXPECT_EQ(recorder_.Take(), (Strings{"rpush:one", "lpop:one"}));
}

TEST_F(ListOpsTest, MoveChecksBothTypesBeforeMoving) {
  Seed("src", {"a"});
  db().SetString("str", "v", Entry::kNoExpire);
  recorder_.Clear();
  EXPECT_EQ(ListMove(db(), "src", "str", ListEnd::kHead, ListEnd::kTail, 0, false).status(),
            OpStatus::kWrongType);
  EXPECT_EQ(ListMove(db(), "src", "str", ListEnd::kHead, ListEnd::kTail, 0, true).status(),
            OpStatus::kWrongType);  // skipping covers the source only
  EXPECT_EQ(Elements("src"), Strings{"a"});
  EXPECT_EQ(ListMove(db(), "str", "src", ListEnd::kHead, ListEnd::kTail, 0, false).status(),
            OpStatus::kWrongType);
  EXPECT_EQ(ListMove(db(), "str", "src", ListEnd::kHead, ListEnd::kTail, 0, true).status(),
            OpStatus::kKeyNotFound);
  EXPECT_EQ(ListMove(db(), "none", "src", ListEnd::kHead, ListEnd::kTail, 0, false).status(),
            OpStatus::kKeyNotFound);
  EXPECT_TRUE(recorder_.events.empty());
}

TEST_F(ListOpsTest, SetChecksKeyThenIndex) {
  EXPECT_EQ(ListSet(db(), "l", "nope", "x", 0), OpStatus::kKeyNotFound);
  Seed("l", {"a", "b"});
  EXPECT_EQ(ListSet(db(), "l", "nope", "x", 0), OpStatus::kNotInteger);
  EXPECT_EQ(ListSet(db(), "l", "2", "x", 0), OpStatus::kOutOfRange);
  EXPECT_TRUE(recorder_.events.empty());
  EXPECT_EQ(ListSet(db(), "l", "-1", "x", 0), OpStatus::kOk);
  EXPECT_EQ(Elements("l"), (Strings{"a", "x"}));
  EXPECT_EQ(recorder_.Take(), Strings{"lset:l"});
}

TEST_F(ListOpsTest, InsertReportsOnlyWhenThePivotExists) {
  EXPECT_EQ(ListInsert(db(), "l", "a", "x", true, 0).status(), OpStatus::kKeyNotFound);
  Seed("l", {"a", "b"});
  EXPECT_EQ(ListInsert(db(), "l", "zz", "x", true, 0).status(), OpStatus::kSkipped);
  EXPECT_TRUE(recorder_.events.empty());
  EXPECT_EQ(*ListInsert(db(), "l", "a", "x", true, 0), 3u);
  EXPECT_EQ(*ListInsert(db(), "l", "a", "y", false, 0), 4u);
  EXPECT_EQ(Elements("l"), (Strings{"y", "a", "x", "b"}));
  EXPECT_EQ(recorder_.Take(), (Strings{"linsert:l", "linsert:l"}));
}

TEST_F(ListOpsTest, RemoveCountsFromEitherEndAndDeletesWhenEmptied) {
  Seed("l", {"a", "b", "a", "c", "a"});
  EXPECT_EQ(*ListRemove(db(), "l", -2, "a"), 2u);
  EXPECT_EQ(Elements("l"), (Strings{"a", "b", "c"}));
  EXPECT_EQ(recorder_.Take(), Strings{"lrem:l"});
  EXPECT_EQ(*ListRemove(db(), "l", 0, "zz"), 0u);
  EXPECT_TRUE(recorder_.events.empty());
  Seed("same", {"a", "a"});
  EXPECT_EQ(*ListRemove(db(), "same", INT64_MIN, "a"), 2u);
  EXPECT_EQ(recorder_.Take(), (Strings{"lrem:same", "del:same"}));
  EXPECT_EQ(Elements("same"), Strings{"<none>"});
}

TEST_F(ListOpsTest, TrimAlwaysReportsAndDeletesAnEmptyResult) {
  Seed("l", {"a", "b", "c", "d"});
  EXPECT_EQ(*ListTrim(db(), "l", 1, -2), 2u);
  EXPECT_EQ(Elements("l"), (Strings{"b", "c"}));
  EXPECT_EQ(recorder_.Take(), Strings{"ltrim:l"});
  EXPECT_EQ(*ListTrim(db(), "l", 0, -1), 0u);
  EXPECT_EQ(recorder_.Take(), Strings{"ltrim:l"});  // Redis reports a trim that removed nothing
  EXPECT_EQ(*ListTrim(db(), "l", 5, 10), 2u);
  EXPECT_EQ(recorder_.Take(), (Strings{"ltrim:l", "del:l"}));
  EXPECT_EQ(ListTrim(db(), "l", 0, 1).status(), OpStatus::kKeyNotFound);
}

TEST_F(ListOpsTest, PositionsSkipLimitAndLookFromEitherEnd) {
  Seed("l", {"a", "b", "a", "c", "a"});
  const List& list = **FindList(db(), "l");
  using Indexes = std::vector<size_t>;
  EXPECT_EQ(ListPositions(list, "a", {}), (Indexes{0, 2, 4}));
  EXPECT_EQ(ListPositions(list, "a", {.skip = 1, .max_matches = 1}), Indexes{2});
  EXPECT_EQ(ListPositions(list, "a", {.from_tail = true, .max_matches = 2}), (Indexes{4, 2}));
  EXPECT_EQ(ListPositions(list, "a", {.maxlen = 2}), Indexes{0});
  EXPECT_EQ(ListPositions(list, "a", {.from_tail = true, .maxlen = 2}), Indexes{4});
  EXPECT_TRUE(ListPositions(list, "zz", {}).empty());
}

TEST_F(ListOpsTest, RangeAndIndexFollowRedisClamping) {
  auto range = ResolveListRange(-100, 100, 3);
  ASSERT_TRUE(range);
  EXPECT_EQ(range->start, 0u);
  EXPECT_EQ(range->stop, 2u);
  EXPECT_FALSE(ResolveListRange(2, 1, 3));
  EXPECT_FALSE(ResolveListRange(3, 5, 3));
  EXPECT_FALSE(ResolveListRange(0, -4, 3));
  EXPECT_EQ(ResolveListIndex(-1, 3), 2u);
  EXPECT_FALSE(ResolveListIndex(-4, 3));
  EXPECT_FALSE(ResolveListIndex(3, 3));
}

}  // namespace
}  // namespace respd::storage
