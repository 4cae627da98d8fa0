// DEBUG through the dispatcher: POPULATE, OBJECT, DIGEST and DIGEST-VALUE (Redis's digests, taken
// from redis-server 7.0.15 for the same data), PROTOCOL in both protocols, SET-ACTIVE-EXPIRE,
// ERROR, STRINGMATCH-TEST and the argument checks.
#include <regex>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class DebugFamilyTest : public CommandTest {
 protected:
  DebugFamilyTest() { EXPECT_EQ(config_.Get("enable-debug-command").Set({"yes"}), ""); }
};

constexpr std::string_view kZeroDigest = "+0000000000000000000000000000000000000000\r\n";

TEST_F(DebugFamilyTest, PopulateKeepsExistingKeysAndSizesValues) {
  Run({"set", "key:1", "mine"});
  EXPECT_EQ(Run({"debug", "populate", "3"}), "+OK\r\n");
  EXPECT_EQ(Run({"mget", "key:0", "key:1", "key:2", "key:3"}),
            "*4\r\n$7\r\nvalue:0\r\n$4\r\nmine\r\n$7\r\nvalue:2\r\n$-1\r\n");
  EXPECT_EQ(Run({"debug", "populate", "2", "p", "3"}), "+OK\r\n");
  EXPECT_EQ(Run({"get", "p:1"}), "$3\r\nval\r\n");
  EXPECT_EQ(Run({"debug", "populate", "1", "q", "9"}), "+OK\r\n");
  EXPECT_EQ(Run({"get", "q:0"}), std::string("$9\r\nvalue:0\0\0\r\n", 15));
  EXPECT_EQ(Run({"dbsize"}), ":6\r\n");
  EXPECT_EQ(Run({"debug", "populate", "-1"}), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run({"debug", "populate", "1", "x", "y"}),
            "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run({"debug", "populate", "1", "x", "1", "z"}),
            "-ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG "
            "HELP.\r\n");
}

TEST_F(DebugFamilyTest, DigestsMatchRedis) {
  EXPECT_EQ(Run({"debug", "digest"}), kZeroDigest);
  Run({"set", "s", "hello"});
  Run({"set", "i", "12345"});
  Run({"rpush", "l", "a", "b", "3"});
  Run({"hset", "h", "f", "v", "g", "w"});
  Run({"sadd", "st", "1", "2", "x"});
  Run({"sadd", "st2", "1", "2"});
  Run({"zadd", "z", "1", "a", "0.1", "b", "1.5", "c"});
  Run({"set", "e", "v", "ex", "100"});
  EXPECT_EQ(Run({"debug", "digest-value", "s", "i", "l", "h", "st", "st2", "z", "e", "nokey"}),
            "*9\r\n+36b23a1456b2dce2c3ed252c456761301dba8060\r\n"
            "+e1cf90774e995ae03de66e8109dc5cb9d9c2dc83\r\n"
            "+09eb1fc9381ee92790d59930ab462945f8cd948b\r\n"
            "+d127864ed50239662bf61bafc9bda63c17da5b37\r\n"
            "+4c6eef6b7853d1b76391c849d71b0d35d3faf18f\r\n"
            "+5d9842e5bd79f833c83b3535ec4a6836aba6d1fd\r\n"
            "+65ec0fd9211a549ad4bd2aa8b2e938d4921e4f55\r\n"
            "+311b17018163335616e089f6b951c82c477335ac\r\n" +
                std::string(kZeroDigest));
  EXPECT_EQ(Run({"debug", "digest"}), "+a37f8f20b12981e8369248f170c8cd18fd8996d3\r\n");
  // Order-independent where Redis's types are unordered.
  Run({"del", "h"});
  Run({"hset", "h", "g", "w"});
  Run({"hset", "h", "f", "v"});
  EXPECT_EQ(Run({"debug", "digest"}), "+a37f8f20b12981e8369248f170c8cd18fd8996d3\r\n");
  Run({"flushall"});
  EXPECT_EQ(Run({"debug", "digest"}), kZeroDigest);
}

TEST_F(DebugFamilyTest, ObjectLine) {
  Run({"set", "s", "hello"});
  Run({"rpush", "l", "a", "b", "c"});
  std::regex string_line(
      "\\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 lru:[0-9]+ "
      "lru_seconds_idle:0\r\n");
  EXPECT_TRUE(std::regex_match(Run({"debug", "object", "s"}), string_line));
  std::regex list_line(
      "\\+Value at:0x[0-9a-f]+ refcount:1 encoding:quicklist serializedlength:[0-9]+ lru:[0-9]+ "
      "lru_seconds_idle:0 ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 "
      "ql_uncompressed_size:[0-9]+\r\n");
  EXPECT_TRUE(std::regex_match(Run({"debug", "object", "l"}), list_line));
  Run({"set", "n", "7"});
  EXPECT_NE(Run({"debug", "object", "n"}).find(" refcount:2147483647 encoding:int "),
            std::string::npos);
  EXPECT_EQ(Run({"debug", "object", "nokey"}), "-ERR no such key\r\n");
  EXPECT_EQ(Run({"debug", "listpack", "l"}), "-ERR Not a listpack encoded object.\r\n");
}

// HTSTATS-KEY describes the table behind a set, hash or sorted set in Redis's text: its lines add
// up (buckets by chain length make the table size, chains hold every element).
TEST_F(DebugFamilyTest, HtstatsKeyDescribesTheTableBehindTheValue) {
  std::vector<std::string> sadd = {"sadd", "s"};
  for (int i = 0; i < 1000; ++i) sadd.push_back("m" + std::to_string(i));
  Run(sadd);
  Run({"hset", "h", "f", std::string(100, 'v')});
  Run({"zadd", "z", "1", std::string(100, 'm')});
  for (const char* key : {"s", "h", "z"}) {
    std::string reply = Run({"debug", "htstats-key", key});
    SCOPED_TRACE(reply);
    std::smatch head;
    ASSERT_TRUE(std::regex_search(
        reply, head,
        std::regex("^\\$\\d+\r\nHash table 0 stats \\(main hash table\\):\n table size: (\\d+)\n"
                   " number of elements: (\\d+)\n different slots: (\\d+)\n max chain length: "
                   "(\\d+)\n avg chain length \\(counted\\): [0-9.]+\n avg chain length "
                   "\\(computed\\): [0-9.]+\n Chain length distribution:\n")));
    EXPECT_EQ(head[2], key == std::string("s") ? "1000" : "1");
    size_t buckets = 0, elements = 0, used = 0;
    std::regex row("   (\\d+): (\\d+) \\([0-9.]+%\\)\n");
    for (auto it = std::sregex_iterator(reply.begin(), reply.end(), row);
         it != std::sregex_iterator(); ++it) {
      size_t length = std::stoul((*it)[1]), count = std::stoul((*it)[2]);
      buckets += count;
      elements += length * count;
      if (length > 0) used += count;
    }
    EXPECT_EQ(std::to_string(buckets), head[1]);
    EXPECT_EQ(std::to_string(elements), head[2]);
    EXPECT_EQ(std::to_string(used), head[3]);
  }
  Run({"sadd", "ints", "1", "2"});
  Run({"set", "str", "v"});
  for (const char* key : {"ints", "str"}) {
    EXPECT_EQ(Run({"debug", "htstats-key", key}),
              "-ERR The value stored at the specified key is not represented using an hash "
              "table\r\n");
  }
  EXPECT_EQ(Run({"debug", "htstats-key", "nokey"}), "-ERR no such key\r\n");
}

TEST_F(DebugFamilyTest, ProtocolInBothProtocols) {
  EXPECT_EQ(Run({"debug", "protocol", "map"}), "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n");
  EXPECT_EQ(Run({"debug", "protocol", "attrib"}),
            "$39\r\nSome real reply following the attribute\r\n");
  EXPECT_EQ(Run({"debug", "protocol", "push"}), "-ERR RESP2 is not supported by this command\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(Run({"debug", "protocol", "map"}), "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
  EXPECT_EQ(Run({"debug", "protocol", "attrib"}),
            "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
            "$39\r\nSome real reply following the attribute\r\n");
  EXPECT_EQ(Run({"debug", "protocol", "push"}),
            ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
            "$40\r\nSome real reply following the push reply\r\n");
  EXPECT_EQ(Run({"debug", "protocol", "bignum"}), "(1234567999999999999999999999999999999\r\n");
  EXPECT_EQ(Run({"debug", "protocol", "verbatim"}), "=29\r\ntxt:This is a verbatim\nstring\r\n");
}

TEST_F(DebugFamilyTest, SwitchesAndSmallOnes) {
  EXPECT_EQ(Run({"debug", "set-active-expire", "0"}), "+OK\r\n");
  EXPECT_FALSE(server_->active_expire.load());
  EXPECT_EQ(Run({"debug", "set-active-expire", "1"}), "+OK\r\n");
  EXPECT_TRUE(server_->active_expire.load());
  EXPECT_EQ(Run({"debug", "error", "NOSCRIPT gone"}), "-NOSCRIPT gone\r\n");
  EXPECT_EQ(Run({"debug", "quicklist-packed-threshold", "1k"}), "+OK\r\n");
  EXPECT_EQ(Run({"debug", "quicklist-packed-threshold", "5gb"}),
            "-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n");
  EXPECT_EQ(Run({"debug", "stringmatch-test"}), "+Apparently Redis did not crash: test passed\r\n");
  EXPECT_EQ(Run({"debug", "change-repl-id"}), "+OK\r\n");
  EXPECT_EQ(Run({"debug", "DIGEST", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG "
            "HELP.\r\n");
}

}  // namespace
}  // namespace respd::server
