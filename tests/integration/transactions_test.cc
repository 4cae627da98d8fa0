// Transactions and scripts are atomic on a multi-threaded respd: optimistic WATCH/MULTI/EXEC
// increments and read-modify-write scripts from many clients lose nothing, and a script running
// past busy-reply-threshold makes other clients get BUSY until SCRIPT KILL stops it.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kClients = 8;
constexpr int kIncrementsPerClient = 200;
// Optimistic retries per increment before a worker gives up (the test then fails on the total).
constexpr int kMaxRetries = 10000;

std::string Bulk(const std::string& value) {
  return "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
}

// The integer in a bulk reply ("$2\r\n41\r\n" -> 41), 0 for a null bulk.
long long BulkInteger(const std::string& reply) {
  size_t start = reply.find("\r\n");
  if (reply.starts_with("$-1") || start == std::string::npos) return 0;
  return std::stoll(reply.substr(start + 2));
}

TEST(TransactionsTest, WatchMultiExecIncrementsFromEightClientsLoseNothing) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());

  std::atomic<int> committed{0};
  std::atomic<int> aborted{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kClients; ++w) {
    workers.emplace_back([&] {
      RespClient client;
      if (!client.Connect(server.port())) return;
      for (int i = 0; i < kIncrementsPerClient; ++i) {
        for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
          if (client.Command({"WATCH", "k"}) != "+OK\r\n") return;
          long long value = BulkInteger(client.Command({"GET", "k"}));
          if (client.Command({"MULTI"}) != "+OK\r\n") return;
          if (client.Command({"SET", "k", std::to_string(value + 1)}) != "+QUEUED\r\n") return;
          std::string reply = client.Command({"EXEC"});
          if (reply == "*1\r\n+OK\r\n") {
            ++committed;
            break;
          }
          if (reply != "*-1\r\n") return;  // anything but "someone else won" is a failure
          ++aborted;
        }
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(committed.load(), kClients * kIncrementsPerClient) << aborted.load() << " aborted";

  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"GET", "k"}), Bulk(std::to_string(kClients * kIncrementsPerClient)));
}

TEST(TransactionsTest, ReadModifyWriteScriptsFromEightClientsLoseNothing) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());

  // GET and SET are separate commands inside the script: only the script's atomicity keeps other
  // clients out between them.
  const std::string script =
      "local v = tonumber(redis.call('GET', KEYS[1]) or '0') "
      "redis.call('SET', KEYS[1], v + 1) return v + 1";
  std::atomic<int> good_replies{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kClients; ++w) {
    workers.emplace_back([&] {
      RespClient client;
      if (!client.Connect(server.port())) return;
      for (int i = 0; i < kIncrementsPerClient; ++i) {
        std::string reply = client.Command({"EVAL", script, "1", "k"});
        if (reply.starts_with(":")) ++good_replies;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(good_replies.load(), kClients * kIncrementsPerClient);

  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"GET", "k"}), Bulk(std::to_string(kClients * kIncrementsPerClient)));
}

// Connections are spread round-robin over the I/O threads; a busy script occupies its own, so only
// a client on the other thread can be answered BUSY (or send SCRIPT KILL) while it runs. Two
// connections opened one after the other land on different threads: one of them is not on the
// script's thread.
TEST(TransactionsTest, LongScriptMakesOthersBusyUntilScriptKill) {
  ServerProcess server =
      ServerProcess::StartRespd({"--threads", "2", "--busy-reply-threshold", "100"});
  ASSERT_TRUE(server.running());

  RespClient runner;
  ASSERT_TRUE(runner.Connect(server.port(), 15000));
  RespClient others[2];
  for (RespClient& other : others) ASSERT_TRUE(other.Connect(server.port(), 15000));
  for (RespClient& other : others) ASSERT_EQ(other.Command({"PING"}), "+PONG\r\n");

  // Loops for 10 s of server time unless killed: a bound, should SCRIPT KILL not work.
  const std::string script =
      "local t = redis.call('TIME') local stop = t[1] + 10 "
      "while true do t = redis.call('TIME') if tonumber(t[1]) >= stop then break end end "
      "return 'finished'";
  ASSERT_TRUE(runner.SendRaw(runner.EncodeCommand({"EVAL", script, "0"})));

  // Ask both other clients until one is answered BUSY (the script passed the threshold).
  RespClient* free_client = nullptr;
  std::string busy_reply;
  for (RespClient& other : others) ASSERT_TRUE(other.SendRaw(other.EncodeCommand({"PING"})));
  for (int round = 0; round < 100 && free_client == nullptr; ++round) {
    for (RespClient& other : others) {
      std::string reply = other.ReadReply(50);
      if (reply.empty()) continue;  // on the script's thread: waits, or not yet answered
      if (reply.starts_with("-BUSY")) {
        free_client = &other;
        busy_reply = reply;
        break;
      }
      // PONG: the script had not yet run past the threshold. Ask again.
      ASSERT_EQ(reply, "+PONG\r\n");
      ASSERT_TRUE(other.SendRaw(other.EncodeCommand({"PING"})));
    }
  }
  ASSERT_NE(free_client, nullptr) << "no client was answered BUSY";
  EXPECT_EQ(busy_reply,
            "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
            "NOSAVE.\r\n");
  EXPECT_EQ(free_client->Command({"GET", "k"}).substr(0, 5), "-BUSY");
  EXPECT_EQ(free_client->Command({"SCRIPT", "KILL"}), "+OK\r\n");

  // The error names the script by its sha and the line it was running.
  std::string killed = runner.ReadReply(15000);
  std::string sha = runner.Command({"SCRIPT", "LOAD", script});
  ASSERT_EQ(sha.size(), 40 + 7u) << sha;
  EXPECT_EQ(killed, "-ERR Script killed by user with SCRIPT KILL... script: " + sha.substr(5, 40) +
                        ", on @user_script:1.\r\n");
  EXPECT_EQ(free_client->Command({"SCRIPT", "KILL"}),
            "-NOTBUSY No scripts in execution right now.\r\n");
  for (RespClient& other : others) EXPECT_EQ(other.Command({"PING"}), "+PONG\r\n");
  EXPECT_EQ(runner.Command({"SET", "k", "v"}), "+OK\r\n");
}

}  // namespace
}  // namespace respd::testing
