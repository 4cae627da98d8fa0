// Hash family through the dispatcher: every command, its errors, encodings and RESP3 shapes.
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

using HashFamilyTest = CommandTest;

TEST_F(HashFamilyTest, SetGetDelete) {
  EXPECT_EQ(Run({"hset", "h", "a", "1", "b", "2"}), ":2\r\n");
  EXPECT_EQ(Run({"hset", "h", "a", "10"}), ":0\r\n");
  EXPECT_EQ(Run({"hset", "h", "a"}), "-ERR wrong number of arguments for 'hset' command\r\n");
  EXPECT_EQ(Run({"hmset", "h", "c", "3"}), "+OK\r\n");
  EXPECT_EQ(Run({"hsetnx", "h", "c", "x"}), ":0\r\n");
  EXPECT_EQ(Run({"hsetnx", "h", "d", "4"}), ":1\r\n");
  EXPECT_EQ(Run({"hget", "h", "a"}), "$2\r\n10\r\n");
  EXPECT_EQ(Run({"hget", "h", "z"}), "$-1\r\n");
  EXPECT_EQ(Run({"hmget", "h", "b", "z"}), "*2\r\n$1\r\n2\r\n$-1\r\n");
  EXPECT_EQ(Run({"hexists", "h", "b"}), ":1\r\n");
  EXPECT_EQ(Run({"hlen", "h"}), ":4\r\n");
  EXPECT_EQ(Run({"hstrlen", "h", "a"}), ":2\r\n");
  EXPECT_EQ(Run({"hkeys", "h"}), "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run({"hvals", "h"}), "*4\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
  EXPECT_EQ(Run({"hdel", "h", "a", "b", "z"}), ":2\r\n");
  EXPECT_EQ(Run({"hgetall", "h"}), "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(Run({"hgetall", "h"}), "%2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n");
  EXPECT_EQ(Run({"hdel", "h", "c", "d"}), ":2\r\n");
  EXPECT_EQ(Run({"exists", "h"}), ":0\r\n");
}

TEST_F(HashFamilyTest, Counters) {
  EXPECT_EQ(Run({"hincrby", "h", "n", "5"}), ":5\r\n");
  EXPECT_EQ(Run({"hincrby", "h", "n", "x"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run({"hincrby", "h", "n", "9223372036854775807"}),
            "-ERR increment or decrement would overflow\r\n");
  Run({"hset", "h", "s", "abc"});
  EXPECT_EQ(Run({"hincrby", "h", "s", "1"}), "-ERR hash value is not an integer\r\n");
  EXPECT_EQ(Run({"hincrbyfloat", "h", "s", "1"}), "-ERR hash value is not a float\r\n");
  EXPECT_EQ(Run({"hincrbyfloat", "h", "n", "0.5"}), "$3\r\n5.5\r\n");
  EXPECT_EQ(Run({"hincrbyfloat", "h", "n", "x"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(Run({"hincrbyfloat", "h", "n", "inf"}), "-ERR value is NaN or Infinity\r\n");
}

TEST_F(HashFamilyTest, RandomFieldsAndScan) {
  Run({"hset", "h", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(Run({"hrandfield", "h", "-5"}).substr(0, 4), "*5\r\n");
  EXPECT_EQ(Run({"hrandfield", "h", "2", "withvalues"}).substr(0, 4), "*4\r\n");
  EXPECT_EQ(Run({"hrandfield", "h", "10"}).substr(0, 4), "*3\r\n");
  EXPECT_EQ(Run({"hrandfield", "none"}), "$-1\r\n");
  EXPECT_EQ(Run({"hrandfield", "none", "3"}), "*0\r\n");
  EXPECT_EQ(Run({"hrandfield", "h", "1", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"hscan", "h", "0", "match", "b"}),
            "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run({"hscan", "h", "x"}), "-ERR invalid cursor\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(Run({"hrandfield", "h", "1", "withvalues"}).substr(0, 8), "*1\r\n*2\r\n");
}

TEST_F(HashFamilyTest, EncodingFollowsTheLimits) {
  Run({"config", "set", "hash-max-listpack-entries", "2"});
  Run({"hset", "h", "a", "1", "b", "2"});
  EXPECT_EQ(Run({"object", "encoding", "h"}), "$8\r\nlistpack\r\n");
  Run({"hset", "h", "c", "3"});
  EXPECT_EQ(Run({"object", "encoding", "h"}), "$9\r\nhashtable\r\n");
  Run({"config", "set", "hash-max-ziplist-value", "3"});
  Run({"hset", "h2", "f", "long"});
  EXPECT_EQ(Run({"object", "encoding", "h2"}), "$9\r\nhashtable\r\n");
}

TEST_F(HashFamilyTest, WrongType) {
  Run({"set", "s", "v"});
  const std::string wrong =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  EXPECT_EQ(Run({"hset", "s", "f", "v"}), wrong);
  EXPECT_EQ(Run({"hget", "s", "f"}), wrong);
  EXPECT_EQ(Run({"hgetall", "s"}), wrong);
  EXPECT_EQ(Run({"hincrby", "s", "f", "1"}), wrong);
  EXPECT_EQ(Run({"hscan", "s", "0"}), wrong);
  EXPECT_EQ(Run({"hrandfield", "s"}), wrong);
}

}  // namespace
}  // namespace respd::server
