// KeyTable: lookups, replacement, the reversed-bit cursor's guarantee across resizes, and random
// picks that give every entry the same chance.
#include "storage/key_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
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

// Pearson's chi-square of `counts` against equal expected counts (Redis's chi_square_value).
double ChiSquare(const std::map<std::string, int>& counts, int draws) {
  double expected = static_cast<double>(draws) / static_cast<double>(counts.size());
  double chi = 0;
  for (const auto& [key, count] : counts) chi += (count - expected) * (count - expected) / expected;
  return chi;
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

// Chains of 1, 5 and 2 nodes and an empty bucket: picking a bucket first would give the lone node
// a third of the draws instead of an eighth.
TEST(KeyTableTest, PickUniformIgnoresChainLengths) {
  struct Node {
    Node* next;
    std::string name;
  };
  std::vector<Node> nodes(8);
  for (size_t i = 0; i < nodes.size(); ++i) nodes[i].name = "n" + std::to_string(i);
  auto link = [&](size_t first, size_t last) {
    for (size_t i = first; i < last; ++i) nodes[i].next = i + 1 < last ? &nodes[i + 1] : nullptr;
    return &nodes[first];
  };
  std::vector<Node*> buckets = {link(0, 1), link(1, 6), nullptr, link(6, 8)};
  auto node_at = [&](size_t bucket, size_t position) {
    Node* n = buckets[bucket];
    for (; n != nullptr && position > 0; --position) n = n->next;
    return n;
  };
  std::mt19937_64 rng(1);
  constexpr int kDraws = 8000;
  std::map<std::string, int> counts;
  for (int i = 0; i < kDraws; ++i) {
    ++counts[KeyTable::PickUniform(buckets.size(), 5, rng, node_at)->name];
  }
  ASSERT_EQ(counts.size(), nodes.size());
  EXPECT_LT(ChiSquare(counts, kDraws), 33.1);  // df = 7, p = 0.00001
}

// RANDOMKEY's pick over a real table, also after removals left it sparse (but not yet shrunk).
TEST(KeyTableTest, RandomGivesEveryKeyTheSameChance) {
  KeyTable table;
  std::mt19937_64 rng(2);
  EXPECT_EQ(table.Random(rng), nullptr);
  auto chi_square = [&] {
    const int draws = static_cast<int>(table.size()) * 100;
    std::map<std::string, int> counts;
    for (int i = 0; i < draws; ++i) ++counts[std::string(table.Random(rng)->key())];
    EXPECT_EQ(counts.size(), table.size());
    return ChiSquare(counts, draws);
  };
  for (int i = 0; i < 1000; ++i) Add(table, "k" + std::to_string(i));
  EXPECT_LT(chi_square(), 1201);  // df = 999, p = 0.00001
  for (int i = 200; i < 1000; ++i) Remove(table, "k" + std::to_string(i));
  EXPECT_LT(chi_square(), 296);  // df = 199, p = 0.00001
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
