// Entry memory: size classes 8 bytes apart, reuse of freed blocks, resizes that keep the bytes,
// blocks freed by another thread, and the idle-byte count INFO's used_memory relies on.
#include "storage/entry_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

namespace respd::storage::entry_memory {
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

}  // namespace
}  // namespace respd::storage::entry_memory
