// Sorted set operations on a database: ZADD's conditions and results, removals by member and
// range, pops, stores, delete-when-empty, the changes counted as Redis's server.dirty, and the
// keyspace events each operation reports (checked against redis-server 7.0's notifications for
// the same commands).
#include "storage/zset_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "storage/clock.h"
#include "storage/set.h"
#include "tests/storage/event_recorder.h"

namespace respd::storage {
namespace {

using Strings = std::vector<std::string>;
using Members = std::vector<ScoredMember>;
using Views = std::vector<std::string_view>;

class ZSetOpsTest : public ::testing::Test {
 protected:
  ZSetOpsTest() {
    SetCommandTimeMs(1'000'000);
    store_.AddObserver(&log_);
  }

  Database& db() { return store_.db(0); }
  // Events since the last call.
  Strings Events() { return std::exchange(log_.events, {}); }
  OpResult<ZAddResult> Add(std::string_view key, Members members, int flags = 0) {
    return ZAdd(db(), key, members, flags, limits_);
  }
  // Adds a..d with scores 1..4 and forgets the events.
  void AddAbcd(std::string_view key) {
    ASSERT_TRUE(Add(key, {{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}}).ok());
    Events();
  }
  // "member:score ..." in ascending order, or "<none>".
  std::string Contents(std::string_view key) {
    OpResult<const ZSet*> found = FindZSet(db(), key);
    if (!found.ok()) return "<none>";
    std::string out;
    (*found)->ForRange(0, (*found)->Length(), false, [&](std::string_view m, double s) {
      if (!out.empty()) out += ' ';
      out += std::string(m) + ":" + std::to_string(static_cast<int>(s));
    });
    return out;
  }
  void AddString(std::string_view key) { db().SetString(key, "x", Entry::kNoExpire); }
  void AddSetOf(std::string_view key, std::string_view member) {
    std::unique_ptr<Set> s = Set::New(member);
    s->Add(member, 512);
    db().AddObject(key, std::move(s));
  }

  EventRecorder log_;
  Store store_{1, /*locking=*/false};
  ZSetLimits limits_;
};

TEST_F(ZSetOpsTest, ZAddCreatesAndReportsZaddOnlyWhenAScoreChanged) {
  ZAddResult r = *Add("z", {{1, "a"}, {2, "b"}});
  EXPECT_EQ(r.added, 2u);
  EXPECT_EQ(Events(), Strings{"zadd:z"});
  EXPECT_EQ(log_.ready, Strings{"z"});  // a new sorted set may serve BZPOPMIN
  r = *Add("z", {{1, "a"}});
  EXPECT_EQ(r.added + r.updated, 0u);
  EXPECT_EQ(r.processed, 1u);
  EXPECT_EQ(Events(), Strings{});
  r = *Add("z", {{3, "a"}, {4, "c"}});
  EXPECT_EQ(r.added, 1u);
  EXPECT_EQ(r.updated, 1u);
  EXPECT_EQ(Events(), Strings{"zadd:z"});
  EXPECT_EQ(Contents("z"), "b:2 a:3 c:4");
  EXPECT_EQ(store_.dirty(), 4u);
}

TEST_F(ZSetOpsTest, ZAddWithXxNeverCreatesAKey) {
  ZAddResult r = *Add("z", {{1, "a"}}, kZAddXx);
  EXPECT_EQ(r.processed, 0u);
  EXPECT_EQ(Contents("z"), "<none>");
  EXPECT_EQ(Events(), Strings{});
}

TEST_F(ZSetOpsTest, ZAddConditionsSkipWithoutEvents) {
  AddAbcd("z");
  EXPECT_EQ(Add("z", {{9, "a"}}, kZAddNx)->processed, 0u);
  EXPECT_EQ(Add("z", {{0, "b"}}, kZAddGt)->processed, 0u);
  EXPECT_EQ(Add("z", {{9, "c"}}, kZAddLt)->processed, 0u);
  EXPECT_EQ(Events(), Strings{});
  EXPECT_EQ(Add("z", {{9, "c"}}, kZAddGt)->updated, 1u);
  EXPECT_EQ(Events(), Strings{"zadd:z"});
}

TEST_F(ZSetOpsTest, ZAddIncrReportsZincrAndTheComputedScore) {
  ZAddResult r = *Add("z", {{1.5, "a"}}, kZAddIncr);
  EXPECT_EQ(r.score, 1.5);
  EXPECT_EQ(Events(), Strings{"zincr:z"});
  r = *Add("z", {{2, "a"}}, kZAddIncr);
  EXPECT_EQ(r.score, 3.5);
  EXPECT_EQ(Events(), Strings{"zincr:z"});
  // An increment of 0 processes the member but changes nothing.
  r = *Add("z", {{0, "a"}}, kZAddIncr);
  EXPECT_EQ(r.processed, 1u);
  EXPECT_EQ(Events(), Strings{});
  EXPECT_EQ(Add("z", {{1, "a"}}, kZAddIncr | kZAddNx)->processed, 0u);
}

TEST_F(ZSetOpsTest, ZAddIncrToNanKeepsTheSetAndReportsNothing) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  ASSERT_TRUE(Add("z", {{-kInf, "a"}}).ok());
  Events();
  ZAddResult r = *Add("z", {{kInf, "a"}}, kZAddIncr);
  EXPECT_TRUE(r.nan);
  EXPECT_EQ(Events(), Strings{});
  EXPECT_EQ(*(*FindZSet(db(), "z"))->Score("a"), -kInf);
}

TEST_F(ZSetOpsTest, ZAddRefusesAnotherType) {
  AddString("s");
  EXPECT_EQ(Add("s", {{1, "a"}}).status(), OpStatus::kWrongType);
  EXPECT_EQ(FindZSet(db(), "s").status(), OpStatus::kWrongType);
}

TEST_F(ZSetOpsTest, ZRemReportsZremThenDelWhenItEmpties) {
  AddAbcd("z");
  EXPECT_EQ(*ZRem(db(), "z", Views{"x"}), 0u);
  EXPECT_EQ(Events(), Strings{});
  EXPECT_EQ(*ZRem(db(), "z", Views{"a", "b"}), 2u);
  EXPECT_EQ(Events(), Strings{"zrem:z"});
  EXPECT_EQ(*ZRem(db(), "z", Views{"c", "d", "e"}), 2u);
  EXPECT_EQ(Events(), (Strings{"zrem:z", "del:z"}));
  EXPECT_EQ(Contents("z"), "<none>");
  EXPECT_EQ(*ZRem(db(), "z", Views{"a"}), 0u);
  AddString("s");
  EXPECT_EQ(ZRem(db(), "s", Views{"a"}).status(), OpStatus::kWrongType);
}

TEST_F(ZSetOpsTest, ClampRanksFollowsZrangeIndexes) {
  using Ranks = std::pair<size_t, size_t>;
  EXPECT_EQ(ClampRanks(0, -1, 4), (Ranks{0, 4}));
  EXPECT_EQ(ClampRanks(-2, 100, 4), (Ranks{2, 4}));
  EXPECT_EQ(ClampRanks(-100, 0, 4), (Ranks{0, 1}));
  EXPECT_EQ(ClampRanks(3, 1, 4), (Ranks{0, 0}));
  EXPECT_EQ(ClampRanks(4, 10, 4), (Ranks{0, 0}));
  EXPECT_EQ(ClampRanks(0, -1, 0), (Ranks{0, 0}));
}

TEST_F(ZSetOpsTest, ZRemRangeReportsItsOwnEventThenDel) {
  AddAbcd("z");
  EXPECT_EQ(*ZRemRangeByRank(db(), "z", 0, 0), 1u);
  EXPECT_EQ(Events(), Strings{"zremrangebyrank:z"});
  EXPECT_EQ(*ZRemRangeByScore(db(), "z", {.min = 100, .max = 200}), 0u);
  EXPECT_EQ(Events(), Strings{});
  EXPECT_EQ(*ZRemRangeByScore(db(), "z", {.min = 2, .max = 3, .max_exclusive = true}), 1u);
  EXPECT_EQ(Events(), Strings{"zremrangebyscore:z"});
  EXPECT_EQ(Contents("z"), "c:3 d:4");
  LexRange all{.min = {}, .max = {}, .min_is_minus_inf = true, .max_is_plus_inf = true};
  EXPECT_EQ(*ZRemRangeByLex(db(), "z", all), 2u);
  EXPECT_EQ(Events(), (Strings{"zremrangebylex:z", "del:z"}));
  EXPECT_EQ(*ZRemRangeByLex(db(), "z", all), 0u);
  AddString("s");
  EXPECT_EQ(ZRemRangeByRank(db(), "s", 0, -1).status(), OpStatus::kWrongType);
  EXPECT_EQ(store_.dirty(), 4u + 1u + 1u + 2u);
}

TEST_F(ZSetOpsTest, ZPopTakesFromEitherEndInPopOrder) {
  AddAbcd("z");
  ScoredMembers popped = *ZPop(db(), "z", /*max=*/false, 2);
  EXPECT_EQ(popped, (ScoredMembers{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(Events(), Strings{"zpopmin:z"});
  EXPECT_EQ(ZPop(db(), "z", false, 0)->size(), 0u);
  EXPECT_EQ(Events(), Strings{});
  popped = *ZPop(db(), "z", /*max=*/true, 5);
  EXPECT_EQ(popped, (ScoredMembers{{"d", 4}, {"c", 3}}));
  EXPECT_EQ(Events(), (Strings{"zpopmax:z", "del:z"}));
  EXPECT_EQ(ZPop(db(), "z", false, 1).status(), OpStatus::kKeyNotFound);
  AddString("s");
  EXPECT_EQ(ZPop(db(), "s", false, 1).status(), OpStatus::kWrongType);
}

TEST_F(ZSetOpsTest, FindZSourcesTakesSetsAndMissingKeysAndRefusesOtherTypes) {
  AddAbcd("z");
  AddSetOf("s", "a");
  std::vector<ZSource> sources = *FindZSources(db(), Views{"z", "none", "s"});
  ASSERT_EQ(sources.size(), 3u);
  EXPECT_EQ(sources[1].object, nullptr);
  EXPECT_EQ(sources[2].object->type(), ValueType::kSet);
  AddString("str");
  EXPECT_EQ(FindZSources(db(), Views{"none", "str", "z"}).status(), OpStatus::kWrongType);
  EXPECT_EQ(Events(), Strings{});
}

TEST_F(ZSetOpsTest, ZCombineWeighsAggregatesAndScoresSetMembersOne) {
  AddAbcd("z");
  ASSERT_TRUE(Add("y", {{10, "b"}, {20, "e"}}).ok());
  AddSetOf("s", "a");
  auto sorted = [](ScoredMembers v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  auto sources = [&](std::vector<double> weights) {
    std::vector<ZSource> out = *FindZSources(db(), Views{"z", "y", "s"});
    for (size_t i = 0; i < out.size(); ++i) out[i].weight = weights[i];
    return out;
  };
  EXPECT_EQ(sorted(ZCombine(ZSetOpKind::kUnion, sources({1, 2, 5}), ZAggregate::kSum)),
            (ScoredMembers{{"a", 6}, {"b", 22}, {"c", 3}, {"d", 4}, {"e", 40}}));
  EXPECT_EQ(sorted(ZCombine(ZSetOpKind::kUnion, sources({1, 1, 1}), ZAggregate::kMax)),
            (ScoredMembers{{"a", 1}, {"b", 10}, {"c", 3}, {"d", 4}, {"e", 20}}));
  std::vector<ZSource> two = *FindZSources(db(), Views{"z", "y"});
  EXPECT_EQ(ZCombine(ZSetOpKind::kInter, two, ZAggregate::kMin), (ScoredMembers{{"b", 2}}));
  EXPECT_EQ(sorted(ZCombine(ZSetOpKind::kDiff, two, ZAggregate::kSum)),
            (ScoredMembers{{"a", 1}, {"c", 3}, {"d", 4}}));
  // A key against itself: the difference is empty, the intersection aggregates it with itself.
  std::vector<ZSource> self = *FindZSources(db(), Views{"z", "z"});
  EXPECT_EQ(ZCombine(ZSetOpKind::kDiff, self, ZAggregate::kSum).size(), 0u);
  EXPECT_EQ(ZCombine(ZSetOpKind::kInter, self, ZAggregate::kSum).size(), 4u);
  EXPECT_EQ(ZCombine(ZSetOpKind::kInter, self, ZAggregate::kSum, 3).size(), 3u);
}

TEST_F(ZSetOpsTest, ZCombineSumOfOppositeInfinitiesIsZero) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  ASSERT_TRUE(Add("p", {{kInf, "a"}}).ok());
  ASSERT_TRUE(Add("n", {{-kInf, "a"}}).ok());
  EXPECT_EQ(ZCombine(ZSetOpKind::kUnion, *FindZSources(db(), Views{"p", "n"}), ZAggregate::kSum),
            (ScoredMembers{{"a", 0}}));
}

TEST_F(ZSetOpsTest, ZStoreReportsItsCommandsEventOrDelOfTheOldDestination) {
  struct Case {
    ZStoreKind kind;
    const char* event;
  };
  for (Case c :
       {Case{ZStoreKind::kRangeStore, "zrangestore"}, Case{ZStoreKind::kUnionStore, "zunionstore"},
        Case{ZStoreKind::kInterStore, "zinterstore"}, Case{ZStoreKind::kDiffStore, "zdiffstore"},
        Case{ZStoreKind::kGeoRadiusStore, "georadiusstore"},
        Case{ZStoreKind::kGeoSearchStore, "geosearchstore"}}) {
    EXPECT_EQ(ZStore(db(), "dst", {{"b", 2}, {"a", 1}}, limits_, c.kind), 2u);
    EXPECT_EQ(Events(), Strings{std::string(c.event) + ":dst"});
    EXPECT_EQ(Contents("dst"), "a:1 b:2");
    EXPECT_EQ(ZStore(db(), "dst", {}, limits_, c.kind), 0u);
    EXPECT_EQ(Events(), Strings{"del:dst"});
    EXPECT_EQ(ZStore(db(), "dst", {}, limits_, c.kind), 0u);
    EXPECT_EQ(Events(), Strings{});
  }
}

TEST_F(ZSetOpsTest, ZStoreCountsGeoStoresPerElement) {
  ZStore(db(), "dst", {{"a", 1}, {"b", 2}, {"c", 3}}, limits_, ZStoreKind::kUnionStore);
  EXPECT_EQ(store_.dirty(), 1u);
  ZStore(db(), "dst", {{"a", 1}, {"b", 2}, {"c", 3}}, limits_, ZStoreKind::kGeoSearchStore);
  EXPECT_EQ(store_.dirty(), 4u);
  ZStore(db(), "dst", {}, limits_, ZStoreKind::kGeoSearchStore);
  EXPECT_EQ(store_.dirty(), 5u);
}

TEST_F(ZSetOpsTest, ZStoreReplacesAnyTypeAndDropsTheTtl) {
  db().AddObject("dst", Set::New("m"), 2'000'000);
  EXPECT_EQ(ZStore(db(), "dst", {{"a", 1}}, limits_, ZStoreKind::kUnionStore), 1u);
  EXPECT_FALSE(db().FindRead("dst")->has_expire());
  EXPECT_EQ(Contents("dst"), "a:1");
}

}  // namespace
}  // namespace respd::storage
