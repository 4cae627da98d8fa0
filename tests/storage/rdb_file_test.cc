// The RDB file: byte for byte as Redis 7.0.15 writes the same dataset (captured with SAVE from
// redis-server), round trips of keys, expire times and libraries, and the files a load refuses.
#include "storage/rdb_file.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/clock.h"
#include "storage/dump_ops.h"
#include "storage/list_object.h"
#include "tests/storage/rdb_hex.h"

namespace respd::storage::rdb {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int kDatabases = 16;

const std::string kLibrary =
    "#!lua name=lib\nredis.register_function('f', function() return 1 end)";

// redis-server 7.0.15: SET k value PXAT 4102444800000, in db 2 RPUSH l a b, FUNCTION LOAD
// kLibrary, SAVE (ctime 1796644880, used-mem 1014040).
const std::string kRedisFile = Unhex(
    "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa0563"
    "74696d65c210a0166bfa08757365642d6d656dc218790f00fa08616f662d62617365c000f5404423216c7561"
    "206e616d653d6c69620a72656469732e72656769737465725f66756e6374696f6e282766272c2066756e6374"
    "696f6e28292072657475726e203120656e6429fe00fb0101fc00d8c32cbb03000000016b0576616c7565fe02"
    "fb010012016c01020d0d0000000200816102816202ffff96629de4a01bdab6");

const FileInfo kRedisInfo{.redis_version = "7.0.15", .ctime_s = 1796644880, .used_memory = 1014040};

class RdbFileTest : public ::testing::Test {
 protected:
  RdbFileTest() : store_(kDatabases, /*locking=*/false) { SetCommandTimeMs(kNow); }

  void AddList(int db, std::string_view key, const std::vector<std::string>& items) {
    auto list = std::make_unique<List>();
    for (const std::string& item : items) list->Push(ListEnd::kTail, item, List::kDefaultFill);
    store_.db(db).AddObject(key, std::move(list));
  }

  std::optional<FileContents> Decode(std::string_view bytes, bool verify_checksum = true) {
    return DecodeFile(bytes, kDatabases, LoadLimits{}, verify_checksum, &error_);
  }

  Store store_;
  std::string error_;
};

TEST_F(RdbFileTest, WritesWhatRedisWritesForTheSameDataset) {
  store_.db(0).SetString("k", "value", 4102444800000);
  AddList(2, "l", {"a", "b"});
  EXPECT_EQ(EncodeFile(store_, {kLibrary}, kRedisInfo, {}), kRedisFile);
}

// redis-server 7.0.15 under allkeys-lru, then allkeys-lfu: RESTORE k 0 <value> IDLETIME 5
// (FREQ 7), SAVE. Redis writes each key's idle seconds, or its counter, before the key.
const std::string kRedisLruFile = Unhex(
    "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa0563"
    "74696d65c200c5166bfa08757365642d6d656dc2c8fa0f00fa08616f662d62617365c000fe00fb0100f80500"
    "016b0576616c7565ff146b3e48d1d7a5c3");
const FileInfo kRedisLruInfo{
    .redis_version = "7.0.15", .ctime_s = 1796654336, .used_memory = 1047240};
const std::string kRedisLfuFile = Unhex(
    "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa0563"
    "74696d65c201c5166bfa08757365642d6d656dc288bb1000fa08616f662d62617365c000fe00fb0100f90700"
    "016b0576616c7565ff1547a95b2cd1abea");
const FileInfo kRedisLfuInfo{
    .redis_version = "7.0.15", .ctime_s = 1796654337, .used_memory = 1096584};

TEST_F(RdbFileTest, WritesKeyClocksAsRedisDoesUnderLruAndLfu) {
  Entry* e = store_.db(0).SetString("k", "value", Entry::kNoExpire);
  SetAccessClock(e, /*lfu_policy=*/false, /*idle_seconds=*/5, /*freq=*/-1, kNow);
  FileOptions lru{.key_clock = FileOptions::KeyClock::kIdle, .now_ms = kNow};
  EXPECT_EQ(EncodeFile(store_, {}, kRedisLruInfo, lru), kRedisLruFile);
  SetAccessClock(e, /*lfu_policy=*/true, /*idle_seconds=*/-1, /*freq=*/7, kNow);
  FileOptions lfu{.key_clock = FileOptions::KeyClock::kFrequency, .now_ms = kNow};
  EXPECT_EQ(EncodeFile(store_, {}, kRedisLfuInfo, lfu), kRedisLfuFile);

  std::optional<FileContents> lru_contents = Decode(kRedisLruFile);
  std::optional<FileContents> lfu_contents = Decode(kRedisLfuFile);
  ASSERT_TRUE(lru_contents.has_value() && lfu_contents.has_value()) << error_;
  ASSERT_EQ(lru_contents->keys.size() + lfu_contents->keys.size(), 2u);
  EXPECT_EQ(lru_contents->keys[0].idle_seconds, 5);
  EXPECT_EQ(lfu_contents->keys[0].freq, 7);
}

TEST_F(RdbFileTest, ReadsRedisFile) {
  std::optional<FileContents> contents = Decode(kRedisFile);
  ASSERT_TRUE(contents.has_value()) << error_;
  EXPECT_EQ(contents->redis_version, "7.0.15");
  ASSERT_EQ(contents->libraries, std::vector<std::string>{kLibrary});
  ASSERT_EQ(contents->keys.size(), 2u);
  EXPECT_EQ(contents->keys[0].db, 0);
  EXPECT_EQ(contents->keys[0].key, "k");
  EXPECT_EQ(contents->keys[0].value.str, "value");
  EXPECT_EQ(contents->keys[0].expire_at_ms, 4102444800000);
  EXPECT_EQ(contents->keys[1].db, 2);
  EXPECT_EQ(contents->keys[1].key, "l");
  ASSERT_NE(contents->keys[1].value.object, nullptr);
  EXPECT_EQ(contents->keys[1].value.object->Length(), 2u);
  EXPECT_EQ(contents->keys[1].expire_at_ms, Entry::kNoExpire);
}

TEST_F(RdbFileTest, LoadDropsExpiredKeysAndKeepsTheRest) {
  store_.db(0).SetString("live", "1", kNow + 60'000);
  store_.db(0).SetString("forever", "2", Entry::kNoExpire);
  store_.db(5).SetString("other-db", "3", Entry::kNoExpire);
  std::string file = EncodeFile(store_, {}, kRedisInfo, {});
  store_.FlushAll();

  std::optional<FileContents> contents = Decode(file);
  ASSERT_TRUE(contents.has_value()) << error_;
  size_t loaded = 0, expired = 0;
  // Loaded two minutes later: "live" has passed its expire time.
  ASSERT_TRUE(LoadKeys(store_, *contents, kNow + 120'000, false, false, &loaded, &expired));
  EXPECT_EQ(loaded, 2u);
  EXPECT_EQ(expired, 1u);
  EXPECT_EQ(store_.db(0).FindStored("live"), nullptr);
  ASSERT_NE(store_.db(0).FindStored("forever"), nullptr);
  EXPECT_EQ(store_.db(0).FindStored("forever")->str(), "2");
  ASSERT_NE(store_.db(5).FindStored("other-db"), nullptr);
}

TEST_F(RdbFileTest, DuplicateKeyFailsTheLoadUnlessMerging) {
  store_.db(0).SetString("k", "from-file", Entry::kNoExpire);
  std::string file = EncodeFile(store_, {}, kRedisInfo, {});
  store_.db(0).SetString("k", "in-memory", Entry::kNoExpire);
  size_t loaded = 0, expired = 0;
  std::optional<FileContents> contents = Decode(file);
  ASSERT_TRUE(contents.has_value());
  EXPECT_FALSE(LoadKeys(store_, *contents, kNow, false, false, &loaded, &expired));
  contents = Decode(file);
  ASSERT_TRUE(LoadKeys(store_, *contents, kNow, true, false, &loaded, &expired));
  EXPECT_EQ(store_.db(0).FindStored("k")->str(), "from-file");
}

TEST_F(RdbFileTest, ChecksumIsVerifiedUnlessZeroOrOff) {
  // A flipped bit in the list's listpack: a bad value or a wrong checksum, never a load.
  std::string file = kRedisFile;
  file[file.size() - 20] ^= 1;
  EXPECT_FALSE(Decode(file).has_value());
  EXPECT_NE(error_, "");

  std::string wrong_sum = kRedisFile;
  wrong_sum.back() ^= 1;
  EXPECT_FALSE(Decode(wrong_sum).has_value());
  EXPECT_NE(error_.find("Wrong RDB checksum"), std::string::npos) << error_;
  EXPECT_TRUE(Decode(wrong_sum, /*verify_checksum=*/false).has_value());

  std::string unchecked = EncodeFile(store_, {}, kRedisInfo, {.checksum = false});
  EXPECT_EQ(unchecked.substr(unchecked.size() - 8), std::string(8, '\0'));
  EXPECT_TRUE(Decode(unchecked).has_value()) << error_;
}

TEST_F(RdbFileTest, RefusesWhatRedisRefuses) {
  EXPECT_FALSE(Decode("").has_value());
  EXPECT_FALSE(Decode("NOTREDIS0010").has_value());
  EXPECT_EQ(error_, "Wrong signature trying to load DB from file");
  std::string future = kRedisFile;
  future[8] = '1';  // REDIS0011
  EXPECT_FALSE(Decode(future).has_value());
  EXPECT_EQ(error_, "Can't handle RDB format version 11");
  // A database index past the configured count.
  store_.db(15).SetString("k", "v", Entry::kNoExpire);
  std::string file = EncodeFile(store_, {}, kRedisInfo, {});
  EXPECT_FALSE(DecodeFile(file, 8, LoadLimits{}, true, &error_).has_value());
  EXPECT_NE(error_.find("more than 8 databases"), std::string::npos) << error_;
  // Truncated anywhere: an error, never a crash or a partial success.
  for (size_t n = 0; n < kRedisFile.size(); ++n) {
    EXPECT_FALSE(Decode(std::string_view(kRedisFile).substr(0, n)).has_value()) << n;
  }
}

// Random byte flips of a valid file: every outcome is an error or a file that decodes.
TEST_F(RdbFileTest, MutatedFilesNeverCrash) {
  std::mt19937_64 rng(20261207);
  for (int i = 0; i < 20000; ++i) {
    std::string file = kRedisFile;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) file[rng() % file.size()] = static_cast<char>(rng());
    std::string error;
    std::optional<FileContents> contents =
        DecodeFile(file, kDatabases, LoadLimits{}, /*verify_checksum=*/false, &error);
    if (!contents) {
      EXPECT_NE(error, "");
    }
  }
}

}  // namespace
}  // namespace respd::storage::rdb
