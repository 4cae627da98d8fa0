// Lazy freeing: Redis's free effort per type and encoding, the freer's threshold and counters,
// the deletions that hand values over (and only when their option says so), whole databases
// handed over by a lazy flush.
#include "storage/lazy_free.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/clock.h"
#include "storage/database.h"
#include "storage/hash_object.h"
#include "storage/key_ops.h"
#include "storage/list_object.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/zset.h"

namespace respd::storage {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::unique_ptr<Set> SetOf(size_t members, std::string_view prefix) {
  auto set = Set::New(std::string(prefix) + "0");
  for (size_t i = 0; i < members; ++i) set->Add(std::string(prefix) + std::to_string(i), 512);
  return set;
}

void Append(Stream& stream, uint64_t ms, const StreamNodeLimits& limits) {
  std::vector<std::string_view> field_values = {"foo", "bar"};
  stream.Append({ms, 0}, field_values, limits);
}

TEST(FreeEffortTest, CompactEncodingsAreOneAllocation) {
  EXPECT_EQ(FreeEffort(*SetOf(100, "")), 1u);  // intset
  Hash hash;
  for (int i = 0; i < 100; ++i) hash.Set("f" + std::to_string(i), "v", HashLimits{});
  ASSERT_EQ(hash.Encoding(), "listpack");
  EXPECT_EQ(FreeEffort(hash), 1u);
  auto zset = ZSet::New(ZSetLimits{}, 1);
  double score = 0;
  for (int i = 0; i < 100; ++i) zset->Add(i, "m" + std::to_string(i), 0, ZSetLimits{}, &score);
  ASSERT_EQ(zset->Encoding(), "listpack");
  EXPECT_EQ(FreeEffort(*zset), 1u);
}

TEST(FreeEffortTest, HashTablesAndSkiplistsCountTheirElements) {
  EXPECT_EQ(FreeEffort(*SetOf(100, "m")), 100u);
  Hash hash;
  HashLimits small{.max_listpack_entries = 1};
  for (int i = 0; i < 100; ++i) hash.Set("f" + std::to_string(i), "v", small);
  ASSERT_EQ(hash.Encoding(), "hashtable");
  EXPECT_EQ(FreeEffort(hash), 100u);
  ZSetLimits tiny{.max_listpack_entries = 1};
  auto zset = ZSet::New(tiny, 1);
  double score = 0;
  for (int i = 0; i < 100; ++i) zset->Add(i, "m" + std::to_string(i), 0, tiny, &score);
  ASSERT_EQ(zset->Encoding(), "skiplist");
  EXPECT_EQ(FreeEffort(*zset), 100u);
}

TEST(FreeEffortTest, ListsCountTheirQuicklistNodes) {
  List list;
  for (int i = 0; i < 1000; ++i) list.Push(ListEnd::kTail, "element", List::kDefaultFill);
  EXPECT_EQ(FreeEffort(list), list.NodeCount());
  EXPECT_LE(FreeEffort(list), kLazyFreeThreshold);  // 8 KB nodes: a thousand short elements fit
  List one_per_node;
  for (int i = 0; i < 100; ++i) one_per_node.Push(ListEnd::kTail, "element", 1);
  EXPECT_EQ(FreeEffort(one_per_node), 100u);
}

TEST(FreeEffortTest, StreamsCountTreeNodesGroupsAndTheFirstGroupsPendingEntries) {
  Stream stream;
  EXPECT_EQ(FreeEffort(stream), stream.RadixTreeNodes());
  StreamNodeLimits five{.max_entries = 5};
  for (uint64_t ms = 1; ms <= 20; ++ms) Append(stream, ms, five);
  size_t tree = stream.RadixTreeNodes();
  EXPECT_EQ(FreeEffort(stream), tree);
  StreamGroup* first = stream.CreateGroup("a", {0, 0}, 0);
  StreamGroup* second = stream.CreateGroup("b", {0, 0}, 0);
  first->pel[{1, 0}] = StreamNack{};
  first->pel[{2, 0}] = StreamNack{};
  second->pel[{3, 0}] = StreamNack{};  // only the first group's PEL is counted, for every group
  EXPECT_EQ(FreeEffort(stream), tree + 2 * (1 + 2));
  // Redis's unit/lazyfree stream: 1000 entries, stream-node-max-entries 5.
  Stream big;
  for (uint64_t ms = 1; ms <= 1000; ++ms) Append(big, ms, five);
  EXPECT_GT(FreeEffort(big), kLazyFreeThreshold);
}

TEST(LazyFreerTest, SmallValuesAreFreedAtOnceBigOnesByTheThread) {
  LazyFreer freer;
  freer.Free(SetOf(kLazyFreeThreshold, "m"));
  EXPECT_EQ(freer.pending(), 0u);
  EXPECT_EQ(freer.freed(), 0u);
  freer.Free(SetOf(kLazyFreeThreshold + 1, "m"));
  freer.Free(SetOf(1000, "m"));
  freer.WaitIdle();
  EXPECT_EQ(freer.pending(), 0u);
  EXPECT_EQ(freer.freed(), 2u);
  freer.ResetStats();
  EXPECT_EQ(freer.freed(), 0u);
}

TEST(LazyFreerTest, TablesCountTheirKeys) {
  LazyFreer freer;
  std::vector<std::unique_ptr<KeyTable>> tables;
  for (int t = 0; t < 2; ++t) {
    auto table = std::make_unique<KeyTable>();
    for (int i = 0; i < 3; ++i) {
      std::string key = std::to_string(t) + ":" + std::to_string(i);
      table->Insert(Entry::NewString(key, "v", Entry::kNoExpire), HashBytes(key));
    }
    tables.push_back(std::move(table));
  }
  freer.FreeTables(std::move(tables), 6);
  freer.WaitIdle();
  EXPECT_EQ(freer.freed(), 6u);
}

TEST(LazyFreerTest, WhatIsStillQueuedIsFreedOnDestruction) {
  // Sanitizer builds report a leak if anything handed over is dropped.
  auto freer = std::make_unique<LazyFreer>();
  for (int i = 0; i < 20; ++i) freer->Free(SetOf(1000, "m"));
  freer.reset();
}

class LazyDeletionTest : public ::testing::Test {
 protected:
  LazyDeletionTest() { SetCommandTimeMs(kNow); }

  Database& db() { return store_.db(0); }
  LazyFreer& freer() { return store_.lazy_freer(); }
  void AddBigSet(std::string_view key, int64_t expire_at = Entry::kNoExpire) {
    db().AddObject(key, SetOf(1000, "m"), expire_at);
  }
  uint64_t Freed() {
    freer().WaitIdle();
    return freer().freed();
  }

  Store store_{2, /*locking=*/false};
};

TEST_F(LazyDeletionTest, UnlinkHandsBigValuesOverAndUnchargesThemAtOnce) {
  AddBigSet("big");
  db().SetString("small", "v", Entry::kNoExpire);
  db().AddObject("small-set", SetOf(10, "m"));
  std::string_view keys[] = {"big", "small", "small-set"};
  EXPECT_EQ(Del(db(), keys, Freeing::kLazy), 3);
  EXPECT_EQ(store_.UsedBytes(), 0u);
  EXPECT_EQ(Freed(), 1u);
}

TEST_F(LazyDeletionTest, DelFollowsLazyfreeLazyUserDel) {
  std::string_view keys[] = {"big"};
  AddBigSet("big");
  EXPECT_EQ(Del(db(), keys, Freeing::kUserDel), 1);
  EXPECT_EQ(Freed(), 0u);
  store_.SetLazyFree(Freeing::kUserDel, true);
  AddBigSet("big");
  EXPECT_EQ(Del(db(), keys, Freeing::kUserDel), 1);
  EXPECT_EQ(Freed(), 1u);
}

TEST_F(LazyDeletionTest, ExpiryFollowsLazyfreeLazyExpire) {
  AddBigSet("a", kNow + 10);
  AddBigSet("b", kNow + 10);
  SetCommandTimeMs(kNow + 10);
  EXPECT_EQ(db().FindRead("a"), nullptr);
  EXPECT_EQ(Freed(), 0u);
  store_.SetLazyFree(Freeing::kExpire, true);
  EXPECT_EQ(db().FindRead("b"), nullptr);
  EXPECT_EQ(Freed(), 1u);
  // A time already past given to a key deletes it as an expiry.
  AddBigSet("c");
  EXPECT_TRUE(Expire(db(), "c", kNow, kExpireAlways));
  EXPECT_EQ(Freed(), 2u);
}

TEST_F(LazyDeletionTest, EvictionFollowsLazyfreeLazyEviction) {
  AddBigSet("a");
  AddBigSet("b");
  ASSERT_TRUE(db().Evict("a", false).has_value());
  EXPECT_EQ(Freed(), 0u);
  store_.SetLazyFree(Freeing::kEviction, true);
  ASSERT_TRUE(db().Evict("b", false).has_value());
  EXPECT_EQ(Freed(), 1u);
}

TEST_F(LazyDeletionTest, OverwritesFollowLazyfreeLazyServerDel) {
  AddBigSet("a");
  db().SetString("a", "v", Entry::kNoExpire);
  EXPECT_EQ(Freed(), 0u);
  store_.SetLazyFree(Freeing::kServerDel, true);
  AddBigSet("b");
  db().SetString("b", "v", Entry::kNoExpire);
  AddBigSet("c");
  db().Put(Entry::NewString("c", "v", Entry::kNoExpire));
  AddBigSet("d");
  EXPECT_TRUE(db().Delete("d"));
  EXPECT_EQ(Freed(), 3u);
  store_.SetLazyFree(Freeing::kServerDel, false);
  AddBigSet("e");
  EXPECT_TRUE(db().Delete("e"));
  EXPECT_EQ(Freed(), 3u);
}

TEST_F(LazyDeletionTest, LazyFlushHandsOverEveryKeyAndLeavesNothingCharged) {
  for (int i = 0; i < 100; ++i) db().SetString("k" + std::to_string(i), "v", Entry::kNoExpire);
  AddBigSet("big");
  store_.db(1).SetString("other", "v", kNow + 1000);
  store_.FlushAll(Freeing::kLazy);
  EXPECT_EQ(db().Size(), 0u);
  EXPECT_EQ(store_.db(1).VolatileCount(), 0u);
  EXPECT_EQ(store_.UsedBytes(), 0u);
  EXPECT_EQ(store_.Footprint(), 0u);
  EXPECT_EQ(Freed(), 102u);  // Redis counts a flushed database's keys, whatever their size
  // The emptied tables take keys again.
  db().SetString("k", "v", Entry::kNoExpire);
  EXPECT_NE(db().Peek("k"), nullptr);
}

TEST_F(LazyDeletionTest, FlushesFollowLazyfreeLazyUserFlush) {
  AddBigSet("a");
  db().Clear(Freeing::kUserFlush);
  EXPECT_EQ(Freed(), 0u);
  store_.SetLazyFree(Freeing::kUserFlush, true);
  AddBigSet("a");
  db().Clear(Freeing::kUserFlush);
  EXPECT_EQ(Freed(), 1u);
  AddBigSet("a");
  db().Clear(Freeing::kSync);
  EXPECT_EQ(Freed(), 1u);
}

}  // namespace
}  // namespace respd::storage
