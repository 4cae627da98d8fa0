// The differential command fuzzer's hand-written grammar: comparison rules and value pools. Edit
// here to teach the fuzzer a command's quirks; the argument structure itself comes from Redis.
#include "tests/fuzz/command_fuzz_grammar.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace respd::testing::fuzz {
namespace {

using namespace std::string_literals;

const std::map<std::string, CompareRule, std::less<>>& Rules() {
  static const auto* rules = new std::map<std::string, CompareRule, std::less<>>{
      // The connection or the process would not survive, or the command never answers.
      {"shutdown", {Compare::kSkip}},
      {"quit", {Compare::kSkip}},
      {"reset", {Compare::kSkip}},  // drops RESP3 and the selected db mid-session
      {"hello", {Compare::kSkip}},  // sent once per session; its reply names the server
      {"debug", {Compare::kSkip}},
      {"monitor", {Compare::kSkip}},
      // The connection becomes a replica: a payload, then the command stream, never a reply
      // (tests/integration/replication_test.cc covers them).
      {"sync", {Compare::kSkip}},
      {"psync", {Compare::kSkip}},
      // The server becomes a replica refusing every later write, its link's state timing
      // (tests/integration/replica_test.cc covers them).
      {"replicaof", {Compare::kSkip}},
      {"slaveof", {Compare::kSkip}},
      // Resolves and connects to whatever host it is given; one of the compared servers' ports
      // would move keys from one into the other (tests/integration/migrate_test.cc covers it).
      {"migrate", {Compare::kSkip}},
      // Without replicas, any WAIT a mutation gives a timeout of 0 (or a huge one) never answers
      // (tests/differential/scripts/wait_replicas.txt covers it).
      {"wait", {Compare::kSkip}},
      // Redis's background save or AOF rewrite is a child process that ends on its own time:
      // whether SAVE, BGSAVE or BGREWRITEAOF finds one still running is timing
      // (tests/integration/persistence_test.cc covers them).
      {"save", {Compare::kSkip}},
      {"bgsave", {Compare::kSkip}},
      {"bgrewriteaof", {Compare::kSkip}},
      // A subscription answers with one frame per channel while the fuzzer reads one reply per
      // command, and a RESP2 subscriber refuses everything else for the rest of the session
      // (tests/differential/scripts/pubsub_*.txt cover them).
      {"subscribe", {Compare::kSkip}},
      {"psubscribe", {Compare::kSkip}},
      {"ssubscribe", {Compare::kSkip}},
      {"unsubscribe", {Compare::kSkip}},
      {"punsubscribe", {Compare::kSkip}},
      {"sunsubscribe", {Compare::kSkip}},
      // ACL users outlive the session on both servers (and could lock the fuzzer out); their
      // rules, log and lists are covered by tests/differential/scripts/acl_*.txt.
      {"acl|setuser", {Compare::kSkip}},
      {"acl|deluser", {Compare::kSkip}},
      {"acl|load", {Compare::kSkip}},
      {"acl|save", {Compare::kSkip}},
      {"acl|log", {Compare::kSkip}},     // ages and client lines
      {"acl|cat", {Compare::kSkip}},     // hash-table order; Redis has commands respd has not
      {"acl|dryrun", {Compare::kSkip}},  // a command respd has not is "not found"
      {"acl|genpass", {Compare::kTypeOnly}},
      // Tracking's invalidations are pushes between replies (RESP3): the fuzzer reads one reply per
      // command (tests/differential/scripts/client_tracking*.txt cover it).
      {"client|tracking", {Compare::kSkip}},
      {"client|kill", {Compare::kSkip}},
      {"client|pause", {Compare::kSkip}},
      {"client|reply", {Compare::kSkip}},
      {"client|setinfo", {Compare::kSkip}},  // Redis 7.2's: 7.0 has no docs for it
      // List only respd's subcommands (docs/COMMANDS.md).
      {"client|help", {Compare::kSkip}},
      // Generated from each server's own table, which differ by design (command_table_test
      // checks COMMAND INFO for every registered command).
      {"command", {Compare::kSkip}},
      {"command|count", {Compare::kSkip}},
      {"command|docs", {Compare::kSkip}},
      {"command|getkeys", {Compare::kSkip}},
      {"command|info", {Compare::kSkip}},
      {"command|list", {Compare::kSkip}},
      {"command|help", {Compare::kSkip}},
      // Random or server-dependent values.
      {"randomkey", {Compare::kTypeOnly}},
      {"srandmember", {Compare::kTypeOnly}},
      {"spop", {Compare::kTypeOnly}},
      {"hrandfield", {Compare::kTypeOnly}},
      {"zrandmember", {Compare::kTypeOnly}},
      {"time", {Compare::kTypeOnly}},
      {"lastsave", {Compare::kTypeOnly}},
      {"info", {Compare::kTypeOnly}},
      {"client|id", {Compare::kTypeOnly}},
      {"client|info", {Compare::kTypeOnly}},
      {"client|list", {Compare::kTypeOnly}},
      {"client|unblock", {Compare::kTypeOnly}},
      {"xinfo|consumers", {Compare::kTypeOnly}},  // idle times
      {"object|idletime", {Compare::kTypeOnly}},
      {"object|freq", {Compare::kTypeOnly}},
      {"object|refcount", {Compare::kTypeOnly}},  // Redis counts a queued MULTI's arguments
      {"memory|usage", {Compare::kTypeOnly}},
      {"function|dump", {Compare::kTypeOnly}},
      // A hashtable set or hash is written in respd's table order (docs/COMMANDS.md); the
      // dump_restore and stream_dump differential scripts compare the other encodings byte for
      // byte.
      {"dump", {Compare::kTypeOnly}},
      {"function|stats", {Compare::kTypeOnly}},
      // VERSION 5 and 6 draw random art; tests/differential/scripts/lolwut.txt compares the rest.
      {"lolwut", {Compare::kTypeOnly}},
      // TTLs read a moment apart on two servers.
      {"ttl", {Compare::kApprox, 2}},
      {"pttl", {Compare::kApprox, 2000}},
      {"expiretime", {Compare::kApprox, 2}},
      {"pexpiretime", {Compare::kApprox, 2000}},
      {"scan", {Compare::kScan}},
      {"sscan", {Compare::kScan}},
      {"hscan", {Compare::kScan}},
      {"zscan", {Compare::kScan}},
      // Hash-table order.
      {"keys", {Compare::kUnordered}},
      {"smembers", {Compare::kUnordered}},
      {"sinter", {Compare::kUnordered}},
      {"sunion", {Compare::kUnordered}},
      {"sdiff", {Compare::kUnordered}},
      {"hgetall", {Compare::kUnordered}},
      {"hkeys", {Compare::kUnordered}},
      {"hvals", {Compare::kUnordered}},
      {"sort", {Compare::kUnordered}},     // BY nosort on a set keeps the set's order
      {"sort_ro", {Compare::kUnordered}},  // likewise
      {"config|get", {Compare::kUnordered}},
      {"function|list", {Compare::kTypeOnly}},  // libraries and their functions: dict order
      // Which commands ran slower than slowlog-log-slower-than is timing on a shared machine, so
      // even the entry count differs; tests/differential/scripts/slowlog.txt covers them.
      {"slowlog|get", {Compare::kSkip}},
      {"slowlog|len", {Compare::kSkip}},
      // Likewise latency events and histogram buckets (tests/differential/scripts/latency.txt).
      {"latency|latest", {Compare::kSkip}},
      {"latency|history", {Compare::kSkip}},
      {"latency|graph", {Compare::kSkip}},
      {"latency|doctor", {Compare::kSkip}},
      {"latency|reset", {Compare::kSkip}},
      {"latency|histogram", {Compare::kSkip}},
      // Each server's own memory figures; Redis's jemalloc report has no respd counterpart.
      {"memory|stats", {Compare::kTypeOnly}},
      {"memory|doctor", {Compare::kTypeOnly}},
      {"memory|malloc-stats", {Compare::kSkip}},
  };
  return *rules;
}

// Integers that sit on the edges of the integer types Redis parses into.
const std::vector<std::string> kIntegerEdges = {
    "2147483647",           "-2147483648",          "2147483648",           "-2147483649",
    "4294967295",           "4294967296",           "9223372036854775807",  "-9223372036854775808",
    "9223372036854775808",  "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    "99999999999999999999",
};

std::vector<std::string> Join(std::initializer_list<const std::vector<std::string>*> parts) {
  std::vector<std::string> out;
  for (const auto* part : parts) out.insert(out.end(), part->begin(), part->end());
  return out;
}

const std::vector<std::string> kSmallIntegers = {"0",  "1",   "1",  "2",  "3",   "5",
                                                 "10", "100", "-1", "-2", "-100"};
const std::vector<std::string> kNumberJunk = {"",    "-0",  "+1",  " 1",  "1 ",  "0x10", "010",
                                              "1.5", "1e3", "abc", "nan", "inf", "-inf", "1\x00"s};
const std::vector<std::string> kDoubleValues = {"0",
                                                "-0",
                                                "1",
                                                "1.5",
                                                "-2.5",
                                                "3.0e2",
                                                "0.1",
                                                "-1",
                                                "100",
                                                "inf",
                                                "+inf",
                                                "-inf",
                                                "nan",
                                                "-nan",
                                                "1e308",
                                                "1e309",
                                                "-1e309",
                                                "1e-320",
                                                "4.9e-324",
                                                "17976931348623157e292",
                                                "0.30000000000000004",
                                                "1.7976931348623157e308",
                                                "123456789012345678",
                                                "9007199254740993",
                                                "abc",
                                                "",
                                                "1.5x",
                                                " 1.5",
                                                "0x1p3",
                                                "1,5"};
const std::vector<std::string> kMembers = {"a",     "b",    "c",   "d",  "1",   "2",
                                           "3",     "-1",   "1.5", "10", "x y", "a*",
                                           "\x00"s, "\r\n", "",    "k1", "w_1"};
const std::vector<std::string> kBinaryAndGlobs = {
    "\x00\x01\x02"s, "a\r\nb", "\r\n", "\xff\xfe", "\x00\r\n\x00"s, "*",     "?",
    "[a-c]",         "[^a]",   "\\*",  "[",        "a\\",           "h*->f", "#",
    "*->",           "\"",     "'",    "%s%n",     "null",          "-",     "+"};
const std::vector<std::string> kTextValues = {"hello", "hello world", "0123456789",
                                              std::string(100, 'z'), std::string(10000, 'y')};

const std::vector<std::string> kTtl = {"0",
                                       "-1",
                                       "-100",
                                       "100000000",
                                       "100000000",
                                       "100000000000",
                                       "9223372036854775807",
                                       "-9223372036854775808",
                                       "9223372036854775806",
                                       "4611686018427387904",
                                       "2147483648",
                                       "abc",
                                       "1.5",
                                       "",
                                       "nan"};
const std::vector<std::string> kTimeout = {
    "0.01", "0.01", "0.005", "0.02", "0.0001", "-1", "-0.5",
    "nan",  "inf",  "-inf",  "1e20", "abc",    "",   "9223372036854775807"};
// XREAD's BLOCK in milliseconds: a few, or invalid; never 0 (forever) nor long.
const std::vector<std::string> kBlockMilliseconds = {"1",  "2",   "5",   "10", "-1",
                                                     "-5", "abc", "1.5", "",   "9223372036854775808"};
const std::vector<std::string> kCursor = {
    "0", "0", "0", "0", "1", "-1", "abc", "18446744073709551615", "18446744073709551616", ""};
// Offsets in bits: at most 8 Mbit (1 MB) or past the 2^32 limit, never a 256 MB allocation.
const std::vector<std::string> kBitOffset = {"0",
                                             "1",
                                             "7",
                                             "8",
                                             "100",
                                             "65536",
                                             "8388608",
                                             "-1",
                                             "4294967296",
                                             "nan",
                                             "9223372036854775807",
                                             "abc",
                                             ""};
const std::vector<std::string> kBitfieldOffset = {
    "0", "1", "7", "60", "#0", "#1", "#7", "#-1", "#", "-1", "4294967296", "8388608", "abc"};
const std::vector<std::string> kByteOffset = {
    "0", "1", "5", "100", "1048576", "-1", "536870912", "2147483647", "9223372036854775807", "abc"};
// |count| small: SRANDMEMBER -2^31 would emit two billion elements.
const std::vector<std::string> kRandomCount = {"0",
                                               "1",
                                               "2",
                                               "3",
                                               "5",
                                               "100",
                                               "-1",
                                               "-3",
                                               "-10",
                                               "2147483647",
                                               "9223372036854775807",
                                               "-9223372036854775808",
                                               "abc",
                                               "",
                                               "1.5"};
const std::vector<std::string> kDb = {"0",  "0",  "1",          "2",   "15",
                                      "16", "-1", "2147483648", "abc", ""};
const std::vector<std::string> kScoreRange = {"-inf", "+inf", "inf", "0",     "1",     "(1",
                                              "(0",   "1.5",  "-1",  "(",     "((1",   "nan",
                                              "(nan", "abc",  "",    "(-inf", "(+inf", "10"};
const std::vector<std::string> kLexRange = {"-", "+", "[a", "(a",     "[b",    "(c",  "[",
                                            "(", "a", "",   "[\x00"s, "(\xff", "-inf"};
const std::vector<std::string> kGeoLongitude = {
    "0", "13.361389", "-180", "180", "180.0001", "-122.27652", "nan", "inf", "abc"};
const std::vector<std::string> kGeoLatitude = {
    "0", "38.115556", "85.05112878", "85.05112879", "-85.05112878", "37.805186", "90", "nan"};
const std::vector<std::string> kGeoDistance = {"0",   "1",  "100", "200", "5000",
                                               "1e7", "-1", "nan", "inf", "abc"};
const std::vector<std::string> kBitfieldType = {"i8",  "u8", "i1", "u1", "i64", "u63", "u64",
                                                "i65", "i0", "u0", "x8", "I8",  "8",   ""};
const std::vector<std::string> kBitop = {"AND", "or", "XOR", "NOT", "nand", ""};
const std::vector<std::string> kBit = {"0", "1", "2", "-1", "abc"};
const std::vector<std::string> kScanType = {"string", "list",   "set",    "zset",
                                            "hash",   "stream", "STRING", "nosuch"};
const std::vector<std::string> kSortPattern = {"nosort", "w_*", "k*", "#",       "*->a",
                                               "w_*->a", "*",   "",   "nosuch_*"};
const std::vector<std::string> kConnectionName = {"fuzz", "a b", "", "x\ny", "name-1"};
const std::vector<std::string> kLibraryNames = {"lib1", "lib2", "nosuch", "LIB1", ""};
const std::vector<std::string> kLibraryPatterns = {"*", "lib*", "lib1", "nosuch", "[l]ib?"};
const std::vector<std::string> kFunctionNames = {"f1", "f2", "f3", "nosuch", "F1", ""};
const std::vector<std::string> kSerialized = {"", "garbage", "\xf5\xc3\x40\x00\x00\x00"s};
const std::vector<std::string> kConfigValues = {
    "0",          "1",  "2",  "3", "128", "-1", "-2", "-5", "-6", "abc", "", "9223372036854775807",
    "2147483648", "1k", "1gb"};
const std::vector<std::string> kConfigGet = {"hash-max-listpack-entries",
                                             "zset-max-listpack-value",
                                             "set-max-intset-entries",
                                             "list-max-listpack-size",
                                             "list-compress-depth",
                                             "zset-*",
                                             "hash-max-*",
                                             "set-max-*",
                                             "list-*",
                                             "nosuch-parameter",
                                             "HASH-MAX-ZIPLIST-ENTRIES"};

// SET EXAT/PXAT in the past leaves an expired key in Redis until its active expiry cycle finds
// it (DBSIZE, MEMORY USAGE see it meanwhile): only future times and errors.
const std::vector<std::string> kFutureSeconds = {
    "4102444800", "0", "-1", "4102444800000", "9223372036854775807", "abc", ""};
const std::vector<std::string> kFutureMilliseconds = {"4102444800000",       "0",   "-1",
                                                      "9223372036854775807", "abc", ""};

// Lua for EVAL and SCRIPT LOAD: reply conversions both ways, errors, pcall, the bundled libraries.
const std::vector<std::string> kScripts = {
    "return 1",
    "return redis.call('get', KEYS[1])",
    "return redis.call('set', KEYS[1], ARGV[1])",
    "return redis.pcall('incr', KEYS[1])",
    "return redis.call('incr', KEYS[1])",
    "return {1, 2, 3.99, 'x', false, true, {4, 'y'}, -0.5}",
    "return redis.error_reply('MYERR custom')",
    "return redis.status_reply('FINE')",
    "return {err='bad thing'}",
    "return {ok='okay'}",
    "return #KEYS + #ARGV",
    "return redis.call('lrange', KEYS[1], 0, -1)",
    "return redis.call('zrange', KEYS[1], 0, -1, 'withscores')",
    "return tostring(tonumber(ARGV[1]))",
    "return redis.sha1hex(ARGV[1] or '')",
    "return cjson.encode({1, 2, 'a', {true}})",
    "return cjson.decode('[1,2,[3,\"x\"]]')",
    "return bit.band(tonumber(ARGV[1]) or 0, 255)",
    "return nil",
    "return redis.call('type', KEYS[1])",
    "return redis.call('exists', KEYS[1], KEYS[2])",
    "local t = {} for i = 1, 10 do t[i] = i * 1.5 end return t",
    "return redis.call('ping')",
    "return redis.call('nosuchcommand')",
    "return redis.pcall('nosuchcommand')",
    "redis.call('del', KEYS[1]) return redis.call('rpush', KEYS[1], unpack(ARGV))",
    "error('boom')",
    "return redis.call('zscore', KEYS[1], ARGV[1])",
    "redis.setresp(3) return redis.call('zscore', KEYS[1], ARGV[1])",
    "redis.setresp(3) return redis.call('exists', KEYS[1])",
    "return string.rep('x', 3) .. string.format('%d', 7)",
    "return redis.pcall('hset', KEYS[1], 'f', ARGV[1])",
    "return redis.call('incrbyfloat', KEYS[1], ARGV[1])",
    "local ok, e = pcall(redis.call, 'lpush', KEYS[1], 'x') return {ok and 1 or 0, type(e)}",
    "return cmsgpack.unpack(cmsgpack.pack({1, 'two', 3}))",
    "return redis.call('mget', KEYS[1], KEYS[2], 'nosuch')",
    "return {1, nil, 3}",
    "return 'a\\0b'",
    "while false do end return #ARGV",
    "return",
    "syntax error here",
    "",
};

const std::vector<std::string> kLibraries = {
    "#!lua name=lib1\n"
    "redis.register_function('f1', function(keys, args) return redis.call('get', keys[1]) end)\n"
    "redis.register_function{function_name='f2', callback=function(keys, args) return #args end, "
    "flags={'no-writes'}}\n",
    "#!lua name=lib2\n"
    "redis.register_function('f3', function(keys, args) return redis.call('incr', keys[1]) end)\n",
    "#!lua name=lib2\n"
    "redis.register_function('f3', function(keys, args) return redis.call('get', keys[1]) end)\n",
    "#!lua name=bad\nreturn 1",
    "#!lua name=empty\n",
    "#!lua name=dup\nredis.register_function('f1', function() return 1 end)\n",
    "#!lua name=err\nerror('x')\n",
    "#!python name=py\n",
    "no shebang",
    "#!lua\n",
    "#!lua name=lib3 nosuch=1\n",
};

const std::vector<std::string> kUnknownNames = {"notacommand", "GETT", "get\x00"s, "set ", "",
                                                "client|id",   "\r\n", "xadd2"};

const std::vector<std::string> kSafeConfig = {
    "hash-max-listpack-entries", "hash-max-listpack-value", "zset-max-listpack-entries",
    "zset-max-listpack-value",   "set-max-intset-entries",  "list-max-listpack-size",
    "list-compress-depth",       "hash-max-ziplist-entries"};

}  // namespace

CompareRule RuleFor(std::string_view full_name) {
  auto it = Rules().find(full_name);
  return it == Rules().end() ? CompareRule{} : it->second;
}

namespace {

bool HasWord(const std::vector<std::string>& argv, std::string_view word) {
  return std::any_of(argv.begin(), argv.end(), [&](const std::string& arg) {
    return arg.size() == word.size() &&
           std::equal(arg.begin(), arg.end(), word.begin(),
                      [](char a, char b) { return std::tolower(a) == b; });
  });
}

// XADD with a clock-made ID ("*"), and claims whose outcome depends on how long an entry has
// been idle: the servers may differ, so the reply is compared by shape and the key resynced.
bool StreamTimeDependent(std::string_view full_name, const std::vector<std::string>& argv) {
  if (full_name == "xadd") return HasWord(argv, "*");
  if (full_name == "xclaim" || full_name == "xautoclaim") {
    return argv.size() > 4 && argv[4] != "0";
  }
  return false;
}

}  // namespace

CompareRule RuleForArgs(std::string_view full_name, const std::vector<std::string>& argv) {
  CompareRule rule = RuleFor(full_name);
  if (rule.compare == Compare::kScan) {
    size_t cursor = full_name == "scan" ? 1 : 2;
    if (argv.size() <= cursor || argv[cursor] != "0") rule.compare = Compare::kTypeOnly;
  }
  if ((full_name == "sort" || full_name == "sort_ro") && HasWord(argv, "nosort")) {
    rule.compare = Compare::kTypeOnly;
  }
  // A relative TTL against one set a moment before: whether a millisecond passed decides.
  if ((full_name == "expire" || full_name == "pexpire") &&
      (HasWord(argv, "gt") || HasWord(argv, "lt"))) {
    rule.compare = Compare::kTypeOnly;
  }
  // Stream IDs from the clock, and idle times, are read a moment apart on the two servers.
  if (StreamTimeDependent(full_name, argv) ||
      (full_name == "xinfo|stream" && HasWord(argv, "full")) ||
      (full_name == "xpending" && argv.size() > 3)) {
    rule.compare = Compare::kTypeOnly;
  }
  return rule;
}

bool DivergesData(std::string_view full_name, const std::vector<std::string>& argv) {
  if (full_name == "spop") return true;
  if (StreamTimeDependent(full_name, argv)) return true;
  return full_name == "sort" && HasWord(argv, "store");
}

bool KeepArgumentsIntact(std::string_view full_name) {
  return full_name == "config|get" || full_name == "srandmember" || full_name == "hrandfield" ||
         full_name == "zrandmember";
}

std::vector<std::vector<std::string>> ReferencePreamble(std::string_view full_name) {
  if (full_name != "sort" && full_name != "sort_ro") return {};
  return {{"GEORADIUS_RO", "{fuzz}no-such-key", "0", "0", "1", "m"}};
}

bool RetryReference(std::string_view full_name, std::string_view reply) {
  return (full_name == "sort" || full_name == "sort_ro") &&
         reply == "-ERR One or more scores can't be converted into double\r\n";
}

const std::vector<std::string>& KeyPool() {
  static const auto* keys =
      new std::vector<std::string>{"k1", "k2", "k3", "k4", "k5", "w_1", "w_a", "{t}a"};
  return *keys;
}

const std::vector<std::string>& StringPool() {
  static const auto* pool = new std::vector<std::string>(
      Join({&kMembers, &kMembers, &kMembers, &kSmallIntegers, &kBinaryAndGlobs, &kTextValues,
            &kIntegerEdges, &kDoubleValues}));
  return *pool;
}

const std::vector<std::string>& IntegerPool() {
  static const auto* pool = new std::vector<std::string>(
      Join({&kSmallIntegers, &kSmallIntegers, &kSmallIntegers, &kIntegerEdges, &kNumberJunk}));
  return *pool;
}

const std::vector<std::string>& DoublePool() {
  static const auto* pool =
      new std::vector<std::string>(Join({&kSmallIntegers, &kDoubleValues, &kIntegerEdges}));
  return *pool;
}

const std::vector<std::string>& PatternPool() {
  static const auto* pool = new std::vector<std::string>{"*",
                                                         "*",
                                                         "k*",
                                                         "k?",
                                                         "k[1-3]",
                                                         "k[^1]",
                                                         "w_*",
                                                         "{t}*",
                                                         "\\{t\\}*",
                                                         "[",
                                                         "[a-",
                                                         "*[",
                                                         "?",
                                                         "k\\*",
                                                         "",
                                                         "nosuch",
                                                         "a*b*c*d*e*f*g*h*i*j*k*l*m*n*o*p*",
                                                         "[]",
                                                         "[\\]]",
                                                         "*\x00"s,
                                                         "[z-a]",
                                                         "**",
                                                         "k1"};
  return *pool;
}

const std::vector<std::string>& UnixTimePool() {
  static const auto* pool = new std::vector<std::string>{"0",
                                                         "1",
                                                         "1000",
                                                         "-1",
                                                         "4102444800",
                                                         "4102444800000",
                                                         "9223372036854775807",
                                                         "-9223372036854775808",
                                                         "9223372036854775",
                                                         "abc",
                                                         ""};
  return *pool;
}

const std::vector<std::string>& HostilePool() {
  // No small positive numbers: one put where a TTL goes would expire a key mid-session.
  static const std::vector<std::string> kSpecials = {"0",    "-0",    "-1",    "nan", "inf",
                                                     "-inf", "1e308", "1e309", "abc", "0.000001"};
  static const auto* pool = new std::vector<std::string>(
      Join({&kIntegerEdges, &kNumberJunk, &kBinaryAndGlobs, &kSpecials}));
  return *pool;
}

const std::vector<std::string>* PoolFor(std::string_view full_name, std::string_view arg_name) {
  using Pools = std::map<std::string, const std::vector<std::string>*, std::less<>>;
  // ZRANGE and ZRANGESTORE bounds are indexes, scores or lex bounds depending on their options.
  static const auto* mixed_range = new std::vector<std::string>(
      Join({&kSmallIntegers, &kSmallIntegers, &kScoreRange, &kLexRange}));
  // (command.argument) first.
  static const auto* by_command = new Pools{
      {"setbit.offset", &kBitOffset},
      {"getbit.offset", &kBitOffset},
      {"bitfield.offset", &kBitfieldOffset},
      {"bitfield_ro.offset", &kBitfieldOffset},
      {"setrange.offset", &kByteOffset},
      {"setbit.value", &kBit},
      {"select.index", &kDb},
      {"set.unix-time-seconds", &kFutureSeconds},
      {"set.unix-time-milliseconds", &kFutureMilliseconds},
      {"zrange.start", mixed_range},
      {"zrange.stop", mixed_range},
      {"zrangestore.min", mixed_range},
      {"zrangestore.max", mixed_range},
      {"srandmember.count", &kRandomCount},
      {"hrandfield.count", &kRandomCount},
      {"zrandmember.count", &kRandomCount},
      {"spop.count", &kRandomCount},
      {"config|set.value", &kConfigValues},
      {"config|set.parameter", &kSafeConfig},
      {"config|get.parameter", &kConfigGet},
      {"sort.pattern", &kSortPattern},
      {"sort_ro.pattern", &kSortPattern},
      {"zcount.min", &kScoreRange},
      {"zcount.max", &kScoreRange},
      {"zrangebyscore.min", &kScoreRange},
      {"zrangebyscore.max", &kScoreRange},
      {"zrevrangebyscore.min", &kScoreRange},
      {"zrevrangebyscore.max", &kScoreRange},
      {"zremrangebyscore.min", &kScoreRange},
      {"zremrangebyscore.max", &kScoreRange},
      {"zlexcount.min", &kLexRange},
      {"zlexcount.max", &kLexRange},
      {"zrangebylex.min", &kLexRange},
      {"zrangebylex.max", &kLexRange},
      {"zrevrangebylex.min", &kLexRange},
      {"zrevrangebylex.max", &kLexRange},
      {"zremrangebylex.min", &kLexRange},
      {"zremrangebylex.max", &kLexRange},
      {"xread.milliseconds", &kBlockMilliseconds},
      {"xreadgroup.milliseconds", &kBlockMilliseconds},
  };
  static const auto* by_name = new Pools{
      {"seconds", &kTtl},
      {"milliseconds", &kTtl},
      {"timeout", &kTimeout},
      {"cursor", &kCursor},
      {"index1", &kDb},
      {"index2", &kDb},
      {"db", &kDb},
      {"destination-db", &kDb},
      {"longitude", &kGeoLongitude},
      {"latitude", &kGeoLatitude},
      {"radius", &kGeoDistance},
      {"width", &kGeoDistance},
      {"height", &kGeoDistance},
      {"encoding", &kBitfieldType},
      {"operation", &kBitop},
      {"bit", &kBit},
      {"type", &kScanType},
      {"member", &kMembers},
      {"member1", &kMembers},
      {"member2", &kMembers},
      {"field", &kMembers},
      {"pivot", &kMembers},
      {"connection-name", &kConnectionName},
      {"library-name", &kLibraryNames},
      {"library-name-pattern", &kLibraryPatterns},
      {"function", &kFunctionNames},
      {"function-code", &kLibraries},
      {"serialized-value", &kSerialized},
      {"script", &kScripts},
  };
  std::string key = std::string(full_name) + "." + std::string(arg_name);
  if (auto it = by_command->find(key); it != by_command->end()) return it->second;
  // Names shared by commands that need no special values (count, start) fall through to the
  // generic pools of their type.
  if (auto it = by_name->find(arg_name); it != by_name->end()) return it->second;
  return nullptr;
}

const std::vector<std::string>& Scripts() { return kScripts; }
const std::vector<std::string>& Libraries() { return kLibraries; }
const std::vector<std::string>& SafeConfigParameters() { return kSafeConfig; }
const std::vector<std::string>& UnknownCommandNames() { return kUnknownNames; }

}  // namespace respd::testing::fuzz
