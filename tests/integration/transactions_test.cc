// Transactions and scripts are atomic on a multi-threaded respd: optimistic WATCH/MULTI/EXEC
// increments and read-modify-write scripts from many clients lose nothing; WATCH and SCRIPT KILL
// on another I/O thread than a running script's do not leave it running or their thread stopped.
// (Scripts past busy-reply-threshold compared with Redis: tests/differential/busy_script_test.cc.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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

// Sends a script that spins for 10 s of server time unless killed: bounded, and long enough for
// any test to kill it first.
bool SendTenSecondScript(RespClient& runner) {
  return runner.SendRaw(runner.EncodeCommand(
      {"EVAL",
       "local stop = redis.call('TIME')[1] + 10 "
       "while tonumber(redis.call('TIME')[1]) < stop do end return 'finished'",
       "0"}));
}

// WATCH may run while a script is busy (allow-busy), but on another I/O thread than the script's it
// needs shard locks the script holds: it must get BUSY rather than stop its whole thread, whose
// clients (a SCRIPT KILL or SHUTDOWN NOSAVE among them) would wait as long as the script runs.
TEST(TransactionsTest, WatchOnAnotherThreadThanABusyScriptLeavesItsThreadServing) {
  ServerProcess server =
      ServerProcess::StartRespd({"--threads", "2", "--busy-reply-threshold", "50"});
  ASSERT_TRUE(server.running());
  RespClient runner;
  ASSERT_TRUE(runner.Connect(server.port()));
  ASSERT_TRUE(SendTenSecondScript(runner));
  // Connections go to the I/O threads in turn: of two in a row, one is on the other thread.
  RespClient first, second;
  ASSERT_TRUE(first.Connect(server.port()));
  ASSERT_TRUE(second.Connect(server.port()));
  std::string busy;
  for (int i = 0; i < 500 && !busy.starts_with("-BUSY"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    busy = first.Command({"PING"});
  }
  ASSERT_TRUE(busy.starts_with("-BUSY")) << busy;
  for (RespClient* client : {&first, &second}) {
    std::string reply = client->Command({"WATCH", "k"});
    EXPECT_TRUE(reply == "+OK\r\n" || reply.starts_with("-BUSY")) << reply;
    EXPECT_TRUE(client->Command({"PING"}).starts_with("-BUSY"));
  }
  EXPECT_EQ(second.Command({"SCRIPT", "KILL"}), "+OK\r\n");
  EXPECT_TRUE(runner.ReadReply().starts_with("-ERR Script killed")) << "script not killed";
  EXPECT_EQ(first.Command({"PING"}), "+PONG\r\n");
}

// SCRIPT KILL from another I/O thread than a running script's, before the script is past
// busy-reply-threshold, is answered once it is (killed), as in Redis, whose single thread gets to
// the SCRIPT KILL only then. Answering NOTBUSY at once left the script running, every client BUSY.
TEST(TransactionsTest, ScriptKillFromAnotherThreadWaitsForTheScriptToBeBusy) {
  ServerProcess server =
      ServerProcess::StartRespd({"--threads", "2", "--busy-reply-threshold", "300"});
  ASSERT_TRUE(server.running());
  // Connections go to the I/O threads in turn: `other` is not on the runner's thread.
  RespClient runner, other;
  ASSERT_TRUE(runner.Connect(server.port()));
  ASSERT_TRUE(other.Connect(server.port()));
  ASSERT_TRUE(SendTenSecondScript(runner));
  // FUNCTION STATS answers BUSY from the moment a script (not a function) runs, busy or not yet.
  std::string stats;
  for (int i = 0; i < 500 && !stats.starts_with("-BUSY"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stats = other.Command({"FUNCTION", "STATS"});
  }
  ASSERT_TRUE(stats.starts_with("-BUSY")) << stats;
  EXPECT_EQ(other.Command({"SCRIPT", "KILL"}), "+OK\r\n");
  EXPECT_TRUE(runner.ReadReply().starts_with("-ERR Script killed")) << "script not killed";
}

}  // namespace
}  // namespace respd::testing
