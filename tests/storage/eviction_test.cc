// maxmemory's choice of keys (storage/eviction.h): each policy takes the key Redis's would (the
// idlest, the least used, the nearest to expire, any, or only keys with a TTL), names gone from
// the pool are passed over, and an evicted key is reported as Redis reports it. Then the LFU
// counter keys keep under an LFU policy (Redis's updateLFU), and the footprint maxmemory's
// estimate follows.
#include "storage/eviction.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/clock.h"
#include "storage/database.h"
#include "storage/memory.h"

namespace respd::storage {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;

class Recorder : public KeyspaceObserver {
 public:
  void OnKeyModified(int db, std::string_view key) override { modified.emplace_back(key); }
  void OnDbModified(int) override {}
  void OnKeyReady(int, std::string_view) override {}
  void OnKeyEvent(int db, std::string_view key, KeyEvent event) override {
    events.push_back(std::to_string(db) + " " + std::string(event.name) + " " + std::string(key));
  }
  std::vector<std::string> modified;
  std::vector<std::string> events;
};

class EvictionTest : public ::testing::Test {
 protected:
  EvictionTest() {
    SetCommandTimeMs(kNow);
    store_.AddObserver(&recorder_);
  }

  void UsePolicy(EvictionPolicy policy) {
    settings_.policy = policy;
    store_.SetAccessClockPolicy(
        {.lfu = policy == EvictionPolicy::kAllKeysLfu || policy == EvictionPolicy::kVolatileLfu});
  }
  // Sets `key` as if at `at_ms`, so its clock says so.
  void SetAt(std::string_view key, int64_t at_ms, int64_t expire_at_ms = Entry::kNoExpire,
             int db = 0) {
    SetCommandTimeMs(at_ms);
    store_.db(db).SetString(key, "value", expire_at_ms);
    SetCommandTimeMs(kNow);
  }
  std::optional<size_t> EvictOne() { return evictor_.EvictOne(store_, settings_, kNow, rng_); }
  std::set<std::string> Keys(int db = 0) {
    std::set<std::string> keys;
    store_.db(db).ForEachStored([&](const Entry* e) { keys.emplace(e->key()); });
    return keys;
  }

  Store store_{3, /*locking=*/false};
  Recorder recorder_;
  EvictionSettings settings_{.samples = 16};
  Evictor evictor_;
  std::mt19937_64 rng_{42};
};

TEST_F(EvictionTest, PolicyNamesAreRedisOnes) {
  EXPECT_EQ(ParseEvictionPolicy("allkeys-lru"), EvictionPolicy::kAllKeysLru);
  EXPECT_EQ(ParseEvictionPolicy("volatile-ttl"), EvictionPolicy::kVolatileTtl);
  EXPECT_EQ(ParseEvictionPolicy("noeviction"), EvictionPolicy::kNoEviction);
  EXPECT_EQ(ParseEvictionPolicy("allkeys-LRU"), std::nullopt);
}

TEST_F(EvictionTest, LruTakesTheIdlestFirstAndReportsIt) {
  UsePolicy(EvictionPolicy::kAllKeysLru);
  for (int i = 0; i < 8; ++i) SetAt("k" + std::to_string(i), kNow - (10 - i) * kSecond);
  size_t charged = memory::ChargedBytes(store_.db(0).Peek("k0"));
  recorder_.events.clear();
  recorder_.modified.clear();
  EXPECT_EQ(EvictOne(), charged);
  EXPECT_EQ(recorder_.events, std::vector<std::string>{"0 evicted k0"});
  EXPECT_EQ(recorder_.modified, std::vector<std::string>{"k0"});
  EXPECT_TRUE(EvictOne());
  EXPECT_EQ(Keys().count("k1"), 0u);
  EXPECT_EQ(Keys().size(), 6u);
  EXPECT_EQ(store_.stats().evicted_keys.load(), 2u);
}

TEST_F(EvictionTest, AReadMakesAKeyYoung) {
  UsePolicy(EvictionPolicy::kAllKeysLru);
  SetAt("old", kNow - 100 * kSecond);
  SetAt("newer", kNow - 50 * kSecond);
  ASSERT_NE(store_.db(0).FindRead("old"), nullptr);
  EXPECT_TRUE(EvictOne());
  EXPECT_EQ(Keys(), std::set<std::string>{"old"});
}

TEST_F(EvictionTest, LfuTakesTheLeastUsed) {
  UsePolicy(EvictionPolicy::kAllKeysLfu);
  for (std::string key : {"a", "b", "c"}) SetAt(key, kNow);
  // A counter at its start value always grows on the first access.
  ASSERT_NE(store_.db(0).FindRead("a"), nullptr);
  ASSERT_NE(store_.db(0).FindRead("c"), nullptr);
  EXPECT_EQ(LfuFrequency(store_.db(0).Peek("a"), kNow), 6);
  EXPECT_EQ(LfuFrequency(store_.db(0).Peek("b"), kNow), static_cast<int64_t>(kLfuInitialCounter));
  EXPECT_TRUE(EvictOne());
  EXPECT_EQ(Keys(), (std::set<std::string>{"a", "c"}));
}

TEST_F(EvictionTest, VolatileTtlTakesTheNearestExpiryAndNeverAPersistentKey) {
  UsePolicy(EvictionPolicy::kVolatileTtl);
  SetAt("persistent", kNow - 1000 * kSecond);
  SetAt("later", kNow, kNow + 300 * kSecond);
  SetAt("soon", kNow, kNow + 10 * kSecond);
  EXPECT_TRUE(EvictOne());
  EXPECT_EQ(Keys(), (std::set<std::string>{"later", "persistent"}));
  EXPECT_TRUE(EvictOne());
  EXPECT_EQ(EvictOne(), std::nullopt);
  EXPECT_EQ(Keys(), std::set<std::string>{"persistent"});
}

TEST_F(EvictionTest, VolatilePoliciesLeaveKeysWithoutATtl) {
  for (EvictionPolicy policy : {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu,
                                EvictionPolicy::kVolatileRandom}) {
    store_.FlushAll();
    UsePolicy(policy);
    for (int i = 0; i < 200; ++i) {
      SetAt("p" + std::to_string(i), kNow - 1000 * kSecond);
      if (i % 20 == 0) SetAt("v" + std::to_string(i), kNow, kNow + kMinute);
    }
    int evicted = 0;
    while (EvictOne() && evicted < 100) ++evicted;
    EXPECT_EQ(evicted, 10) << static_cast<int>(policy);
    EXPECT_EQ(store_.db(0).Size(), 200u);
    EXPECT_EQ(store_.db(0).VolatileCount(), 0u);
  }
}

TEST_F(EvictionTest, RandomPoliciesEmptyEveryDatabase) {
  UsePolicy(EvictionPolicy::kAllKeysRandom);
  for (int i = 0; i < 50; ++i) SetAt("k" + std::to_string(i), kNow, Entry::kNoExpire, i % 3);
  int evicted = 0;
  while (EvictOne() && evicted < 100) ++evicted;
  EXPECT_EQ(evicted, 50);
  EXPECT_EQ(store_.UsedBytes(), 0u);
}

TEST_F(EvictionTest, KeysInAnyDatabaseAreCandidates) {
  UsePolicy(EvictionPolicy::kAllKeysLru);
  SetAt("only", kNow, Entry::kNoExpire, 2);
  recorder_.events.clear();
  EXPECT_TRUE(EvictOne());
  EXPECT_EQ(recorder_.events, std::vector<std::string>{"2 evicted only"});
  EXPECT_EQ(EvictOne(), std::nullopt);
}

TEST_F(EvictionTest, NamesGoneFromTheKeyspaceArePassedOver) {
  UsePolicy(EvictionPolicy::kAllKeysLru);
  for (int i = 0; i < 8; ++i) SetAt("k" + std::to_string(i), kNow - (10 - i) * kSecond);
  EXPECT_TRUE(EvictOne());                 // k0; k1.. stay pooled
  ASSERT_TRUE(store_.db(0).Delete("k1"));  // behind the pool's back
  EXPECT_TRUE(EvictOne());
  EXPECT_EQ(Keys().count("k2"), 0u);
  EXPECT_EQ(Keys().size(), 5u);
}

TEST_F(EvictionTest, NoevictionEvictsNothing) {
  UsePolicy(EvictionPolicy::kNoEviction);
  SetAt("k", kNow);
  EXPECT_EQ(EvictOne(), std::nullopt);
  EXPECT_EQ(store_.db(0).Size(), 1u);
}

TEST(LfuClockTest, CountsAccessesLogarithmicallyAndDecays) {
  AccessClockPolicy lfu{.lfu = true, .log_factor = 10, .decay_minutes = 1};
  Store store(1, false);
  SetCommandTimeMs(kNow);
  Entry* e = store.db(0).SetString("k", "v", Entry::kNoExpire);
  e->set_lru(NewKeyClock(lfu, kNow));
  EXPECT_EQ(LfuFrequency(e, kNow), 5);
  // At the start value every access counts; above it, one in (counter - 5) * factor + 1.
  e->set_lru(AccessedClock(e, lfu, kNow, 0.99));
  EXPECT_EQ(LfuFrequency(e, kNow), 6);
  e->set_lru(AccessedClock(e, lfu, kNow, 1.0 / 11 + 0.001));
  EXPECT_EQ(LfuFrequency(e, kNow), 6);
  e->set_lru(AccessedClock(e, lfu, kNow, 1.0 / 11 - 0.001));
  EXPECT_EQ(LfuFrequency(e, kNow), 7);
  // Each period of lfu-decay-time takes one off; an access decays first, then counts (at or
  // below the start value, always).
  EXPECT_EQ(LfuFrequency(e, kNow + 3 * kMinute), 4);
  EXPECT_EQ(LfuFrequency(e, kNow + 3 * kMinute, /*decay_minutes=*/0), 7);
  e->set_lru(AccessedClock(e, lfu, kNow + 3 * kMinute, 0.99));
  EXPECT_EQ(LfuFrequency(e, kNow + 3 * kMinute), 5);
  // The counter stops at 255.
  AccessClockPolicy eager{.lfu = true, .log_factor = 0};
  for (int i = 0; i < 300; ++i) e->set_lru(AccessedClock(e, eager, kNow, 0.5));
  EXPECT_EQ(LfuFrequency(e, kNow), 255);
  // Without an LFU policy the bits are the LRU clock.
  EXPECT_EQ(AccessedClock(e, AccessClockPolicy{}, kNow, 0.5), LruClock(kNow));
  EXPECT_EQ(NewKeyClock(AccessClockPolicy{}, kNow), LruClock(kNow));
}

TEST(FootprintTest, IsTheKeysPlusTheirTables) {
  Store store(2, false);
  SetCommandTimeMs(kNow);
  auto tables = [&] { return store.db(0).OverheadMemory() + store.db(1).OverheadMemory(); };
  for (int i = 0; i < 1000; ++i)
    store.db(i % 2).SetString("k" + std::to_string(i), "v", kNow + kMinute);
  EXPECT_GT(tables(), 0u);
  EXPECT_EQ(store.Footprint(), store.UsedBytes() + tables());
  store.SwapDatabases(0, 1);
  EXPECT_EQ(store.Footprint(), store.UsedBytes() + tables());
  for (int i = 0; i < 900; ++i) store.db(i % 2 == 0 ? 1 : 0).Delete("k" + std::to_string(i));
  EXPECT_EQ(store.Footprint(), store.UsedBytes() + tables());
  store.FlushAll();
  EXPECT_EQ(store.Footprint(), 0u);
}

}  // namespace
}  // namespace respd::storage
