// RESPD TIME over real connections: every subcommand, and everything that reads time following
// the moved clock (TTLs, lazy and active expiry, TIME and Lua's TIME, OBJECT IDLETIME, blocking
// timeouts, stream IDs, SET PX locks), the start-up options and enable-test-controls.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/blocking_fixture.h"

namespace respd::testing {
namespace {

// 2030-01-01T00:00:00Z: a frozen instant far from the wall clock, so a test reading the wall
// clock by mistake cannot pass.
constexpr int64_t kT0 = 1893456000000;

std::string Int(int64_t n) { return ":" + std::to_string(n) + "\r\n"; }

std::string TimeStatus(const std::string& mode, int64_t now_ms) {
  return "*4\r\n" + Bulk("mode") + Bulk(mode) + Bulk("now-ms") + Int(now_ms);
}

class RespdTimeTest : public BlockingTest {
 protected:
  void SetUp() override {
    BlockingTest::SetUp();
    ASSERT_EQ(admin_.Command({"RESPD", "TIME", "FREEZE", std::to_string(kT0)}), Int(kT0));
  }
};

TEST_F(RespdTimeTest, EverySubcommandMovesTheClockAndRepliesTheNewNow) {
  EXPECT_EQ(admin_.Command({"RESPD", "TIME"}), TimeStatus("frozen", kT0));
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "ADVANCE", "1500"}), Int(kT0 + 1500));
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "FREEZE"}), Int(kT0 + 1500));
  EXPECT_EQ(admin_.Command({"respd", "time", "set", "1000"}), Int(1000));
  EXPECT_EQ(admin_.Command({"RESPD", "TIME"}), TimeStatus("frozen", 1000));
  // Flowing from the virtual instant: never back to the wall clock's year.
  std::string resumed = admin_.Command({"RESPD", "TIME", "RESUME"});
  ASSERT_EQ(resumed.substr(0, 1), ":");
  EXPECT_GE(std::stoll(resumed.substr(1)), 1000);
  EXPECT_LT(std::stoll(resumed.substr(1)), kT0);
  EXPECT_EQ(admin_.Command({"RESPD", "TIME"}).substr(0, 31),
            "*4\r\n$4\r\nmode\r\n$7\r\nflowing\r\n$6\r\n");
  std::string real = admin_.Command({"RESPD", "TIME", "REAL"});
  ASSERT_EQ(real.substr(0, 1), ":");
  EXPECT_GT(std::stoll(real.substr(1)), 1600000000000);
  EXPECT_EQ(admin_.Command({"RESPD", "TIME"}).substr(0, 28),
            "*4\r\n$4\r\nmode\r\n$4\r\nreal\r\n$6\r\n");
}

TEST_F(RespdTimeTest, BadArgumentsAreRefused) {
  const std::string bad_instant =
      "-ERR invalid time: unix-ms must be an integer between 0 and 253402300799999\r\n";
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "SET", "-1"}), bad_instant);
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "FREEZE", "soon"}), bad_instant);
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "ADVANCE", "-5"}),
            "-ERR invalid time: ms must be an integer between 0 and 253402300799999\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "SET", "253402300799999"}), Int(253402300799999));
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "ADVANCE", "1"}),
            "-ERR invalid time: the clock would pass 253402300799999 "
            "(9999-12-31T23:59:59.999Z)\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "RESUME", "now"}),
            "-ERR unknown subcommand or wrong number of arguments for 'time RESUME'. Try RESPD "
            "HELP.\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "NOPE"}), "-ERR unknown subcommand 'NOPE'. Try RESPD HELP.\r\n");
  // Each subcommand's synopsis is a line of the help (not a count that every new one changes).
  std::string help = admin_.Command({"RESPD", "HELP"});
  EXPECT_TRUE(help.starts_with("*")) << help;
  EXPECT_NE(help.find("+FAULT DOWN <ms>\r\n"), std::string::npos) << help;
}

TEST_F(RespdTimeTest, TtlsAndLazyExpiryFollowTheClock) {
  EXPECT_EQ(admin_.Command({"SET", "k", "v", "PX", "10000"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"PTTL", "k"}), Int(10000));
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "ADVANCE", "4000"}), Int(kT0 + 4000));
  EXPECT_EQ(admin_.Command({"PTTL", "k"}), Int(6000));
  EXPECT_EQ(admin_.Command({"TTL", "k"}), Int(6));
  EXPECT_EQ(admin_.Command({"PEXPIRETIME", "k"}), Int(kT0 + 10000));
  EXPECT_EQ(admin_.Command({"EXPIRETIME", "k"}), Int(kT0 / 1000 + 10));
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "ADVANCE", "5999"}), Int(kT0 + 9999));
  EXPECT_EQ(admin_.Command({"PTTL", "k"}), Int(1));
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "ADVANCE", "1"}), Int(kT0 + 10000));
  EXPECT_EQ(admin_.Command({"GET", "k"}), "$-1\r\n");
  EXPECT_EQ(admin_.Command({"EXISTS", "k"}), Int(0));
}

TEST_F(RespdTimeTest, ActiveExpiryRemovesKeysNobodyReadsAfterAdvance) {
  for (int i = 0; i < 20; ++i) {
    admin_.Command({"SET", "key:" + std::to_string(i), "v", "EX", "1"});
  }
  admin_.Command({"SET", "keeps", "v", "EX", "100"});
  admin_.Command({"RESPD", "TIME", "ADVANCE", "2000"});
  WaitForInfo("stats", "expired_keys:20\r\n");
  EXPECT_EQ(admin_.Command({"DBSIZE"}), Int(1));
}

TEST_F(RespdTimeTest, TimeAndLuaTimeReadTheClock) {
  admin_.Command({"RESPD", "TIME", "SET", "1234567890123"});
  const std::string time = "*2\r\n" + Bulk("1234567890") + Bulk("123000");
  EXPECT_EQ(admin_.Command({"TIME"}), time);
  EXPECT_EQ(admin_.Command({"EVAL", "return redis.call('TIME')", "0"}), time);
}

TEST_F(RespdTimeTest, ObjectIdletimeCountsVirtualSeconds) {
  admin_.Command({"SET", "k", "v"});
  admin_.Command({"RESPD", "TIME", "ADVANCE", "30000"});
  EXPECT_EQ(admin_.Command({"OBJECT", "IDLETIME", "k"}), Int(30));
}

TEST_F(RespdTimeTest, BlockingTimeoutFiresWhenTheClockIsAdvancedPastIt) {
  RespClient waiter = Connect();
  RespClient patient = Connect();
  SendBlocking(waiter, {"BLPOP", "list", "5"}, 1);
  SendBlocking(patient, {"BLPOP", "other", "10"}, 2);
  admin_.Command({"RESPD", "TIME", "ADVANCE", "5000"});
  EXPECT_EQ(waiter.ReadReply(), "*-1\r\n");
  WaitBlocked(1);
  admin_.Command({"RPUSH", "other", "x"});
  EXPECT_EQ(patient.ReadReply(), KeyValue("other", "x"));
}

// A pause ends at a Clock time, which a frozen Clock never reaches by itself: RESPD TIME still runs
// under CLIENT PAUSE ALL, or nothing could end that pause.
TEST_F(RespdTimeTest, ClientPauseAllUnderAFrozenClockEndsWhenTheClockIsAdvanced) {
  RespClient client = Connect();
  ASSERT_EQ(admin_.Command({"CLIENT", "PAUSE", "100", "ALL"}), "+OK\r\n");
  ASSERT_TRUE(client.SendRaw(client.EncodeCommand({"PING"})));
  EXPECT_EQ(admin_.Command({"RESPD", "TIME", "ADVANCE", "100"}), Int(kT0 + 100));
  EXPECT_EQ(client.ReadReply(), "+PONG\r\n");
  EXPECT_EQ(admin_.Command({"PING"}), "+PONG\r\n");
}

TEST_F(RespdTimeTest, IdleClientTimeoutFollowsTheClock) {
  admin_.Command({"CONFIG", "SET", "timeout", "10"});
  RespClient idle = Connect();
  EXPECT_EQ(idle.Command({"PING"}), "+PONG\r\n");
  admin_.Command({"RESPD", "TIME", "ADVANCE", "11000"});
  EXPECT_TRUE(idle.PeerClosed());
}

TEST_F(RespdTimeTest, StreamIdsStayMonotonicWhenTimeGoesBack) {
  EXPECT_EQ(admin_.Command({"XADD", "s", "*", "f", "v"}), Bulk(std::to_string(kT0) + "-0"));
  admin_.Command({"RESPD", "TIME", "SET", "1000"});
  EXPECT_EQ(admin_.Command({"XADD", "s", "*", "f", "v"}), Bulk(std::to_string(kT0) + "-1"));
  admin_.Command({"RESPD", "TIME", "SET", std::to_string(kT0 + 7)});
  EXPECT_EQ(admin_.Command({"XADD", "s", "*", "f", "v"}), Bulk(std::to_string(kT0 + 7) + "-0"));
}

TEST_F(RespdTimeTest, LockTakenWithSetPxIsFreeOnceItsTimeHasPassed) {
  EXPECT_EQ(admin_.Command({"SET", "lock", "a", "NX", "PX", "3000"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"SET", "lock", "b", "NX", "PX", "3000"}), "$-1\r\n");
  admin_.Command({"RESPD", "TIME", "ADVANCE", "2999"});
  EXPECT_EQ(admin_.Command({"SET", "lock", "b", "NX", "PX", "3000"}), "$-1\r\n");
  admin_.Command({"RESPD", "TIME", "ADVANCE", "1"});
  EXPECT_EQ(admin_.Command({"SET", "lock", "b", "NX", "PX", "3000"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"GET", "lock"}), Bulk("b"));
}

TEST_F(RespdTimeTest, LaterCommandsOfATransactionSeeTheMovedClock) {
  admin_.Command({"SET", "k", "v", "PX", "10000"});
  admin_.Command({"MULTI"});
  admin_.Command({"RESPD", "TIME", "ADVANCE", "4000"});
  admin_.Command({"PTTL", "k"});
  EXPECT_EQ(admin_.Command({"EXEC"}), "*2\r\n" + Int(kT0 + 4000) + Int(6000));
}

TEST_F(RespdTimeTest, ScriptsCannotMoveTheClock) {
  std::string reply =
      admin_.Command({"EVAL", "return redis.call('RESPD', 'TIME', 'ADVANCE', '1')", "0"});
  EXPECT_NE(reply.find("This Redis command is not allowed from script"), std::string::npos)
      << reply;
  EXPECT_EQ(admin_.Command({"RESPD", "TIME"}), TimeStatus("frozen", kT0));
}

TEST_F(RespdTimeTest, CommandInfoAndDocsDescribeRespd) {
  std::string info = admin_.Command({"COMMAND", "INFO", "RESPD"});
  EXPECT_NE(info.find("+admin\r\n+noscript\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("respd|time"), std::string::npos);
  std::string docs = admin_.Command({"COMMAND", "DOCS", "RESPD"});
  EXPECT_NE(docs.find("ADVANCE"), std::string::npos) << docs;
}

TEST(RespdTimeStartupTest, ClockOptionsStartFrozenAtAnIso8601Instant) {
  ServerProcess server = ServerProcess::StartRespd(
      {"--clock", "frozen", "--clock-start", "2030-01-01T01:00:00.250+01:00"});
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"RESPD", "TIME"}), TimeStatus("frozen", kT0 + 250));
  EXPECT_EQ(client.Command({"CONFIG", "GET", "clock-start"}),
            "*2\r\n" + Bulk("clock-start") + Bulk(std::to_string(kT0 + 250)));
}

TEST(RespdAccessTest, EnableTestControlsNoRefusesEveryClient) {
  ServerProcess server = ServerProcess::StartRespd({"--enable-test-controls", "no"});
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  const std::string refused =
      "-ERR RESPD commands not allowed. If the enable-test-controls option is set to \"local\", "
      "you can run them from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.\r\n";
  EXPECT_EQ(client.Command({"RESPD", "TIME"}), refused);
  EXPECT_EQ(client.Command({"RESPD", "HELP"}), refused);
  EXPECT_EQ(client.Command({"CONFIG", "SET", "enable-test-controls", "yes"}).substr(0, 30),
            "-ERR CONFIG SET failed (possib");
}

TEST(RespdAccessTest, DefaultLocalAllowsLoopbackClients) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"CONFIG", "GET", "enable-test-controls"}),
            "*2\r\n" + Bulk("enable-test-controls") + Bulk("local"));
  EXPECT_EQ(client.Command({"RESPD", "TIME"}).substr(0, 4), "*4\r\n");
}

}  // namespace
}  // namespace respd::testing
