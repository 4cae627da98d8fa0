// Tests for the Redis-exact number conversions, against replies recorded from a real Redis 7.0.15.
#include "storage/numbers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>

namespace respd::storage {
namespace {

using namespace std::string_view_literals;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Observed on Redis 7.0.15: SET k <text> then INCRBY k 0, which parses the stored text with
// string2ll; nullopt where Redis replied "value is not an integer or out of range".
TEST(NumbersTest, ParseInt64MatchesRedis) {
  struct {
    std::string_view text;
    std::optional<int64_t> value;
  } const cases[] = {
      {"0", 0},
      {"-0", std::nullopt},
      {"1", 1},
      {"-1", -1},
      {"01", std::nullopt},
      {"+1", std::nullopt},
      {" 1", std::nullopt},
      {"1 ", std::nullopt},
      {"", std::nullopt},
      {"-", std::nullopt},
      {"9223372036854775807", kMax},
      {"9223372036854775808", std::nullopt},
      {"-9223372036854775808", kMin},
      {"-9223372036854775809", std::nullopt},
      {"-9223372036854775807", kMin + 1},
      {"00", std::nullopt},
      {"-01", std::nullopt},
      {"1a", std::nullopt},
      {"0x10", std::nullopt},
      {"1.0", std::nullopt},
      {"1e3", std::nullopt},
      {"18446744073709551615", std::nullopt},
      {"18446744073709551616", std::nullopt},
      {"99999999999999999999", std::nullopt},
      {"-99999999999999999999", std::nullopt},
      {"12345678901234567890", std::nullopt},
      {"000000000000000000001", std::nullopt},
      {"123\0"sv, std::nullopt},
      {"\t1", std::nullopt},
      {"1\n", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseInt64(c.text), c.value) << "'" << c.text << "'";
  }
}

TEST(NumbersTest, ParseInt64RejectsOverlongText) {
  // Redis's string2ll refuses 21+ bytes before looking at them (LONG_STR_SIZE).
  EXPECT_EQ(ParseInt64("-1000000000000000000"), -1000000000000000000);
  EXPECT_EQ(ParseInt64("123456789012345678901"), std::nullopt);
  EXPECT_EQ(ParseInt64("-123456789012345678901"), std::nullopt);
}

TEST(NumbersTest, FormatInt64) {
  struct {
    int64_t value;
    std::string_view text;
  } const cases[] = {
      {0, "0"},
      {1, "1"},
      {-1, "-1"},
      {10, "10"},
      {-10, "-10"},
      {1234567890, "1234567890"},
      {kMax, "9223372036854775807"},
      {kMin, "-9223372036854775808"},
      {kMin + 1, "-9223372036854775807"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatInt64(c.value), c.text);
    char buf[21];
    std::memset(buf, 'x', sizeof(buf));
    const size_t len = FormatInt64(c.value, buf);
    EXPECT_EQ(std::string_view(buf, len), c.text);
    EXPECT_EQ(buf[len], '\0');
    EXPECT_EQ(ParseInt64(c.text), c.value);
  }
}

TEST(NumbersTest, FormatThenParseInt64RoundTrips) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    const int64_t v = static_cast<int64_t>(rng()) >> (rng() % 64);
    EXPECT_EQ(ParseInt64(FormatInt64(v)), v);
  }
}

// INCRBYFLOAT as Redis 7.0 does it: parse both with string2ld, add, reject a non-finite sum, store
// and reply ld2string(LD_STR_HUMAN).
constexpr std::string_view kNotAFloat = "ERR value is not a valid float";
constexpr std::string_view kNanOrInfinity = "ERR increment would produce NaN or Infinity";

std::string IncrByFloat(std::string_view stored, std::string_view increment) {
  const auto value = ParseLongDouble(stored);
  const auto incr = ParseLongDouble(increment);
  if (!value || !incr) return std::string(kNotAFloat);
  const auto text = FormatLongDoubleHuman(*value + *incr);
  if (!text) return std::string(kNanOrInfinity);
  return *text;
}

// Observed on Redis 7.0.15: SET k <stored>; INCRBYFLOAT k <increment>; GET k (or the error).
TEST(NumbersTest, IncrByFloatMatchesRedis) {
  struct {
    std::string_view stored;
    std::string_view increment;
    std::string_view result;
  } const cases[] = {
      {"10", "0.1", "10.1"},
      {"0", "0.1", "0.1"},
      {"0.1", "0.2", "0.3"},
      {"1.1", "2.2", "3.3"},
      {"0", "1.5", "1.5"},
      {"0", "-1.5", "-1.5"},
      {"-5", "2.5", "-2.5"},
      {"1", "-1", "0"},
      {"0", "3", "3"},
      {"0", "100", "100"},
      {"0", "1e-20", "0"},
      {"0", "1e-17", "0.00000000000000001"},
      {"0", "5e-18", "0"},
      {"0", "-5e-18", "0"},
      {"0", "-1e-30", "0"},
      {"0", "0.000000000000000015", "0.00000000000000002"},
      {"0", "-1.5e-17", "-0.00000000000000002"},
      {"0", "-0.00000000000000001", "-0.00000000000000001"},
      {"0", "0.33333333333333333333", "0.33333333333333333"},
      {"-0.0", "-0", "0"},
      {"0", "-0", "0"},
      {"-0", "0", "0"},
      {"0", "-0.0", "0"},
      {"0", "inf", kNanOrInfinity},
      {"0", "-inf", kNanOrInfinity},
      {"0", "+inf", kNanOrInfinity},
      {"0", "INF", kNanOrInfinity},
      {"0", "Infinity", kNanOrInfinity},
      {"0", "infinity", kNanOrInfinity},
      {"0", "nan", kNotAFloat},
      {"0", "NaN", kNotAFloat},
      {"0", "nan(1)", kNotAFloat},
      {"0", " 1", kNotAFloat},
      {"0", "1 ", kNotAFloat},
      {"0", "\t1", kNotAFloat},
      {"0", "1\t", kNotAFloat},
      {"0", "--1", kNotAFloat},
      {"0", "1_000", kNotAFloat},
      {"0", "1,5", kNotAFloat},
      {"0", "1e", kNotAFloat},
      {"0", "", kNotAFloat},
      {"0", "1\0"sv, kNotAFloat},
      {"abc", "1", kNotAFloat},
      {" 1", "1", kNotAFloat},
      {"0", "+1", "1"},
      {"0", "0x10", "16"},
      {"0", "0X10", "16"},
      {"0", "0x1p-3", "0.125"},
      {"0", "1E3", "1000"},
      {"0", "3.0e3", "3000"},
      {"5.0e3", "0", "5000"},
      {"0", ".5", "0.5"},
      {"0", "5.", "5"},
      {"0", "-.5", "-0.5"},
      {"0", "0.1e1", "1"},
      {"0", "1e20", "100000000000000000000"},
      {"0", "99999999999999999999.99999999999999999999", "100000000000000000000"},
      {"0", "123456789012345678901234567890", "123456789012345678899921813504"},
      {"0", "1.23456789012345678901234", "1.23456789012345679"},
      {"0", "1.0000000000000001", "1.0000000000000001"},
      {"0", "0.30000000000000004", "0.30000000000000004"},
      {"0", "12345678.123456789", "12345678.12345678899964696"},
      {"0", "9223372036854775807", "9223372036854775807"},
      {"0", "-9223372036854775808", "-9223372036854775808"},
      // Long double range, not double's: 1e4932 is fine, underflow to a denormal is fine.
      {"0", "1e5000", kNotAFloat},
      {"0", "1e-5000", kNotAFloat},
      {"0", "1.2e4932", kNotAFloat},
      {"0", "1e-4940", "0"},
      {"0", "1e-4950", "0"},
      {"0", "1e-4952", kNotAFloat},
      {"0", "-1e-4952", kNotAFloat},
      {"0", "1e308",
       "999999999999999999966858796558456456605600998474155672077970479949217348688380618721001269"
       "218885393204467472250540132231521347495939605835974208144301964187679591000196031907786631"
       "096045071066679391533957889389145605435630612683649016186302170865892534448816237913008557"
       "57318142424510452728255046343928578048"},
      {"0", "-1e308",
       "-99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126"
       "921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663"
       "109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855"
       "757318142424510452728255046343928578048"},
      {"1e308", "1e308",
       "199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253"
       "843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326"
       "219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711"
       "514636284849020905456510092687857156096"},
      {"0", "1.7976931348623157e308",
       "179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868"
       "608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618"
       "163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691"
       "208117720159985926376802466863339536384"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IncrByFloat(c.stored, c.increment), c.result)
        << "'" << c.stored << "' + '" << c.increment << "'";
  }
}

TEST(NumbersTest, IncrByFloatHugeResults) {
  // Observed on Redis 7.0.15 (lengths and leading digits of 4000- and 4933-digit replies).
  struct {
    std::string_view stored;
    std::string_view increment;
    size_t length;
    std::string_view prefix;
  } const cases[] = {
      {"0", "1e4932", 4933, "1000000000000000000006018949387963891323"},
      {"1e308", "1e4000", 4000, "9999999999999999999965463873099623784932"},
      {"0", "1.18e4932", 4933, "1180000000000000000000652812918093699202"},
  };
  for (const auto& c : cases) {
    const std::string result = IncrByFloat(c.stored, c.increment);
    EXPECT_EQ(result.size(), c.length) << c.increment;
    EXPECT_EQ(result.substr(0, c.prefix.size()), c.prefix) << c.increment;
  }
}

TEST(NumbersTest, ParseLongDoubleLengthLimit) {
  // Observed on Redis 7.0.15: INCRBYFLOAT k "000...01" accepted at 5119 bytes, refused at 5120.
  for (size_t len : {5118, 5119}) {
    EXPECT_EQ(ParseLongDouble(std::string(len - 1, '0') + "1"), 1.0L) << len;
  }
  EXPECT_EQ(ParseLongDouble(std::string(5119, '0') + "1"), std::nullopt);
}

TEST(NumbersTest, FormatLongDoubleHumanEdges) {
  EXPECT_EQ(FormatLongDoubleHuman(std::numeric_limits<long double>::infinity()), std::nullopt);
  EXPECT_EQ(FormatLongDoubleHuman(-std::numeric_limits<long double>::infinity()), std::nullopt);
  EXPECT_EQ(FormatLongDoubleHuman(std::numeric_limits<long double>::quiet_NaN()), std::nullopt);
  EXPECT_EQ(FormatLongDoubleHuman(-0.0L), "0");
  EXPECT_EQ(FormatLongDoubleHuman(0.0L), "0");
  EXPECT_EQ(FormatLongDoubleHuman(10.0L), "10");
  EXPECT_EQ(FormatLongDoubleHuman(-100.5L), "-100.5");
  const auto max = FormatLongDoubleHuman(std::numeric_limits<long double>::max());
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->size(), 4933u);
}

// Observed on Redis 7.0.15: ZADD z <score> a (which parses with string2d), then ZSCORE z a (which
// replies "%.17g"). nullopt where ZADD replied "value is not a valid float".
TEST(NumbersTest, ZaddZscoreMatchesRedis) {
  struct {
    std::string_view score;
    std::optional<std::string_view> reply;
  } const cases[] = {
      {"1.1", "1.1000000000000001"},
      {"1", "1"},
      {"-1", "-1"},
      {"0", "0"},
      {"+0", "0"},
      // A skiplist-encoded zset replies "-0"; a listpack one loses the sign and replies "0".
      {"-0", "-0"},
      {"-0.0", "-0"},
      {"0.1", "0.10000000000000001"},
      {"0.3", "0.29999999999999999"},
      {"2.5", "2.5"},
      {"100", "100"},
      {"12345.678", "12345.678"},
      {"0.0001", "0.0001"},
      {"1e-5", "1.0000000000000001e-05"},
      {"1e-7", "9.9999999999999995e-08"},
      {"1.5e-7", "1.4999999999999999e-07"},
      {"1e15", "1000000000000000"},
      {"1e16", "10000000000000000"},
      {"1e17", "1e+17"},
      {"1e21", "1e+21"},
      {"1e22", "1e+22"},
      {"123456789012345678", "1.2345678901234568e+17"},
      {"9007199254740993", "9007199254740992"},
      {"3.14159265358979323846", "3.1415926535897931"},
      {"1e300", "1.0000000000000001e+300"},
      {"1e-300", "1e-300"},
      {"1e308", "1e+308"},
      {"4e-320", "3.999955468730732e-320"},
      {"1e309", std::nullopt},
      {"-1e309", std::nullopt},
      {"1e-400", std::nullopt},
      {"inf", "inf"},
      {"+inf", "inf"},
      {"INF", "inf"},
      {"Infinity", "inf"},
      {"-inf", "-inf"},
      {"-infinity", "-inf"},
      {"nan", std::nullopt},
      {"NaN", std::nullopt},
      {" 1", std::nullopt},
      {"1 ", std::nullopt},
      {"", std::nullopt},
      {"1e", std::nullopt},
      {"1\0"sv, std::nullopt},
      {"+1", "1"},
      {"0x10", "16"},
      {"0x1p-3", "0.125"},
      {".5", "0.5"},
      {"5.", "5"},
  };
  for (const auto& c : cases) {
    const auto score = ParseDouble(c.score);
    ASSERT_EQ(score.has_value(), c.reply.has_value()) << "'" << c.score << "'";
    if (score) {
      EXPECT_EQ(FormatDouble(*score), *c.reply) << "'" << c.score << "'";
    }
  }
}

TEST(NumbersTest, ParseDoubleLongText) {
  // string2d has no length limit of its own.
  EXPECT_EQ(ParseDouble(std::string(1000, '0') + "1.5"), 1.5);
  EXPECT_EQ(ParseDouble("1." + std::string(1000, '0')), 1.0);
  EXPECT_EQ(ParseDouble(std::string(1000, '0') + " "), std::nullopt);
}

TEST(NumbersTest, FormatDoubleIsPrintfPercent17g) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    if (!std::isfinite(v)) continue;
    char expected[64];
    std::snprintf(expected, sizeof(expected), "%.17g", v);
    ASSERT_EQ(FormatDouble(v), expected);
  }
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::denorm_min()), "4.9406564584124654e-324");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::max()), "-1.7976931348623157e+308");
}

TEST(NumbersTest, FormatDoubleStoredPrintsIntegralScoresUpToTwoToThe62AsIntegers) {
  EXPECT_EQ(FormatDoubleStored(1e17), "100000000000000000");
  EXPECT_EQ(FormatDoubleStored(4611686018427387904.0), "4611686018427387904");
  EXPECT_EQ(FormatDoubleStored(-4611686018427387904.0), "-4611686018427387904");
  EXPECT_EQ(FormatDoubleStored(9223372036854775808.0), "9.2233720368547758e+18");
  EXPECT_EQ(FormatDoubleStored(5e18), "5e+18");
  EXPECT_EQ(FormatDoubleStored(0.1), "0.10000000000000001");
  EXPECT_EQ(FormatDoubleStored(-0.0), "-0");
  EXPECT_EQ(FormatDoubleStored(std::numeric_limits<double>::infinity()), "inf");
}

}  // namespace
}  // namespace respd::storage
