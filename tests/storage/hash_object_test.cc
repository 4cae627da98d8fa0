// Hash value: listpack and hashtable forms, conversion at the limits, HSCAN's guarantee.
#include "storage/hash_object.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace respd::storage {
namespace {

TEST(HashTest, ListpackKeepsInsertionOrderUntilALimitIsPassed) {
  Hash hash;
  HashLimits limits{.max_listpack_entries = 3, .max_listpack_value = 8};
  EXPECT_TRUE(hash.Set("a", "1", limits));
  EXPECT_TRUE(hash.Set("b", "2", limits));
  EXPECT_FALSE(hash.Set("a", "10", limits));
  EXPECT_EQ(hash.Encoding(), "listpack");
  std::string order;
  hash.ForEach([&](std::string_view f, std::string_view v) {
    order += std::string(f) + "=" + std::string(v) + ";";
  });
  EXPECT_EQ(order, "a=10;b=2;");
  EXPECT_TRUE(hash.Set("c", "3", limits));
  EXPECT_EQ(hash.Encoding(), "listpack");
  EXPECT_TRUE(hash.Set("d", "4", limits));
  EXPECT_EQ(hash.Encoding(), "hashtable");
  EXPECT_TRUE(hash.Delete("d"));
  EXPECT_EQ(hash.Encoding(), "hashtable");  // never converts back, as in Redis
  EXPECT_EQ(hash.Get("a"), "10");
  EXPECT_EQ(hash.Length(), 3u);

  Hash long_value;
  long_value.Set("f", "123456789", limits);
  EXPECT_EQ(long_value.Encoding(), "hashtable");
}

TEST(HashTest, ScanReturnsEveryFieldPresentThroughoutWhileTheTableChanges) {
  Hash hash;
  HashLimits limits{.max_listpack_entries = 0, .max_listpack_value = 64};
  for (int i = 0; i < 1000; ++i) hash.Set("f" + std::to_string(i), "v", limits);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = hash.Scan(cursor, 10, [&](std::string_view f, std::string_view) { seen.emplace(f); });
    // Grow and shrink the table between calls; fields 0..499 stay throughout.
    if (step++ % 2 == 0) {
      for (int i = 0; i < 50; ++i) hash.Set("g" + std::to_string(step * 100 + i), "v", limits);
    } else {
      for (int i = 500 + step * 10; i < 510 + step * 10 && i < 1000; ++i) {
        hash.Delete("f" + std::to_string(i));
      }
    }
  } while (cursor != 0);
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(seen.contains("f" + std::to_string(i))) << i;
}

TEST(HashTest, CloneAndRandomAndMemory) {
  Hash hash;
  HashLimits limits;
  for (int i = 0; i < 600; ++i) hash.Set(std::to_string(i), "x", limits);
  auto copy = hash.Clone();
  EXPECT_EQ(copy->Length(), 600u);
  EXPECT_EQ(copy->Encoding(), "hashtable");
  std::mt19937_64 rng(1);
  auto [field, value] = hash.Random(rng);
  EXPECT_EQ(hash.Get(field), value);
  EXPECT_GT(hash.MemoryUsage(), 600u * 3);
}

}  // namespace
}  // namespace respd::storage
