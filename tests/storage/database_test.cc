// Database and Store: lazy and active expiry on a frozen command time, volatile-key counts, SCAN
// over shards while the keyspace changes, RandomEntry, SwapContents and entry re-layouts.
#include "storage/database.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/clock.h"
#include "storage/list_object.h"
#include "tests/storage/recording_observer.h"

namespace respd::storage {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

class DatabaseTest : public ::testing::Test {
 protected:
  DatabaseTest() : store_(4, /*locking=*/false), db_(store_.db(0)) {
    store_.AddObserver(&observer_);
    SetCommandTimeMs(kNow);
  }

  std::set<std::string> ScanAll(Database& db, size_t count) {
    std::set<std::string> keys;
    uint64_t cursor = 0;
    int calls = 0;
    do {
      cursor = db.Scan(cursor, count, [&](Entry* e) { keys.insert(std::string(e->key())); });
    } while (cursor != 0 && ++calls < 1000000);
    return keys;
  }

  RecordingObserver observer_;
  Store store_;
  Database& db_;
};

// An observer that reports its work hears changes only while some observer has work; events
// always reach event observers.
class WorkingObserver : public RecordingObserver {
 public:
  void Work(int64_t delta) { ChangeWork(delta); }
};

TEST(StoreObserversTest, ChangesReachWorkReportingObserversOnlyWhileOneHasWork) {
  Store store(1, /*locking=*/false);
  WorkingObserver watcher;
  RecordingObserver events;
  store.AddObserver(&watcher, Store::kChanges | Store::kReportsWork);
  store.AddObserver(&events, Store::kEvents);
  Database& db = store.db(0);
  db.Touch("a", {kEventString, "set"});
  EXPECT_TRUE(watcher.modified.empty());
  EXPECT_EQ(events.events, std::vector<std::string>{"0:set:a"});
  EXPECT_TRUE(events.modified.empty());
  watcher.Work(2);
  db.Touch("b", {kEventString, "set"});
  watcher.Work(-1);
  db.Touch("c", {kEventString, "set"});
  watcher.Work(-1);
  db.Touch("d", {kEventString, "set"});
  EXPECT_EQ(watcher.modified, (std::vector<std::string>{"0:b", "0:c"}));
  EXPECT_TRUE(watcher.events.empty());
}

TEST(StoreObserversTest, AnObserverThatReportsNoWorkHearsEveryChange) {
  Store store(1, /*locking=*/false);
  WorkingObserver watcher;
  RecordingObserver always;
  store.AddObserver(&watcher, Store::kChanges | Store::kReportsWork);
  store.AddObserver(&always);
  store.db(0).Touch("a", {kEventString, "set"});
  EXPECT_EQ(watcher.modified, std::vector<std::string>{"0:a"});
  EXPECT_EQ(always.modified, std::vector<std::string>{"0:a"});
}

TEST_F(DatabaseTest, TouchSignalsAndReportsNotifyOnlyReports) {
  db_.Touch("k", {kEventList, "lpop"});
  db_.Notify("k", kDelEvent);
  EXPECT_EQ(observer_.modified, std::vector<std::string>{"0:k"});
  EXPECT_EQ(observer_.events, (std::vector<std::string>{"0:lpop:k", "0:del:k"}));
}

// A hint reads bucket slots and chain heads: under the sanitizers this checks it stays inside
// them for an empty table, more keys than one batch, and keys that are absent.
TEST_F(DatabaseTest, PrefetchIsOnlyAHint) {
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("key:" + std::to_string(i));
  std::vector<std::string_view> keys(names.begin(), names.end());
  db_.Prefetch(keys);
  for (size_t i = 0; i < names.size(); i += 2) db_.SetString(names[i], "v", Entry::kNoExpire);
  observer_.events.clear();
  db_.Prefetch(keys);
  db_.Prefetch({});
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(db_.FindReadQuiet(names[i]) != nullptr, i % 2 == 0) << names[i];
  }
  EXPECT_TRUE(observer_.events.empty());
}

TEST_F(DatabaseTest, ExpiryReportsExpiredEvent) {
  db_.SetString("k", "v", kNow + 100);
  observer_.events.clear();
  SetCommandTimeMs(kNow + 100);
  EXPECT_EQ(db_.FindRead("k"), nullptr);
  EXPECT_EQ(observer_.events, (std::vector<std::string>{"0:expired:k", "0:keymiss:k"}));
}

// Redis's lookupKeyRead reports a miss as "keymiss"; write lookups and OBJECT's do not.
TEST_F(DatabaseTest, OnlyReadLookupsReportKeymiss) {
  EXPECT_EQ(db_.FindRead("a"), nullptr);
  EXPECT_EQ(db_.FindWrite("b"), nullptr);
  EXPECT_EQ(db_.FindReadQuiet("c"), nullptr);
  EXPECT_EQ(db_.FindSlot("d", /*read=*/true).entry, nullptr);
  EXPECT_EQ(db_.FindSlot("e", /*read=*/false).entry, nullptr);
  EXPECT_EQ(observer_.events, (std::vector<std::string>{"0:keymiss:a", "0:keymiss:d"}));
}

TEST_F(DatabaseTest, LazyExpiryAtLookup) {
  db_.SetString("k", "v", kNow + 100);
  db_.SetString("p", "v", Entry::kNoExpire);
  EXPECT_EQ(db_.VolatileCount(), 1u);
  EXPECT_NE(db_.FindRead("k"), nullptr);
  SetCommandTimeMs(kNow + 100);
  EXPECT_EQ(db_.Size(), 2u);  // still stored until someone looks
  EXPECT_EQ(db_.FindRead("k"), nullptr);
  EXPECT_EQ(db_.Size(), 1u);
  EXPECT_EQ(db_.VolatileCount(), 0u);
  EXPECT_EQ(store_.stats().expired_keys.load(), 1u);
  EXPECT_FALSE(db_.Delete("k"));
  EXPECT_EQ(observer_.modified.back(), "0:k");
}

// CLIENT PAUSE holds expiry: reads, SCAN and RANDOMKEY hide an expired key and leave it stored,
// silently; a write lookup, or a write that adds the key after a read lookup, still expires it.
TEST_F(DatabaseTest, HeldExpiryHidesExpiredKeysFromReadsWithoutDeletingThem) {
  db_.SetString("k", "v", kNow + 100);
  db_.SetString("h", "v", kNow + 100);
  db_.SetString("p", "v", Entry::kNoExpire);
  SetCommandTimeMs(kNow + 100);
  store_.HoldExpiry(true);
  observer_.events.clear();
  EXPECT_EQ(db_.FindRead("k"), nullptr);
  EXPECT_EQ(db_.Peek("k"), nullptr);
  EXPECT_EQ(ScanAll(db_, 1), std::set<std::string>{"p"});
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(db_.RandomEntry(rng)->key(), "p");
  EXPECT_EQ(db_.Size(), 3u);
  EXPECT_EQ(store_.stats().expired_keys.load(), 0u);
  EXPECT_EQ(observer_.events, std::vector<std::string>{"0:keymiss:k"});

  EXPECT_EQ(db_.FindWrite("k"), nullptr);
  EXPECT_EQ(db_.Size(), 2u);
  db_.AddObject("h", std::make_unique<List>());
  EXPECT_EQ(db_.Size(), 2u);
  EXPECT_EQ(db_.FindRead("h")->type(), ValueType::kList);
  EXPECT_EQ(store_.stats().expired_keys.load(), 2u);

  db_.SetString("k", "v", kNow);
  store_.HoldExpiry(false);
  EXPECT_EQ(db_.FindRead("k"), nullptr);
  EXPECT_EQ(db_.Size(), 2u);
  EXPECT_EQ(store_.stats().expired_keys.load(), 3u);
}

TEST_F(DatabaseTest, ActiveExpiryOnFrozenTime) {
  for (int i = 0; i < 1000; ++i) {
    db_.SetString("v" + std::to_string(i), "x", kNow + (i % 2 == 0 ? 10 : 100000));
    db_.SetString("p" + std::to_string(i), "x", Entry::kNoExpire);
  }
  EXPECT_EQ(db_.VolatileCount(), 1000u);
  size_t expired = 0;
  for (size_t shard = 0; shard < kShardCount; ++shard) {
    // Bounded: each call walks at most 16 buckets; a shard has far fewer than 16000 buckets.
    size_t walked = 0;
    for (int round = 0; round < 1000; ++round) {
      Database::ExpireStep step = db_.ActiveExpireShard(shard, 16, kNow + 10);
      expired += step.expired;
      walked += step.buckets;
      if (walked >= step.table_buckets) break;
    }
  }
  // One walk of each shard's table finds every expired key.
  EXPECT_EQ(expired, 500u);
  EXPECT_EQ(db_.Size(), 1500u);
  EXPECT_EQ(db_.VolatileCount(), 500u);
  size_t per_shard = 0;
  for (size_t shard = 0; shard < kShardCount; ++shard) per_shard += db_.ShardVolatileCount(shard);
  EXPECT_EQ(per_shard, 500u);
}

TEST_F(DatabaseTest, VolatileCountsFollowEveryPath) {
  Entry* e = db_.SetString("a", "1", Entry::kNoExpire);
  e = db_.SetExpire(e, kNow + 1000);
  EXPECT_EQ(db_.VolatileCount(), 1u);
  e = db_.SetExpire(e, kNow + 2000);  // same layout: updated in place
  EXPECT_EQ(e->expire_at(), kNow + 2000);
  db_.SetString("a", "2", Entry::kNoExpire, /*keep_ttl=*/true);
  EXPECT_EQ(db_.VolatileCount(), 1u);
  db_.SetString("a", "3", Entry::kNoExpire);
  EXPECT_EQ(db_.VolatileCount(), 0u);
  db_.SetString("b", "1", kNow + 5);
  Entry* detached = db_.Detach("b");
  EXPECT_EQ(db_.VolatileCount(), 0u);
  store_.db(1).Put(Entry::Rekey(detached, "c"));
  EXPECT_EQ(store_.db(1).VolatileCount(), 1u);
  EXPECT_EQ(store_.db(1).FindRead("c")->expire_at(), kNow + 5);
  db_.SetString("c", "old", kNow + 7);
  db_.Put(Entry::NewString("c", "new", Entry::kNoExpire));  // replaces a volatile key
  EXPECT_EQ(db_.VolatileCount(), 0u);
  db_.Clear();
  EXPECT_EQ(db_.Size(), 0u);
}

TEST_F(DatabaseTest, SetExpireKeepsChainsIntact) {
  // Many keys per bucket chain: changing a layout in the middle of a chain must keep the rest.
  for (int i = 0; i < 2000; ++i) db_.SetString("k" + std::to_string(i), "v", Entry::kNoExpire);
  for (int i = 0; i < 2000; i += 3) {
    Entry* e = db_.FindWrite("k" + std::to_string(i));
    db_.SetExpire(e, kNow + 1000);
  }
  for (int i = 0; i < 2000; i += 6) {
    Entry* e = db_.FindWrite("k" + std::to_string(i));
    db_.SetExpire(e, Entry::kNoExpire);
  }
  for (int i = 0; i < 2000; ++i) {
    Entry* e = db_.FindRead("k" + std::to_string(i));
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->has_expire(), i % 3 == 0 && i % 6 != 0) << i;
  }
  EXPECT_EQ(db_.VolatileCount(), 333u);
}

TEST_F(DatabaseTest, WithExpireAndRekeyMemory) {
  Entry* plain = Entry::NewString("key", "value", Entry::kNoExpire);
  size_t plain_bytes = plain->MemoryUsage();
  Entry* timed = Entry::WithExpire(plain, kNow);
  EXPECT_TRUE(timed->has_expire());
  EXPECT_EQ(timed->str(), "value");
  EXPECT_LE(timed->MemoryUsage(), plain_bytes + 16);  // a TTL costs at most 16 bytes
  Entry* back = Entry::WithExpire(timed, Entry::kNoExpire);
  EXPECT_FALSE(back->has_expire());
  EXPECT_EQ(back->MemoryUsage(), plain_bytes);
  back->set_lru(1234);
  Entry* renamed = Entry::Rekey(back, "a-much-longer-key-name");
  EXPECT_EQ(renamed->key(), "a-much-longer-key-name");
  EXPECT_EQ(renamed->str(), "value");
  EXPECT_EQ(renamed->lru(), 1234u);
  Entry* copy = Entry::CloneAs(renamed, "copy", kNow + 1);
  EXPECT_EQ(copy->str(), "value");
  EXPECT_EQ(copy->expire_at(), kNow + 1);
  Entry::Free(renamed);
  Entry::Free(copy);
}

TEST_F(DatabaseTest, ScanSkipsExpiredKeysAndSurvivesChanges) {
  std::set<std::string> stable;
  for (int i = 0; i < 500; ++i) {
    stable.insert("s" + std::to_string(i));
    db_.SetString("s" + std::to_string(i), "v", Entry::kNoExpire);
    db_.SetString("e" + std::to_string(i), "v", kNow + 1);
  }
  SetCommandTimeMs(kNow + 1);
  EXPECT_EQ(ScanAll(db_, 10), stable);
  EXPECT_EQ(db_.Size(), 500u);  // SCAN reclaimed the expired keys it met

  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = db_.Scan(cursor, 3, [&](Entry* e) { seen.insert(std::string(e->key())); });
    std::string prefix = "t" + std::to_string(step / 2) + ":";
    for (int i = 0; i < 1500; ++i) {
      if (step % 2 == 0) {
        db_.SetString(prefix + std::to_string(i), "v", Entry::kNoExpire);
      } else {
        db_.Delete(prefix + std::to_string(i));
      }
    }
    ++step;
  } while (cursor != 0 && step < 100000);
  EXPECT_EQ(cursor, 0u);
  for (const std::string& key : stable) EXPECT_TRUE(seen.count(key)) << key;
}

TEST_F(DatabaseTest, RandomEntry) {
  std::mt19937_64 rng(42);
  EXPECT_EQ(db_.RandomEntry(rng), nullptr);
  for (int i = 0; i < 50; ++i) db_.SetString("k" + std::to_string(i), "v", Entry::kNoExpire);
  std::set<std::string> picked;
  for (int i = 0; i < 2000; ++i) picked.insert(std::string(db_.RandomEntry(rng)->key()));
  EXPECT_EQ(picked.size(), 50u);  // every key can come up
  db_.Clear();
  for (int i = 0; i < 20; ++i) db_.SetString("x" + std::to_string(i), "v", kNow + 1);
  db_.SetString("live", "v", Entry::kNoExpire);
  SetCommandTimeMs(kNow + 1);
  for (int i = 0; i < 20; ++i) {
    Entry* e = db_.RandomEntry(rng);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->key(), "live");
  }
}

TEST_F(DatabaseTest, SwapContentsAndFlush) {
  db_.SetString("a", "1", kNow + 100);
  store_.db(2).SetString("b", "2", Entry::kNoExpire);
  store_.SwapDatabases(0, 2);
  EXPECT_EQ(db_.FindRead("a"), nullptr);
  EXPECT_NE(db_.FindRead("b"), nullptr);
  EXPECT_EQ(store_.db(2).VolatileCount(), 1u);
  EXPECT_EQ(db_.VolatileCount(), 0u);
  EXPECT_EQ(store_.db(2).index(), 2);
  EXPECT_EQ(observer_.dbs, (std::vector<int>{0, 2}));
  store_.FlushAll();
  EXPECT_EQ(db_.Size() + store_.db(2).Size(), 0u);
}

TEST_F(DatabaseTest, PeekNeitherCountsNorTouches) {
  Entry* e = db_.SetString("k", "v", Entry::kNoExpire);
  e->set_lru(7);
  EXPECT_EQ(db_.Peek("k"), e);
  EXPECT_EQ(db_.Peek("nokey"), nullptr);
  EXPECT_EQ(e->lru(), 7u);
  EXPECT_EQ(store_.stats().keyspace_hits.load() + store_.stats().keyspace_misses.load(), 0u);
}

// A busy script serves its thread's other clients from its hook while it holds every shard lock:
// their commands must run under those locks instead of locking again (a std::mutex its own thread
// holds), and their batch time must not move the script's instant.
TEST(ShardLocksTest, NestedInAllLocksNothingAndReleasesInOrder) {
  Store store(1, /*locking=*/true);
  EXPECT_FALSE(ShardLocks::AllHeldByThisThread());
  {
    ShardLocks all = ShardLocks::All(store);
    EXPECT_TRUE(ShardLocks::AllHeldByThisThread());
    std::string_view keys[] = {"a", "b"};
    { ShardLocks nested(store, keys); }
    { ShardLocks nested_all = ShardLocks::All(store); }
    EXPECT_TRUE(ShardLocks::AllHeldByThisThread());
    ShardLocks moved = std::move(all);
    all.Release();
    EXPECT_TRUE(ShardLocks::AllHeldByThisThread());
    for (size_t shard = 0; shard < kShardCount; ++shard) {
      EXPECT_FALSE(store.shard_mutex(shard).try_lock()) << shard;
    }
  }
  EXPECT_FALSE(ShardLocks::AllHeldByThisThread());
  for (size_t shard = 0; shard < kShardCount; ++shard) {
    ASSERT_TRUE(store.shard_mutex(shard).try_lock()) << shard;
    store.shard_mutex(shard).unlock();
  }
}

TEST(ScopedCommandTimeTest, RestoresTheOuterTime) {
  ScopedCommandTime script(kNow);
  {
    ScopedCommandTime nested(kNow + 5000);
    EXPECT_EQ(CommandTimeMs(), kNow + 5000);
  }
  EXPECT_EQ(CommandTimeMs(), kNow);
  EXPECT_TRUE(CommandTimeHeld());
}

}  // namespace
}  // namespace respd::storage
