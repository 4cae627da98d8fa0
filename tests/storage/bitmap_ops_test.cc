// Bitmap operations: bit algorithms checked against bit-by-bit references, BITFIELD overflow
// edges, and the database writes of SETBIT, BITFIELD and BITOP (padding, TTL, encoding,
// keyspace notifications).
#include "storage/bitmap_ops.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/clock.h"
#include "storage/set.h"
#include "tests/storage/recording_observer.h"

namespace respd::storage {
namespace {

constexpr BitfieldType kU8{false, 8};
constexpr BitfieldType kI8{true, 8};
constexpr BitfieldType kI64{true, 64};
constexpr BitfieldType kU63{false, 63};

std::string RandomBytes(std::mt19937_64& rng, size_t len) {
  std::string s(len, '\0');
  for (char& c : s) {
    // Mostly runs of 0x00 and 0xff, so searches cross whole words.
    uint64_t pick = rng() % 4;
    c = static_cast<char>(pick == 0 ? 0x00 : pick == 1 ? 0xff : rng() & 0xff);
  }
  return s;
}

TEST(BitmapOpsTest, GetBitReadsFromTheMostSignificantBit) {
  std::string s = "\x80\x01";
  EXPECT_TRUE(GetBit(s, 0));
  EXPECT_FALSE(GetBit(s, 1));
  EXPECT_TRUE(GetBit(s, 15));
  EXPECT_FALSE(GetBit(s, 16));
  EXPECT_FALSE(GetBit(s, UINT64_MAX));
}

TEST(BitmapOpsTest, ParseBitOffsetFollowsRedis) {
  constexpr uint64_t kMax = 512 * 1024 * 1024;
  EXPECT_EQ(ParseBitOffset("0", kMax), 0u);
  EXPECT_EQ(ParseBitOffset("4294967295", kMax), 4294967295u);
  EXPECT_EQ(ParseBitOffset("4294967296", kMax), std::nullopt);
  EXPECT_EQ(ParseBitOffset("-1", kMax), std::nullopt);
  EXPECT_EQ(ParseBitOffset("01", kMax), std::nullopt);
  EXPECT_EQ(ParseBitOffset("", kMax), std::nullopt);
  // "#N" only for BITFIELD, counted in fields.
  EXPECT_EQ(ParseBitOffset("#3", kMax), std::nullopt);
  EXPECT_EQ(ParseBitOffset("#3", kMax, 8), 24u);
  EXPECT_EQ(ParseBitOffset("#", kMax, 8), std::nullopt);
  EXPECT_EQ(ParseBitOffset("#-1", kMax, 8), std::nullopt);
  EXPECT_EQ(ParseBitOffset("#536870912", kMax, 8), std::nullopt);
  // The product wraps as Redis's 64-bit multiplication does.
  EXPECT_EQ(ParseBitOffset("#2305843009213693952", kMax, 8), 0u);
  EXPECT_EQ(ParseBitOffset("#1152921504606846976", kMax, 8), std::nullopt);
  // A smaller proto-max-bulk-len lowers the limit.
  EXPECT_EQ(ParseBitOffset("8388607", 1024 * 1024), 8388607u);
  EXPECT_EQ(ParseBitOffset("8388608", 1024 * 1024), std::nullopt);
}

TEST(BitmapOpsTest, ResolveBitRangeClampsAndCountsFromTheEnd) {
  auto range = [](uint64_t len, int64_t start, int64_t end, BitUnit unit) {
    std::optional<BitRange> r = ResolveBitRange(len, start, end, unit);
    return r ? std::make_pair(int64_t(r->first), int64_t(r->last)) : std::make_pair(-1l, -1l);
  };
  EXPECT_EQ(range(6, 0, -1, BitUnit::kByte), std::make_pair(0l, 47l));
  EXPECT_EQ(range(6, 1, 1, BitUnit::kByte), std::make_pair(8l, 15l));
  EXPECT_EQ(range(6, -2, 100, BitUnit::kByte), std::make_pair(32l, 47l));
  EXPECT_EQ(range(6, -100, 0, BitUnit::kByte), std::make_pair(0l, 7l));
  EXPECT_EQ(range(6, 5, 2, BitUnit::kByte), std::make_pair(-1l, -1l));
  EXPECT_EQ(range(6, 6, 10, BitUnit::kByte), std::make_pair(-1l, -1l));
  EXPECT_EQ(range(0, 0, -1, BitUnit::kByte), std::make_pair(-1l, -1l));
  EXPECT_EQ(range(6, 5, 30, BitUnit::kBit), std::make_pair(5l, 30l));
  EXPECT_EQ(range(6, -5, -1, BitUnit::kBit), std::make_pair(43l, 47l));
  EXPECT_EQ(range(6, INT64_MIN, INT64_MAX, BitUnit::kBit), std::make_pair(0l, 47l));
}

TEST(BitmapOpsTest, CountAndFindMatchBitByBitReferences) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string s = RandomBytes(rng, 1 + rng() % 80);
    uint64_t bits = s.size() * 8;
    uint64_t first = rng() % bits, last = first + rng() % (bits - first);
    uint64_t expected = 0;
    std::optional<uint64_t> first_one, first_zero;
    for (uint64_t i = first; i <= last; ++i) {
      bool b = GetBit(s, i);
      expected += b;
      if (b && !first_one) first_one = i;
      if (!b && !first_zero) first_zero = i;
    }
    BitRange range{first, last};
    EXPECT_EQ(CountBits(s, range), expected);
    EXPECT_EQ(FindBit(s, true, range), first_one);
    EXPECT_EQ(FindBit(s, false, range), first_zero);
    uint64_t all = 0;
    for (uint64_t i = 0; i < bits; ++i) all += GetBit(s, i);
    EXPECT_EQ(PopCount(s), all);
  }
}

TEST(BitmapOpsTest, BitOperationPadsShorterSourcesWithZeros) {
  std::string_view ab[] = {"abc", "xy"};
  EXPECT_EQ(BitOperation(BitOpKind::kAnd, ab), std::string("``\0", 3));
  EXPECT_EQ(BitOperation(BitOpKind::kOr, ab), "y{c");
  EXPECT_EQ(BitOperation(BitOpKind::kXor, ab), std::string("\x19\x1b\x63", 3));
  std::string_view one[] = {"a"};
  EXPECT_EQ(BitOperation(BitOpKind::kNot, one), "\x9e");
  std::string_view empties[] = {"", ""};
  EXPECT_EQ(BitOperation(BitOpKind::kAnd, empties), "");
  std::string_view with_missing[] = {"", "\xff\xff"};
  EXPECT_EQ(BitOperation(BitOpKind::kAnd, with_missing), std::string(2, '\0'));
  EXPECT_EQ(BitOperation(BitOpKind::kOr, with_missing), "\xff\xff");
  // A missing key is a view without data (the sanitizer build catches a copy from its null).
  std::string_view missing_first[] = {std::string_view(), "\x0f"};
  EXPECT_EQ(BitOperation(BitOpKind::kOr, missing_first), "\x0f");
}

TEST(BitmapOpsTest, ParseBitfieldTypeAcceptsI64AndU63Only) {
  EXPECT_EQ(ParseBitfieldType("i64")->bits, 64);
  EXPECT_TRUE(ParseBitfieldType("i1")->is_signed);
  EXPECT_EQ(ParseBitfieldType("u63")->bits, 63);
  EXPECT_FALSE(ParseBitfieldType("u1")->is_signed);
  for (std::string_view bad :
       {"u64", "i65", "i0", "u0", "I8", "U8", "i08", "i+8", "i-8", "i", "", "x8", "i8 "}) {
    EXPECT_EQ(ParseBitfieldType(bad), std::nullopt) << bad;
  }
}

TEST(BitmapOpsTest, BitfieldsRoundTripAtAnyAlignment) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 500; ++round) {
    BitfieldType type{rng() % 2 == 0, 1 + static_cast<int>(rng() % 63)};
    if (type.is_signed && rng() % 8 == 0) type.bits = 64;
    uint64_t offset = rng() % 100;
    std::string s = RandomBytes(rng, offset / 8 + 10);
    std::string before = s;
    int64_t value = static_cast<int64_t>(rng());
    SetBitfield(s.data(), offset, type, value);
    // Only the field's bits changed.
    for (uint64_t i = 0; i < s.size() * 8; ++i) {
      if (i >= offset && i < offset + type.bits) {
        EXPECT_EQ(GetBit(s, i), (uint64_t(value) >> (type.bits - 1 - (i - offset))) & 1);
      } else {
        EXPECT_EQ(GetBit(s, i), GetBit(before, i));
      }
    }
    int64_t expected = value;
    if (type.bits < 64) {
      uint64_t low = uint64_t(value) & ((uint64_t{1} << type.bits) - 1);
      bool negative = type.is_signed && ((low >> (type.bits - 1)) & 1);
      expected = static_cast<int64_t>(negative ? low | (~uint64_t{0} << type.bits) : low);
    }
    EXPECT_EQ(GetBitfield(s, offset, type), expected);
  }
}

TEST(BitmapOpsTest, GetBitfieldReadsZerosPastTheEnd) {
  EXPECT_EQ(GetBitfield("", 0, kI64), 0);
  EXPECT_EQ(GetBitfield("\xff", 4, kU8), 0xf0);
  EXPECT_EQ(GetBitfield("\xff", 4, kI8), -16);
  EXPECT_EQ(GetBitfield("\xff", 1000, kU63), 0);
}

TEST(BitmapOpsTest, BitfieldResultUnsignedOverflow) {
  auto wrap = BitfieldOverflow::kWrap, sat = BitfieldOverflow::kSat, fail = BitfieldOverflow::kFail;
  EXPECT_EQ(BitfieldResult(kU8, 250, 5, fail), 255);
  EXPECT_EQ(BitfieldResult(kU8, 250, 6, wrap), 0);
  EXPECT_EQ(BitfieldResult(kU8, 250, 6, sat), 255);
  EXPECT_EQ(BitfieldResult(kU8, 250, 6, fail), std::nullopt);
  EXPECT_EQ(BitfieldResult(kU8, 5, -6, wrap), 255);
  EXPECT_EQ(BitfieldResult(kU8, 5, -6, sat), 0);
  EXPECT_EQ(BitfieldResult(kU8, 5, INT64_MIN, fail), std::nullopt);
  // SET of a negative value: as an unsigned number it is above the maximum.
  EXPECT_EQ(BitfieldResult(kU8, -1, 0, wrap), 255);
  EXPECT_EQ(BitfieldResult(kU8, -1, 0, sat), 255);
  EXPECT_EQ(BitfieldResult(kU8, 256, 0, wrap), 0);
  EXPECT_EQ(BitfieldResult(kU63, INT64_MAX, 1, wrap), 0);
  EXPECT_EQ(BitfieldResult(kU63, INT64_MAX, INT64_MIN, sat), 0);
  EXPECT_EQ(BitfieldResult(kU63, 0, INT64_MAX, fail), INT64_MAX);
}

TEST(BitmapOpsTest, BitfieldResultSignedOverflow) {
  auto wrap = BitfieldOverflow::kWrap, sat = BitfieldOverflow::kSat, fail = BitfieldOverflow::kFail;
  EXPECT_EQ(BitfieldResult(kI8, 127, 1, wrap), -128);
  EXPECT_EQ(BitfieldResult(kI8, 127, 1, sat), 127);
  EXPECT_EQ(BitfieldResult(kI8, 127, 1, fail), std::nullopt);
  EXPECT_EQ(BitfieldResult(kI8, -128, -1, wrap), 127);
  EXPECT_EQ(BitfieldResult(kI8, -128, -1, sat), -128);
  EXPECT_EQ(BitfieldResult(kI8, -128, 255, fail), 127);
  EXPECT_EQ(BitfieldResult(kI8, 200, 0, wrap), -56);
  EXPECT_EQ(BitfieldResult(kI8, -200, 0, sat), -128);
  // Redis's bound arithmetic wraps for values near INT64_MIN, so SAT picks the maximum.
  EXPECT_EQ(BitfieldResult(kI8, INT64_MIN, 0, sat), 127);
  EXPECT_EQ(BitfieldResult(kI8, INT64_MIN + 127, 0, sat), 127);
  EXPECT_EQ(BitfieldResult(kI8, INT64_MIN + 128, 0, sat), -128);
  EXPECT_EQ(BitfieldResult(kI8, INT64_MIN, 0, wrap), 0);
  EXPECT_EQ(BitfieldResult(kI64, INT64_MAX, 1, wrap), INT64_MIN);
  EXPECT_EQ(BitfieldResult(kI64, INT64_MAX, 1, sat), INT64_MAX);
  EXPECT_EQ(BitfieldResult(kI64, INT64_MIN, -1, sat), INT64_MIN);
  EXPECT_EQ(BitfieldResult(kI64, INT64_MIN, INT64_MIN, wrap), 0);
  EXPECT_EQ(BitfieldResult(kI64, -1, INT64_MIN, fail), std::nullopt);
  EXPECT_EQ(BitfieldResult(kI64, 0, INT64_MIN, fail), INT64_MIN);
  EXPECT_EQ(BitfieldResult(kI64, -1, INT64_MAX, fail), INT64_MAX - 1);
}

// Counts keyspace notifications, as WATCH sees them.
class CountingObserver : public KeyspaceObserver {
 public:
  void OnKeyModified(int, std::string_view) override { ++modified; }
  void OnDbModified(int) override {}
  void OnKeyReady(int, std::string_view) override {}
  int modified = 0;
};

class BitmapDbTest : public ::testing::Test {
 protected:
  BitmapDbTest() {
    SetCommandTimeMs(1'000'000);
    store_.AddObserver(&observer_);
    store_.AddObserver(&recorder_);
  }

  Database& db() { return store_.db(0); }
  std::string Value(std::string_view key) {
    Entry* e = db().FindRead(key);
    return e == nullptr ? "<none>" : std::string(e->str());
  }
  void AddObjectOfAnotherType() { db().AddObject("list", Set::New("member")); }
  // Notifications since the last call.
  int Notified() {
    int n = observer_.modified;
    observer_.modified = 0;
    return n;
  }

  CountingObserver observer_;
  RecordingObserver recorder_;
  Store store_{1, /*locking=*/false};
};

// As redis-server 7.0 reports them: "new" when a write creates the key, "setbit" for SETBIT and
// BITFIELD only when the string grew or a bit changed, "set" or "del" for BITOP's destination.
TEST_F(BitmapDbTest, WritesReportRedisEvents) {
  SetBit(db(), "b", 3, true);
  SetBit(db(), "b", 3, true);  // no change
  SetBit(db(), "b", 3, false);
  SetBit(db(), "b", 100, false);  // grows
  BitfieldOp set{.code = BitfieldOpCode::kSet, .type = kU8, .offset = 0, .argument = 1};
  Bitfield(db(), "f", std::span(&set, 1));
  Bitfield(db(), "f", std::span(&set, 1));  // no change
  BitfieldOp failing{.code = BitfieldOpCode::kSet,
                     .type = kU8,
                     .offset = 0,
                     .argument = 1000,
                     .overflow = BitfieldOverflow::kFail};
  Bitfield(db(), "g", std::span(&failing, 1));  // creates the key, writes nothing
  std::string_view sources[] = {"b"};
  BitOp(db(), BitOpKind::kOr, "o", sources);
  BitOp(db(), BitOpKind::kOr, "o", sources);
  std::string_view nothing[] = {"missing"};
  BitOp(db(), BitOpKind::kOr, "o", nothing);
  BitOp(db(), BitOpKind::kOr, "o", nothing);  // nothing to delete
  EXPECT_EQ(recorder_.events,
            (std::vector<std::string>{"0:new:b", "0:setbit:b", "0:setbit:b", "0:setbit:b",
                                      "0:new:f", "0:setbit:f", "0:new:g", "0:new:o", "0:set:o",
                                      "0:set:o", "0:keymiss:missing", "0:del:o",
                                      "0:keymiss:missing"}));
}

TEST_F(BitmapDbTest, SetBitCreatesPadsAndKeepsTtl) {
  EXPECT_EQ(*SetBit(db(), "b", 7, true), false);
  EXPECT_EQ(Value("b"), "\x01");
  EXPECT_EQ(db().FindRead("b")->StringEncodingName(), "raw");
  db().SetExpire(db().FindWrite("b"), 5'000'000);
  EXPECT_EQ(*SetBit(db(), "b", 23, true), false);
  EXPECT_EQ(Value("b"), std::string("\x01\x00\x01", 3));
  EXPECT_EQ(*SetBit(db(), "b", 7, false), true);
  EXPECT_EQ(db().FindRead("b")->expire_at(), 5'000'000);
  AddObjectOfAnotherType();
  EXPECT_EQ(SetBit(db(), "list", 0, true).status(), OpStatus::kWrongType);
}

TEST_F(BitmapDbTest, SetBitNotifiesOnlyWhenSomethingChanges) {
  SetBit(db(), "b", 0, true);
  Notified();
  SetBit(db(), "b", 0, true);
  EXPECT_EQ(Notified(), 0);
  SetBit(db(), "b", 1, true);
  EXPECT_EQ(Notified(), 1);
  SetBit(db(), "b", 100, false);
  EXPECT_GE(Notified(), 1);
  // An embstr value turns raw, as in Redis; here that counts as a modification.
  db().SetString("e", "hello", Entry::kNoExpire);
  Notified();
  SetBit(db(), "e", 1, true);
  EXPECT_EQ(db().FindRead("e")->StringEncodingName(), "raw");
  EXPECT_EQ(Value("e"), "hello");
}

TEST_F(BitmapDbTest, BitfieldReadsWithoutCreatingAndWritesPadFirst) {
  BitfieldOp get{.code = BitfieldOpCode::kGet, .type = kU8, .offset = 0};
  auto results = Bitfield(db(), "k", std::span(&get, 1));
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0], 0);
  EXPECT_EQ(db().FindRead("k"), nullptr);

  BitfieldOp failing{.code = BitfieldOpCode::kSet,
                     .type = kU8,
                     .offset = 16,
                     .argument = 1000,
                     .overflow = BitfieldOverflow::kFail};
  Notified();
  results = Bitfield(db(), "k", std::span(&failing, 1));
  EXPECT_EQ((*results)[0], std::nullopt);
  EXPECT_EQ(Value("k"), std::string(3, '\0'));

  BitfieldOp ops[] = {
      {.code = BitfieldOpCode::kSet, .type = kU8, .offset = 0, .argument = 97},
      {.code = BitfieldOpCode::kIncrBy, .type = kU8, .offset = 0, .argument = 1},
      {.code = BitfieldOpCode::kGet, .type = kI8, .offset = 0},
  };
  Notified();
  results = Bitfield(db(), "k", ops);
  EXPECT_EQ((*results)[0], 0);
  EXPECT_EQ((*results)[1], 98);
  EXPECT_EQ((*results)[2], 98);
  EXPECT_EQ(Notified(), 1);
  BitfieldOp same{.code = BitfieldOpCode::kSet, .type = kU8, .offset = 0, .argument = 98};
  Bitfield(db(), "k", std::span(&same, 1));
  EXPECT_EQ(Notified(), 0);
  AddObjectOfAnotherType();
  EXPECT_EQ(Bitfield(db(), "list", std::span(&get, 1)).status(), OpStatus::kWrongType);
  EXPECT_EQ(Bitfield(db(), "list", std::span(&same, 1)).status(), OpStatus::kWrongType);
}

TEST_F(BitmapDbTest, BitOpStoresWithoutTtlOrDeletes) {
  db().SetString("a", "abc", Entry::kNoExpire);
  db().SetString("d", "x", 5'000'000);
  std::string_view sources[] = {"a", "missing"};
  EXPECT_EQ(*BitOp(db(), BitOpKind::kOr, "d", sources), 3u);
  EXPECT_EQ(Value("d"), "abc");
  EXPECT_FALSE(db().FindRead("d")->has_expire());
  EXPECT_EQ(db().FindRead("d")->StringEncodingName(), "raw");
  std::string_view nothing[] = {"missing"};
  EXPECT_EQ(*BitOp(db(), BitOpKind::kNot, "d", nothing), 0u);
  EXPECT_EQ(db().FindRead("d"), nullptr);
  AddObjectOfAnotherType();
  std::string_view with_list[] = {"a", "list"};
  EXPECT_EQ(BitOp(db(), BitOpKind::kAnd, "d", with_list).status(), OpStatus::kWrongType);
  EXPECT_EQ(db().FindRead("d"), nullptr);
}

}  // namespace
}  // namespace respd::storage
