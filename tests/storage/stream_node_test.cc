// The stream node codec, and the stream's walks over nodes: round trips, ID deltas at the edges
// of the 64-bit space, entries with fields of their own, deletion marks, reverse walks, and
// node splits at exactly stream-node-max-entries and stream-node-max-bytes.
#include "storage/stream_node.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "storage/stream.h"

namespace respd::storage {
namespace {

using Elements = std::vector<std::string>;

Elements Read(const StreamEntryRef& ref) {
  Elements out;
  ref.ForEach([&](std::string_view e) { out.emplace_back(e); });
  EXPECT_EQ(out.size(), ref.size());
  return out;
}

std::vector<std::string_view> Views(const Elements& elements) {
  return {elements.begin(), elements.end()};
}

// Every entry of the node, deleted ones included, decoded forward.
std::vector<StreamNode::Item> Items(const StreamNode& node) {
  std::vector<StreamNode::Item> items;
  for (size_t off = node.FirstOffset(); off < node.end_offset();) {
    items.emplace_back();
    off = node.Decode(off, &items.back());
  }
  return items;
}

TEST(StreamNodeTest, RoundTripsSameAndOwnFields) {
  Elements first = {"f1", "v1", "f2", "v2"};
  Elements same = {"f1", "x", "f2", ""};
  Elements other = {"f2", "v2", "f1", "v1"};  // same names, another order: fields of its own
  Elements more = {"f1", "a", "f2", "b", "f3", "c"};
  StreamNode node({10, 5}, Views(first));
  EXPECT_TRUE(node.SameFieldsAsMaster(Views(same)));
  EXPECT_FALSE(node.SameFieldsAsMaster(Views(other)));
  EXPECT_FALSE(node.SameFieldsAsMaster(Views(more)));
  node.Append({10, 6}, Views(same));
  node.Append({11, 0}, Views(other));
  node.Append({12, 3}, Views(more));
  auto items = Items(node);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].entry.id, (StreamId{10, 5}));
  EXPECT_EQ(items[1].entry.id, (StreamId{10, 6}));
  EXPECT_EQ(items[2].entry.id, (StreamId{11, 0}));
  EXPECT_EQ(items[3].entry.id, (StreamId{12, 3}));
  EXPECT_EQ(Read(items[0].entry), first);
  EXPECT_EQ(Read(items[1].entry), same);
  EXPECT_EQ(Read(items[2].entry), other);
  EXPECT_EQ(Read(items[3].entry), more);
  EXPECT_EQ(node.live(), 4u);
  EXPECT_EQ(node.last_id(), (StreamId{12, 3}));
}

TEST(StreamNodeTest, AnEntryOfTheMastersFieldsCostsItsValuesAndThreeBytes) {
  Elements fv = {"f1", "v1", "f2", "v2"};
  StreamNode node({1000, 0}, Views(fv));
  // Master: field count and two fields (7 bytes); the entry: flags, ms and seq deltas and two
  // length-prefixed values (9 bytes).
  EXPECT_EQ(node.BufferBytes(), 16u);
  node.Append({1000, 1}, Views(fv));
  node.Append({1001, 0}, Views(fv));
  EXPECT_EQ(node.BufferBytes(), 34u);
}

TEST(StreamNodeTest, DeltasAtTheEdgesOfTheIdSpace) {
  Elements fv = {"f", "v"};
  const uint64_t half = uint64_t{1} << 63;
  std::vector<StreamId> ids = {{0, UINT64_MAX},    {half - 1, 0},          {half - 1, half},
                               {half, half - 1},   {half, UINT64_MAX},     {half + 1, 0},
                               {UINT64_MAX - 1, 1}, {UINT64_MAX, 0},       {UINT64_MAX, half},
                               StreamId::Max()};
  StreamNode node(ids[0], Views(fv));
  for (size_t i = 1; i < ids.size(); ++i) node.Append(ids[i], Views(fv));
  auto items = Items(node);
  ASSERT_EQ(items.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(items[i].entry.id, ids[i]) << i;
    EXPECT_EQ(Read(items[i].entry), fv);
  }
}

TEST(StreamNodeTest, ManyFieldsLongAndEmptyValues) {
  Elements fv;
  for (int i = 0; i < 300; ++i) {
    fv.push_back("field" + std::to_string(i));
    fv.push_back(i % 3 == 0 ? std::string() : std::string(static_cast<size_t>(i) * 7, 'v'));
  }
  fv.push_back(std::string("bin\0ary", 7));
  fv.push_back(std::string(20000, 'z'));
  Elements empty = {"", ""};
  StreamNode node({1, 0}, Views(fv));
  node.Append({1, 1}, Views(fv));
  node.Append({1, 2}, Views(empty));
  auto items = Items(node);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(Read(items[0].entry), fv);
  EXPECT_EQ(Read(items[1].entry), fv);
  EXPECT_EQ(Read(items[2].entry), empty);
}

TEST(StreamNodeTest, DeletionMarksKeepTheEntryReadable) {
  Elements fv = {"f", "v"};
  StreamNode node({1, 0}, Views(fv));
  node.Append({2, 0}, Views(fv));
  node.Append({3, 0}, Views(fv));
  auto items = Items(node);
  node.MarkDeleted(items[1].offset);
  items = Items(node);
  EXPECT_FALSE(items[0].deleted);
  EXPECT_TRUE(items[1].deleted);
  EXPECT_EQ(items[1].entry.id, (StreamId{2, 0}));
  EXPECT_EQ(node.live(), 2u);
  EXPECT_EQ(node.deleted(), 1u);
  StreamNode copy(node);
  EXPECT_EQ(copy.BufferBytes(), node.BufferBytes());
  EXPECT_TRUE(Items(copy)[1].deleted);
  EXPECT_EQ(Read(Items(copy)[2].entry), fv);
}

std::vector<StreamId> Ids(const std::vector<StreamEntryRef>& refs) {
  std::vector<StreamId> ids;
  for (const auto& r : refs) ids.push_back(r.id);
  return ids;
}

TEST(StreamNodeTest, StreamWalksBackwardsAcrossNodesAndDeletions) {
  Stream s;
  StreamNodeLimits limits{4096, 3};
  Elements fv = {"f", "v"};
  for (uint64_t i = 1; i <= 10; ++i) s.Append({i, 0}, Views(fv), limits);
  EXPECT_EQ(s.RadixTreeKeys(), 4u);
  EXPECT_TRUE(s.Delete({5, 0}));
  EXPECT_TRUE(s.Delete({9, 0}));
  std::vector<StreamId> want = {{10, 0}, {8, 0}, {7, 0}, {6, 0}, {4, 0}, {3, 0}};
  EXPECT_EQ(Ids(s.Range({3, 0}, StreamId::Max(), 0, true)), want);
  EXPECT_EQ(Ids(s.Range({2, 1}, {8, 0}, 2, true)), (std::vector<StreamId>{{8, 0}, {7, 0}}));
  EXPECT_EQ(Ids(s.Range({4, 0}, {6, 0}, 0, false)), (std::vector<StreamId>{{4, 0}, {6, 0}}));
  EXPECT_EQ(Read(s.Range({}, StreamId::Max(), 1, true).front()), fv);
  EXPECT_FALSE(s.Find({5, 0}).found());
  EXPECT_TRUE(s.Find({6, 0}).found());
  // A node whose last live entry goes is freed.
  EXPECT_TRUE(s.Delete({7, 0}));
  EXPECT_TRUE(s.Delete({8, 0}));
  EXPECT_EQ(s.RadixTreeKeys(), 3u);
  EXPECT_EQ(s.Length(), 6u);
  EXPECT_EQ(s.LastValidId(), (StreamId{10, 0}));
}

TEST(StreamNodeTest, NodesSplitAtExactlyMaxEntries) {
  Stream s;
  StreamNodeLimits limits{0, 5};
  Elements fv = {"f", "v"};
  for (uint64_t i = 1; i <= 5; ++i) s.Append({i, 0}, Views(fv), limits);
  EXPECT_EQ(s.RadixTreeKeys(), 1u);
  s.Append({6, 0}, Views(fv), limits);
  EXPECT_EQ(s.RadixTreeKeys(), 2u);
  // Deleted entries still count towards max-entries.
  EXPECT_TRUE(s.Delete({6, 0}));
  EXPECT_EQ(s.RadixTreeKeys(), 1u);
  for (uint64_t i = 7; i <= 11; ++i) s.Append({i, 0}, Views(fv), limits);
  EXPECT_TRUE(s.Delete({8, 0}));
  s.Append({12, 0}, Views(fv), limits);
  EXPECT_EQ(s.RadixTreeKeys(), 3u);
}

TEST(StreamNodeTest, NodesSplitAtExactlyMaxBytes) {
  // Redis's sizes for a node of one entry {"f": 10 bytes}: header and end 7, master count, deleted
  // count, field count and terminator 2 each, the field 3; the entry's flags, ms and seq deltas 2
  // each, the value 12, its lp-count 2. 38 bytes. A new entry starts a node once the node's bytes
  // plus the entry's element bytes (1 + 10) reach the limit.
  Elements fv = {"f", std::string(10, 'x')};
  Stream at;
  for (uint64_t i = 1; i <= 2; ++i) at.Append({i, 0}, Views(fv), {38 + 11, 0});
  EXPECT_EQ(at.RadixTreeKeys(), 2u);
  Stream below;
  for (uint64_t i = 1; i <= 2; ++i) below.Append({i, 0}, Views(fv), {38 + 12, 0});
  EXPECT_EQ(below.RadixTreeKeys(), 1u);
}

}  // namespace
}  // namespace respd::storage
