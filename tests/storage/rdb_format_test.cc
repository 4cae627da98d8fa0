// RDB primitives: Redis's exact bytes (captured from redis-server 7.0.15 DUMP replies), round
// trips, and rejection of malformed input.
#include "storage/rdb_format.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/storage/rdb_hex.h"

namespace respd::storage::rdb {
namespace {

// The body of a DUMP payload: without its type byte and its 10-byte trailer.
std::string Body(std::string_view hex) {
  std::string payload = Unhex(hex);
  return payload.substr(1, payload.size() - 11);
}

TEST(RdbFormatTest, Crc64IsJones) {
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
  std::string payload = Unhex("000568656c6c6f0a006372df766534200a");
  uint64_t crc = Crc64(0, std::string_view(payload).substr(0, payload.size() - 8));
  std::string trailer;
  for (int i = 0; i < 8; ++i) trailer.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  EXPECT_EQ(trailer, payload.substr(payload.size() - 8));
}

TEST(RdbFormatTest, StringsAsRedisWritesThem) {
  const std::pair<std::string, const char*> cases[] = {
      {"hello", "000568656c6c6f0a006372df766534200a"},
      {"12345", "00c139300a009d94ea2793fc08b9"},
      {std::string(54, 'a'), "00c30936016161e029000161610a00737e3c546de6af43"},
      {"the quick brown fox jumps over the lazy dog the quick brown fox",
       "00c3343f1f74686520717569636b2062726f776e20666f78206a756d7073206f7665722074201e076c617a79"
       "20646f67600ce0042b016f780a001a034b8f0a94984e"},
  };
  for (const auto& [value, hex] : cases) {
    Writer w;
    w.String(value);
    EXPECT_EQ(w.data(), Body(hex)) << value;
    Reader r(w.data());
    std::string back;
    ASSERT_TRUE(r.String(&back));
    EXPECT_EQ(back, value);
    EXPECT_TRUE(r.AtEnd());
  }
}

TEST(RdbFormatTest, UncompressedWhenDisabled) {
  Writer w(false);
  w.String(std::string(54, 'a'));
  EXPECT_EQ(w.data(), std::string(1, 54) + std::string(54, 'a'));
}

TEST(RdbFormatTest, IntegersAndLengths) {
  for (int64_t v : {0LL, -1LL, 127LL, -128LL, 128LL, 32767LL, -32769LL, 2147483647LL,
                    -2147483649LL, 9223372036854775807LL}) {
    Writer w;
    w.Integer(v);
    Reader r(w.data());
    std::string s;
    ASSERT_TRUE(r.String(&s));
    EXPECT_EQ(s, std::to_string(v));
  }
  for (uint64_t len : {0ULL, 63ULL, 64ULL, 16383ULL, 16384ULL, 4294967295ULL, 4294967296ULL}) {
    Writer w;
    w.Length(len);
    Reader r(w.data());
    uint64_t back;
    ASSERT_TRUE(r.Length(&back));
    EXPECT_EQ(back, len);
  }
}

TEST(RdbFormatTest, LzfRoundTripsAndRejectsGarbage) {
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string s(rng() % 3000 + 3, 'x');
    const int alphabet = 1 + static_cast<int>(rng() % 8);
    for (char& c : s) c = static_cast<char>('a' + rng() % alphabet);
    std::optional<std::string> packed = LzfCompress(s, s.size() - 1);
    if (!packed) continue;
    std::optional<std::string> back = LzfDecompress(*packed, s.size());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
    EXPECT_FALSE(LzfDecompress(*packed, s.size() + 1));
  }
  EXPECT_FALSE(LzfDecompress(std::string("\x20\x00", 2), 3));  // reference before the start
  EXPECT_FALSE(LzfDecompress(std::string("\x05" "ab", 3), 6));  // literal past the input
}

TEST(RdbFormatTest, DoubleForms) {
  Writer w;
  w.BinaryDouble(2.5);
  w.TextDouble(2.5);
  w.TextDouble(-3);
  w.Millis(1234567890123);
  Reader r(w.data());
  double d;
  int64_t ms;
  ASSERT_TRUE(r.BinaryDouble(&d));
  EXPECT_EQ(d, 2.5);
  ASSERT_TRUE(r.TextDouble(&d));
  EXPECT_EQ(d, 2.5);
  ASSERT_TRUE(r.TextDouble(&d));
  EXPECT_EQ(d, -3);
  ASSERT_TRUE(r.Millis(&ms));
  EXPECT_EQ(ms, 1234567890123);
  EXPECT_FALSE(r.Byte(nullptr));
}

TEST(RdbFormatTest, ListpackAsRedisWritesIt) {
  // The one node of RPUSH l1 a b 1 2 300 -5 70000 abcdefghijklmnopqrstuvwxyz.
  std::string body = Body(
      "1201023838000000080081610281620201010201c12c02dffb02f2701101049a6162636465666768696a6b6c"
      "6d6e6f707172737475767778797a1bff0a0003cca354e4a6886f");
  Reader r(body);
  uint64_t nodes, container;
  std::string node;
  ASSERT_TRUE(r.Length(&nodes));
  ASSERT_TRUE(r.Length(&container));
  ASSERT_TRUE(r.String(&node));
  EXPECT_EQ(nodes, 1u);
  EXPECT_EQ(container, 2u);
  ListpackWriter w;
  for (const char* e : {"a", "b", "1", "2", "300", "-5", "70000", "abcdefghijklmnopqrstuvwxyz"}) {
    w.Append(e);
  }
  EXPECT_EQ(w.Finish(), node);
  std::optional<std::vector<PackedEntry>> entries = ParseListpack(node);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 8u);
  EXPECT_EQ((*entries)[5].ToString(), "-5");
  EXPECT_EQ((*entries)[6].ToString(), "70000");
  EXPECT_EQ((*entries)[7].ToString(), "abcdefghijklmnopqrstuvwxyz");
}

TEST(RdbFormatTest, ListpackIntegersAndLongStrings) {
  ListpackWriter w;
  const std::vector<std::string> values = {
      "0",   "127", "128",  "-4096", "4095",  "-4097", "32767", "-32768", "8388607", "-8388609",
      "2147483647", "-9223372036854775808", "007", std::string(100, 'x'), std::string(5000, 'y')};
  for (const std::string& v : values) w.Append(v);
  std::string lp = w.Finish();
  std::optional<std::vector<PackedEntry>> entries = ParseListpack(lp);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ((*entries)[i].ToString(), values[i]);
  EXPECT_FALSE((*entries)[12].is_int);
}

TEST(RdbFormatTest, ListpackRejectsCorruption) {
  ListpackWriter w;
  w.Append("hello");
  w.Append("12");
  std::string lp = w.Finish();
  ASSERT_TRUE(ParseListpack(lp));
  for (size_t cut = 0; cut < lp.size(); ++cut) EXPECT_FALSE(ParseListpack(lp.substr(0, cut)));
  std::string bad_backlen = lp;
  bad_backlen[6 + 6] = 7;  // "hello"'s back-length
  EXPECT_FALSE(ParseListpack(bad_backlen));
  std::string bad_count = lp;
  bad_count[4] = 3;
  EXPECT_FALSE(ParseListpack(bad_count));
  std::string bad_encoding = lp;
  bad_encoding[6] = static_cast<char>(0xF6);
  EXPECT_FALSE(ParseListpack(bad_encoding));
}

TEST(RdbFormatTest, Intsets) {
  std::string is1 = Body(
      "0b180400000004000000010000000200000003000000a08601000a001fae6e8f199a91fb");
  Reader r(is1);
  std::string blob;
  ASSERT_TRUE(r.String(&blob));
  std::optional<std::vector<int64_t>> values = ParseIntset(blob);
  ASSERT_TRUE(values);
  EXPECT_EQ(*values, (std::vector<int64_t>{1, 2, 3, 100000}));
  EXPECT_EQ(BuildIntset(*values), blob);
  std::string unordered = BuildIntset({1, 2});
  std::swap(unordered[8], unordered[10]);
  EXPECT_FALSE(ParseIntset(unordered));
  EXPECT_FALSE(ParseIntset(blob.substr(0, blob.size() - 1)));
  std::string bad_width = blob;
  bad_width[0] = 3;
  EXPECT_FALSE(ParseIntset(bad_width));
}

TEST(RdbFormatTest, ZiplistAndZipmap) {
  // A ziplist of "a", 3, "bl": zlbytes 20, zltail 15, zllen 3.
  std::string zl = Unhex("140000000f000000030000016103f40202626cff");
  std::optional<std::vector<PackedEntry>> entries = ParseZiplist(zl);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].ToString(), "a");
  EXPECT_EQ((*entries)[1].ToString(), "3");
  EXPECT_EQ((*entries)[2].ToString(), "bl");
  std::string bad_prev = zl;
  bad_prev[13] = 2;
  EXPECT_FALSE(ParseZiplist(bad_prev));
  // A zipmap {"f": "vv"} with one free byte.
  std::string zm = Unhex("0101660201767678ff");
  auto pairs = ParseZipmap(zm);
  ASSERT_TRUE(pairs);
  ASSERT_EQ(pairs->size(), 1u);
  EXPECT_EQ((*pairs)[0].first, "f");
  EXPECT_EQ((*pairs)[0].second, "vv");
  EXPECT_FALSE(ParseZipmap(zm.substr(0, zm.size() - 1)));
  zm[0] = 2;
  EXPECT_FALSE(ParseZipmap(zm));
}

}  // namespace
}  // namespace respd::storage::rdb
