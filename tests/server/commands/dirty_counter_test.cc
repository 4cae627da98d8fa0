// INFO's rdb_changes_since_last_save (Redis's server.dirty): each command adds what Redis 7.0.15
// adds. Every expected step below was measured on redis-server 7.0.15 (started with save "").
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class DirtyCounterTest : public CommandTest {
 protected:
  // The change a command made to the counter, read back through INFO as tools do.
  int64_t Changes(const std::vector<std::string>& command) {
    int64_t before = InfoDirty();
    Run(command);
    return InfoDirty() - before;
  }

  int64_t InfoDirty() {
    std::string info = Run({"info", "persistence"});
    constexpr std::string_view kField = "rdb_changes_since_last_save:";
    size_t at = info.find(kField);
    if (at == std::string::npos) {
      ADD_FAILURE() << info;
      return -1;
    }
    return std::stoll(info.substr(at + kField.size()));
  }
};

struct Step {
  std::vector<std::string> command;
  int64_t changes;
};

TEST_F(DirtyCounterTest, CountsWhatRedisCounts) {
  ASSERT_EQ(Run({"config", "set", "save", ""}), "+OK\r\n");
  const std::vector<Step> steps = {
      {{"set", "s", "v"}, 1},
      {{"set", "s", "v", "nx"}, 0},
      {{"mset", "a", "1", "b", "2", "c", "3"}, 3},
      {{"msetnx", "a", "1", "d", "4"}, 0},
      {{"incr", "s"}, 0},  // an error changes nothing
      {{"incrby", "a", "5"}, 1},
      {{"append", "a", ""}, 1},
      {{"setrange", "a", "0", ""}, 0},
      {{"getex", "a", "persist"}, 0},
      {{"setbit", "bits", "7", "1"}, 1},
      {{"setbit", "bits", "7", "1"}, 0},    // no bit flipped
      {{"setbit", "bits", "100", "0"}, 1},  // grown
      {{"bitfield", "bf", "set", "u8", "0", "255", "incrby", "u8", "0", "1"}, 2},
      {{"bitfield", "bf", "set", "u8", "0", "0"}, 0},
      {{"bitop", "or", "none", "nokey1", "nokey2"}, 0},
      {{"lpush", "l", "a", "b", "c", "d", "e"}, 5},
      {{"rpop", "l", "2"}, 2},
      {{"ltrim", "l", "0", "0"}, 2},
      {{"lmove", "l", "l", "left", "right"}, 1},
      {{"hset", "h", "f1", "v1", "f2", "v2"}, 2},
      {{"hset", "h", "f1", "v1"}, 1},  // counted even when the value is the same
      {{"hdel", "h", "f1", "f2", "nope"}, 2},
      {{"sadd", "st", "a", "b", "c"}, 3},
      {{"sadd", "st", "a", "d"}, 1},
      {{"smove", "st", "st2", "a"}, 2},
      {{"spop", "st", "10"}, 3},
      {{"sadd", "sa", "1", "2"}, 2},
      {{"sinterstore", "si", "sa", "nokey"}, 0},
      {{"sunionstore", "si", "sa"}, 1},
      {{"sinterstore", "si", "sa", "nokey"}, 1},  // deletes si
      {{"zadd", "z", "1", "a", "2", "b", "3", "c"}, 3},
      {{"zadd", "z", "1", "a", "5", "b"}, 1},
      {{"zadd", "z", "gt", "1", "a"}, 0},
      {{"zremrangebyrank", "z", "0", "1"}, 2},
      {{"zunionstore", "zu", "1", "z"}, 1},
      {{"pfadd", "hll", "a", "b", "c"}, 4},  // the creation and three registers
      {{"pfcount", "hll"}, 1},               // refreshes the cached cardinality
      {{"pfcount", "hll"}, 0},
      {{"geoadd", "g", "13.361389", "38.115556", "p", "15.087269", "37.502669", "c"}, 2},
      {{"georadius", "g", "15", "37", "200", "km", "store", "gs"}, 2},
      {{"rpush", "sl", "3", "1", "2"}, 3},
      {{"sort", "sl", "store", "sorted"}, 3},
      {{"del", "sorted", "gs", "nokey"}, 2},
      {{"expire", "sl", "100"}, 1},
      {{"expire", "sl", "100", "nx"}, 0},
      {{"persist", "sl"}, 1},
      {{"rename", "sl", "sl"}, 0},
      {{"rename", "sl", "sl2"}, 1},
      {{"copy", "sl2", "sl3"}, 1},
      {{"move", "sl3", "1"}, 1},
      {{"swapdb", "0", "0"}, 1},
      {{"flushdb"}, 14},
      {{"flushall"}, 1},  // the key MOVE put in db 1
      {{"flushall"}, 0},
  };
  for (const Step& step : steps) {
    std::string line;
    for (const std::string& arg : step.command) line += arg + " ";
    EXPECT_EQ(Changes(step.command), step.changes) << line;
  }
}

// Redis saves on FLUSHALL when save points are configured (its default), which resets the count.
TEST_F(DirtyCounterTest, FlushallWithSavePointsResetsTheCount) {
  ASSERT_EQ(Run({"config", "set", "save", "3600 1 300 100 60 10000"}), "+OK\r\n");
  Run({"set", "k", "v"});
  Run({"flushall"});
  EXPECT_EQ(InfoDirty(), 0);
  ASSERT_EQ(Run({"config", "set", "save", ""}), "+OK\r\n");
  Run({"set", "k", "v"});
  Run({"flushall"});
  EXPECT_EQ(InfoDirty(), 2);
}

TEST_F(DirtyCounterTest, TransactionsAndScriptsCountTheirCommands) {
  int64_t before = InfoDirty();
  Run({"multi"});
  Run({"set", "a", "1"});
  Run({"lpush", "l", "x", "y"});
  Run({"exec"});
  EXPECT_EQ(InfoDirty() - before, 3);
  EXPECT_EQ(Changes({"eval", "redis.call('sadd', KEYS[1], 'a', 'b'); return 1", "1", "s"}), 2);
}

TEST_F(DirtyCounterTest, ExpiryIsNotAChangeAndResetstatKeepsTheCount) {
  clock_.Freeze();
  Run({"set", "k", "v", "px", "10"});
  clock_.Advance(20'000);
  EXPECT_EQ(Changes({"get", "k"}), 0);
  EXPECT_EQ(Run({"exists", "k"}), ":0\r\n");
  int64_t before = InfoDirty();
  EXPECT_GT(before, 0);
  Run({"config", "resetstat"});
  EXPECT_EQ(InfoDirty(), before);
}

}  // namespace
}  // namespace respd::server
