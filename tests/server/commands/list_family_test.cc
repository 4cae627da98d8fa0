// List family through the dispatcher: every command, its errors, and the blocking forms where they
// do not wait (data present, inside MULTI, or a client with no connection to park).
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

using ListFamilyTest = CommandTest;

const std::string kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

TEST_F(ListFamilyTest, PushesAndLength) {
  EXPECT_EQ(Run({"rpush", "l", "b", "c"}), ":2\r\n");
  EXPECT_EQ(Run({"lpush", "l", "a"}), ":3\r\n");
  EXPECT_EQ(Run({"lpushx", "l", "z"}), ":4\r\n");
  EXPECT_EQ(Run({"rpushx", "l", "d"}), ":5\r\n");
  EXPECT_EQ(Run({"lpushx", "none", "x"}), ":0\r\n");
  EXPECT_EQ(Run({"rpushx", "none", "x"}), ":0\r\n");
  EXPECT_EQ(Run({"llen", "l"}), ":5\r\n");
  EXPECT_EQ(Run({"llen", "none"}), ":0\r\n");
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}),
            "*5\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run({"object", "encoding", "l"}), "$9\r\nquicklist\r\n");
}

TEST_F(ListFamilyTest, PopsWithAndWithoutCount) {
  Run({"rpush", "l", "a", "b", "c", "d"});
  EXPECT_EQ(Run({"lpop", "l"}), "$1\r\na\r\n");
  EXPECT_EQ(Run({"rpop", "l"}), "$1\r\nd\r\n");
  EXPECT_EQ(Run({"lpop", "l", "0"}), "*0\r\n");
  EXPECT_EQ(Run({"rpop", "l", "5"}), "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run({"exists", "l"}), ":0\r\n");
  EXPECT_EQ(Run({"lpop", "l"}), "$-1\r\n");
  EXPECT_EQ(Run({"lpop", "l", "1"}), "*-1\r\n");
  EXPECT_EQ(Run({"lpop", "l", "-1"}), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run({"lpop", "l", "1", "2"}), "-ERR wrong number of arguments for 'lpop' command\r\n");
}

TEST_F(ListFamilyTest, RangesAndIndexes) {
  Run({"rpush", "l", "a", "b", "c"});
  EXPECT_EQ(Run({"lrange", "l", "-2", "100"}), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run({"lrange", "l", "2", "1"}), "*0\r\n");
  EXPECT_EQ(Run({"lrange", "l", "x", "1"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run({"lindex", "l", "-1"}), "$1\r\nc\r\n");
  EXPECT_EQ(Run({"lindex", "l", "3"}), "$-1\r\n");
  EXPECT_EQ(Run({"lset", "l", "1", "B"}), "+OK\r\n");
  EXPECT_EQ(Run({"lindex", "l", "1"}), "$1\r\nB\r\n");
  EXPECT_EQ(Run({"lset", "l", "3", "x"}), "-ERR index out of range\r\n");
  EXPECT_EQ(Run({"lset", "none", "0", "x"}), "-ERR no such key\r\n");
}

TEST_F(ListFamilyTest, EditsInTheMiddle) {
  Run({"rpush", "l", "a", "b", "a", "c", "a"});
  EXPECT_EQ(Run({"lrem", "l", "-1", "a"}), ":1\r\n");
  EXPECT_EQ(Run({"lrem", "l", "0", "a"}), ":2\r\n");
  EXPECT_EQ(Run({"linsert", "l", "BEFORE", "c", "x"}), ":3\r\n");
  EXPECT_EQ(Run({"linsert", "l", "AFTER", "nope", "x"}), ":-1\r\n");
  EXPECT_EQ(Run({"linsert", "l", "AROUND", "c", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"linsert", "none", "BEFORE", "c", "x"}), ":0\r\n");
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}), "*3\r\n$1\r\nb\r\n$1\r\nx\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run({"ltrim", "l", "1", "-1"}), "+OK\r\n");
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}), "*2\r\n$1\r\nx\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run({"ltrim", "l", "5", "10"}), "+OK\r\n");
  EXPECT_EQ(Run({"exists", "l"}), ":0\r\n");
}

TEST_F(ListFamilyTest, Lpos) {
  Run({"rpush", "l", "a", "b", "a", "b", "a"});
  EXPECT_EQ(Run({"lpos", "l", "a"}), ":0\r\n");
  EXPECT_EQ(Run({"lpos", "l", "a", "rank", "-1"}), ":4\r\n");
  EXPECT_EQ(Run({"lpos", "l", "a", "count", "0"}), "*3\r\n:0\r\n:2\r\n:4\r\n");
  EXPECT_EQ(Run({"lpos", "l", "a", "count", "0", "maxlen", "3"}), "*2\r\n:0\r\n:2\r\n");
  EXPECT_EQ(Run({"lpos", "l", "z"}), "$-1\r\n");
  EXPECT_EQ(Run({"lpos", "l", "a", "count", "-1"}), "-ERR COUNT can't be negative\r\n");
  EXPECT_EQ(Run({"lpos", "l", "a", "maxlen", "-1"}), "-ERR MAXLEN can't be negative\r\n");
  EXPECT_EQ(Run({"lpos", "l", "a", "rank", "0"}).substr(0, 25), "-ERR RANK can't be zero: ");
}

TEST_F(ListFamilyTest, MovesAndMultiPops) {
  Run({"rpush", "src", "a", "b", "c"});
  EXPECT_EQ(Run({"lmove", "src", "dst", "LEFT", "RIGHT"}), "$1\r\na\r\n");
  EXPECT_EQ(Run({"rpoplpush", "src", "dst"}), "$1\r\nc\r\n");
  EXPECT_EQ(Run({"lrange", "dst", "0", "-1"}), "*2\r\n$1\r\nc\r\n$1\r\na\r\n");
  EXPECT_EQ(Run({"lmove", "src", "src", "LEFT", "RIGHT"}), "$1\r\nb\r\n");
  EXPECT_EQ(Run({"lmove", "none", "dst", "LEFT", "RIGHT"}), "$-1\r\n");
  EXPECT_EQ(Run({"lmove", "src", "dst", "UP", "RIGHT"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"lmpop", "2", "none", "dst", "RIGHT", "COUNT", "5"}),
            "*2\r\n$3\r\ndst\r\n*2\r\n$1\r\na\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run({"lmpop", "1", "dst", "LEFT"}), "*-1\r\n");
  EXPECT_EQ(Run({"lmpop", "0", "dst", "LEFT"}), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run({"lmpop", "1", "dst", "LEFT", "COUNT", "0"}),
            "-ERR count should be greater than 0\r\n");
}

TEST_F(ListFamilyTest, BlockingFormsServeDataAtOnce) {
  Run({"rpush", "l", "a", "b", "c", "d"});
  EXPECT_EQ(Run({"blpop", "none", "l", "0"}), "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
  EXPECT_EQ(Run({"brpop", "l", "0"}), "*2\r\n$1\r\nl\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run({"blmove", "l", "m", "LEFT", "LEFT", "0"}), "$1\r\nb\r\n");
  EXPECT_EQ(Run({"brpoplpush", "l", "m", "0"}), "$1\r\nc\r\n");
  EXPECT_EQ(Run({"blmpop", "0", "1", "m", "LEFT", "COUNT", "2"}),
            "*2\r\n$1\r\nm\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
}

TEST_F(ListFamilyTest, BlockingFormsInsideMultiAnswerAsOnTimeout) {
  Run({"multi"});
  Run({"blpop", "none", "0"});
  Run({"blmove", "none", "d", "LEFT", "LEFT", "0"});
  Run({"blmpop", "0", "1", "none", "LEFT"});
  EXPECT_EQ(Run({"exec"}), "*3\r\n*-1\r\n$-1\r\n*-1\r\n");
}

TEST_F(ListFamilyTest, TimeoutErrors) {
  EXPECT_EQ(Run({"blpop", "l", "-1"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run({"blpop", "l", "inf"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run({"blpop", "l", "x"}), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Run({"brpoplpush", "l", "d", "nan"}),
            "-ERR timeout is not a float or out of range\r\n");
}

TEST_F(ListFamilyTest, WrongType) {
  Run({"set", "s", "v"});
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"lpush", "s", "a"},
           {"rpushx", "s", "a"},
           {"lpop", "s"},
           {"llen", "s"},
           {"lrange", "s", "0", "1"},
           {"lindex", "s", "0"},
           {"lset", "s", "0", "a"},
           {"lrem", "s", "0", "a"},
           {"ltrim", "s", "0", "1"},
           {"linsert", "s", "BEFORE", "a", "b"},
           {"lpos", "s", "a"},
           {"lmove", "s", "d", "LEFT", "LEFT"},
           {"lmpop", "1", "s", "LEFT"},
           {"blpop", "s", "0"},
           {"blmove", "s", "d", "LEFT", "LEFT", "0"},
       }) {
    EXPECT_EQ(Run(cmd), kWrongType) << cmd[0];
  }
}

}  // namespace
}  // namespace respd::server
