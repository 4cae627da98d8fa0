// Set value: intset and hashtable forms, conversion points, SSCAN guarantee.
#include "storage/set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace respd::storage {
namespace {

std::vector<std::string> Members(const Set& s) {
  std::vector<std::string> out;
  s.ForEach([&](std::string_view m) { out.emplace_back(m); });
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SetTest, IntsetKeepsIntegersSorted) {
  auto s = Set::New("5");
  EXPECT_EQ(s->Encoding(), "intset");
  EXPECT_TRUE(s->Add("5", 512));
  EXPECT_TRUE(s->Add("-3", 512));
  EXPECT_FALSE(s->Add("5", 512));
  std::vector<std::string> ordered;
  s->ForEach([&](std::string_view m) { ordered.emplace_back(m); });
  EXPECT_EQ(ordered, (std::vector<std::string>{"-3", "5"}));
  EXPECT_TRUE(s->Contains("-3"));
  EXPECT_FALSE(s->Contains("05"));
}

TEST(SetTest, ConvertsOnNonIntegerAndSize) {
  auto s = Set::New("1");
  s->Add("1", 2);
  s->Add("2", 2);
  EXPECT_EQ(s->Encoding(), "intset");
  s->Add("3", 2);
  EXPECT_EQ(s->Encoding(), "hashtable");
  EXPECT_EQ(Members(*s), (std::vector<std::string>{"1", "2", "3"}));
  auto t = Set::New("1");
  t->Add("1", 512);
  t->Add("01", 512);
  EXPECT_EQ(t->Encoding(), "hashtable");
  EXPECT_TRUE(t->Contains("01"));
  EXPECT_TRUE(t->Contains("1"));
  EXPECT_EQ(Set::New("x")->Encoding(), "hashtable");
}

TEST(SetTest, RandomModel) {
  auto s = Set::New("x");
  std::set<std::string> model;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string m = "m" + std::to_string(rng() % 500);
    if (rng() % 3 == 0) {
      EXPECT_EQ(s->Remove(m), model.erase(m) == 1);
    } else {
      EXPECT_EQ(s->Add(m, 512), model.insert(m).second);
    }
  }
  EXPECT_EQ(s->Length(), model.size());
  EXPECT_EQ(Members(*s), std::vector<std::string>(model.begin(), model.end()));
  EXPECT_TRUE(model.count(s->Random(rng)));
  auto copy = s->Clone();
  EXPECT_EQ(Members(static_cast<Set&>(*copy)), Members(*s));
}

TEST(SetTest, ScanSeesEveryMemberWhileTheTableShrinks) {
  auto s = Set::New("x");
  for (int i = 0; i < 2000; ++i) s->Add("k" + std::to_string(i), 512);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int removed = 0;
  do {
    cursor = s->Scan(cursor, 20, [&](std::string_view m) { seen.emplace(m); });
    // Members 1000.. are deleted during the walk; the first 1000 stay throughout.
    for (int k = 0; k < 50 && removed < 1000; ++k, ++removed) {
      s->Remove("k" + std::to_string(1000 + removed));
    }
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("k" + std::to_string(i))) << i;
}

}  // namespace
}  // namespace respd::storage
