// KeyTable: lookups, replacement, and the reversed-bit cursor's guarantee across resizes.
#include "storage/key_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "storage/hash.h"

namespace respd::storage {
namespace {

Entry* Add(KeyTable& table, const std::string& key) {
  Entry* e = Entry::NewString(key, "v", Entry::kNoExpire);
  table.Insert(e, HashBytes(key));
  return e;
}

void Remove(KeyTable& table, const std::string& key) {
  Entry* e = table.Remove(key, HashBytes(key));
  ASSERT_NE(e, nullptr) << key;
  Entry::Free(e);
}

TEST(KeyTableTest, FindInsertRemoveReplace) {
  KeyTable table;
  EXPECT_EQ(table.Find("a", HashBytes("a")), nullptr);
  for (int i = 0; i < 100; ++i) Add(table, "k" + std::to_string(i));
  EXPECT_EQ(table.size(), 100u);
  EXPECT_GE(table.bucket_count(), 100u);
  Entry* old = table.Find("k7", HashBytes("k7"));
  ASSERT_NE(old, nullptr);
  Entry* replacement = Entry::NewString("k7", "new", Entry::kNoExpire);
  table.Replace(old, replacement, HashBytes("k7"));
  Entry::Free(old);
  EXPECT_EQ(table.Find("k7", HashBytes("k7"))->str(), "new");
  EXPECT_EQ(table.Remove("nokey", HashBytes("nokey")), nullptr);
  for (int i = 0; i < 100; ++i) Remove(table, "k" + std::to_string(i));
  EXPECT_EQ(table.size(), 0u);
  EXPECT_LE(table.bucket_count(), 4u);  // shrank back
}

TEST(KeyTableTest, NextCursorVisitsEveryBucketOnce) {
  for (uint64_t size : {1u, 4u, 64u}) {
    std::set<uint64_t> seen;
    uint64_t cursor = 0;
    do {
      EXPECT_TRUE(seen.insert(cursor).second);
      cursor = KeyTable::NextCursor(cursor, size - 1);
    } while (cursor != 0 && seen.size() <= size);
    EXPECT_EQ(seen.size(), size);
  }
}

// Every key present for the whole walk is seen at least once, while thousands of other keys are
// added and removed between steps (the table doubles and halves several times).
TEST(KeyTableTest, ScanGuaranteeAcrossGrowthAndShrink) {
  KeyTable table;
  std::set<std::string> stable;
  for (int i = 0; i < 200; ++i) {
    stable.insert("s" + std::to_string(i));
    Add(table, "s" + std::to_string(i));
  }
  std::set<std::string> seen;
  std::vector<std::string> temporary;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = table.ScanBucket(cursor, [&](Entry* e) { seen.insert(std::string(e->key())); });
    if (step % 3 == 0) {
      for (int i = 0; i < 3000; ++i) {
        temporary.push_back("t" + std::to_string(step) + ":" + std::to_string(i));
        Add(table, temporary.back());
      }
    } else {
      for (const std::string& key : temporary) Remove(table, key);
      temporary.clear();
    }
    ++step;
  } while (cursor != 0 && step < 100000);
  EXPECT_EQ(cursor, 0u);
  for (const std::string& key : stable) EXPECT_TRUE(seen.count(key)) << key;
}

TEST(KeyTableTest, SwapAndClear) {
  KeyTable a, b;
  Add(a, "x");
  Add(b, "y");
  Add(b, "z");
  a.Swap(b);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_NE(a.Find("y", HashBytes("y")), nullptr);
  EXPECT_NE(b.Find("x", HashBytes("x")), nullptr);
  a.Clear();
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.Find("y", HashBytes("y")), nullptr);
}

}  // namespace
}  // namespace respd::storage
