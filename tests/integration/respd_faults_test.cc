// RESPD FAULT against the real binary: rules matched by command, key, client and db, AFTER and
// TIMES, every action (error, delay, close before and after, no reply), on a client's own path,
// inside MULTI/EXEC, from scripts and functions, and on a blocked client's re-run; the LOADING and
// READONLY modes.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/respd_test.h"

namespace respd::testing {
namespace {

class RespdFaultsTest : public RespdTest {
 protected:
  std::string Fault(std::vector<std::string> args) {
    args.insert(args.begin(), {"RESPD", "FAULT"});
    return admin_.Command(args);
  }
};

TEST_F(RespdFaultsTest, ErrorFiresOnMatchingCommandsAfterAndTimes) {
  EXPECT_EQ(Fault({"ADD", "COMMAND", "get", "KEY", "user:*", "AFTER", "1", "TIMES", "2", "ERROR",
                   "-TRYAGAIN Multiple keys request during rehashing of slot"}),
            ":1\r\n");
  RespClient client = Connect();
  EXPECT_EQ(client.Command({"GET", "other"}), "$-1\r\n");    // key does not match
  EXPECT_EQ(client.Command({"GET", "user:1"}), "$-1\r\n");   // skipped by AFTER 1
  EXPECT_EQ(client.Command({"GET", "user:1"}),
            "-TRYAGAIN Multiple keys request during rehashing of slot\r\n");
  EXPECT_EQ(client.Command({"get", "user:2"}),
            "-TRYAGAIN Multiple keys request during rehashing of slot\r\n");
  EXPECT_EQ(client.Command({"GET", "user:1"}), "$-1\r\n");   // TIMES 2: the rule is gone
  EXPECT_EQ(Fault({"LIST"}), "*0\r\n");
}

TEST_F(RespdFaultsTest, ClientNameAndDbSelectTheClient) {
  Fault({"ADD", "CLIENT", "worker-*", "DB", "3", "ERROR", "MOVED 3999 127.0.0.1:7001"});
  RespClient worker = Connect();
  EXPECT_EQ(worker.Command({"CLIENT", "SETNAME", "worker-1"}), "+OK\r\n");
  EXPECT_EQ(worker.Command({"SET", "k", "v"}), "+OK\r\n");  // db 0
  EXPECT_EQ(worker.Command({"SELECT", "3"}), "+OK\r\n");  // still in db 0 when admitted
  EXPECT_EQ(worker.Command({"SET", "k", "v"}), "-MOVED 3999 127.0.0.1:7001\r\n");
  EXPECT_EQ(admin_.Command({"SELECT", "3"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"SET", "k", "v"}), "+OK\r\n");  // not a worker
}

TEST_F(RespdFaultsTest, ListDelAndClear) {
  EXPECT_EQ(Fault({"ADD", "COMMAND", "set", "DELAY", "10"}), ":1\r\n");
  EXPECT_EQ(Fault({"ADD", "NOREPLY"}), ":2\r\n");
  std::string list = Fault({"LIST"});
  EXPECT_TRUE(list.starts_with("*2\r\n")) << list;
  EXPECT_NE(list.find("$5\r\ndelay\r\n"), std::string::npos) << list;
  EXPECT_EQ(Fault({"DEL", "2"}), ":1\r\n");
  EXPECT_EQ(Fault({"DEL", "2"}), ":0\r\n");
  EXPECT_EQ(Fault({"CLEAR"}), "+OK\r\n");
  EXPECT_EQ(Fault({"LIST"}), "*0\r\n");
  EXPECT_EQ(Fault({"ADD", "COMMAND", "get"}).substr(0, 4), "-ERR");
  EXPECT_EQ(Fault({"ADD", "PROBABILITY", "2", "NOREPLY"}).substr(0, 4), "-ERR");
}

TEST_F(RespdFaultsTest, ErrorsHitExecBodiesAndScripts) {
  Fault({"ADD", "COMMAND", "incr", "ERROR", "OOM command not allowed when used memory > 'maxmemory'."});
  RespClient client = Connect();
  EXPECT_EQ(client.Command({"MULTI"}), "+OK\r\n");
  // Refused when queued, as Redis refuses OOM: EXEC aborts.
  EXPECT_EQ(client.Command({"INCR", "n"}),
            "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  EXPECT_EQ(client.Command({"EXEC"}),
            "-EXECABORT Transaction discarded because of previous errors.\r\n");
  // A rule added while a transaction is queued hits its body at EXEC.
  Fault({"CLEAR"});
  EXPECT_EQ(client.Command({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"INCR", "n"}), "+QUEUED\r\n");
  EXPECT_EQ(client.Command({"SET", "m", "1"}), "+QUEUED\r\n");
  Fault({"ADD", "COMMAND", "incr", "ERROR", "BUSY injected"});
  EXPECT_EQ(client.Command({"EXEC"}), "*2\r\n-BUSY injected\r\n+OK\r\n");
  EXPECT_EQ(client.Command({"EVAL", "return redis.pcall('incr', KEYS[1])", "1", "n"}),
            "-BUSY injected\r\n");
  EXPECT_EQ(client.Command({"GET", "n"}), "$-1\r\n");
}

TEST_F(RespdFaultsTest, ErrorsHitFunctionCalls) {
  EXPECT_EQ(admin_.Command({"FUNCTION", "LOAD",
                            "#!lua name=lib\nredis.register_function('bump', function(keys) "
                            "return redis.call('incr', keys[1]) end)"}),
            "$3\r\nlib\r\n");
  Fault({"ADD", "COMMAND", "incr", "TIMES", "1", "ERROR", "TRYAGAIN injected"});
  RespClient client = Connect();
  std::string refused = client.Command({"FCALL", "bump", "1", "n"});
  EXPECT_TRUE(refused.starts_with("-TRYAGAIN injected")) << refused;
  EXPECT_EQ(client.Command({"FCALL", "bump", "1", "n"}), ":1\r\n");
}

TEST_F(RespdFaultsTest, ConnectionFatesInsideExecActOnItsWholeReply) {
  RespClient client = Connect();
  EXPECT_EQ(client.Command({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"INCR", "n"}), "+QUEUED\r\n");
  EXPECT_EQ(client.Command({"SET", "m", "1"}), "+QUEUED\r\n");
  // Added once queued: a rule matching when the command is queued acts then.
  Fault({"ADD", "COMMAND", "incr", "CLOSE", "AFTER"});
  ASSERT_TRUE(client.SendRaw(client.EncodeCommand({"EXEC"})));
  EXPECT_EQ(client.ReadUntilClosed(), "");
  // The transaction ran; only its reply was lost.
  EXPECT_EQ(admin_.Command({"MGET", "n", "m"}), "*2\r\n$1\r\n1\r\n$1\r\n1\r\n");
}

TEST_F(RespdFaultsTest, BlockedClientsReRunGetsEveryAction) {
  auto block = [&](RespClient& client, int blocked) {
    ASSERT_TRUE(client.SendRaw(client.EncodeCommand({"BLPOP", "q", "0"})));
    WaitForInfo("clients", "blocked_clients:" + std::to_string(blocked) + "\r\n");
  };
  // Rules added once the clients wait, so only the re-runs match.
  RespClient closed = Connect();
  block(closed, 1);
  Fault({"ADD", "COMMAND", "blpop", "TIMES", "1", "CLOSE", "AFTER"});
  EXPECT_EQ(admin_.Command({"RPUSH", "q", "a"}), ":1\r\n");
  EXPECT_EQ(closed.ReadUntilClosed(), "");

  RespClient silent = Connect();
  block(silent, 1);
  Fault({"ADD", "COMMAND", "blpop", "TIMES", "1", "NOREPLY"});
  EXPECT_EQ(admin_.Command({"RPUSH", "q", "b"}), ":1\r\n");
  ASSERT_TRUE(silent.SendRaw(silent.EncodeCommand({"PING"})));
  EXPECT_EQ(silent.ReadAvailable(/*idle_ms=*/300), "");

  RespClient slow = Connect();
  block(slow, 1);
  Fault({"ADD", "COMMAND", "blpop", "TIMES", "1", "DELAY", "2000"});
  EXPECT_EQ(admin_.Command({"RPUSH", "q", "c"}), ":1\r\n");
  EXPECT_EQ(slow.ReadAvailable(/*idle_ms=*/200), "");  // held back by the delay
  EXPECT_EQ(slow.ReadReply(), "*2\r\n$1\r\nq\r\n$1\r\nc\r\n");

  RespClient refused = Connect();
  block(refused, 1);
  Fault({"ADD", "COMMAND", "blpop", "TIMES", "1", "ERROR", "LOADING injected"});
  EXPECT_EQ(admin_.Command({"RPUSH", "q", "d"}), ":1\r\n");
  EXPECT_EQ(refused.ReadReply(), "-LOADING injected\r\n");
  // Every re-run ran but the refused one.
  EXPECT_EQ(admin_.Command({"LRANGE", "q", "0", "-1"}), "*1\r\n$1\r\nd\r\n");
  EXPECT_EQ(Fault({"LIST"}), "*0\r\n");
}

TEST_F(RespdFaultsTest, DelayHoldsOnlyThatClientsReply) {
  Fault({"ADD", "COMMAND", "ping", "TIMES", "1", "DELAY", "300"});
  RespClient slow = Connect();
  ASSERT_TRUE(slow.SendRaw(slow.EncodeCommand({"PING"}) + slow.EncodeCommand({"ECHO", "after"})));
  // Another client on the same server is answered meanwhile.
  EXPECT_EQ(admin_.Command({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(slow.ReadReply(), "+PONG\r\n");
  EXPECT_EQ(slow.ReadReply(), "$5\r\nafter\r\n");
}

TEST_F(RespdFaultsTest, CloseBeforeDoesNotRunAndCloseAfterDoes) {
  Fault({"ADD", "COMMAND", "set", "KEY", "before", "CLOSE", "BEFORE"});
  Fault({"ADD", "COMMAND", "set", "KEY", "after", "CLOSE", "AFTER"});
  RespClient one = Connect();
  ASSERT_TRUE(one.SendRaw(one.EncodeCommand({"PING"}) + one.EncodeCommand({"SET", "before", "1"}) +
                          one.EncodeCommand({"PING"})));
  EXPECT_EQ(one.ReadUntilClosed(), "+PONG\r\n");  // earlier replies still arrive
  RespClient two = Connect();
  ASSERT_TRUE(two.SendRaw(two.EncodeCommand({"SET", "after", "1"})));
  EXPECT_EQ(two.ReadUntilClosed(), "");
  EXPECT_EQ(admin_.Command({"EXISTS", "before", "after"}), ":1\r\n");
}

TEST_F(RespdFaultsTest, NoReplyRunsTheCommandAndNeverAnswers) {
  Fault({"ADD", "COMMAND", "set", "NOREPLY"});
  RespClient client = Connect();
  ASSERT_TRUE(client.SendRaw(client.EncodeCommand({"SET", "k", "v"}) +
                             client.EncodeCommand({"PING"})));
  EXPECT_EQ(client.ReadAvailable(/*idle_ms=*/300), "");
  EXPECT_EQ(admin_.Command({"GET", "k"}), "$1\r\nv\r\n");
}

TEST_F(RespdFaultsTest, LoadingRefusesAllButLoadingCommands) {
  EXPECT_EQ(Fault({"LOADING", "on"}), "+OK\r\n");
  RespClient client = Connect();
  EXPECT_EQ(client.Command({"GET", "k"}), "-LOADING Redis is loading the dataset in memory\r\n");
  EXPECT_NE(client.Command({"INFO", "persistence"}).find("loading:1"), std::string::npos);
  EXPECT_EQ(Fault({"LOADING", "off"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"GET", "k"}), "$-1\r\n");
  EXPECT_NE(client.Command({"INFO", "persistence"}).find("loading:0"), std::string::npos);
}

TEST_F(RespdFaultsTest, ReadonlyRefusesWritesEverywhere) {
  EXPECT_EQ(Fault({"READONLY", "on"}), "+OK\r\n");
  RespClient client = Connect();
  const std::string kReadonly = "-READONLY You can't write against a read only replica.\r\n";
  EXPECT_EQ(client.Command({"SET", "k", "v"}), kReadonly);
  EXPECT_EQ(client.Command({"GET", "k"}), "$-1\r\n");
  EXPECT_EQ(client.Command({"EVAL", "return redis.pcall('set', 'k', 'v')", "0"}), kReadonly);
  EXPECT_EQ(Fault({"READONLY", "off"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"SET", "k", "v"}), "+OK\r\n");
}

}  // namespace
}  // namespace respd::testing
