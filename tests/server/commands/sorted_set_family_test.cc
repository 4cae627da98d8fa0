// Sorted set family through the dispatcher: replies in both protocols, ranks and ranges on both
// encodings, stores, pops, scans and the keyspace effects (empty sets are deleted).
#include <set>
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"
#include "tests/storage/event_recorder.h"

namespace respd::server {
namespace {

class SortedSetFamilyTest : public CommandTest {
 protected:
  // Fills `key` with members m0..m{n-1} scored 0..n-1.
  void Fill(const std::string& key, int n) {
    std::vector<std::string> args = {"zadd", key};
    for (int i = 0; i < n; ++i) {
      args.push_back(std::to_string(i));
      args.push_back("m" + std::to_string(i));
    }
    Run(args);
  }
};

// Keyspace events, as "event:key", recorded while the test runs commands.
struct EventCase {
  std::vector<std::string> command;
  std::vector<std::string> events;
};

// The events redis-server 7.0 publishes for the same commands (its "new" aside, which storage does
// not report yet), in its order. GEO commands are sorted set commands underneath.
TEST_F(SortedSetFamilyTest, CommandsReportRedisEvents) {
  storage::EventRecorder recorder;
  server_->store.AddObserver(&recorder);
  const std::vector<EventCase> cases = {
      {{"zadd", "z", "1", "a", "2", "b"}, {"zadd:z"}},
      {{"zadd", "z", "1", "a"}, {}},
      {{"zadd", "nz", "xx", "1", "a"}, {}},
      {{"zadd", "z", "ch", "3", "a"}, {"zadd:z"}},
      {{"zadd", "z", "incr", "1", "a"}, {"zincr:z"}},
      {{"zincrby", "z", "2", "b"}, {"zincr:z"}},
      {{"zincrby", "z", "0", "b"}, {}},
      {{"zadd", "z", "incr", "-inf", "nn"}, {"zincr:z"}},
      {{"zadd", "z", "incr", "+inf", "nn"}, {}},
      {{"zadd", "z", "10", "c", "20", "d", "1", "x", "2", "y"}, {"zadd:z"}},
      {{"zrem", "z", "nope"}, {}},
      {{"zrem", "z", "x", "y"}, {"zrem:z"}},
      {{"zremrangebyscore", "z", "100", "200"}, {}},
      {{"zremrangebyrank", "z", "0", "0"}, {"zremrangebyrank:z"}},
      {{"zremrangebyscore", "z", "0", "3"}, {}},
      {{"zremrangebyscore", "z", "4", "5"}, {"zremrangebyscore:z"}},
      {{"zremrangebylex", "z", "-", "+"}, {"zremrangebylex:z", "del:z"}},
      {{"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d"}, {"zadd:z"}},
      {{"zpopmin", "z"}, {"zpopmin:z"}},
      {{"zpopmax", "z"}, {"zpopmax:z"}},
      {{"zpopmin", "z", "0"}, {}},
      {{"zpopmin", "z", "5"}, {"zpopmin:z", "del:z"}},
      {{"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d"}, {"zadd:z"}},
      {{"zmpop", "1", "z", "min", "count", "2"}, {"zpopmin:z"}},
      {{"bzpopmax", "z", "1"}, {"zpopmax:z"}},
      {{"bzmpop", "1", "1", "z", "min"}, {"zpopmin:z", "del:z"}},
      {{"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d"}, {"zadd:z"}},
      {{"zadd", "y", "5", "b", "6", "e"}, {"zadd:y"}},
      {{"zunionstore", "u", "2", "z", "y"}, {"zunionstore:u"}},
      {{"zinterstore", "u", "2", "z", "y"}, {"zinterstore:u"}},
      {{"zdiffstore", "u", "2", "z", "y"}, {"zdiffstore:u"}},
      {{"zinterstore", "u", "2", "z", "nokey"}, {"del:u"}},
      {{"zinterstore", "u", "2", "z", "nokey"}, {}},
      {{"zrangestore", "r", "z", "0", "0"}, {"zrangestore:r"}},
      {{"zrangestore", "r", "z", "10", "20"}, {"del:r"}},
      {{"zrangestore", "r", "nokey", "0", "1"}, {}},
      {{"zunion", "2", "z", "y"}, {}},
      {{"geoadd", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
       {"zadd:g"}},
      {{"geoadd", "g", "13.361389", "38.115556", "Palermo"}, {}},
      {{"geoadd", "g", "xx", "13.361389", "38.115556", "Nope"}, {}},
      {{"geoadd", "g", "ch", "13.361389", "38.115556", "Catania"}, {"zadd:g"}},
      {{"georadius", "g", "15", "37", "200", "km", "store", "gs"}, {"georadiusstore:gs"}},
      {{"georadiusbymember", "g", "Palermo", "500", "km", "storedist", "gs"},
       {"georadiusstore:gs"}},
      {{"geosearchstore", "gs2", "g", "fromlonlat", "15", "37", "byradius", "200", "km"},
       {"geosearchstore:gs2"}},
      {{"geosearchstore", "gs2", "g", "fromlonlat", "0", "0", "byradius", "1", "km"}, {"del:gs2"}},
      {{"georadius", "nokey", "15", "37", "200", "km", "store", "gs"}, {"del:gs"}},
  };
  for (const EventCase& c : cases) {
    recorder.events.clear();
    Run(c.command);
    EXPECT_EQ(recorder.events, c.events) << c.command[0] << " " << c.command[1];
  }
}

TEST_F(SortedSetFamilyTest, AddAndScore) {
  EXPECT_EQ(Run({"zadd", "z", "1", "a", "2.5", "b"}), ":2\r\n");
  EXPECT_EQ(Run({"zscore", "z", "b"}), "$3\r\n2.5\r\n");
  EXPECT_EQ(Run({"zadd", "z", "ch", "3", "a", "2.5", "b", "1", "c"}), ":2\r\n");
  EXPECT_EQ(Run({"zincrby", "z", "0.1", "c"}), "$18\r\n1.1000000000000001\r\n");
  EXPECT_EQ(Run({"zadd", "z", "incr", "nx", "1", "a"}), "$-1\r\n");
  EXPECT_EQ(Run({"zadd", "z", "nan", "a"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(Run({"zadd", "z", "inf", "a"}), ":0\r\n");
  EXPECT_EQ(Run({"zincrby", "z", "-inf", "a"}), "-ERR resulting score is not a number (NaN)\r\n");
  EXPECT_EQ(Run({"zadd", "z", "xx", "nx", "1", "a"}),
            "-ERR XX and NX options at the same time are not compatible\r\n");
  EXPECT_EQ(Run({"zadd", "nokey", "xx", "1", "a"}), ":0\r\n");
  EXPECT_EQ(Run({"exists", "nokey"}), ":0\r\n");
}

TEST_F(SortedSetFamilyTest, Resp3Shapes) {
  Run({"zadd", "z", "1", "a", "2", "b"});
  Run({"hello", "3"});
  EXPECT_EQ(Run({"zscore", "z", "a"}), ",1\r\n");
  EXPECT_EQ(Run({"zscore", "z", "x"}), "_\r\n");
  EXPECT_EQ(Run({"zrange", "z", "0", "-1", "withscores"}),
            "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(Run({"zpopmin", "z"}), "*2\r\n$1\r\na\r\n,1\r\n");
  EXPECT_EQ(Run({"zpopmin", "z", "1"}), "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
}

TEST_F(SortedSetFamilyTest, RanksAndRangesAgreeAcrossEncodings) {
  Fill("small", 100);
  Run({"config", "set", "zset-max-listpack-entries", "0"});
  Fill("large", 100);
  EXPECT_EQ(Run({"object", "encoding", "small"}), "$8\r\nlistpack\r\n");
  EXPECT_EQ(Run({"object", "encoding", "large"}), "$8\r\nskiplist\r\n");
  const std::vector<std::vector<std::string>> queries = {
      {"zrank", "K", "m42"},
      {"zrevrank", "K", "m42"},
      {"zrange", "K", "10", "15", "withscores"},
      {"zrange", "K", "-5", "-1", "rev"},
      {"zrangebyscore", "K", "(10", "20", "limit", "2", "3"},
      {"zrevrangebyscore", "K", "50", "-inf", "limit", "5", "2"},
      {"zcount", "K", "5", "(50"},
      {"zlexcount", "K", "-", "+"},
      {"zscan", "K", "0", "match", "m9?", "count", "1000"},
  };
  for (auto q : queries) {
    auto small = q, large = q;
    small[1] = "small";
    large[1] = "large";
    std::string a = Run(small), b = Run(large);
    if (q[0] == "zscan") {
      // Same members, possibly in another order: compare as a multiset of lines.
      std::multiset<char> ca(a.begin(), a.end()), cb(b.begin(), b.end());
      EXPECT_EQ(ca, cb) << q[0];
    } else {
      EXPECT_EQ(a, b) << q[0];
    }
  }
  EXPECT_EQ(Run({"zremrangebyrank", "large", "0", "9"}), ":10\r\n");
  EXPECT_EQ(Run({"zrange", "large", "0", "0"}), "*1\r\n$3\r\nm10\r\n");
}

TEST_F(SortedSetFamilyTest, ScanOfLargeSetVisitsEveryMember) {
  Run({"config", "set", "zset-max-listpack-entries", "0"});
  Fill("z", 1000);
  std::set<std::string> seen;
  std::string cursor = "0";
  for (int guard = 0; guard < 10000; ++guard) {
    std::string reply = Run({"zscan", "z", cursor, "count", "7"});
    // *2 $n cursor *m (member score)...
    size_t pos = reply.find("\r\n", 4) + 2;
    size_t end = reply.find("\r\n", pos);
    cursor = reply.substr(pos, end - pos);
    size_t p = 0;
    while ((p = reply.find("$", p)) != std::string::npos) {
      size_t nl = reply.find("\r\n", p);
      size_t len = std::stoul(reply.substr(p + 1, nl - p - 1));
      std::string value = reply.substr(nl + 2, len);
      if (value[0] == 'm') seen.insert(value);
      p = nl + 2 + len;
    }
    if (cursor == "0") break;
  }
  EXPECT_EQ(cursor, "0");
  EXPECT_EQ(seen.size(), 1000u);
}

TEST_F(SortedSetFamilyTest, EmptiedSetsAreDeleted) {
  Run({"zadd", "z", "1", "a", "2", "b"});
  EXPECT_EQ(Run({"zrem", "z", "a", "b"}), ":2\r\n");
  EXPECT_EQ(Run({"exists", "z"}), ":0\r\n");
  Run({"zadd", "z", "1", "a"});
  EXPECT_EQ(Run({"zpopmax", "z"}), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run({"exists", "z"}), ":0\r\n");
  Run({"zadd", "z", "1", "a"});
  EXPECT_EQ(Run({"zmpop", "1", "z", "min", "count", "5"}),
            "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run({"exists", "z"}), ":0\r\n");
}

TEST_F(SortedSetFamilyTest, StoresReplaceAnyDestination) {
  Run({"set", "dst", "string"});
  Run({"expire", "dst", "100"});
  Run({"zadd", "a", "1", "x", "2", "y"});
  Run({"zadd", "b", "3", "y"});
  EXPECT_EQ(Run({"zunionstore", "dst", "2", "a", "b", "weights", "1", "2"}), ":2\r\n");
  EXPECT_EQ(Run({"ttl", "dst"}), ":-1\r\n");
  EXPECT_EQ(Run({"zrange", "dst", "0", "-1", "withscores"}),
            "*4\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n8\r\n");
  EXPECT_EQ(Run({"zinterstore", "dst", "2", "a", "nokey"}), ":0\r\n");
  EXPECT_EQ(Run({"exists", "dst"}), ":0\r\n");
  EXPECT_EQ(Run({"zrangestore", "dst", "a", "1", "+inf", "byscore", "limit", "1", "1"}), ":1\r\n");
  EXPECT_EQ(Run({"zrange", "dst", "0", "-1"}), "*1\r\n$1\r\ny\r\n");
}

TEST_F(SortedSetFamilyTest, RandMember) {
  Fill("z", 5);
  EXPECT_EQ(Run({"zrandmember", "z", "-3"}).substr(0, 4), "*3\r\n");
  std::string distinct = Run({"zrandmember", "z", "4", "withscores"});
  EXPECT_EQ(distinct.substr(0, 4), "*8\r\n");
  EXPECT_EQ(Run({"zrandmember", "z", "10"}),
            "*5\r\n$2\r\nm4\r\n$2\r\nm3\r\n$2\r\nm2\r\n$2\r\nm1\r\n$2\r\nm0\r\n");
}

TEST_F(SortedSetFamilyTest, BlockingPopsServeAtOnceOrAnswerAsTimeout) {
  Run({"zadd", "z", "1", "a", "2", "b"});
  EXPECT_EQ(Run({"bzpopmax", "nokey", "z", "0"}), "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run({"bzmpop", "0", "1", "z", "min"}),
            "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  // An in-process client has no connection to park: it gets the timeout reply.
  EXPECT_EQ(Run({"bzpopmin", "z", "0"}), "*-1\r\n");
  EXPECT_EQ(Run({"bzpopmin", "z", "-1"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run({"bzmpop", "x", "1", "z", "min"}),
            "-ERR timeout is not a float or out of range\r\n");
}

TEST_F(SortedSetFamilyTest, WrongType) {
  Run({"set", "s", "v"});
  const std::string wrongtype =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  for (auto q : std::vector<std::vector<std::string>>{{"zadd", "s", "1", "a"},
                                                      {"zrange", "s", "0", "1"},
                                                      {"zcard", "s"},
                                                      {"zpopmin", "s"},
                                                      {"zunion", "1", "s"},
                                                      {"zscan", "s", "0"}}) {
    EXPECT_EQ(Run(q), wrongtype) << q[0];
  }
}

}  // namespace
}  // namespace respd::server
