// Values <-> DUMP payloads: Redis 7.0.15's own payloads (captured with DUMP from redis-server),
// round trips of every type and encoding, load-time conversions, and a bounded mutation fuzz that
// may only ever produce errors or valid values.
#include "storage/rdb_value.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "storage/set.h"
#include "tests/storage/rdb_hex.h"

namespace respd::storage::rdb {
namespace {

std::string PayloadOf(const Object& object) {
  Writer w;
  WriteObjectValue(object, w);
  return FinishPayload(w.Take());
}

std::string PayloadOfString(std::string_view s) {
  Writer w;
  WriteStringValue(s, w);
  return FinishPayload(w.Take());
}

Value Load(const std::string& payload, const LoadLimits& limits = {}) {
  EXPECT_TRUE(PayloadTrailerValid(payload));
  std::optional<Value> v = ReadPayload(payload, limits);
  EXPECT_TRUE(v.has_value());
  return v ? std::move(*v) : Value{};
}

std::vector<std::string> ListItems(const Object& object) {
  std::vector<std::string> out;
  static_cast<const List&>(object).Walk(0, false, [&](size_t, std::string_view e) {
    out.emplace_back(e);
    return true;
  });
  return out;
}

// Payloads redis-server 7.0.15 replied to DUMP.
constexpr const char* kRedisList =
    "1201023838000000080081610281620201010201c12c02dffb02f2701101049a6162636465666768696a6b6c6d"
    "6e6f707172737475767778797a1bff0a0003cca354e4a6886f";  // RPUSH a b 1 2 300 -5 70000 a..z
constexpr const char* kRedisIntset =
    "0b180400000004000000010000000200000003000000a08601000a001fae6e8f199a91fb";  // 1 2 3 100000
constexpr const char* kRedisHash =
    "10151500000004008266310382763103826632030201ff0a005c5ea813feec1ff5";  // f1 v1 f2 2
constexpr const char* kRedisZSet =
    "111a1a0000000600816302dffd02816102010181620283322e3504ff0a00a68a1ab1a9f2dcc2";  // 1 a 2.5 b -3 c

TEST(RdbValueTest, WritesRedisBytes) {
  List list;
  for (const char* e : {"a", "b", "1", "2", "300", "-5", "70000", "abcdefghijklmnopqrstuvwxyz"}) {
    list.Push(ListEnd::kTail, e, List::kDefaultFill);
  }
  EXPECT_EQ(PayloadOf(list), Unhex(kRedisList));

  std::unique_ptr<Set> set = Set::New("1");
  for (const char* m : {"1", "2", "3", "100000"}) set->Add(m, 512);
  EXPECT_EQ(PayloadOf(*set), Unhex(kRedisIntset));

  Hash hash;
  hash.Set("f1", "v1", {});
  hash.Set("f2", "2", {});
  EXPECT_EQ(PayloadOf(hash), Unhex(kRedisHash));

  std::unique_ptr<ZSet> zset = ZSet::New({}, 1);
  double score;
  zset->Add(1, "a", 0, {}, &score);
  zset->Add(2.5, "b", 0, {}, &score);
  zset->Add(-3, "c", 0, {}, &score);
  EXPECT_EQ(PayloadOf(*zset), Unhex(kRedisZSet));

  EXPECT_EQ(PayloadOfString("hello"), Unhex("000568656c6c6f0a006372df766534200a"));
}

TEST(RdbValueTest, ReadsRedisPayloads) {
  Value list = Load(Unhex(kRedisList));
  ASSERT_NE(list.object, nullptr);
  EXPECT_EQ(ListItems(*list.object),
            (std::vector<std::string>{"a", "b", "1", "2", "300", "-5", "70000",
                                      "abcdefghijklmnopqrstuvwxyz"}));
  Value set = Load(Unhex(kRedisIntset));
  ASSERT_NE(set.object, nullptr);
  EXPECT_EQ(set.object->Encoding(), "intset");
  EXPECT_TRUE(static_cast<const Set&>(*set.object).Contains("100000"));
  Value hash = Load(Unhex(kRedisHash));
  ASSERT_NE(hash.object, nullptr);
  EXPECT_EQ(hash.object->Encoding(), "listpack");
  EXPECT_EQ(static_cast<const Hash&>(*hash.object).Get("f2"), "2");
  Value zset = Load(Unhex(kRedisZSet));
  ASSERT_NE(zset.object, nullptr);
  EXPECT_EQ(static_cast<const ZSet&>(*zset.object).Score("b"), 2.5);
  EXPECT_EQ(Load(Unhex("00c139300a009d94ea2793fc08b9")).str, "12345");
}

TEST(RdbValueTest, RoundTripsEveryEncoding) {
  std::unique_ptr<Set> big_set = Set::New("x");
  for (int i = 0; i < 100; ++i) big_set->Add("m" + std::to_string(i), 512);
  Hash big_hash;
  for (int i = 0; i < 600; ++i) big_hash.Set("f" + std::to_string(i), std::to_string(i), {});
  std::unique_ptr<ZSet> big_zset = ZSet::New({}, 1);
  double score;
  for (int i = 0; i < 200; ++i) big_zset->Add(i * 0.5, "m" + std::to_string(i), 0, {}, &score);
  List big_list;
  for (int i = 0; i < 3000; ++i) big_list.Push(ListEnd::kTail, std::string(i % 50, 'x'), -2);

  for (const Object* object : {static_cast<const Object*>(big_set.get()),
                               static_cast<const Object*>(&big_hash),
                               static_cast<const Object*>(big_zset.get()),
                               static_cast<const Object*>(&big_list)}) {
    std::string payload = PayloadOf(*object);
    Value back = Load(payload);
    ASSERT_NE(back.object, nullptr);
    EXPECT_EQ(back.object->Encoding(), object->Encoding());
    EXPECT_EQ(back.object->Length(), object->Length());
    // A hashtable's members come back in another table order; the other encodings are ordered.
    if (object->Encoding() != "hashtable") {
      EXPECT_EQ(PayloadOf(*back.object), payload);
    }
  }
  EXPECT_EQ(static_cast<const ZSet&>(*Load(PayloadOf(*big_zset)).object).Score("m7"), 3.5);
  EXPECT_EQ(static_cast<const Hash&>(*Load(PayloadOf(big_hash)).object).Get("f599"), "599");
}

TEST(RdbValueTest, LoadLimitsPickTheEncoding) {
  Hash hash;
  for (int i = 0; i < 5; ++i) hash.Set("f" + std::to_string(i), "v", {});
  LoadLimits small;
  small.hash.max_listpack_entries = 2;
  small.zset.max_listpack_entries = 2;
  small.set_max_intset_entries = 2;
  EXPECT_EQ(Load(PayloadOf(hash), small).object->Encoding(), "hashtable");
  // A listpack with long values stays a listpack: only the entry count converts it.
  LoadLimits short_values;
  short_values.hash.max_listpack_value = 1;
  EXPECT_EQ(Load(PayloadOf(hash), short_values).object->Encoding(), "listpack");
  EXPECT_EQ(Load(Unhex(kRedisIntset), small).object->Encoding(), "hashtable");
  EXPECT_EQ(Load(Unhex(kRedisZSet), small).object->Encoding(), "skiplist");
}

TEST(RdbValueTest, RejectsInconsistentValues) {
  const auto rejected = [](std::string body) {
    std::string payload = FinishPayload(std::move(body));
    return !ReadPayload(payload, {}).has_value();
  };
  EXPECT_TRUE(rejected(std::string("\x02\x02\x01" "a\x01" "a", 7)));  // duplicate set member
  EXPECT_TRUE(rejected(std::string("\x01\x00", 2)));                  // empty list
  EXPECT_TRUE(rejected(std::string("\x08", 1)));                      // no such type
  EXPECT_TRUE(rejected(std::string("\x13\x00", 2)));                  // a stream (no codec yet)
  EXPECT_TRUE(rejected(std::string("\x03\x01\x01" "a\xfd", 5)));     // NaN score
  EXPECT_TRUE(rejected(std::string("\x01\x80\x7f\xff\xff\xff", 6)));  // count past the input
}

// Random byte flips, insertions and truncations of valid payloads (with the CRC recomputed so the
// value decoder sees them) must decode to an error or to a value that round-trips.
TEST(RdbValueTest, MutationFuzz) {
  std::vector<std::string> bodies;
  for (const char* hex : {kRedisList, kRedisIntset, kRedisHash, kRedisZSet}) {
    std::string payload = Unhex(hex);
    bodies.push_back(payload.substr(0, payload.size() - 10));
  }
  Hash big_hash;
  for (int i = 0; i < 100; ++i) big_hash.Set("f" + std::to_string(i), std::string(i, 'v'), {});
  std::unique_ptr<ZSet> big_zset = ZSet::New({}, 100);
  double score;
  for (int i = 0; i < 150; ++i) big_zset->Add(i * 0.25, "m" + std::to_string(i), 0, {}, &score);
  std::unique_ptr<Set> big_set = Set::New("a");
  for (int i = 0; i < 20; ++i) big_set->Add("a" + std::to_string(i), 512);
  for (const Object* o : {static_cast<const Object*>(&big_hash),
                          static_cast<const Object*>(big_zset.get()),
                          static_cast<const Object*>(big_set.get())}) {
    std::string payload = PayloadOf(*o);
    bodies.push_back(payload.substr(0, payload.size() - 10));
  }
  std::string lzf = PayloadOfString(std::string(200, 'a') + "bcd" + std::string(100, 'a'));
  bodies.push_back(lzf.substr(0, lzf.size() - 10));
  for (const char* old_hex : {
           // Ziplist hash, zipmap hash, ziplist list, quicklist of ziplists.
           "0d4065650000001b000000060000026631040276310402663204f4020167034046787878787878787878"
           "787878787878787878787878787878787878787878787878787878787878787878787878787878787878"
           "78787878787878787878787878787878787878ff",
           "090d020166020076760167010077ff", "0a181800000013000000040000016103f302c0d4fe04026262ff",
           "0e0211110000000d0000000200000161030162ff12120000000c000000020000f202f0701101ff"}) {
    bodies.push_back(Unhex(old_hex));
  }

  std::mt19937 rng(20261207);
  size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body = bodies[rng() % bodies.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      switch (rng() % 4) {
        case 0:
          body[rng() % body.size()] = static_cast<char>(rng());
          break;
        case 1:
          body[rng() % body.size()] ^= static_cast<char>(1 << (rng() % 8));
          break;
        case 2:
          body.resize(rng() % body.size());
          break;
        default:
          body.insert(body.begin() + static_cast<std::ptrdiff_t>(rng() % body.size()),
                      static_cast<char>(rng()));
      }
    }
    std::string payload = FinishPayload(body);
    std::optional<Value> v = ReadPayload(payload, {});
    if (!v) continue;
    ++decoded;
    if (v->object == nullptr) continue;
    ASSERT_GT(v->object->Length(), 0u);
    std::string again = PayloadOf(*v->object);
    ASSERT_TRUE(ReadPayload(again, {}).has_value());
  }
  EXPECT_GT(decoded, 0u);
}

}  // namespace
}  // namespace respd::storage::rdb
