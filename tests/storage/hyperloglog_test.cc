// HyperLogLog: byte-exact sparse edits (vectors taken from redis-server 7.0's GET after PFADD),
// promotion to dense, corrupt bodies, the estimator's accuracy, and the PF* database writes
// (created keys, TTLs, cache refresh, keyspace notifications).
#include "storage/hyperloglog.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "storage/clock.h"
#include "storage/set.h"
#include "tests/storage/recording_observer.h"

namespace respd::storage {
namespace {

using namespace std::string_literals;

const std::string kEmptyHeader = "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0"s;

std::string Header(uint8_t last_cache_byte, uint8_t first_cache_byte = 0) {
  std::string header = kEmptyHeader;
  header[8] = static_cast<char>(first_cache_byte);
  header[15] = static_cast<char>(last_cache_byte);
  return header;
}

std::string WithElements(std::vector<std::string> elements) {
  std::string hll = NewHll();
  for (const std::string& element : elements) EXPECT_TRUE(HllAdd(hll, element).has_value());
  return hll;
}

TEST(HyperLogLogTest, NewValueIsOneXZeroOverEveryRegister) {
  EXPECT_EQ(NewHll(), kEmptyHeader + "\x7f\xff");
  EXPECT_TRUE(IsHll(NewHll()));
  EXPECT_EQ(HllCachedCardinality(NewHll()), 0u);
  EXPECT_EQ(HllEstimate(NewHll()), 0u);
}

TEST(HyperLogLogTest, SparseEditsMatchRedisBytes) {
  std::string hll = WithElements({"a", "b", "c"});
  EXPECT_EQ(hll, Header(0x80) + "\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a");
  EXPECT_EQ(HllAdd(hll, "a"), false);
  EXPECT_EQ(HllEstimate(hll), 3u);
  HllSetCachedCardinality(hll, 3);
  EXPECT_EQ(HllCachedCardinality(hll), 3u);
  EXPECT_EQ(HllAdd(hll, "d"), true);
  // The stale flag keeps the old count's bytes, as Redis's does.
  EXPECT_EQ(hll, Header(0x80, 3) + "\x5c\x7b\x80\x44\x76\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a");
  EXPECT_EQ(HllCachedCardinality(hll), std::nullopt);
}

TEST(HyperLogLogTest, PromotesToDenseAndKeepsTheEstimate) {
  std::string hll = NewHll();
  size_t promoted_at = 0;
  for (int i = 0; i < 5000 && promoted_at == 0; ++i) {
    std::string before = hll;
    ASSERT_TRUE(HllAdd(hll, "e" + std::to_string(i)).has_value());
    if (hll.size() == kHllDenseSize) {
      promoted_at = before.size();
      HllRegisters a{}, b{};
      ASSERT_TRUE(HllMergeInto(a, before));
      ASSERT_TRUE(HllToDense(before));
      ASSERT_TRUE(HllMergeInto(b, before));
      EXPECT_EQ(a, b);
    } else {
      EXPECT_LE(hll.size(), kHllSparseMaxBytes);
    }
  }
  EXPECT_GT(promoted_at, kHllSparseMaxBytes - 6);
  EXPECT_TRUE(IsHll(hll));
  EXPECT_EQ(hll[4], '\0');
}

TEST(HyperLogLogTest, SparseLimitIsTheCallersAndZeroPromotesOnTheFirstGrowth) {
  std::string hll = NewHll();
  ASSERT_EQ(HllAdd(hll, "a", 0), true);
  EXPECT_FALSE(HllIsSparse(hll));
  hll = NewHll();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(HllAdd(hll, "e" + std::to_string(i), 40).has_value());
  EXPECT_FALSE(HllIsSparse(hll));
}

TEST(HyperLogLogTest, DecodeNamesEachOpcode) {
  std::string hll = NewHll();
  EXPECT_EQ(HllDecodeSparse(hll), "Z:16384");
  ASSERT_EQ(HllSetRegister(hll, 1, 3), true);
  EXPECT_EQ(HllDecodeSparse(hll), "z:1 v:3,1 Z:16382");
}

TEST(HyperLogLogTest, SelfTestPasses) {
  EXPECT_EQ(HllSelfTest(kHllSparseMaxBytes), std::nullopt);
}

TEST(HyperLogLogTest, DenseRegistersRoundTripAtBothEnds) {
  std::string hll = NewHll();
  ASSERT_TRUE(HllToDense(hll));
  for (size_t index : {size_t{0}, size_t{1}, size_t{4}, kHllRegisters - 2, kHllRegisters - 1}) {
    EXPECT_EQ(HllSetRegister(hll, index, 63), true);
    EXPECT_EQ(HllSetRegister(hll, index, 5), false);
  }
  HllRegisters max{};
  ASSERT_TRUE(HllMergeInto(max, hll));
  EXPECT_EQ(max[0], 63);
  EXPECT_EQ(max[2], 0);
  EXPECT_EQ(max[kHllRegisters - 1], 63);
  EXPECT_EQ(max[kHllRegisters - 3], 0);
}

TEST(HyperLogLogTest, EstimateIsWithinAFewPercent) {
  std::string hll = NewHll();
  HllRegisters union_registers{};
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(HllAdd(hll, "x" + std::to_string(i)));
  ASSERT_TRUE(HllMergeInto(union_registers, hll));
  uint64_t estimate = *HllEstimate(hll);
  EXPECT_NEAR(static_cast<double>(estimate), 100'000.0, 2'000.0);
  EXPECT_EQ(HllEstimate(union_registers), estimate);
}

TEST(HyperLogLogTest, HeaderChecksAndCorruptBodies) {
  EXPECT_FALSE(IsHll("HYLL"));
  EXPECT_FALSE(IsHll("HYLX\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"s));
  EXPECT_FALSE(IsHll("HYLL\x02\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"s));
  EXPECT_FALSE(IsHll("HYLL\x00\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"s));
  // Too few registers, or a VAL past the last one: corrupt for every reader.
  for (std::string body : {"\x7f\xfe"s, ""s, "\x7f\xff\x80"s, "\x7f\xfe\x81"s}) {
    std::string hll = kEmptyHeader + body;
    ASSERT_TRUE(IsHll(hll));
    EXPECT_EQ(HllEstimate(hll), std::nullopt);
    HllRegisters max{};
    EXPECT_FALSE(HllMergeInto(max, hll));
    EXPECT_FALSE(HllToDense(hll));
    EXPECT_EQ(hll, kEmptyHeader + body);
  }
  std::string short_body = kEmptyHeader + "\x7f\xfe";
  // A register beyond the covered ones cannot be found; a count above 32 needs dense first.
  EXPECT_EQ(HllSetRegister(short_body, kHllRegisters - 1, 1), std::nullopt);
  EXPECT_EQ(HllSetRegister(short_body, 0, 40), std::nullopt);
}

// Records which keys were signalled as modified, as WATCH sees them.
class TouchedKeys : public KeyspaceObserver {
 public:
  void OnKeyModified(int, std::string_view key) override { keys.emplace_back(key); }
  void OnDbModified(int) override {}
  void OnKeyReady(int, std::string_view) override {}
  std::vector<std::string> keys;
};

class HyperLogLogDbTest : public ::testing::Test {
 protected:
  HyperLogLogDbTest() {
    SetCommandTimeMs(1'000'000);
    store_.AddObserver(&touched_);
    store_.AddObserver(&recorder_);
  }

  Database& db() { return store_.db(0); }
  std::string Value(std::string_view key) {
    Entry* e = db().FindRead(key);
    return e == nullptr ? "<none>" : std::string(e->str());
  }
  // Keys signalled since the last call.
  std::vector<std::string> Touched() { return std::exchange(touched_.keys, {}); }
  bool Add(std::string_view key, std::vector<std::string_view> elements) {
    bool changed = false;
    EXPECT_EQ(PfAdd(db(), key, elements, &changed), HllStatus::kOk);
    return changed;
  }
  uint64_t Count(std::vector<std::string_view> keys) {
    uint64_t cardinality = 0;
    EXPECT_EQ(PfCount(db(), keys, &cardinality), HllStatus::kOk);
    return cardinality;
  }

  TouchedKeys touched_;
  RecordingObserver recorder_;
  Store store_{1, /*locking=*/false};
};

// As redis-server 7.0 reports them: "new" then "pfadd" when PFADD creates the key, "pfadd" only
// when a register changed, and "pfadd" for every PFMERGE; PFCOUNT's cache refresh reports nothing.
TEST_F(HyperLogLogDbTest, WritesReportRedisEvents) {
  Add("h", {});
  Add("h", {"a"});
  Add("h", {"a"});
  Count({"h"});
  std::string_view sources[] = {"h"};
  EXPECT_EQ(PfMerge(db(), "m", sources), HllStatus::kOk);
  EXPECT_EQ(PfMerge(db(), "m", sources), HllStatus::kOk);
  EXPECT_EQ(recorder_.events, (std::vector<std::string>{"0:new:h", "0:pfadd:h", "0:pfadd:h",
                                                        "0:keymiss:m", "0:new:m", "0:pfadd:m",
                                                        "0:pfadd:m"}));
}

TEST_F(HyperLogLogDbTest, AddCreatesAndReportsChanges) {
  EXPECT_TRUE(Add("h", {}));
  EXPECT_EQ(Value("h"), Header(0x80) + "\x7f\xff");
  EXPECT_EQ(db().FindRead("h")->StringEncodingName(), "raw");
  Touched();
  EXPECT_FALSE(Add("h", {}));
  EXPECT_TRUE(Add("h", {"a", "b"}));
  EXPECT_FALSE(Add("h", {"a", "b"}));
  EXPECT_EQ(Touched(), std::vector<std::string>{"h"});
}

TEST_F(HyperLogLogDbTest, SingleKeyCountRefreshesTheCacheOnce) {
  Add("h", {"a", "b", "c"});
  Touched();
  EXPECT_EQ(Count({"h"}), 3u);
  EXPECT_EQ(Touched(), std::vector<std::string>{"h"});
  EXPECT_EQ(Value("h").substr(8, 8), "\x03\0\0\0\0\0\0\0"s);
  EXPECT_EQ(Count({"h"}), 3u);
  EXPECT_TRUE(Touched().empty());
  EXPECT_EQ(Count({"missing"}), 0u);
  EXPECT_EQ(db().FindRead("missing"), nullptr);
}

TEST_F(HyperLogLogDbTest, SeveralKeysCountTheUnionWithoutWriting) {
  Add("a", {"1", "2", "3"});
  Add("b", {"3", "4"});
  std::string before = Value("a");
  Touched();
  EXPECT_EQ(Count({"a", "b", "missing"}), 4u);
  EXPECT_EQ(Value("a"), before);
  EXPECT_TRUE(Touched().empty());
}

TEST_F(HyperLogLogDbTest, MergeKeepsTtlAndGoesDenseWithADenseInput) {
  Add("s", {"x"});
  db().SetExpire(db().FindWrite("s"), 5'000'000);
  std::vector<std::string> many;
  for (int i = 0; i < 3000; ++i) many.push_back("m" + std::to_string(i));
  std::vector<std::string_view> views(many.begin(), many.end());
  Add("d", views);
  ASSERT_EQ(Value("d").size(), kHllDenseSize);
  std::string_view sources[] = {"d", "missing"};
  Touched();
  EXPECT_EQ(PfMerge(db(), "s", sources), HllStatus::kOk);
  EXPECT_EQ(Touched(), std::vector<std::string>{"s"});
  EXPECT_EQ(Value("s").size(), kHllDenseSize);
  EXPECT_EQ(db().FindRead("s")->expire_at(), 5'000'000);
  EXPECT_EQ(Count({"s"}), Count({"d", "s"}));
  EXPECT_EQ(PfMerge(db(), "fresh", {}), HllStatus::kOk);
  EXPECT_EQ(Value("fresh"), Header(0x80) + "\x7f\xff");
}

TEST_F(HyperLogLogDbTest, WrongTypesAndCorruptValues) {
  db().AddObject("set", Set::New("member"));
  db().SetString("str", "not an hll", Entry::kNoExpire);
  db().SetString("bad", kEmptyHeader + "\x7f\xfe", Entry::kNoExpire);
  bool changed = false;
  uint64_t cardinality = 0;
  std::string_view set_key[] = {"set"}, str_key[] = {"str"}, bad_key[] = {"bad"};
  EXPECT_EQ(PfAdd(db(), "set", {}, &changed), HllStatus::kWrongType);
  EXPECT_EQ(PfAdd(db(), "str", {}, &changed), HllStatus::kNotHll);
  EXPECT_EQ(PfCount(db(), set_key, &cardinality), HllStatus::kWrongType);
  EXPECT_EQ(PfCount(db(), str_key, &cardinality), HllStatus::kNotHll);
  EXPECT_EQ(PfCount(db(), bad_key, &cardinality), HllStatus::kOk);  // cache still valid at 0
  EXPECT_EQ(PfMerge(db(), "out", bad_key), HllStatus::kCorrupt);
  EXPECT_EQ(db().FindRead("out"), nullptr);
  EXPECT_EQ(PfMerge(db(), "str", {}), HllStatus::kNotHll);
}

}  // namespace
}  // namespace respd::storage
