// Generic keyspace operations: what each does to the keys, the events it reports in Redis 7.0's
// order (checked against redis-server with keyspace notifications), and the changes it counts.
#include "storage/key_ops.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/clock.h"
#include "storage/list_object.h"
#include "tests/storage/recording_observer.h"

namespace respd::storage {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;
using Events = std::vector<std::string>;

class KeyOpsTest : public ::testing::Test {
 protected:
  KeyOpsTest() {
    store_.AddObserver(&observer_);
    SetCommandTimeMs(kNow);
  }

  Database& db(int index = 0) { return store_.db(index); }
  // Sets a string without reporting events, then forgets what was recorded.
  void Given(std::string_view key, std::string_view value, int64_t expire_at = Entry::kNoExpire,
             int index = 0) {
    db(index).SetString(key, value, expire_at);
    observer_.Clear();
  }
  std::string Value(std::string_view key, int index = 0) {
    Entry* e = db(index).Peek(key);
    return e == nullptr ? "<none>" : std::string(e->str());
  }
  int64_t ExpireAt(std::string_view key, int index = 0) { return db(index).Peek(key)->expire_at(); }

  RecordingObserver observer_;
  Store store_{2, /*locking=*/false};
};

TEST_F(KeyOpsTest, DelReportsEachDeletedKeyOnce) {
  Given("a", "1");
  Given("b", "2");
  uint64_t dirty = store_.dirty();
  std::string_view keys[] = {"a", "missing", "b", "a"};
  EXPECT_EQ(Del(db(), keys, Freeing::kUserDel), 2);
  EXPECT_EQ(observer_.events, (Events{"0:del:a", "0:del:b"}));
  EXPECT_EQ(store_.dirty() - dirty, 2u);
  EXPECT_EQ(db().Size(), 0u);
}

TEST_F(KeyOpsTest, TouchKeysCountsRepeatsAndReportsOnlyMisses) {
  Given("a", "1");
  std::string_view keys[] = {"a", "a", "missing"};
  EXPECT_EQ(TouchKeys(db(), keys), 2);
  EXPECT_EQ(observer_.events, Events{"0:keymiss:missing"});
}

TEST_F(KeyOpsTest, ExpireInTheFutureSetsTheTimeAndReportsExpire) {
  Given("k", "v");
  uint64_t dirty = store_.dirty();
  EXPECT_TRUE(Expire(db(), "k", kNow + 5000, kExpireAlways));
  EXPECT_EQ(ExpireAt("k"), kNow + 5000);
  EXPECT_EQ(observer_.events, Events{"0:expire:k"});
  EXPECT_EQ(observer_.modified, Events{"0:k"});
  EXPECT_EQ(store_.dirty() - dirty, 1u);
}

TEST_F(KeyOpsTest, ExpireNotAfterNowDeletesAndReportsDel) {
  Given("k", "v");
  EXPECT_TRUE(Expire(db(), "k", kNow, kExpireAlways));
  EXPECT_EQ(Value("k"), "<none>");
  EXPECT_EQ(observer_.events, Events{"0:del:k"});
  Given("n", "v");
  EXPECT_TRUE(Expire(db(), "n", -5, kExpireAlways));  // negative times are in the past too
  EXPECT_EQ(observer_.events, Events{"0:del:n"});
}

TEST_F(KeyOpsTest, ExpireOfAMissingKeyDoesNothing) {
  EXPECT_FALSE(Expire(db(), "missing", kNow + 1, kExpireAlways));
  EXPECT_FALSE(Expire(db(), "missing", kNow - 1, kExpireAlways));
  EXPECT_TRUE(observer_.events.empty());
}

TEST_F(KeyOpsTest, ExpireConditionsFollowRedis) {
  Given("plain", "v");
  Given("timed", "v", kNow + 1000);
  uint64_t dirty = store_.dirty();
  // NX: only without a TTL; XX: only with one.
  EXPECT_FALSE(Expire(db(), "timed", kNow + 9000, kExpireIfNoTtl));
  EXPECT_FALSE(Expire(db(), "plain", kNow + 9000, kExpireIfTtl));
  // GT: a missing TTL is infinite, so GT never applies to it; LT always does.
  EXPECT_FALSE(Expire(db(), "plain", kNow + 9000, kExpireIfGreater));
  EXPECT_FALSE(Expire(db(), "timed", kNow + 1000, kExpireIfGreater));
  EXPECT_FALSE(Expire(db(), "timed", kNow + 1000, kExpireIfLess));
  EXPECT_EQ(store_.dirty(), dirty);
  EXPECT_TRUE(observer_.events.empty());
  EXPECT_TRUE(Expire(db(), "timed", kNow + 2000, kExpireIfTtl | kExpireIfGreater));
  EXPECT_TRUE(Expire(db(), "timed", kNow + 1500, kExpireIfLess));
  EXPECT_TRUE(Expire(db(), "plain", kNow + 500, kExpireIfLess));
  EXPECT_EQ(ExpireAt("timed"), kNow + 1500);
  EXPECT_EQ(ExpireAt("plain"), kNow + 500);
  EXPECT_EQ(observer_.events, (Events{"0:expire:timed", "0:expire:timed", "0:expire:plain"}));
}

TEST_F(KeyOpsTest, ExpireEntryAtServesGetex) {
  Given("k", "v");
  ExpireEntryAt(db(), db().FindWrite("k"), kNow + 10);
  EXPECT_EQ(ExpireAt("k"), kNow + 10);
  ExpireEntryAt(db(), db().FindWrite("k"), kNow - 10);
  EXPECT_EQ(Value("k"), "<none>");
  EXPECT_EQ(observer_.events, (Events{"0:expire:k", "0:del:k"}));
}

TEST_F(KeyOpsTest, PersistReportsOnlyWhenATtlWasDropped) {
  Given("timed", "v", kNow + 1000);
  Given("plain", "v");
  EXPECT_TRUE(Persist(db(), "timed"));
  EXPECT_FALSE(Persist(db(), "timed"));
  EXPECT_FALSE(Persist(db(), "plain"));
  EXPECT_FALSE(Persist(db(), "missing"));
  EXPECT_FALSE(db().Peek("timed")->has_expire());
  EXPECT_EQ(observer_.events, Events{"0:persist:timed"});
}

TEST_F(KeyOpsTest, RenameMovesValueAndTtlAndReportsNewFromTo) {
  Given("a", "v", kNow + 1000);
  uint64_t dirty = store_.dirty();
  OpResult<bool> renamed = Rename(db(), "a", "b", /*only_if_absent=*/false);
  ASSERT_TRUE(renamed.ok());
  EXPECT_TRUE(*renamed);
  EXPECT_EQ(Value("a"), "<none>");
  EXPECT_EQ(Value("b"), "v");
  EXPECT_EQ(ExpireAt("b"), kNow + 1000);
  EXPECT_EQ(observer_.events, (Events{"0:new:b", "0:rename_from:a", "0:rename_to:b"}));
  EXPECT_EQ(store_.dirty() - dirty, 1u);
}

TEST_F(KeyOpsTest, RenameOverAnExistingKeyReportsNoDel) {
  Given("a", "1");
  Given("b", "2");
  ASSERT_TRUE(*Rename(db(), "a", "b", false));
  EXPECT_EQ(Value("b"), "1");
  EXPECT_EQ(db().Size(), 1u);
  EXPECT_EQ(observer_.events, (Events{"0:new:b", "0:rename_from:a", "0:rename_to:b"}));
}

TEST_F(KeyOpsTest, RenameRefusals) {
  EXPECT_EQ(Rename(db(), "missing", "b", false).status(), OpStatus::kKeyNotFound);
  Given("a", "1");
  Given("b", "2");
  EXPECT_FALSE(*Rename(db(), "a", "a", false));
  EXPECT_FALSE(*Rename(db(), "a", "a", true));
  EXPECT_FALSE(*Rename(db(), "a", "b", true));
  EXPECT_EQ(Value("a"), "1");
  EXPECT_EQ(Value("b"), "2");
  EXPECT_TRUE(observer_.events.empty());
  EXPECT_TRUE(*Rename(db(), "a", "c", true));
  EXPECT_EQ(observer_.events, (Events{"0:new:c", "0:rename_from:a", "0:rename_to:c"}));
}

TEST_F(KeyOpsTest, MoveReportsInBothDatabases) {
  Given("k", "v", kNow + 1000);
  EXPECT_TRUE(Move(db(0), db(1), "k"));
  EXPECT_EQ(Value("k", 0), "<none>");
  EXPECT_EQ(Value("k", 1), "v");
  EXPECT_EQ(ExpireAt("k", 1), kNow + 1000);
  EXPECT_EQ(observer_.events, (Events{"1:new:k", "0:move_from:k", "1:move_to:k"}));
}

TEST_F(KeyOpsTest, MoveRefusesMissingSourceOrExistingTarget) {
  EXPECT_FALSE(Move(db(0), db(1), "k"));
  Given("k", "here", Entry::kNoExpire, 0);
  Given("k", "there", Entry::kNoExpire, 1);
  EXPECT_FALSE(Move(db(0), db(1), "k"));
  EXPECT_EQ(Value("k", 1), "there");
  EXPECT_TRUE(observer_.events.empty());
}

TEST_F(KeyOpsTest, CopyKeepsTheSourceAndReportsCopyTo) {
  Given("a", "v", kNow + 1000);
  EXPECT_TRUE(Copy(db(), "a", db(), "b", /*replace=*/false));
  EXPECT_EQ(Value("a"), "v");
  EXPECT_EQ(Value("b"), "v");
  EXPECT_EQ(ExpireAt("b"), kNow + 1000);
  EXPECT_FALSE(Copy(db(), "a", db(), "b", false));
  EXPECT_FALSE(Copy(db(), "missing", db(), "c", true));
  EXPECT_TRUE(Copy(db(), "a", db(), "b", /*replace=*/true));
  EXPECT_TRUE(Copy(db(0), "a", db(1), "b", false));
  EXPECT_EQ(observer_.events,
            (Events{"0:new:b", "0:copy_to:b", "0:keymiss:missing", "0:new:b", "0:copy_to:b",
                    "1:new:b", "1:copy_to:b"}));
}

TEST_F(KeyOpsTest, CopyOfAContainerIsDeep) {
  auto list = std::make_unique<List>();
  list->Push(ListEnd::kTail, "x", List::kDefaultFill);
  db().AddObject("l", std::move(list));
  ASSERT_TRUE(Copy(db(), "l", db(), "m", false));
  static_cast<List*>(db().Peek("l")->object())->Push(ListEnd::kTail, "y", List::kDefaultFill);
  EXPECT_EQ(db().Peek("m")->object()->Length(), 1u);
}

}  // namespace
}  // namespace respd::storage
