// String family through the dispatcher: every command, its options and its errors.
#include "storage/object.h"
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

// A non-string value, so string commands can meet the wrong type before other families exist.
class FakeObject : public storage::Object {
 public:
  storage::ValueType type() const override { return storage::ValueType::kList; }
  std::string_view Encoding() const override { return "listpack"; }
  size_t MemoryUsage() const override { return 0; }
  std::unique_ptr<storage::Object> Clone() const override { return std::make_unique<FakeObject>(); }
  size_t Length() const override { return 1; }
};

constexpr std::string_view kNil = "$-1\r\n";
constexpr std::string_view kOk = "+OK\r\n";
constexpr std::string_view kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
constexpr std::string_view kNotInteger = "-ERR value is not an integer or out of range\r\n";
constexpr std::string_view kSyntax = "-ERR syntax error\r\n";

class StringFamilyTest : public CommandTest {
 protected:
  void AddList(std::string_view key) {
    server_->store.db(0).AddObject(key, std::make_unique<FakeObject>());
  }
  // Milliseconds to live of `key`, read from the entry (-1 without TTL, -2 when absent).
  int64_t PttlOf(std::string_view key) {
    storage::Entry* e = server_->store.db(0).FindRead(key);
    if (e == nullptr) return -2;
    return e->has_expire() ? e->expire_at() - clock_.NowMs() : -1;
  }
  void AdvanceMs(int64_t ms) { clock_.Advance(ms * 1000); }
};

TEST_F(StringFamilyTest, GetAndSet) {
  EXPECT_EQ(Run({"get", "k"}), kNil);
  EXPECT_EQ(Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(Run({"get", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(Run({"set", "k", std::string("a\0b", 3)}), kOk);
  EXPECT_EQ(Run({"get", "k"}), std::string("$3\r\na\0b\r\n", 9));
  EXPECT_EQ(Run({"get"}), "-ERR wrong number of arguments for 'get' command\r\n");
  AddList("l");
  EXPECT_EQ(Run({"get", "l"}), kWrongType);
  EXPECT_EQ(Run({"set", "l", "v"}), kOk);  // SET replaces any type
  EXPECT_EQ(Run({"get", "l"}), "$1\r\nv\r\n");
}

TEST_F(StringFamilyTest, SetOptionConflicts) {
  for (std::vector<std::string> opts : {std::vector<std::string>{"nx", "xx"},
                                        {"xx", "nx"},
                                        {"ex", "10", "px", "100"},
                                        {"keepttl", "ex", "10"},
                                        {"ex", "10", "keepttl"},
                                        {"exat", "1", "pxat", "1"},
                                        {"persist"},
                                        {"ex"},
                                        {"foo"}}) {
    std::vector<std::string> cmd = {"set", "k", "v"};
    cmd.insert(cmd.end(), opts.begin(), opts.end());
    EXPECT_EQ(Run(cmd), kSyntax) << opts[0];
  }
  EXPECT_EQ(Run({"set", "k", "v", "nx", "nx"}), kOk);
  EXPECT_EQ(Run({"set", "k", "v", "ex", "10", "ex", "20"}), kOk);
  EXPECT_EQ(PttlOf("k"), 20'000);
  EXPECT_EQ(Run({"set", "k", "v", "get", "get"}), "$1\r\nv\r\n");
}

TEST_F(StringFamilyTest, SetExpireTimes) {
  EXPECT_EQ(Run({"set", "k", "v", "ex", "100"}), kOk);
  EXPECT_EQ(PttlOf("k"), 100'000);
  EXPECT_EQ(Run({"set", "k", "v", "px", "1500"}), kOk);
  EXPECT_EQ(PttlOf("k"), 1'500);
  int64_t at = clock_.NowMs() + 7'000;
  EXPECT_EQ(Run({"set", "k", "v", "pxat", std::to_string(at)}), kOk);
  EXPECT_EQ(PttlOf("k"), 7'000);
  EXPECT_EQ(Run({"set", "k", "v", "exat", std::to_string(at / 1000 + 1)}), kOk);
  EXPECT_EQ(Run({"set", "k", "v2", "keepttl"}), kOk);
  EXPECT_GT(PttlOf("k"), 0);
  EXPECT_EQ(Run({"set", "k", "v3"}), kOk);
  EXPECT_EQ(PttlOf("k"), -1);

  const std::string invalid = "-ERR invalid expire time in 'set' command\r\n";
  EXPECT_EQ(Run({"set", "k", "v", "ex", "0"}), invalid);
  EXPECT_EQ(Run({"set", "k", "v", "px", "-1"}), invalid);
  EXPECT_EQ(Run({"set", "k", "v", "ex", "9223372036854775"}), invalid);
  EXPECT_EQ(Run({"set", "k", "v", "px", "9223372036854775807"}), invalid);
  EXPECT_EQ(Run({"set", "k", "v", "exat", "9223372036854776"}), invalid);
  EXPECT_EQ(Run({"set", "k", "v", "exat", "9223372036854775"}), kOk);
  EXPECT_EQ(Run({"set", "k", "v", "ex", "1.5"}), kNotInteger);
}

TEST_F(StringFamilyTest, SetInThePastStoresAnExpiredKey) {
  EXPECT_EQ(Run({"set", "k", "v", "exat", "1"}), kOk);
  EXPECT_EQ(Run({"get", "k"}), kNil);
  EXPECT_EQ(Run({"set", "k", "v", "px", "100"}), kOk);
  AdvanceMs(100);
  EXPECT_EQ(Run({"get", "k"}), kNil);
}

TEST_F(StringFamilyTest, SetNxXxGet) {
  EXPECT_EQ(Run({"set", "k", "a", "xx"}), kNil);
  EXPECT_EQ(Run({"set", "k", "a", "nx"}), kOk);
  EXPECT_EQ(Run({"set", "k", "b", "nx"}), kNil);
  EXPECT_EQ(Run({"set", "k", "c", "xx"}), kOk);
  EXPECT_EQ(Run({"set", "k", "d", "nx", "get"}), "$1\r\nc\r\n");
  EXPECT_EQ(Run({"get", "k"}), "$1\r\nc\r\n");
  EXPECT_EQ(Run({"set", "k", "e", "xx", "get"}), "$1\r\nc\r\n");
  EXPECT_EQ(Run({"get", "k"}), "$1\r\ne\r\n");
  EXPECT_EQ(Run({"set", "n", "x", "xx", "get"}), kNil);
  EXPECT_EQ(Run({"get", "n"}), kNil);
  EXPECT_EQ(Run({"set", "n", "x", "get"}), kNil);
  EXPECT_EQ(Run({"get", "n"}), "$1\r\nx\r\n");
  AddList("l");
  EXPECT_EQ(Run({"set", "l", "x", "get"}), kWrongType);
  EXPECT_EQ(Run({"set", "l", "x", "get", "ex", "0"}),
            "-ERR invalid expire time in 'set' command\r\n");
}

TEST_F(StringFamilyTest, SetnxSetexPsetex) {
  EXPECT_EQ(Run({"setnx", "k", "a"}), ":1\r\n");
  EXPECT_EQ(Run({"setnx", "k", "b"}), ":0\r\n");
  EXPECT_EQ(Run({"get", "k"}), "$1\r\na\r\n");
  EXPECT_EQ(Run({"setex", "k", "10", "v"}), kOk);
  EXPECT_EQ(PttlOf("k"), 10'000);
  EXPECT_EQ(Run({"psetex", "k", "250", "v"}), kOk);
  EXPECT_EQ(PttlOf("k"), 250);
  EXPECT_EQ(Run({"setex", "k", "0", "v"}), "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(Run({"psetex", "k", "-3", "v"}), "-ERR invalid expire time in 'psetex' command\r\n");
  EXPECT_EQ(Run({"setex", "k", "x", "v"}), kNotInteger);
  EXPECT_EQ(Run({"setex", "k", "1"}), "-ERR wrong number of arguments for 'setex' command\r\n");
}

TEST_F(StringFamilyTest, GetsetAndGetdel) {
  EXPECT_EQ(Run({"getset", "k", "a"}), kNil);
  EXPECT_EQ(Run({"setex", "k", "10", "b"}), kOk);
  EXPECT_EQ(Run({"getset", "k", "c"}), "$1\r\nb\r\n");
  EXPECT_EQ(PttlOf("k"), -1);
  EXPECT_EQ(Run({"getdel", "k"}), "$1\r\nc\r\n");
  EXPECT_EQ(Run({"getdel", "k"}), kNil);
  EXPECT_EQ(PttlOf("k"), -2);
  AddList("l");
  EXPECT_EQ(Run({"getset", "l", "x"}), kWrongType);
  EXPECT_EQ(Run({"getdel", "l"}), kWrongType);
}

TEST_F(StringFamilyTest, Getex) {
  EXPECT_EQ(Run({"getex", "none", "ex", "0"}), kNil);  // a missing key skips the expire check
  EXPECT_EQ(Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(Run({"getex", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(Run({"getex", "k", "ex", "5"}), "$1\r\nv\r\n");
  EXPECT_EQ(PttlOf("k"), 5'000);
  EXPECT_EQ(Run({"getex", "k", "px", "700"}), "$1\r\nv\r\n");
  EXPECT_EQ(PttlOf("k"), 700);
  EXPECT_EQ(Run({"getex", "k", "persist"}), "$1\r\nv\r\n");
  EXPECT_EQ(PttlOf("k"), -1);
  EXPECT_EQ(Run({"getex", "k", "pxat", std::to_string(clock_.NowMs() + 900)}), "$1\r\nv\r\n");
  EXPECT_EQ(PttlOf("k"), 900);
  EXPECT_EQ(Run({"getex", "k", "exat", "1"}), "$1\r\nv\r\n");
  EXPECT_EQ(PttlOf("k"), -2);

  EXPECT_EQ(Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(Run({"getex", "k", "ex", "0"}), "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(Run({"getex", "k", "ex", "x"}), kNotInteger);
  for (std::string opt : {"nx", "xx", "get", "keepttl", "foo"}) {
    EXPECT_EQ(Run({"getex", "k", opt}), kSyntax) << opt;
  }
  EXPECT_EQ(Run({"getex", "k", "persist", "ex", "1"}), kSyntax);
  EXPECT_EQ(Run({"getex", "k", "ex", "1", "persist"}), kSyntax);
  AddList("l");
  EXPECT_EQ(Run({"getex", "l", "ex", "0"}), kWrongType);
}

TEST_F(StringFamilyTest, MgetMsetMsetnx) {
  EXPECT_EQ(Run({"mset", "a", "1", "b", "2"}), kOk);
  AddList("l");
  EXPECT_EQ(Run({"mget", "a", "x", "b", "l"}), "*4\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n$-1\r\n");
  EXPECT_EQ(Run({"mset", "a", "1", "b"}), "-ERR wrong number of arguments for 'mset' command\r\n");
  EXPECT_EQ(Run({"msetnx", "a", "1", "b"}),
            "-ERR wrong number of arguments for 'msetnx' command\r\n");
  EXPECT_EQ(Run({"msetnx", "c", "3", "a", "9"}), ":0\r\n");
  EXPECT_EQ(Run({"get", "c"}), kNil);
  EXPECT_EQ(Run({"msetnx", "c", "3", "d", "4"}), ":1\r\n");
  EXPECT_EQ(Run({"mget", "c", "d"}), "*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
  EXPECT_EQ(Run({"mset", "l", "x"}), kOk);
  EXPECT_EQ(Run({"get", "l"}), "$1\r\nx\r\n");
}

TEST_F(StringFamilyTest, IncrDecr) {
  EXPECT_EQ(Run({"incr", "c"}), ":1\r\n");
  EXPECT_EQ(Run({"incrby", "c", "10"}), ":11\r\n");
  EXPECT_EQ(Run({"decr", "c"}), ":10\r\n");
  EXPECT_EQ(Run({"decrby", "c", "-5"}), ":15\r\n");
  EXPECT_EQ(Run({"incrby", "c", "x"}), kNotInteger);
  EXPECT_EQ(Run({"decrby", "c", "-9223372036854775808"}), "-ERR decrement would overflow\r\n");
  EXPECT_EQ(Run({"set", "m", "9223372036854775807"}), kOk);
  EXPECT_EQ(Run({"incr", "m"}), "-ERR increment or decrement would overflow\r\n");
  EXPECT_EQ(Run({"set", "s", "12a"}), kOk);
  EXPECT_EQ(Run({"incr", "s"}), kNotInteger);
  EXPECT_EQ(Run({"setex", "t", "10", "1"}), kOk);
  EXPECT_EQ(Run({"incr", "t"}), ":2\r\n");
  EXPECT_EQ(PttlOf("t"), 10'000);
  AddList("l");
  EXPECT_EQ(Run({"incr", "l"}), kWrongType);
  EXPECT_EQ(Run({"incrby", "l", "x"}), kNotInteger);  // the amount is parsed first
}

TEST_F(StringFamilyTest, Incrbyfloat) {
  EXPECT_EQ(Run({"incrbyfloat", "f", "1.5"}), "$3\r\n1.5\r\n");
  EXPECT_EQ(Run({"incrbyfloat", "f", "0.5"}), "$1\r\n2\r\n");
  EXPECT_EQ(Run({"incrbyfloat", "f", "x"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(Run({"incrbyfloat", "f", "inf"}), "-ERR increment would produce NaN or Infinity\r\n");
  AddList("l");
  EXPECT_EQ(Run({"incrbyfloat", "l", "x"}), kWrongType);  // the type is checked first
}

TEST_F(StringFamilyTest, AppendStrlenSetrangeGetrange) {
  EXPECT_EQ(Run({"append", "a", "hello"}), ":5\r\n");
  EXPECT_EQ(Run({"append", "a", " world"}), ":11\r\n");
  EXPECT_EQ(Run({"strlen", "a"}), ":11\r\n");
  EXPECT_EQ(Run({"strlen", "none"}), ":0\r\n");
  EXPECT_EQ(Run({"getrange", "a", "0", "4"}), "$5\r\nhello\r\n");
  EXPECT_EQ(Run({"substr", "a", "-5", "-1"}), "$5\r\nworld\r\n");
  EXPECT_EQ(Run({"getrange", "none", "0", "4"}), "$0\r\n\r\n");
  EXPECT_EQ(Run({"getrange", "a", "0", "x"}), kNotInteger);
  EXPECT_EQ(Run({"setrange", "a", "6", "W"}), ":11\r\n");
  EXPECT_EQ(Run({"get", "a"}), "$11\r\nhello World\r\n");
  EXPECT_EQ(Run({"setrange", "z", "2", "x"}), ":3\r\n");
  EXPECT_EQ(Run({"get", "z"}), std::string("$3\r\n\0\0x\r\n", 9));
  EXPECT_EQ(Run({"setrange", "e", "2", ""}), ":0\r\n");
  EXPECT_EQ(Run({"strlen", "e"}), ":0\r\n");
  EXPECT_EQ(Run({"setrange", "a", "-1", "x"}), "-ERR offset is out of range\r\n");
  EXPECT_EQ(Run({"setrange", "a", "x", "x"}), kNotInteger);
  AddList("l");
  for (std::vector<std::string> cmd : {std::vector<std::string>{"append", "l", "x"},
                                       {"strlen", "l"},
                                       {"getrange", "l", "0", "1"},
                                       {"setrange", "l", "0", "x"}}) {
    EXPECT_EQ(Run(cmd), kWrongType) << cmd[0];
  }
}

TEST_F(StringFamilyTest, MaxBulkLenLimitsGrowth) {
  ASSERT_EQ(config_.Find("proto-max-bulk-len")->Set({"1mb"}), "");
  const std::string too_long = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
  EXPECT_EQ(Run({"setrange", "k", "1048576", "x"}), too_long);
  EXPECT_EQ(Run({"setrange", "k", "1048575", "x"}), ":1048576\r\n");
  EXPECT_EQ(Run({"append", "k", "x"}), too_long);
  EXPECT_EQ(Run({"append", "k", ""}), ":1048576\r\n");
  // LCS refuses a table larger than the limit (1001 * 1001 * 4 bytes here).
  EXPECT_EQ(Run({"set", "a", std::string(1000, 'a')}), kOk);
  EXPECT_EQ(Run({"lcs", "a", "a", "len"}),
            "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n");
}

TEST_F(StringFamilyTest, Lcs) {
  EXPECT_EQ(Run({"mset", "a", "ohmytext", "b", "mynewtext"}), kOk);
  EXPECT_EQ(Run({"lcs", "a", "b"}), "$6\r\nmytext\r\n");
  EXPECT_EQ(Run({"lcs", "a", "b", "len"}), ":6\r\n");
  EXPECT_EQ(Run({"lcs", "a", "b", "idx", "minmatchlen", "4", "withmatchlen"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            "$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(Run({"lcs", "a", "b", "idx", "len"}),
            "-ERR If you want both the length and indexes, please just use IDX.\r\n");
  EXPECT_EQ(Run({"lcs", "a", "b", "foo"}), kSyntax);
  EXPECT_EQ(Run({"lcs", "a", "b", "minmatchlen"}), kSyntax);
  EXPECT_EQ(Run({"lcs", "a", "b", "minmatchlen", "x"}), kNotInteger);
  EXPECT_EQ(Run({"lcs", "x", "y", "idx"}), "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
  AddList("l");
  EXPECT_EQ(Run({"lcs", "a", "l", "foo"}),
            "-ERR The specified keys must contain string values\r\n");
}

}  // namespace
}  // namespace respd::server
