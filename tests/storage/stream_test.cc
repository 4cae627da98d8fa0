// The stream value: ID parsing, appends, deletion bookkeeping, node-aware trimming, groups.
#include "storage/stream.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace respd::storage {
namespace {

void Add(Stream& s, StreamId id, StreamNodeLimits limits = {}) {
  std::vector<std::string_view> fv = {"f", "v"};
  s.Append(id, fv, limits);
}

TEST(StreamIdTest, ParsesRedisForms) {
  EXPECT_EQ(ParseStreamId("5", 0, true), (StreamId{5, 0}));
  EXPECT_EQ(ParseStreamId("5", UINT64_MAX, true), (StreamId{5, UINT64_MAX}));
  EXPECT_EQ(ParseStreamId("5-7", 0, true), (StreamId{5, 7}));
  EXPECT_EQ(ParseStreamId("-", 0, false), (StreamId{0, 0}));
  EXPECT_EQ(ParseStreamId("+", 0, false), StreamId::Max());
  EXPECT_FALSE(ParseStreamId("-", 0, true));
  EXPECT_FALSE(ParseStreamId("5-x", 0, true));
  EXPECT_FALSE(ParseStreamId("", 0, true));
  EXPECT_FALSE(ParseStreamId("-1", 0, true));
  EXPECT_FALSE(ParseStreamId("5-*", 0, true));
  bool seq_given = true;
  EXPECT_EQ(ParseStreamId("5-*", 0, true, &seq_given), (StreamId{5, 0}));
  EXPECT_FALSE(seq_given);
  EXPECT_EQ(ParseStreamId("18446744073709551615-1", 0, true), (StreamId{UINT64_MAX, 1}));
  EXPECT_FALSE(ParseStreamId(std::string(128, '1'), 0, true));
}

TEST(StreamIdTest, IncrementAndDecrementCarry) {
  StreamId id{1, UINT64_MAX};
  EXPECT_TRUE(id.Incr());
  EXPECT_EQ(id, (StreamId{2, 0}));
  EXPECT_TRUE(id.Decr());
  EXPECT_EQ(id, (StreamId{1, UINT64_MAX}));
  StreamId max = StreamId::Max();
  EXPECT_FALSE(max.Incr());
  StreamId zero;
  EXPECT_FALSE(zero.Decr());
}

TEST(StreamTest, DeletionTracksFirstAndMaxDeleted) {
  Stream s;
  for (uint64_t i = 1; i <= 3; ++i) Add(s, {i, 0});
  EXPECT_EQ(s.first_id(), (StreamId{1, 0}));
  EXPECT_TRUE(s.Delete({2, 0}));
  EXPECT_FALSE(s.Delete({2, 0}));
  EXPECT_EQ(s.max_deleted_id(), (StreamId{2, 0}));
  EXPECT_TRUE(s.Delete({1, 0}));
  EXPECT_EQ(s.first_id(), (StreamId{3, 0}));
  EXPECT_EQ(s.entries_added(), 3u);
  EXPECT_TRUE(s.Delete({3, 0}));
  EXPECT_EQ(s.first_id(), (StreamId{0, 0}));
  EXPECT_EQ(s.last_id(), (StreamId{3, 0}));
}

TEST(StreamTest, ApproximateTrimRemovesWholeNodesOnly) {
  Stream s;
  StreamNodeLimits limits{4096, 10};
  for (uint64_t i = 1; i <= 25; ++i) Add(s, {i, 0}, limits);
  EXPECT_EQ(s.RadixTreeKeys(), 3u);
  StreamTrim trim{StreamTrim::Strategy::kMaxLen, 12, {}, true, 0};
  EXPECT_EQ(s.Trim(trim), 10);  // the second node would leave fewer than 12
  EXPECT_EQ(s.Length(), 15u);
  trim.approx = false;
  EXPECT_EQ(s.Trim(trim), 3);
  EXPECT_EQ(s.first_id(), (StreamId{14, 0}));
  StreamTrim minid{StreamTrim::Strategy::kMinId, 0, {21, 0}, false, 0};
  EXPECT_EQ(s.Trim(minid), 7);
  EXPECT_EQ(s.first_id(), (StreamId{21, 0}));
}

TEST(StreamTest, RadixTreeNodesFollowRaxLayout) {
  Stream s;
  EXPECT_EQ(s.RadixTreeNodes(), 1u);
  Add(s, {1, 0});
  EXPECT_EQ(s.RadixTreeNodes(), 2u);
}

TEST(StreamTest, LagAndEntriesRead) {
  Stream s;
  for (uint64_t i = 1; i <= 4; ++i) Add(s, {i, 0});
  StreamGroup* g = s.CreateGroup("g", {0, 0}, StreamGroup::kInvalidEntriesRead);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(s.CreateGroup("g", {0, 0}, 0), nullptr);
  EXPECT_EQ(s.Lag(*g), 4);
  s.AdvanceGroup(*g, {1, 0});
  EXPECT_EQ(g->entries_read, 1);
  EXPECT_EQ(s.Lag(*g), 3);
  s.Delete({3, 0});
  EXPECT_EQ(s.Lag(*g), std::nullopt);
}

TEST(StreamTest, CloneKeepsGroupsAndPendingOwners) {
  Stream s;
  Add(s, {1, 0});
  StreamGroup* g = s.CreateGroup("g", {0, 0}, 0);
  StreamConsumer* c = g->CreateConsumer("alice", 5);
  g->pel[{1, 0}] = StreamNack{5, 1, c};
  c->pel.insert({1, 0});
  auto copy = s.Clone();
  auto& cs = static_cast<Stream&>(*copy);
  StreamGroup* cg = cs.FindGroup("g");
  ASSERT_NE(cg, nullptr);
  EXPECT_EQ(cg->pel.at({1, 0}).consumer, cg->FindConsumer("alice"));
  EXPECT_EQ(cg->DeleteConsumer(cg->FindConsumer("alice")), 1u);
  EXPECT_TRUE(cg->pel.empty());
  EXPECT_EQ(g->pel.size(), 1u);
}

}  // namespace
}  // namespace respd::storage
