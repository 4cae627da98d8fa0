// Entry memory: size classes 8 bytes apart, reuse of freed blocks, resizes that keep the bytes,
// blocks freed by another thread (and handed on by one that only frees), and the idle-byte count
// INFO's used_memory relies on. Then the shard byte counter: every change to the keyspace moves
// it, and removing what was added brings it back to where it was.
#include "storage/memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/clock.h"
#include "storage/database.h"
#include "storage/key_ops.h"
#include "storage/list_object.h"

namespace respd::storage::memory {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPooling = false;  // sanitizer builds hand every entry to malloc
#else
constexpr bool kPooling = true;
#endif

void Fill(void* block, size_t size, char seed) {
  for (size_t i = 0; i < size; ++i) static_cast<char*>(block)[i] = static_cast<char>(seed + i);
}

bool Holds(const void* block, size_t size, char seed) {
  for (size_t i = 0; i < size; ++i) {
    if (static_cast<const char*>(block)[i] != static_cast<char>(seed + i)) return false;
  }
  return true;
}

TEST(EntryMemoryTest, BlocksOfEverySizeKeepTheirBytes) {
  std::vector<std::pair<void*, size_t>> blocks;
  for (size_t size = 8; size <= kMaxPooledBytes + 64; ++size) {
    void* block = Allocate(size);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(block) % alignof(void*), 0u) << size;
    Fill(block, size, static_cast<char>(size));
    blocks.emplace_back(block, size);
  }
  for (auto [block, size] : blocks) {
    EXPECT_TRUE(Holds(block, size, static_cast<char>(size))) << size;
    EXPECT_GE(BlockBytes(block, size), size);
    Free(block, size);
  }
}

TEST(EntryMemoryTest, ClassesAreEightBytesApart) {
  if (!kPooling) GTEST_SKIP() << "sanitizer build: malloc decides";
  void* block = Allocate(72);
  EXPECT_EQ(BlockBytes(block, 72), 72u);  // glibc would take 80
  EXPECT_EQ(BlockBytes(block, 65), 72u);
  EXPECT_EQ(BlockBytes(block, 64), 64u);
  Free(block, 72);
  // The freed block is the next one of its class.
  EXPECT_EQ(Allocate(70), block);
  Free(block, 70);
}

TEST(EntryMemoryTest, ResizeKeepsTheCommonPrefix) {
  const size_t sizes[] = {24, 30, 31, 200, kMaxPooledBytes, kMaxPooledBytes + 1, 4000, 40, 24};
  size_t size = sizes[0];
  void* block = Allocate(size);
  Fill(block, size, 'a');
  for (size_t next : sizes) {
    void* same_class = block;
    block = Resize(block, size, next);
    ASSERT_TRUE(Holds(block, std::min(size, next), 'a')) << size << " -> " << next;
    if (kPooling && next <= kMaxPooledBytes && size <= kMaxPooledBytes &&
        (next + 7) / 8 == (size + 7) / 8) {
      EXPECT_EQ(block, same_class) << "a resize within one class stays in place";
    }
    Fill(block, next, 'a');
    size = next;
  }
  Free(block, size);
}

TEST(EntryMemoryTest, IdleBytesFollowAllocationsOnEveryThread) {
  if (!kPooling) GTEST_SKIP() << "sanitizer build: nothing is pooled";
  std::vector<void*> blocks;
  for (int i = 0; i < 1000; ++i) blocks.push_back(Allocate(72));  // warms a slab on this thread
  size_t before = IdleBytes();
  void* block = Allocate(72);
  EXPECT_EQ(IdleBytes(), before - 72);
  // Freed on another thread: that thread's lists take it, and the total stays exact.
  std::thread([&] { Free(block, 72); }).join();
  EXPECT_EQ(IdleBytes(), before);
  for (void* b : blocks) Free(b, 72);
  EXPECT_EQ(IdleBytes(), before + 1000 * 72);
}

TEST(EntryMemoryTest, AThreadThatOnlyFreesHandsItsBlocksToThoseThatAllocate) {
  if (!kPooling) GTEST_SKIP() << "sanitizer build: nothing is pooled";
  constexpr size_t kSize = 240;  // no other test hands on blocks of this class
  constexpr size_t kBlocks = 100;
  std::vector<void*> blocks;
  for (size_t i = 0; i < kBlocks; ++i) blocks.push_back(Allocate(kSize));
  size_t idle = IdleBytes();
  std::thread([&] {
    for (void* block : blocks) Free(block, kSize);
    ReturnThreadBlocks();
  }).join();
  EXPECT_EQ(IdleBytes(), idle + kBlocks * kSize);
  // A new thread's lists are empty: its blocks of that class are the ones handed on.
  std::set<void*> reused;
  std::thread([&] {
    for (size_t i = 0; i < kBlocks; ++i) reused.insert(Allocate(kSize));
  }).join();
  EXPECT_EQ(reused, std::set<void*>(blocks.begin(), blocks.end()));
  EXPECT_EQ(IdleBytes(), idle);
  for (void* block : reused) Free(block, kSize);
}

}  // namespace
}  // namespace respd::storage::memory

namespace respd::storage {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

class ByteCounterTest : public ::testing::Test {
 protected:
  ByteCounterTest() { SetCommandTimeMs(kNow); }

  Database& db(int index = 0) { return store_.db(index); }
  List* AddList(std::string_view key) {
    db().AddObject(key, std::make_unique<List>());
    return static_cast<List*>(db().Peek(key)->object());
  }

  Store store_{2, /*locking=*/false};
};

TEST_F(ByteCounterTest, StringsChargeTheirEntryBlocks) {
  EXPECT_EQ(store_.UsedBytes(), 0u);
  Entry* e = db().SetString("key", "value", Entry::kNoExpire);
  EXPECT_EQ(store_.UsedBytes(), e->MemoryUsage());
  e = db().SetString("key", std::string(300, 'x'), Entry::kNoExpire);
  EXPECT_EQ(store_.UsedBytes(), e->MemoryUsage());
  e = db().SetExpire(e, kNow + 1000);
  EXPECT_EQ(store_.UsedBytes(), e->MemoryUsage());
  e = db().ResizeString(e, 10);
  EXPECT_EQ(store_.UsedBytes(), e->MemoryUsage());
  Entry* other = db(1).SetString("other", "v", Entry::kNoExpire);
  EXPECT_EQ(store_.UsedBytes(), e->MemoryUsage() + other->MemoryUsage());
  EXPECT_EQ(db(1).UsedBytes(), other->MemoryUsage());
  EXPECT_TRUE(db().Delete("key"));
  EXPECT_EQ(store_.UsedBytes(), other->MemoryUsage());
}

TEST_F(ByteCounterTest, ManyKeysAddUpPerShardAndReturnToZero) {
  size_t expected = 0;
  for (int i = 0; i < 1000; ++i) {
    expected += db().SetString("k" + std::to_string(i), "value", Entry::kNoExpire)->MemoryUsage();
  }
  EXPECT_EQ(db().UsedBytes(), expected);
  size_t by_shard = 0;
  for (size_t shard = 0; shard < kShardCount; ++shard) by_shard += db().ShardUsedBytes(shard);
  EXPECT_EQ(by_shard, expected);
  for (int i = 0; i < 1000; ++i) db().Delete("k" + std::to_string(i));
  EXPECT_EQ(store_.UsedBytes(), 0u);
}

TEST_F(ByteCounterTest, ContainersAreRemeasuredWhenTouched) {
  List* list = AddList("l");
  size_t empty = db().Peek("l")->MemoryUsage();
  EXPECT_EQ(store_.UsedBytes(), empty);
  for (int i = 0; i < 1000; ++i) list->Push(ListEnd::kTail, "element", List::kDefaultFill);
  EXPECT_EQ(store_.UsedBytes(), empty);  // changed in place, not reported yet
  db().Touch("l", {kEventList, "rpush"});
  size_t full = db().Peek("l")->MemoryUsage();
  EXPECT_GT(full, empty);
  EXPECT_EQ(store_.UsedBytes(), full);
  // A string event never re-measures (strings change size only through Database).
  db().Touch("l", {kEventString, "set"});
  EXPECT_EQ(store_.UsedBytes(), full);
  // Freeing takes back what the counter holds, even if the object changed since.
  list->Push(ListEnd::kTail, "one more", List::kDefaultFill);
  EXPECT_TRUE(db().Delete("l"));
  EXPECT_EQ(store_.UsedBytes(), 0u);
}

TEST_F(ByteCounterTest, RenameMoveAndCopyKeepTheTotalExact) {
  List* list = AddList("l");
  for (int i = 0; i < 100; ++i) list->Push(ListEnd::kTail, "element", List::kDefaultFill);
  db().Touch("l", {kEventList, "rpush"});
  db().SetString("s", "value", kNow + 1000);
  ASSERT_TRUE(*Rename(db(), "l", "renamed", false));
  ASSERT_TRUE(Copy(db(), "renamed", db(), "copy", false));
  ASSERT_TRUE(Move(db(0), db(1), "s"));
  size_t expected = 0;
  for (int index : {0, 1}) {
    db(index).ForEachStored([&](const Entry* e) { expected += e->MemoryUsage(); });
  }
  EXPECT_EQ(store_.UsedBytes(), expected);
  store_.SwapDatabases(0, 1);
  EXPECT_EQ(store_.UsedBytes(), expected);
  EXPECT_EQ(db(0).UsedBytes(), db(0).Peek("s")->MemoryUsage());
  store_.FlushAll();
  EXPECT_EQ(store_.UsedBytes(), 0u);
}

TEST_F(ByteCounterTest, ExpiryAndReplacementGiveBytesBack) {
  db().SetString("t", "value", kNow + 10);
  List* list = AddList("l");
  list->Push(ListEnd::kTail, "x", List::kDefaultFill);
  db().SetString("l", "now a string", Entry::kNoExpire);  // replaces the list
  size_t string_bytes = db().Peek("l")->MemoryUsage();
  SetCommandTimeMs(kNow + 10);
  EXPECT_EQ(db().FindRead("t"), nullptr);
  EXPECT_EQ(store_.UsedBytes(), string_bytes);
}

}  // namespace
}  // namespace respd::storage
