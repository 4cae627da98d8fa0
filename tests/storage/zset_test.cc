// Sorted set value: both encodings against a simple ordered reference, conversion points, ranks
// and range bounds.
#include "storage/zset.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace respd::storage {
namespace {

using Elements = std::vector<std::pair<std::string, double>>;

Elements All(const ZSet& z, bool reverse = false) {
  Elements out;
  z.ForRange(0, z.Length(), reverse,
             [&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
  return out;
}

TEST(ZSetTest, ListpackConvertsAtEntryLimit) {
  ZSetLimits limits{.max_listpack_entries = 3, .max_listpack_value = 64};
  auto z = ZSet::New(limits, 1);
  double score;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(z->Add(i, "m" + std::to_string(i), 0, limits, &score), ZAddOutcome::kAdded);
  }
  EXPECT_EQ(z->Encoding(), "listpack");
  EXPECT_EQ(z->Add(10, "m9", 0, limits, &score), ZAddOutcome::kAdded);
  EXPECT_EQ(z->Encoding(), "skiplist");
  EXPECT_EQ(All(*z), (Elements{{"m0", 0}, {"m1", 1}, {"m2", 2}, {"m9", 10}}));
}

TEST(ZSetTest, ListpackConvertsOnLongMember) {
  ZSetLimits limits{.max_listpack_entries = 128, .max_listpack_value = 4};
  auto z = ZSet::New(limits, 1);
  double score;
  z->Add(1, "abcd", 0, limits, &score);
  EXPECT_EQ(z->Encoding(), "listpack");
  z->Add(1, "abcde", 0, limits, &score);
  EXPECT_EQ(z->Encoding(), "skiplist");
  EXPECT_EQ(ZSet::New(limits, 5)->Encoding(), "skiplist");
}

TEST(ZSetTest, ListpackStoresNegativeZeroAsZero) {
  ZSetLimits limits;
  auto z = ZSet::New(limits, 1);
  double score;
  z->Add(-0.0, "a", 0, limits, &score);
  EXPECT_FALSE(std::signbit(*z->Score("a")));
  ZSetLimits no_listpack{.max_listpack_entries = 0, .max_listpack_value = 64};
  auto s = ZSet::New(no_listpack, 1);
  s->Add(-0.0, "a", 0, no_listpack, &score);
  EXPECT_TRUE(std::signbit(*s->Score("a")));
}

TEST(ZSetTest, AddConditions) {
  ZSetLimits limits;
  auto z = ZSet::New(limits, 1);
  double score = 0;
  EXPECT_EQ(z->Add(1, "a", kZAddXx, limits, &score), ZAddOutcome::kSkipped);
  EXPECT_EQ(z->Add(1, "a", kZAddNx, limits, &score), ZAddOutcome::kAdded);
  EXPECT_EQ(z->Add(5, "a", kZAddNx, limits, &score), ZAddOutcome::kSkipped);
  EXPECT_EQ(z->Add(0, "a", kZAddGt, limits, &score), ZAddOutcome::kSkipped);
  EXPECT_EQ(z->Add(2, "a", kZAddGt, limits, &score), ZAddOutcome::kUpdated);
  EXPECT_EQ(z->Add(2, "a", 0, limits, &score), ZAddOutcome::kUnchanged);
  EXPECT_EQ(z->Add(3, "a", kZAddIncr, limits, &score), ZAddOutcome::kUpdated);
  EXPECT_EQ(score, 5);
  EXPECT_EQ(z->Add(INFINITY, "a", 0, limits, &score), ZAddOutcome::kUpdated);
  EXPECT_EQ(z->Add(-INFINITY, "a", kZAddIncr, limits, &score), ZAddOutcome::kNan);
  EXPECT_EQ(z->Add(NAN, "b", 0, limits, &score), ZAddOutcome::kNan);
}

// Random operations on both encodings compared with a std::set of (score, member).
class ZSetModelTest : public ::testing::TestWithParam<size_t> {};

TEST_P(ZSetModelTest, MatchesOrderedModel) {
  ZSetLimits limits{.max_listpack_entries = GetParam(), .max_listpack_value = 64};
  auto z = ZSet::New(limits, 1);
  std::set<std::pair<double, std::string>> model;
  std::mt19937 rng(42);
  double score;
  for (int step = 0; step < 4000; ++step) {
    std::string member = "m" + std::to_string(rng() % 300);
    double s = static_cast<double>(rng() % 50);
    auto it =
        std::find_if(model.begin(), model.end(), [&](const auto& e) { return e.second == member; });
    switch (rng() % 4) {
      case 0:
      case 1:
        z->Add(s, member, 0, limits, &score);
        if (it != model.end()) model.erase(it);
        model.emplace(s, member);
        break;
      case 2:
        EXPECT_EQ(z->Remove(member), it != model.end());
        if (it != model.end()) model.erase(it);
        break;
      default: {
        size_t len = model.size();
        if (len == 0) break;
        size_t a = rng() % len;
        size_t b = a + rng() % 5;
        z->RemoveRange(a, std::min(b, len));
        auto first = std::next(model.begin(), a);
        model.erase(first, std::next(model.begin(), std::min(b, len)));
      }
    }
    ASSERT_EQ(z->Length(), model.size());
  }
  Elements expected;
  for (const auto& [s, m] : model) expected.emplace_back(m, s);
  EXPECT_EQ(All(*z), expected);
  Elements reversed(expected.rbegin(), expected.rend());
  EXPECT_EQ(All(*z, true), reversed);
  size_t rank = 0;
  for (const auto& [s, m] : model) {
    EXPECT_EQ(z->Rank(m), rank++);
    EXPECT_EQ(z->Score(m), s);
  }
  ScoreRange range{.min = 10, .max = 20, .min_exclusive = true};
  size_t below = 0, upto = 0;
  for (const auto& [s, m] : model) {
    below += s <= 10;
    upto += s <= 20;
  }
  EXPECT_EQ(z->CountBelowMin(range), below);
  EXPECT_EQ(z->CountUpToMax(range), upto);
  Elements middle;
  z->ForRange(3, 9, false,
              [&](std::string_view m, double s) { middle.emplace_back(std::string(m), s); });
  EXPECT_EQ(middle, Elements(expected.begin() + 3, expected.begin() + 9));
}

INSTANTIATE_TEST_SUITE_P(Encodings, ZSetModelTest, ::testing::Values(size_t{0}, size_t{100000}));

TEST(ZSetTest, ScanVisitsEveryMember) {
  ZSetLimits limits{.max_listpack_entries = 0, .max_listpack_value = 64};
  auto z = ZSet::New(limits, 1);
  double score;
  for (int i = 0; i < 1000; ++i) z->Add(i, std::to_string(i), 0, limits, &score);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = z->Scan(cursor, 10, [&](std::string_view m, double) { seen.emplace(m); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace respd::storage
