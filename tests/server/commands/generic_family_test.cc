// In-process tests of the keys family: exact replies, TTL arithmetic on a frozen clock, SCAN's
// full-iteration guarantee, and the commands that move values between keys and databases.
#include <set>
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class GenericFamilyTest : public CommandTest {
 protected:
  // One SCAN call: returns the next cursor and appends the keys to `keys`.
  std::string ScanStep(const std::vector<std::string>& args, std::vector<std::string>* keys) {
    std::string reply = Run(args);
    size_t pos = 0;
    auto line = [&]() {
      size_t end = reply.find("\r\n", pos);
      std::string text = reply.substr(pos, end - pos);
      pos = end + 2;
      return text;
    };
    EXPECT_EQ(line(), "*2");
    line();
    std::string cursor = line();
    int n = std::stoi(line().substr(1));
    for (int i = 0; i < n; ++i) {
      size_t len = std::stoul(line().substr(1));
      keys->push_back(reply.substr(pos, len));
      pos += len + 2;
    }
    return cursor;
  }

  // A full SCAN iteration with extra arguments; every key returned, duplicates kept.
  std::vector<std::string> ScanAll(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    for (int calls = 0; calls < 100000; ++calls) {
      std::vector<std::string> args = {"scan", cursor};
      args.insert(args.end(), extra.begin(), extra.end());
      cursor = ScanStep(args, &keys);
      if (cursor == "0") break;
    }
    EXPECT_EQ(cursor, "0");
    return keys;
  }

  void AdvanceMs(int64_t ms) { clock_.Advance(ms * 1000); }
};

TEST_F(GenericFamilyTest, DelExistsTypeTouch) {
  EXPECT_EQ(Run({"set", "a", "1"}), "+OK\r\n");
  EXPECT_EQ(Run({"set", "b", "2"}), "+OK\r\n");
  EXPECT_EQ(Run({"exists", "a", "a", "nokey"}), ":2\r\n");
  EXPECT_EQ(Run({"type", "a"}), "+string\r\n");
  EXPECT_EQ(Run({"type", "nokey"}), "+none\r\n");
  EXPECT_EQ(Run({"touch", "a", "b", "c"}), ":2\r\n");
  EXPECT_EQ(Run({"del", "a", "a", "c"}), ":1\r\n");
  EXPECT_EQ(Run({"unlink", "b"}), ":1\r\n");
  EXPECT_EQ(Run({"dbsize"}), ":0\r\n");
  EXPECT_EQ(Run({"del"}), "-ERR wrong number of arguments for 'del' command\r\n");
}

TEST_F(GenericFamilyTest, ExpireOptionsAndErrors) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"expire", "k", "10", "nx", "xx"}),
            "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
  EXPECT_EQ(Run({"expire", "k", "10", "gt", "lt"}),
            "-ERR GT and LT options at the same time are not compatible\r\n");
  EXPECT_EQ(Run({"expire", "k", "abc", "foo"}), "-ERR Unsupported option foo\r\n");
  EXPECT_EQ(Run({"expire", "k", "abc"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run({"expire", "k", "99999999999999999"}),
            "-ERR invalid expire time in 'expire' command\r\n");
  EXPECT_EQ(Run({"pexpire", "k", "9223372036854775807"}),
            "-ERR invalid expire time in 'pexpire' command\r\n");
  EXPECT_EQ(Run({"expire", "k", "10", "xx"}), ":0\r\n");
  EXPECT_EQ(Run({"expire", "k", "10", "gt"}), ":0\r\n");  // no TTL counts as infinite
  EXPECT_EQ(Run({"expire", "k", "100", "lt"}), ":1\r\n");
  EXPECT_EQ(Run({"expire", "k", "10", "nx", "nx"}), ":0\r\n");
  EXPECT_EQ(Run({"expire", "k", "50", "gt"}), ":0\r\n");
  EXPECT_EQ(Run({"expire", "k", "200", "GT"}), ":1\r\n");
  EXPECT_EQ(Run({"ttl", "k"}), ":200\r\n");
  EXPECT_EQ(Run({"expire", "nokey", "10"}), ":0\r\n");
}

TEST_F(GenericFamilyTest, TtlRoundingAndAbsoluteTimes) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"ttl", "k"}), ":-1\r\n");
  EXPECT_EQ(Run({"ttl", "nokey"}), ":-2\r\n");
  EXPECT_EQ(Run({"pexpire", "k", "1500"}), ":1\r\n");
  EXPECT_EQ(Run({"ttl", "k"}), ":2\r\n");  // rounds to nearest
  EXPECT_EQ(Run({"pttl", "k"}), ":1500\r\n");
  EXPECT_EQ(Run({"pexpire", "k", "1499"}), ":1\r\n");
  EXPECT_EQ(Run({"ttl", "k"}), ":1\r\n");
  EXPECT_EQ(Run({"pexpireat", "k", "1700000005000"}), ":1\r\n");
  EXPECT_EQ(Run({"expiretime", "k"}), ":1700000005\r\n");
  EXPECT_EQ(Run({"pexpiretime", "k"}), ":1700000005000\r\n");
  EXPECT_EQ(Run({"expireat", "k", "1700000010"}), ":1\r\n");
  EXPECT_EQ(Run({"pttl", "k"}), ":10000\r\n");
  EXPECT_EQ(Run({"pexpireat", "k", "9223372036854775807"}), ":1\r\n");
  EXPECT_EQ(Run({"expiretime", "k"}), ":9223372036854776\r\n");
  EXPECT_EQ(Run({"persist", "k"}), ":1\r\n");
  EXPECT_EQ(Run({"persist", "k"}), ":0\r\n");
  EXPECT_EQ(Run({"pexpiretime", "k"}), ":-1\r\n");
}

TEST_F(GenericFamilyTest, PastTimeDeletesAndExpiryIsLazy) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"expire", "k", "-1"}), ":1\r\n");
  EXPECT_EQ(Run({"exists", "k"}), ":0\r\n");
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"pexpire", "k", "100"}), ":1\r\n");
  AdvanceMs(99);
  EXPECT_EQ(Run({"pttl", "k"}), ":1\r\n");
  AdvanceMs(1);
  EXPECT_EQ(Run({"pttl", "k"}), ":-2\r\n");
  EXPECT_EQ(Run({"keys", "*"}), "*0\r\n");
}

TEST_F(GenericFamilyTest, KeysPatterns) {
  for (const char* key : {"", "one", "two", "three", "a*b"}) Run({"set", key, "x"});
  EXPECT_EQ(Run({"keys", "t*"}).substr(0, 4), "*2\r\n");
  EXPECT_EQ(Run({"keys", "*"}).substr(0, 4), "*5\r\n");  // "*" lists the empty key too
  EXPECT_EQ(Run({"keys", "*?*"}).substr(0, 4), "*4\r\n");
  EXPECT_EQ(Run({"keys", "one"}), "*1\r\n$3\r\none\r\n");
  EXPECT_EQ(Run({"keys", "a\\*b"}), "*1\r\n$3\r\na*b\r\n");
  EXPECT_EQ(Run({"keys", "nope"}), "*0\r\n");
  EXPECT_EQ(Run({"keys", ""}), "*1\r\n$0\r\n\r\n");
}

TEST_F(GenericFamilyTest, ScanErrors) {
  EXPECT_EQ(Run({"scan", "abc"}), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run({"scan", " 1"}), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run({"scan", "18446744073709551616"}), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run({"scan", "-1"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  EXPECT_EQ(Run({"scan", "0", "count", "0"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"scan", "0", "count", "abc"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run({"scan", "0", "match"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"scan", "0", "foo", "bar"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"scan", "0", "type", "foo"}), "*2\r\n$1\r\n0\r\n*0\r\n");
}

TEST_F(GenericFamilyTest, ScanReturnsEveryKeyOnceWhenNothingChanges) {
  std::set<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    std::string key = "key:" + std::to_string(i);
    Run({"set", key, "v"});
    expected.insert(key);
  }
  std::vector<std::string> keys = ScanAll({"count", "7"});
  EXPECT_EQ(keys.size(), expected.size());
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), expected);
  std::vector<std::string> matched = ScanAll({"match", "key:1?", "type", "STRING"});
  EXPECT_EQ(std::set<std::string>(matched.begin(), matched.end()).size(), 10u);
  EXPECT_TRUE(ScanAll({"type", "list"}).empty());
}

TEST_F(GenericFamilyTest, ScanKeepsItsGuaranteeWhileTheKeyspaceChanges) {
  std::set<std::string> stable;
  for (int i = 0; i < 300; ++i) {
    stable.insert("stable:" + std::to_string(i));
    Run({"set", "stable:" + std::to_string(i), "v"});
  }
  std::vector<std::string> keys;
  std::string cursor = "0";
  int step = 0;
  do {
    cursor = ScanStep({"scan", cursor, "count", "5"}, &keys);
    // Grow the table a lot, then shrink it below its starting size, between calls.
    int burst = (step % 2 == 0) ? 2000 : 0;
    for (int i = 0; i < burst; ++i) Run({"set", "tmp:" + std::to_string(step * 10000 + i), "v"});
    if (step % 2 == 1) {
      for (int i = 0; i < 2000; ++i) Run({"del", "tmp:" + std::to_string((step - 1) * 10000 + i)});
    }
    ++step;
  } while (cursor != "0" && step < 20000);
  ASSERT_EQ(cursor, "0");
  std::set<std::string> seen(keys.begin(), keys.end());
  for (const std::string& key : stable) EXPECT_TRUE(seen.count(key)) << key;
}

TEST_F(GenericFamilyTest, RandomKey) {
  EXPECT_EQ(Run({"randomkey"}), "$-1\r\n");
  Run({"set", "only", "v"});
  EXPECT_EQ(Run({"randomkey"}), "$4\r\nonly\r\n");
  Run({"pexpire", "only", "10"});
  AdvanceMs(10);
  EXPECT_EQ(Run({"randomkey"}), "$-1\r\n");
}

TEST_F(GenericFamilyTest, RenameKeepsTtl) {
  EXPECT_EQ(Run({"rename", "nokey", "x"}), "-ERR no such key\r\n");
  EXPECT_EQ(Run({"renamenx", "nokey", "x"}), "-ERR no such key\r\n");
  Run({"set", "a", "1"});
  Run({"pexpire", "a", "5000"});
  EXPECT_EQ(Run({"rename", "a", "a"}), "+OK\r\n");
  EXPECT_EQ(Run({"renamenx", "a", "a"}), ":0\r\n");
  Run({"set", "b", "old"});
  EXPECT_EQ(Run({"rename", "a", "b"}), "+OK\r\n");
  EXPECT_EQ(Run({"get", "b"}), "$1\r\n1\r\n");
  EXPECT_EQ(Run({"pttl", "b"}), ":5000\r\n");
  EXPECT_EQ(Run({"exists", "a"}), ":0\r\n");
  Run({"set", "c", "x"});
  EXPECT_EQ(Run({"renamenx", "b", "c"}), ":0\r\n");
  EXPECT_EQ(Run({"renamenx", "b", "d"}), ":1\r\n");
  EXPECT_EQ(Run({"pttl", "d"}), ":5000\r\n");
}

TEST_F(GenericFamilyTest, CopyAcrossDatabases) {
  Run({"set", "k", "123"});
  Run({"pexpire", "k", "3000"});
  EXPECT_EQ(Run({"copy", "k", "k"}), "-ERR source and destination objects are the same\r\n");
  EXPECT_EQ(Run({"copy", "k", "k2", "db", "99"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run({"copy", "k", "k2", "db"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"copy", "nokey", "k2"}), ":0\r\n");
  EXPECT_EQ(Run({"copy", "k", "k", "db", "1"}), ":1\r\n");
  EXPECT_EQ(Run({"copy", "k", "k", "db", "1"}), ":0\r\n");
  EXPECT_EQ(Run({"copy", "k", "k", "db", "1", "replace"}), ":1\r\n");
  Run({"select", "1"});
  EXPECT_EQ(Run({"get", "k"}), "$3\r\n123\r\n");
  EXPECT_EQ(Run({"pttl", "k"}), ":3000\r\n");
  EXPECT_EQ(Run({"object", "encoding", "k"}), "$3\r\nint\r\n");
}

TEST_F(GenericFamilyTest, MoveAndSwapdb) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"move", "k", "0"}), "-ERR source and destination objects are the same\r\n");
  EXPECT_EQ(Run({"move", "k", "99"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run({"move", "k", "1.5"}), "-ERR value is not an integer or out of range\r\n");
  Run({"pexpire", "k", "7000"});
  EXPECT_EQ(Run({"move", "k", "2"}), ":1\r\n");
  EXPECT_EQ(Run({"exists", "k"}), ":0\r\n");
  Run({"set", "k", "mine"});
  EXPECT_EQ(Run({"move", "k", "2"}), ":0\r\n");  // the target already has it
  EXPECT_EQ(Run({"swapdb", "abc", "0"}), "-ERR invalid first DB index\r\n");
  EXPECT_EQ(Run({"swapdb", "0", "abc"}), "-ERR invalid second DB index\r\n");
  EXPECT_EQ(Run({"swapdb", "0", "-1"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run({"swapdb", "0", "2"}), "+OK\r\n");
  EXPECT_EQ(Run({"get", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(Run({"pttl", "k"}), ":7000\r\n");
  EXPECT_EQ(Run({"swapdb", "0", "0"}), "+OK\r\n");
}

TEST_F(GenericFamilyTest, Flush) {
  Run({"set", "a", "1"});
  Run({"select", "3"});
  Run({"set", "b", "1"});
  EXPECT_EQ(Run({"flushdb", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"flushall", "async", "sync"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"flushdb", "ASYNC"}), "+OK\r\n");
  EXPECT_EQ(Run({"dbsize"}), ":0\r\n");
  Run({"select", "0"});
  EXPECT_EQ(Run({"dbsize"}), ":1\r\n");
  EXPECT_EQ(Run({"flushall", "sync"}), "+OK\r\n");
  EXPECT_EQ(Run({"dbsize"}), ":0\r\n");
}

TEST_F(GenericFamilyTest, ObjectSubcommands) {
  Run({"set", "n", "123"});
  Run({"set", "big", "10000"});
  Run({"set", "s", "hello"});
  EXPECT_EQ(Run({"object", "encoding", "n"}), "$3\r\nint\r\n");
  EXPECT_EQ(Run({"object", "encoding", "s"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(Run({"object", "encoding", "nokey"}), "$-1\r\n");
  EXPECT_EQ(Run({"object", "refcount", "n"}), ":2147483647\r\n");
  EXPECT_EQ(Run({"object", "refcount", "big"}), ":1\r\n");
  EXPECT_EQ(Run({"object", "idletime", "s"}), ":0\r\n");
  AdvanceMs(5000);
  EXPECT_EQ(Run({"object", "idletime", "s"}), ":5\r\n");  // OBJECT does not touch
  Run({"get", "s"});
  EXPECT_EQ(Run({"object", "idletime", "s"}), ":0\r\n");
  EXPECT_EQ(Run({"object", "freq", "s"}),
            "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take "
            "some time to adjust.\r\n");
  EXPECT_EQ(Run({"object", "foo", "s"}), "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n");
  EXPECT_EQ(Run({"object", "encoding"}),
            "-ERR wrong number of arguments for 'object|encoding' command\r\n");
  EXPECT_EQ(Run({"object", "help"}).substr(0, 5), "*15\r\n");
  // Through CONFIG SET, as a client changes it: the store learns that keys count accesses.
  EXPECT_EQ(Run({"config", "set", "maxmemory-policy", "allkeys-lfu"}), "+OK\r\n");
  EXPECT_EQ(Run({"object", "idletime", "s"}),
            "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some time to "
            "adjust.\r\n");
  EXPECT_EQ(Run({"object", "freq", "s"}), ":0\r\n");
  config_.Get("maxmemory").Set({"100mb"});
  EXPECT_EQ(Run({"object", "refcount", "n"}), ":1\r\n");
}

}  // namespace
}  // namespace respd::server
