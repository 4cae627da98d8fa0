// Clients that vanish mid-conversation take nothing with them: 1,000 connections on two I/O
// threads, each reset (SO_LINGER 0) in the middle of a pipeline, a blocked BLPOP, a MULTI, a
// running script or a half-written command. A control client's data stays intact, no storm write
// is seen half done, no element goes to a client that is gone, and respd still answers and exits
// with status 0 on SIGTERM (so in the sanitizer build a LeakSanitizer report fails the test).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kConnections = 1000;
constexpr int kBatch = 50;  // connections open at once
constexpr int kPipelinedIncrs = 20;
// Long enough that the reset usually arrives while the script runs.
constexpr const char* kLoopScript =
    "local i = 0 while i < 200000 do i = i + 1 end "
    "redis.call('incr', KEYS[1]) redis.call('incr', KEYS[2]) return i";
// How long the server may take to notice every reset, polled (never asserted as a duration).
constexpr auto kSettleLimit = std::chrono::seconds(30);

enum class Kind { kPipeline, kBlocked, kMulti, kScript, kHalfWritten, kCount };

std::string Bulk(std::string_view text) {
  return "$" + std::to_string(text.size()) + "\r\n" + std::string(text) + "\r\n";
}

// Polls INFO clients until respd counts `connected` clients of which `blocked` are blocked, or
// `limit` passes; returns the last INFO reply.
std::string WaitForClients(RespClient& control, const std::string& connected,
                           const std::string& blocked, std::chrono::milliseconds limit) {
  std::string info;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    info = control.Command({"INFO", "clients"});
    if (InfoField(info, "connected_clients") == connected &&
        InfoField(info, "blocked_clients") == blocked) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return info;
}

// Starts one storm connection's conversation; the caller resets it afterwards. `i` varies the
// details so every kind is cut at more than one point.
void Begin(RespClient& client, Kind kind, int i) {
  switch (kind) {
    case Kind::kPipeline: {
      std::string pipeline;
      for (int n = 0; n < kPipelinedIncrs; ++n) {
        pipeline += client.EncodeCommand({"INCR", "storm:pipelined"});
      }
      // A command cut inside its last bulk: it must never run.
      pipeline += "*3\r\n$3\r\nSET\r\n$13\r\nstorm:partial\r\n$5\r\nva";
      client.SendRaw(pipeline);
      break;
    }
    case Kind::kBlocked:
      // CLIENT ID's reply comes with the batch BLPOP ends, so once it is read BLPOP has blocked.
      client.SendRaw(client.EncodeCommand({"CLIENT", "ID"}) +
                     client.EncodeCommand({"BLPOP", "storm:queue", "0"}));
      client.ReadReply();
      break;
    case Kind::kMulti:
      client.SendRaw(client.EncodeCommand({"MULTI"}) +
                     client.EncodeCommand({"INCR", "storm:multi:a"}) +
                     client.EncodeCommand({"INCR", "storm:multi:b"}));
      for (int n = 0; n < 3; ++n) client.ReadReply();
      // Half send EXEC and leave before its reply; the rest leave inside MULTI with a write
      // queued that must never run.
      client.SendRaw(i % 2 == 0 ? client.EncodeCommand({"EXEC"})
                                : client.EncodeCommand({"SET", "storm:discarded", "1"}));
      break;
    case Kind::kScript:
      client.SendRaw(client.EncodeCommand(
          {"EVAL", kLoopScript, "2", "storm:eval:a", "storm:eval:b"}));
      break;
    case Kind::kHalfWritten:
      client.SendRaw(i % 2 == 0 ? "SET storm:partial inline-without-end"
                                : "*3\r\n$3\r\nSET\r\n$13\r\nstorm:partial\r\n$100000\r\nabc");
      break;
    case Kind::kCount:
      break;
  }
}

// `printf 'PING\r\n' | nc -N`: a client that sends its commands and at once ends its sending half
// gets every reply, then the end of the connection, as from Redis, although its end of stream
// comes right behind its commands.
TEST(DisconnectTest, ClientsThatHalfCloseAfterTheirCommandsGetTheRepliesThenTheEnd) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());
  for (int i = 0; i < 50; ++i) {
    RespClient client;
    ASSERT_TRUE(client.Connect(server.port()));
    ASSERT_TRUE(client.SendRaw("PING\r\nSET half-closed v\r\n"));
    client.ShutdownWrite();
    EXPECT_EQ(client.ReadUntilClosed(5000), "+PONG\r\n+OK\r\n") << "client " << i;
    EXPECT_TRUE(client.eof()) << "client " << i << ": the server kept the connection open";
  }
}

// The same when the end of stream comes with the last command while the server is busy, so the
// event loop learns of both at once: the client has been served before, so no read of a new
// connection looks at it again, and only an end of stream seen with that read closes it (the idle
// cron would, but only after two seconds).
TEST(DisconnectTest, ClientsThatHalfCloseWhileTheServerIsBusyGetTheRepliesThenTheEnd) {
  ServerProcess server =
      ServerProcess::StartRespd({"--threads", "1", "--enable-debug-command", "yes"});
  ASSERT_TRUE(server.running());
  RespClient sleeper;
  ASSERT_TRUE(sleeper.Connect(server.port()));
  for (int i = 0; i < 3; ++i) {
    RespClient client;
    ASSERT_TRUE(client.Connect(server.port()));
    ASSERT_EQ(client.Command({"PING"}), "+PONG\r\n");
    ASSERT_TRUE(sleeper.SendRaw(sleeper.EncodeCommand({"DEBUG", "SLEEP", "0.3"})));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(client.SendRaw("PING\r\n"));
    client.ShutdownWrite();
    ASSERT_EQ(sleeper.ReadReply(), "+OK\r\n");
    EXPECT_EQ(client.ReadUntilClosed(1500), "+PONG\r\n") << "client " << i;
    EXPECT_TRUE(client.eof()) << "client " << i << ": the server kept the connection open";
  }
}

// Clients that send BLPOP and reset at once, the reset arriving with the command (the one I/O
// thread sleeps meanwhile): each leaves the queue of waiters, and an element pushed afterwards
// stays in the list, where a dead waiter left behind would have taken it.
TEST(DisconnectTest, ClientsResetRightAfterBlpopLeaveNoWaiterToTakeAPush) {
  ServerProcess server =
      ServerProcess::StartRespd({"--threads", "1", "--enable-debug-command", "yes"});
  ASSERT_TRUE(server.running());
  RespClient sleeper;
  ASSERT_TRUE(sleeper.Connect(server.port()));
  ASSERT_TRUE(sleeper.SendRaw(sleeper.EncodeCommand({"DEBUG", "SLEEP", "0.3"})));
  for (int i = 0; i < 50; ++i) {
    RespClient client;
    ASSERT_TRUE(client.Connect(server.port()));
    ASSERT_TRUE(client.SendRaw(client.EncodeCommand({"BLPOP", "reset:queue", "0"})));
    client.Abort();
  }
  ASSERT_EQ(sleeper.ReadReply(), "+OK\r\n");
  RespClient control;
  ASSERT_TRUE(control.Connect(server.port()));
  std::string info = WaitForClients(control, "2", "0", std::chrono::seconds(5));
  ASSERT_EQ(InfoField(info, "blocked_clients"), "0") << info;
  ASSERT_EQ(InfoField(info, "connected_clients"), "2") << info;
  EXPECT_EQ(control.Command({"LPUSH", "reset:queue", "x"}), ":1\r\n");
  EXPECT_EQ(control.Command({"LLEN", "reset:queue"}), ":1\r\n");
}

TEST(DisconnectTest, ThousandResetClientsLoseNothingForOthersAndLeakNothing) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());

  RespClient control;
  ASSERT_TRUE(control.Connect(server.port()));
  const std::string payload(1000, 'c');
  ASSERT_EQ(control.Command({"SET", "control:string", payload}), "+OK\r\n");
  ASSERT_EQ(control.Command({"RPUSH", "control:list", "a", "b", "c"}), ":3\r\n");
  ASSERT_EQ(control.Command({"HSET", "control:hash", "f", "v"}), ":1\r\n");
  // A control client blocked for the whole storm, served at the end.
  RespClient waiter;
  ASSERT_TRUE(waiter.Connect(server.port(), 60000));
  ASSERT_TRUE(waiter.SendRaw(waiter.EncodeCommand({"CLIENT", "ID"}) +
                             waiter.EncodeCommand({"BLPOP", "control:queue", "0"})));
  ASSERT_EQ(waiter.ReadReply()[0], ':');

  int connected = 0;
  for (int start = 0; start < kConnections; start += kBatch) {
    std::vector<std::unique_ptr<RespClient>> batch;
    for (int i = start; i < start + kBatch; ++i) {
      auto client = std::make_unique<RespClient>();
      if (!client->Connect(server.port())) continue;
      ++connected;
      Begin(*client, static_cast<Kind>(i % static_cast<int>(Kind::kCount)), i / 5);
      batch.push_back(std::move(client));
    }
    for (auto& client : batch) client->Abort();
    ASSERT_EQ(control.Command({"PING"}), "+PONG\r\n") << "after connection " << start + kBatch;
    ASSERT_EQ(control.Command({"GET", "control:string"}), Bulk(payload));
  }
  EXPECT_EQ(connected, kConnections);

  // Wait until respd has noticed every reset: only the control client and the waiter remain.
  std::string info = WaitForClients(control, "2", "1", kSettleLimit);
  ASSERT_EQ(InfoField(info, "connected_clients"), "2") << info;
  ASSERT_EQ(InfoField(info, "blocked_clients"), "1") << info;

  // Half-written commands and MULTIs left without EXEC never ran; transactions and scripts that
  // did run ran whole.
  EXPECT_EQ(control.Command({"EXISTS", "storm:partial", "storm:discarded"}), ":0\r\n");
  EXPECT_EQ(control.Command({"GET", "storm:multi:a"}), control.Command({"GET", "storm:multi:b"}));
  EXPECT_EQ(control.Command({"GET", "storm:eval:a"}), control.Command({"GET", "storm:eval:b"}));
  std::string pipelined = control.Command({"GET", "storm:pipelined"});
  if (pipelined != "$-1\r\n") {
    ASSERT_GT(pipelined.size(), 4u) << pipelined;
    EXPECT_LE(std::stoi(pipelined.substr(pipelined.find('\n') + 1)),
              kConnections / 5 * kPipelinedIncrs);
  }
  // No client that left while blocked takes an element.
  EXPECT_EQ(control.Command({"LPUSH", "storm:queue", "x"}), ":1\r\n");
  EXPECT_EQ(control.Command({"LLEN", "storm:queue"}), ":1\r\n");

  // The control client's data and its blocked BLPOP are intact.
  EXPECT_EQ(control.Command({"GET", "control:string"}), Bulk(payload));
  EXPECT_EQ(control.Command({"LRANGE", "control:list", "0", "-1"}),
            "*3\r\n" + Bulk("a") + Bulk("b") + Bulk("c"));
  EXPECT_EQ(control.Command({"HGET", "control:hash", "f"}), Bulk("v"));
  EXPECT_EQ(control.Command({"LPUSH", "control:queue", "hello"}), ":1\r\n");
  EXPECT_EQ(waiter.ReadReply(), "*2\r\n" + Bulk("control:queue") + Bulk("hello"));

  control.Close();
  waiter.Close();
  int status = server.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "respd did not exit with status 0 (status " << status << "):\n"
      << server.Output();
}

}  // namespace
}  // namespace respd::testing
