// Set operations on a database: creation, delete-when-empty, type errors, the changes counted as
// Redis's server.dirty, and the keyspace events each operation reports (checked against
// redis-server 7.0's notifications for the same commands).
#include "storage/set_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "storage/clock.h"
#include "storage/zset.h"
#include "tests/storage/event_recorder.h"

namespace respd::storage {
namespace {

constexpr size_t kMaxInts = 512;

class SetOpsTest : public ::testing::Test {
 protected:
  SetOpsTest() {
    SetCommandTimeMs(1'000'000);
    store_.AddObserver(&log_);
  }

  Database& db() { return store_.db(0); }
  // Events since the last call.
  std::vector<std::string> Events() { return std::exchange(log_.events, {}); }
  std::set<std::string> Members(std::string_view key) {
    std::set<std::string> out;
    OpResult<const Set*> found = FindSet(db(), key);
    if (found.ok()) (*found)->ForEach([&](std::string_view m) { out.emplace(m); });
    return out;
  }
  void Add(std::string_view key, std::vector<std::string_view> members) {
    ASSERT_TRUE(SAdd(db(), key, members, kMaxInts).ok());
    Events();
  }
  void AddString(std::string_view key) { db().SetString(key, "x", Entry::kNoExpire); }

  EventRecorder log_;
  Store store_{1, /*locking=*/false};
  std::mt19937_64 rng_{7};
};

using Strings = std::vector<std::string>;
using Views = std::vector<std::string_view>;

TEST_F(SetOpsTest, SAddCreatesCountsNewMembersAndReportsOnlyChanges) {
  EXPECT_EQ(*SAdd(db(), "s", Views{"a", "b", "a"}, kMaxInts), 2u);
  EXPECT_EQ(Events(), Strings{"sadd:s"});
  EXPECT_EQ(*SAdd(db(), "s", Views{"a"}, kMaxInts), 0u);
  EXPECT_EQ(Events(), Strings{});
  EXPECT_EQ(store_.dirty(), 2u);
  AddString("str");
  EXPECT_EQ(SAdd(db(), "str", Views{"a"}, kMaxInts).status(), OpStatus::kWrongType);
}

TEST_F(SetOpsTest, SAddStartsAnIntsetOnlyForAnIntegerFirstMember) {
  ASSERT_TRUE(SAdd(db(), "i", Views{"1", "2"}, kMaxInts).ok());
  EXPECT_EQ((*FindSet(db(), "i"))->Encoding(), "intset");
  ASSERT_TRUE(SAdd(db(), "i", Views{"1", "2", "3"}, 2).ok());
  EXPECT_EQ((*FindSet(db(), "i"))->Encoding(), "hashtable");
  ASSERT_TRUE(SAdd(db(), "h", Views{"a"}, kMaxInts).ok());
  EXPECT_EQ((*FindSet(db(), "h"))->Encoding(), "hashtable");
}

TEST_F(SetOpsTest, SRemDeletesTheEmptiedKeyAfterReportingSrem) {
  Add("s", {"a", "b", "c"});
  EXPECT_EQ(*SRem(db(), "s", Views{"x"}), 0u);
  EXPECT_EQ(Events(), Strings{});
  EXPECT_EQ(*SRem(db(), "s", Views{"a"}), 1u);
  EXPECT_EQ(Events(), Strings{"srem:s"});
  EXPECT_EQ(*SRem(db(), "s", Views{"b", "c", "d"}), 2u);
  EXPECT_EQ(Events(), (Strings{"srem:s", "del:s"}));
  EXPECT_EQ(FindSet(db(), "s").status(), OpStatus::kKeyNotFound);
  EXPECT_EQ(*SRem(db(), "s", Views{"a"}), 0u);
  AddString("str");
  EXPECT_EQ(SRem(db(), "str", Views{"a"}).status(), OpStatus::kWrongType);
}

TEST_F(SetOpsTest, SMoveReportsSremOnSourceThenSaddOnDestination) {
  Add("s", {"a", "b"});
  EXPECT_EQ(*SMove(db(), "s", "d", "a", kMaxInts), true);
  EXPECT_EQ(Events(), (Strings{"srem:s", "sadd:d"}));
  Add("d", {"b"});
  // The source empties and the member is already at the destination: no "sadd".
  EXPECT_EQ(*SMove(db(), "s", "d", "b", kMaxInts), true);
  EXPECT_EQ(Events(), (Strings{"srem:s", "del:s"}));
  EXPECT_EQ(Members("d"), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(store_.dirty(), 2u + 1u + 2u + 1u);
}

TEST_F(SetOpsTest, SMoveWithinOneSetOrOfAMissingMemberChangesNothing) {
  Add("s", {"a"});
  EXPECT_EQ(*SMove(db(), "s", "s", "a", kMaxInts), true);
  EXPECT_EQ(*SMove(db(), "s", "s", "x", kMaxInts), false);
  EXPECT_EQ(*SMove(db(), "s", "d", "x", kMaxInts), false);
  EXPECT_EQ(*SMove(db(), "missing", "d", "a", kMaxInts), false);
  EXPECT_EQ(Events(), Strings{});
  EXPECT_EQ(FindSet(db(), "d").status(), OpStatus::kKeyNotFound);
}

TEST_F(SetOpsTest, SMoveChecksBothTypesUnlessTheSourceIsMissing) {
  Add("s", {"a"});
  AddString("str");
  EXPECT_EQ(SMove(db(), "s", "str", "a", kMaxInts).status(), OpStatus::kWrongType);
  EXPECT_EQ(SMove(db(), "str", "s", "a", kMaxInts).status(), OpStatus::kWrongType);
  EXPECT_EQ(*SMove(db(), "missing", "str", "a", kMaxInts), false);
  EXPECT_EQ(Members("s"), std::set<std::string>{"a"});
}

TEST_F(SetOpsTest, SPopReportsSpopThenDelWhenItTakesEverything) {
  Add("s", {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"});
  EXPECT_EQ(SPop(db(), "s", 0, kMaxInts, rng_)->size(), 0u);
  EXPECT_EQ(Events(), Strings{});
  Strings popped = *SPop(db(), "s", 2, kMaxInts, rng_);
  EXPECT_EQ(popped.size(), 2u);
  EXPECT_EQ(Events(), Strings{"spop:s"});
  // Nearly everything: the shuffling strategy.
  Strings more = *SPop(db(), "s", 7, kMaxInts, rng_);
  EXPECT_EQ(Events(), Strings{"spop:s"});
  std::set<std::string> all(popped.begin(), popped.end());
  all.insert(more.begin(), more.end());
  EXPECT_EQ(all.size(), 9u);
  Strings rest = *SPop(db(), "s", 5, kMaxInts, rng_);
  EXPECT_EQ(rest.size(), 1u);
  EXPECT_EQ(all.count(rest[0]), 0u);
  EXPECT_EQ(Events(), (Strings{"spop:s", "del:s"}));
  EXPECT_EQ(SPop(db(), "s", 1, kMaxInts, rng_).status(), OpStatus::kKeyNotFound);
}

TEST_F(SetOpsTest, SPopOfTheLastMemberDeletesTheKey) {
  Add("s", {"a", "b"});
  ASSERT_TRUE(SPop(db(), "s", 1, kMaxInts, rng_).ok());
  EXPECT_EQ(Events(), Strings{"spop:s"});
  ASSERT_TRUE(SPop(db(), "s", 1, kMaxInts, rng_).ok());
  EXPECT_EQ(Events(), (Strings{"spop:s", "del:s"}));
}

TEST_F(SetOpsTest, SPopOfEveryMemberCountsAKeyspaceHitAsRedisSunionDoes) {
  Add("s", {"a", "b", "c"});
  auto hits = [&] { return store_.stats().keyspace_hits.load(); };
  uint64_t before = hits();
  ASSERT_TRUE(SPop(db(), "s", 1, kMaxInts, rng_).ok());
  EXPECT_EQ(hits(), before);
  ASSERT_TRUE(SPop(db(), "s", 2, kMaxInts, rng_).ok());
  EXPECT_EQ(hits(), before + 1);
  EXPECT_EQ(Events(), (Strings{"spop:s", "spop:s", "del:s"}));
}

TEST_F(SetOpsTest, SPopOfNearlyEverythingLeavesAnIntsetWhenOnlyIntegersStay) {
  // Redis 7.0 builds a new set of what stays when SPOP takes nearly all (at most count / 5 stay):
  // integers only make it an intset again, even if the popped set was a hashtable.
  const std::vector<std::string_view> ints{"1", "2", "3", "4",  "5",  "6",
                                           "7", "8", "9", "10", "11", "12"};
  auto hashtable_of_ints = [&](std::string_view key) {
    Add(key, {"x"});
    Add(key, ints);
    ASSERT_TRUE(SRem(db(), key, std::vector<std::string_view>{"x"}).ok());
    ASSERT_EQ((*FindSet(db(), key))->Encoding(), "hashtable");
  };
  hashtable_of_ints("s");
  ASSERT_EQ(SPop(db(), "s", 10, kMaxInts, rng_)->size(), 10u);
  EXPECT_EQ((*FindSet(db(), "s"))->Length(), 2u);
  EXPECT_EQ((*FindSet(db(), "s"))->Encoding(), "intset");
  // More integers than set-max-intset-entries stay a hashtable.
  hashtable_of_ints("big");
  ASSERT_TRUE(SPop(db(), "big", 10, /*max_intset_entries=*/1, rng_).ok());
  EXPECT_EQ((*FindSet(db(), "big"))->Encoding(), "hashtable");
  // Popping fewer keeps the set as it is.
  hashtable_of_ints("few");
  ASSERT_TRUE(SPop(db(), "few", 9, kMaxInts, rng_).ok());
  EXPECT_EQ((*FindSet(db(), "few"))->Encoding(), "hashtable");
  // A string among what stays keeps it a hashtable.
  Add("mixed", {"a", "b", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"});
  ASSERT_TRUE(SPop(db(), "mixed", 10, kMaxInts, rng_).ok());
  bool only_ints = true;
  (*FindSet(db(), "mixed"))->ForEach([&](std::string_view m) {
    only_ints &= m != "a" && m != "b";
  });
  EXPECT_EQ((*FindSet(db(), "mixed"))->Encoding(), only_ints ? "intset" : "hashtable");
}

TEST_F(SetOpsTest, SCombineTreatsMissingKeysAsEmptyAndRefusesOtherTypes) {
  Add("a", {"1", "2", "3"});
  Add("b", {"2", "3", "4"});
  auto sorted = [](Strings v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(*SCombine(db(), SetOpKind::kInter, Views{"a", "b"})), (Strings{"2", "3"}));
  EXPECT_EQ(SCombine(db(), SetOpKind::kInter, Views{"a", "b"}, 1)->size(), 1u);
  EXPECT_EQ(SCombine(db(), SetOpKind::kInter, Views{"a", "none"})->size(), 0u);
  EXPECT_EQ(sorted(*SCombine(db(), SetOpKind::kUnion, Views{"a", "none", "b"})),
            (Strings{"1", "2", "3", "4"}));
  EXPECT_EQ(sorted(*SCombine(db(), SetOpKind::kDiff, Views{"a", "b"})), Strings{"1"});
  EXPECT_EQ(SCombine(db(), SetOpKind::kDiff, Views{"none", "a"})->size(), 0u);
  AddString("str");
  EXPECT_EQ(SCombine(db(), SetOpKind::kUnion, Views{"a", "str"}).status(), OpStatus::kWrongType);
  EXPECT_EQ(Events(), Strings{});
}

TEST_F(SetOpsTest, SCombineStoreReportsItsEventOrDelOfTheOldDestination) {
  Add("a", {"1", "2"});
  Add("b", {"2", "3"});
  EXPECT_EQ(*SCombineStore(db(), SetOpKind::kInter, "dst", Views{"a", "b"}, kMaxInts), 1u);
  EXPECT_EQ(Events(), Strings{"sinterstore:dst"});
  EXPECT_EQ(*SCombineStore(db(), SetOpKind::kUnion, "dst", Views{"a", "b"}, kMaxInts), 3u);
  EXPECT_EQ(Events(), Strings{"sunionstore:dst"});
  EXPECT_EQ(*SCombineStore(db(), SetOpKind::kDiff, "dst", Views{"a", "b"}, kMaxInts), 1u);
  EXPECT_EQ(Events(), Strings{"sdiffstore:dst"});
  EXPECT_EQ(Members("dst"), std::set<std::string>{"1"});
  EXPECT_EQ((*FindSet(db(), "dst"))->Encoding(), "intset");
  EXPECT_EQ(*SCombineStore(db(), SetOpKind::kDiff, "dst", Views{"a", "a"}, kMaxInts), 0u);
  EXPECT_EQ(Events(), Strings{"del:dst"});
  EXPECT_EQ(*SCombineStore(db(), SetOpKind::kInter, "dst", Views{"a", "none"}, kMaxInts), 0u);
  EXPECT_EQ(Events(), Strings{});
}

TEST_F(SetOpsTest, SCombineStoreReplacesAValueOfAnyTypeAndDropsItsTtl) {
  Add("a", {"x"});
  Entry* old = db().SetString("dst", "v", 2'000'000);
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(*SCombineStore(db(), SetOpKind::kUnion, "dst", Views{"a"}, kMaxInts), 1u);
  EXPECT_FALSE(db().FindRead("dst")->has_expire());
  EXPECT_EQ(Members("dst"), std::set<std::string>{"x"});
  db().AddObject("z", ZSet::New({}, 1));
  EXPECT_EQ(SCombineStore(db(), SetOpKind::kUnion, "dst", Views{"a", "z"}, kMaxInts).status(),
            OpStatus::kWrongType);
  EXPECT_EQ(Members("dst"), std::set<std::string>{"x"});
}

}  // namespace
}  // namespace respd::storage
