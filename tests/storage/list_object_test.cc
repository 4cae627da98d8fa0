// ListPack entry encoding and the List value: both directions, node limits, edits in the middle.
#include "storage/list_object.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "storage/list_pack.h"

namespace respd::storage {
namespace {

std::vector<std::string> Forward(const ListPack& pack) {
  std::vector<std::string> out;
  for (size_t pos = pack.Begin(); pos < pack.End(); pos = pack.Next(pos)) {
    out.emplace_back(pack.Get(pos));
  }
  return out;
}

std::vector<std::string> Backward(const ListPack& pack) {
  std::vector<std::string> out;
  for (size_t pos = pack.End(); pos > pack.Begin();) {
    pos = pack.Prev(pos);
    out.emplace_back(pack.Get(pos));
  }
  return out;
}

std::vector<std::string> Contents(const List& list) {
  std::vector<std::string> out;
  list.Walk(0, false, [&](size_t, std::string_view v) {
    out.emplace_back(v);
    return true;
  });
  return out;
}

TEST(ListPackTest, WalksBothWaysAcrossVarintSizes) {
  ListPack pack;
  std::vector<std::string> values = {"", "a", std::string(127, 'b'), std::string(128, 'c'),
                                     std::string(20000, 'd')};
  for (const std::string& v : values) pack.PushBack(v);
  EXPECT_EQ(pack.size(), values.size());
  EXPECT_EQ(Forward(pack), values);
  std::vector<std::string> reversed(values.rbegin(), values.rend());
  EXPECT_EQ(Backward(pack), reversed);
  EXPECT_EQ(pack.Get(pack.Seek(3)), values[3]);
}

TEST(ListPackTest, InsertEraseReplaceAndSplit) {
  ListPack pack;
  pack.PushBack("b");
  pack.PushFront("a");
  pack.PushBack("d");
  pack.Insert(pack.Seek(2), "c");
  EXPECT_EQ(Forward(pack), (std::vector<std::string>{"a", "b", "c", "d"}));
  pack.Replace(pack.Seek(1), std::string(300, 'x'));
  pack.Erase(pack.Seek(0));
  EXPECT_EQ(Forward(pack), (std::vector<std::string>{std::string(300, 'x'), "c", "d"}));
  ListPack tail = pack.SplitAt(pack.Seek(1));
  EXPECT_EQ(pack.size(), 1u);
  EXPECT_EQ(Forward(tail), (std::vector<std::string>{"c", "d"}));
}

TEST(ListTest, MatchesADequeUnderRandomOperations) {
  std::mt19937_64 rng(42);
  List list;
  std::deque<std::string> model;
  for (int step = 0; step < 20000; ++step) {
    int op = static_cast<int>(rng() % 6);
    std::string value = std::to_string(rng() % 50) + std::string(rng() % 40, 'v');
    if (op <= 1 || model.empty()) {
      bool head = rng() % 2 == 0;
      list.Push(head ? ListEnd::kHead : ListEnd::kTail, value, step % 2 == 0 ? -1 : 5);
      if (head) {
        model.push_front(value);
      } else {
        model.push_back(value);
      }
    } else if (op == 2) {
      bool head = rng() % 2 == 0;
      EXPECT_EQ(list.Pop(head ? ListEnd::kHead : ListEnd::kTail),
                head ? model.front() : model.back());
      if (head) {
        model.pop_front();
      } else {
        model.pop_back();
      }
    } else if (op == 3) {
      size_t i = rng() % model.size();
      EXPECT_EQ(list.At(i), model[i]);
      list.Set(i, value, 4);
      model[i] = value;
    } else if (op == 4) {
      size_t i = rng() % model.size();
      std::string pivot = model[i];
      auto first = std::find(model.begin(), model.end(), pivot);
      list.Insert(pivot, value, true, 4);
      model.insert(first + 1, value);
    } else {
      std::string target = std::to_string(rng() % 50);
      bool from_tail = rng() % 2 == 0;
      size_t removed = list.Remove(target, 1, from_tail);
      if (from_tail) {
        auto it = std::find(model.rbegin(), model.rend(), target);
        EXPECT_EQ(removed, it != model.rend() ? 1u : 0u);
        if (it != model.rend()) model.erase(std::next(it).base());
      } else {
        auto it = std::find(model.begin(), model.end(), target);
        EXPECT_EQ(removed, it != model.end() ? 1u : 0u);
        if (it != model.end()) model.erase(it);
      }
    }
    ASSERT_EQ(list.Length(), model.size());
  }
  EXPECT_EQ(Contents(list), std::vector<std::string>(model.begin(), model.end()));
  // MemoryUsage is kept as nodes change: once drained (by trims and pops), nothing is left over.
  if (list.Length() > 4) list.Trim(1, list.Length() - 2);
  while (list.Length() > 0) list.Pop(ListEnd::kHead);
  EXPECT_EQ(list.MemoryUsage(), sizeof(List));
}

TEST(ListTest, MemoryUsageFollowsPushesAndTrimsOfALongList) {
  List list;
  for (int i = 0; i < 10000; ++i) list.Push(ListEnd::kHead, std::string(50, 'x'), -2);
  size_t full = list.MemoryUsage();
  EXPECT_GE(full, 10000u * 50);
  list.Trim(0, 99);
  EXPECT_LT(list.MemoryUsage(), full / 50);
  EXPECT_EQ(list.Clone()->MemoryUsage() > sizeof(List), true);
}

TEST(ListTest, TrimAndBackwardWalkAcrossNodes) {
  List list;
  for (int i = 0; i < 100; ++i) list.Push(ListEnd::kTail, std::to_string(i), 3);
  list.Trim(10, 89);
  EXPECT_EQ(list.Length(), 80u);
  EXPECT_EQ(list.At(0), "10");
  EXPECT_EQ(list.At(79), "89");
  std::vector<std::string> back;
  list.Walk(79, true, [&](size_t index, std::string_view v) {
    back.emplace_back(v);
    return index > 75;
  });
  EXPECT_EQ(back, (std::vector<std::string>{"89", "88", "87", "86", "85"}));
  EXPECT_EQ(list.Remove("50", 0, false), 1u);
  EXPECT_EQ(list.Encoding(), "quicklist");
  EXPECT_GT(list.MemoryUsage(), 80u);
}

}  // namespace
}  // namespace respd::storage
