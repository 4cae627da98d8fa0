// RESPD SEED, the `seed` option and RESPD RESET over real connections: two servers given the same
// seed and the same commands give the same replies (every random command, Lua's math.random, fault
// PROBABILITY); RESET puts data, config, scripts, functions, faults, journal, clock, leases and
// snapshots back to their start-up state.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/respd_test.h"

namespace respd::testing {
namespace {

std::string Int(int64_t n) { return ":" + std::to_string(n) + "\r\n"; }
std::string Bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

// Every command whose reply depends on a random choice, after a fixture with enough members that
// two unseeded runs practically never agree. Returns the replies concatenated.
std::string RandomReplies(RespClient& client) {
  std::vector<std::string> fill_set = {"SADD", "s"};
  std::vector<std::string> fill_hash = {"HSET", "h"};
  std::vector<std::string> fill_zset = {"ZADD", "z"};
  for (int i = 0; i < 64; ++i) {
    std::string n = std::to_string(i);
    fill_set.push_back("m" + n);
    fill_hash.insert(fill_hash.end(), {"f" + n, n});
    fill_zset.insert(fill_zset.end(), {n, "z" + n});
    client.Command({"SET", "key:" + n, n});
  }
  client.Command(fill_set);
  client.Command(fill_hash);
  client.Command(fill_zset);
  std::string out;
  for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
           {"SPOP", "s"},
           {"SPOP", "s", "3"},
           {"SRANDMEMBER", "s"},
           {"SRANDMEMBER", "s", "5"},
           {"SRANDMEMBER", "s", "-5"},
           {"HRANDFIELD", "h"},
           {"HRANDFIELD", "h", "-4", "WITHVALUES"},
           {"ZRANDMEMBER", "z"},
           {"ZRANDMEMBER", "z", "-4", "WITHSCORES"},
           {"RANDOMKEY"},
           {"RANDOMKEY"},
           {"EVAL", "return {math.random(1000000), math.random(1000000)}", "0"},
       }) {
    out += client.Command(command);
  }
  // Half the GETs fail, which half drawn from the seed.
  client.Command({"RESPD", "FAULT", "ADD", "COMMAND", "get", "PROBABILITY", "0.5", "ERROR",
                  "ERR injected"});
  for (int i = 0; i < 16; ++i) out += client.Command({"GET", "key:1"});
  client.Command({"RESPD", "FAULT", "CLEAR"});
  return out;
}

TEST(RespdSeedTest, SameSeedSameRepliesOnTwoServers) {
  ServerProcess first = ServerProcess::StartRespd({"--threads", "2"});
  ServerProcess second = ServerProcess::StartRespd({"--threads", "2", "--seed", "42"});
  ASSERT_TRUE(first.running() && second.running());
  RespClient a;
  RespClient b;
  ASSERT_TRUE(a.Connect(first.port()));
  ASSERT_TRUE(b.Connect(second.port()));
  // The option and the command seed alike.
  EXPECT_EQ(a.Command({"RESPD", "SEED", "42"}), "+OK\r\n");
  std::string replies = RandomReplies(a);
  EXPECT_EQ(RandomReplies(b), replies);
  // PROBABILITY 0.5 both fired and let GETs through.
  EXPECT_NE(replies.find("-ERR injected\r\n"), std::string::npos) << replies;
  EXPECT_NE(replies.find("$1\r\n1\r\n"), std::string::npos) << replies;
  // Seeding again starts the sequences again.
  EXPECT_EQ(a.Command({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(a.Command({"RESPD", "SEED", "42"}), "+OK\r\n");
  EXPECT_EQ(RandomReplies(a), replies);
  // Another seed, other choices.
  EXPECT_EQ(a.Command({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(a.Command({"RESPD", "SEED", "7"}), "+OK\r\n");
  EXPECT_NE(RandomReplies(a), replies);
}

TEST(RespdSeedTest, BadSeedsAreRefused) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  RespClient a;
  ASSERT_TRUE(a.Connect(server.port()));
  const std::string positive = "-ERR value is out of range, must be positive\r\n";
  EXPECT_EQ(a.Command({"RESPD", "SEED", "-1"}), positive);
  EXPECT_EQ(a.Command({"RESPD", "SEED", "seven"}), positive);
  EXPECT_EQ(a.Command({"RESPD", "SEED", "9223372036854775808"}), positive);
  EXPECT_EQ(a.Command({"RESPD", "SEED", "9223372036854775807"}), "+OK\r\n");
  EXPECT_EQ(a.Command({"RESPD", "SEED"}),
            "-ERR wrong number of arguments for 'respd|seed' command\r\n");
  EXPECT_EQ(a.Command({"RESPD", "SEED", "1", "2"}),
            "-ERR wrong number of arguments for 'respd|seed' command\r\n");
  EXPECT_EQ(a.Command({"CONFIG", "GET", "seed"}), "*2\r\n" + Bulk("seed") + Bulk(""));
  EXPECT_EQ(a.Command({"CONFIG", "SET", "seed", "1"}),
            "-ERR CONFIG SET failed (possibly related to argument 'seed') - can't set immutable "
            "config\r\n");
}

// ---- RESET --------------------------------------------------------------------------------------

class RespdResetTest : public RespdTest {};

TEST_F(RespdResetTest, PutsEverythingBackToStartUp) {
  RespClient worker = Connect();
  ASSERT_EQ(worker.Command({"RESPD", "DB", "LEASE"}), Int(1));
  admin_.Command({"SET", "k", "v"});
  admin_.Command({"SELECT", "3"});
  admin_.Command({"SET", "k", "v"});
  admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "s"});
  std::string maxmemory_policy = admin_.Command({"CONFIG", "GET", "maxmemory-policy"});
  std::string hz = admin_.Command({"CONFIG", "GET", "hz"});
  ASSERT_EQ(admin_.Command({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "hz", "50"}),
            "+OK\r\n");
  std::string sha = admin_.Command({"SCRIPT", "LOAD", "return 1"});
  ASSERT_EQ(admin_.Command({"FUNCTION", "LOAD",
                            "#!lua name=lib\nredis.register_function('f', function() return 1 end)"}),
            Bulk("lib"));
  ASSERT_EQ(admin_.Command({"RESPD", "FAULT", "ADD", "COMMAND", "ping", "ERROR", "ERR no"}), Int(1));
  ASSERT_EQ(admin_.Command({"RESPD", "FAULT", "READONLY", "on"}), "+OK\r\n");
  ASSERT_EQ(admin_.Command({"RESPD", "JOURNAL", "ON"}), "+OK\r\n");
  ASSERT_EQ(admin_.Command({"RESPD", "TIME", "FREEZE", "1000"}), Int(1000));

  EXPECT_EQ(admin_.Command({"RESPD", "RESET"}), "+OK\r\n");

  EXPECT_EQ(admin_.Command({"DBSIZE"}), Int(0));
  EXPECT_EQ(admin_.Command({"INFO", "keyspace"}), Bulk("# Keyspace\r\n"));
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "LIST"}), "*0\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "LIST"}), "*0\r\n");
  EXPECT_EQ(admin_.Command({"CONFIG", "GET", "maxmemory-policy"}), maxmemory_policy);
  EXPECT_EQ(admin_.Command({"CONFIG", "GET", "hz"}), hz);
  ASSERT_EQ(sha.size(), 47u);
  EXPECT_EQ(admin_.Command({"SCRIPT", "EXISTS", sha.substr(5, 40)}), "*1\r\n" + Int(0));
  EXPECT_EQ(admin_.Command({"FUNCTION", "LIST"}), "*0\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "FAULT", "LIST"}), "*0\r\n");
  EXPECT_EQ(admin_.Command({"PING"}), "+PONG\r\n");
  EXPECT_EQ(admin_.Command({"SET", "k", "v"}), "+OK\r\n");  // READONLY is off
  EXPECT_EQ(admin_.Command({"RESPD", "JOURNAL", "COUNT"}), Int(0));  // off, and emptied
  EXPECT_EQ(admin_.Command({"RESPD", "TIME"}).substr(0, 28),
            "*4\r\n$4\r\nmode\r\n$4\r\nreal\r\n$6\r\n");
  // The worker's connection outlives the reset; its lease does not.
  EXPECT_EQ(worker.Command({"RESPD", "DB", "LEASE"}), Int(1));
}

// A fresh start numbers again from 1: fault rule ids and journal sequence numbers, which FAULT
// CLEAR and JOURNAL RESET alone leave counting on.
TEST_F(RespdResetTest, RestartsFaultIdsAndJournalNumbers) {
  ASSERT_EQ(admin_.Command({"RESPD", "FAULT", "ADD", "COMMAND", "ping", "ERROR", "ERR no"}), Int(1));
  ASSERT_EQ(admin_.Command({"RESPD", "FAULT", "CLEAR"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "FAULT", "ADD", "COMMAND", "ping", "ERROR", "ERR no"}), Int(2));
  ASSERT_EQ(admin_.Command({"RESPD", "JOURNAL", "ON"}), "+OK\r\n");
  admin_.Command({"SET", "a", "1"});
  ASSERT_EQ(admin_.Command({"RESPD", "JOURNAL", "RESET"}), "+OK\r\n");
  admin_.Command({"SET", "b", "1"});
  // RESPD commands are not recorded: the second SET is number 2, JOURNAL RESET kept counting.
  EXPECT_EQ(admin_.Command({"RESPD", "JOURNAL", "COUNT", "SINCE", "1"}), Int(1));

  ASSERT_EQ(admin_.Command({"RESPD", "RESET"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "FAULT", "ADD", "COMMAND", "ping", "ERROR", "ERR no"}), Int(1));
  ASSERT_EQ(admin_.Command({"RESPD", "JOURNAL", "ON"}), "+OK\r\n");
  admin_.Command({"SET", "c", "1"});
  // The first entry after a reset is number 1.
  std::string entries = admin_.Command({"RESPD", "JOURNAL", "GET"});
  EXPECT_EQ(entries.substr(0, 22), "*1\r\n*22\r\n$3\r\nseq\r\n:1\r\n") << entries;
}

TEST(RespdResetClockTest, GoesBackToTheStartUpClock) {
  ServerProcess server =
      ServerProcess::StartRespd({"--clock", "frozen", "--clock-start", "2030-01-01T00:00:00Z"});
  ASSERT_TRUE(server.running());
  RespClient a;
  ASSERT_TRUE(a.Connect(server.port()));
  const std::string start = "*4\r\n" + Bulk("mode") + Bulk("frozen") + Bulk("now-ms") +
                            Int(1893456000000);
  ASSERT_EQ(a.Command({"RESPD", "TIME"}), start);
  a.Command({"RESPD", "TIME", "ADVANCE", "5000"});
  a.Command({"RESPD", "TIME", "RESUME"});
  EXPECT_EQ(a.Command({"RESPD", "RESET"}), "+OK\r\n");
  EXPECT_EQ(a.Command({"RESPD", "TIME"}), start);
}

TEST_F(RespdResetTest, BadArity) {
  EXPECT_EQ(admin_.Command({"RESPD", "RESET", "ALL"}),
            "-ERR wrong number of arguments for 'respd|reset' command\r\n");
}

}  // namespace
}  // namespace respd::testing
