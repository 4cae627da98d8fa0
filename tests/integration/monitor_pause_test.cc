// MONITOR and CLIENT PAUSE with four I/O threads: a monitor sees every command of every client,
// each client's in its order, whatever thread either lives on; a paused writer's commands wait,
// its reads behind them too, and all of them run once the pause ends; while a pause lasts expired
// keys are hidden but stay stored, silently, until it ends.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kReadTimeoutMs = 10000;

TEST(MonitorTest, SeesEveryCommandOfEveryClientInEachClientsOrderAcrossThreads) {
  constexpr int kMonitors = 3;
  constexpr int kClients = 8;
  constexpr int kCommands = 300;
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  std::vector<RespClient> monitors(kMonitors);
  for (RespClient& monitor : monitors) {
    ASSERT_TRUE(monitor.Connect(server.port(), kReadTimeoutMs));
    ASSERT_EQ(monitor.Command({"MONITOR"}), "+OK\r\n");
  }
  std::vector<RespClient> clients(kClients);
  for (RespClient& client : clients) ASSERT_TRUE(client.Connect(server.port(), kReadTimeoutMs));
  {
    std::vector<std::jthread> threads;
    for (int c = 0; c < kClients; ++c) {
      threads.emplace_back([&, c] {
        std::string batch;
        for (int seq = 0; seq < kCommands; ++seq) {
          batch += clients[c].EncodeCommand({"SET", "k" + std::to_string(c), std::to_string(seq)});
        }
        EXPECT_TRUE(clients[c].SendRaw(batch));
        for (int seq = 0; seq < kCommands; ++seq) {
          EXPECT_EQ(clients[c].ReadReply(kReadTimeoutMs), "+OK\r\n");
        }
      });
    }
  }
  const std::regex line(R"re(^\+[0-9]+\.[0-9]{6} \[0 127\.0\.0\.1:[0-9]+\] "SET" "k([0-9]+)" "([0-9]+)"\r\n$)re");
  for (RespClient& monitor : monitors) {
    std::map<int, int> next;  // client -> the seq its next line must carry
    for (int i = 0; i < kClients * kCommands; ++i) {
      std::string frame = monitor.ReadReply(kReadTimeoutMs);
      std::smatch match;
      ASSERT_TRUE(std::regex_match(frame, match, line)) << "line " << i << ": " << frame;
      int client = std::stoi(match[1]);
      ASSERT_EQ(std::stoi(match[2]), next[client]++) << "client " << client;
    }
    for (int c = 0; c < kClients; ++c) EXPECT_EQ(next[c], kCommands);
  }
  // Nothing more: the next line is the monitor's own PING, after its reply.
  EXPECT_EQ(monitors[0].Command({"PING"}), "+PONG\r\n");
  EXPECT_NE(monitors[0].ReadReply(kReadTimeoutMs).find("\"PING\""), std::string::npos);
}

TEST(MonitorTest, ShowsUnixSocketClientsAndFlagsTheMonitor) {
  char dir[] = "/tmp/respd-monitor-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/respd.sock";
  {
    ServerProcess server = ServerProcess::StartRespd({"--threads", "4", "--unixsocket", path});
    ASSERT_TRUE(server.running());
    RespClient monitor, local;
    ASSERT_TRUE(monitor.Connect(server.port(), kReadTimeoutMs));
    ASSERT_TRUE(local.ConnectUnix(path));
    ASSERT_EQ(monitor.Command({"MONITOR"}), "+OK\r\n");
    ASSERT_EQ(local.Command({"SET", "k", "v"}), "+OK\r\n");
    std::string line = monitor.ReadReply(kReadTimeoutMs);
    EXPECT_NE(line.find(" [0 unix:" + path + "] \"SET\" \"k\" \"v\"\r\n"), std::string::npos)
        << line;
    // CLIENT LIST flags: O for the monitor, e once NO-EVICT is on (admin commands show no line).
    EXPECT_EQ(monitor.Command({"CLIENT", "NO-EVICT", "on"}), "+OK\r\n");
    std::string info = local.Command({"CLIENT", "LIST"});
    EXPECT_NE(info.find(" flags=Oe "), std::string::npos) << info;
    // The next line is the next non-admin command's.
    EXPECT_EQ(local.Command({"ECHO", "x"}), "$1\r\nx\r\n");
    EXPECT_NE(monitor.ReadReply(kReadTimeoutMs).find("\"ECHO\" \"x\""), std::string::npos);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

TEST(ClientKillTest, KillingOnesOwnAddressRepliesOkThenCloses) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port(), kReadTimeoutMs));
  std::string info = client.Command({"CLIENT", "INFO"});
  size_t start = info.find(" addr=") + 6;
  std::string addr = info.substr(start, info.find(' ', start) - start);
  EXPECT_EQ(client.Command({"CLIENT", "KILL", addr}), "+OK\r\n");
  EXPECT_TRUE(client.PeerClosed(kReadTimeoutMs));
}

TEST(ClientPauseTest, PausedWriterWaitsAndResumesAfterUnpause) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  RespClient admin, writer, reader;
  ASSERT_TRUE(admin.Connect(server.port(), kReadTimeoutMs));
  ASSERT_TRUE(writer.Connect(server.port(), kReadTimeoutMs));
  ASSERT_TRUE(reader.Connect(server.port(), kReadTimeoutMs));
  std::string writer_id = writer.Command({"CLIENT", "ID"});
  writer_id = writer_id.substr(1, writer_id.size() - 3);
  ASSERT_EQ(admin.Command({"CLIENT", "PAUSE", "100000", "WRITE"}), "+OK\r\n");
  // The write waits, and the read pipelined behind it with it.
  ASSERT_TRUE(writer.SendRaw(writer.EncodeCommand({"SET", "paused", "v"}) +
                             writer.EncodeCommand({"GET", "paused"})));
  // Reads of other clients go on; the writer shows as blocked (b) once its command waits.
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    waiting = admin.Command({"CLIENT", "LIST", "ID", writer_id}).find("flags=b ") !=
              std::string::npos;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(waiting);
  EXPECT_EQ(reader.Command({"GET", "paused"}), "$-1\r\n");
  EXPECT_EQ(reader.Command({"EVAL_RO", "return 1", "0"}), ":1\r\n");
  EXPECT_EQ(admin.Command({"CLIENT", "UNPAUSE"}), "+OK\r\n");
  EXPECT_EQ(writer.ReadReply(kReadTimeoutMs), "+OK\r\n");
  EXPECT_EQ(writer.ReadReply(kReadTimeoutMs), "$1\r\nv\r\n");
  EXPECT_EQ(reader.Command({"GET", "paused"}), "$1\r\nv\r\n");
}

// Redis blocks a held client (BLOCKED_POSTPONE), so INFO's blocked_clients counts it until it runs
// or leaves: Redis's own suite (unit/pause) waits on that count to know a command is held.
TEST(ClientPauseTest, HeldClientsCountAsBlockedUntilTheyRunOrLeave) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());
  RespClient admin, writer, leaver;
  ASSERT_TRUE(admin.Connect(server.port(), kReadTimeoutMs));
  ASSERT_TRUE(writer.Connect(server.port(), kReadTimeoutMs));
  ASSERT_TRUE(leaver.Connect(server.port(), kReadTimeoutMs));
  auto wait_blocked = [&](int blocked) {
    std::string wanted = "blocked_clients:" + std::to_string(blocked) + "\r\n";
    for (int i = 0; i < 500; ++i) {
      if (admin.Command({"INFO", "clients"}).find(wanted) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  ASSERT_EQ(admin.Command({"CLIENT", "PAUSE", "100000", "WRITE"}), "+OK\r\n");
  ASSERT_TRUE(writer.SendRaw(writer.EncodeCommand({"SET", "k", "v"})));
  EXPECT_TRUE(wait_blocked(1));
  ASSERT_TRUE(leaver.SendRaw(leaver.EncodeCommand({"PUBLISH", "c", "m"})));
  EXPECT_TRUE(wait_blocked(2));
  leaver.Close();
  EXPECT_TRUE(wait_blocked(1));
  EXPECT_EQ(admin.Command({"CLIENT", "UNPAUSE"}), "+OK\r\n");
  EXPECT_EQ(writer.ReadReply(kReadTimeoutMs), "+OK\r\n");
  EXPECT_TRUE(wait_blocked(0));
}

TEST(ClientPauseTest, PauseAllEndsAtItsTimeout) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  RespClient admin, client;
  ASSERT_TRUE(admin.Connect(server.port(), kReadTimeoutMs));
  ASSERT_TRUE(client.Connect(server.port(), kReadTimeoutMs));
  ASSERT_EQ(admin.Command({"CLIENT", "PAUSE", "300", "ALL"}), "+OK\r\n");
  // Every client waits, the one that paused too, until the pause ends by itself.
  EXPECT_EQ(client.Command({"PING"}), "+PONG\r\n");
  EXPECT_EQ(admin.Command({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"GET", "k"}), "$1\r\nv\r\n");
}

// Redis 7.0 keeps the dataset still while clients are paused: a read of an expired key answers as
// if it were gone, but nothing is deleted (DBSIZE and INFO keyspace count it, expired_keys stays,
// no `expired` event) until the pause ends, by CLIENT UNPAUSE or by its timeout.
TEST(ClientPauseTest, ExpiredKeysStayStoredUntilThePauseEnds) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2", "--clock", "frozen"});
  ASSERT_TRUE(server.running());
  RespClient admin, subscriber;
  ASSERT_TRUE(admin.Connect(server.port(), kReadTimeoutMs));
  ASSERT_TRUE(subscriber.Connect(server.port(), kReadTimeoutMs));
  ASSERT_EQ(admin.Command({"CONFIG", "SET", "notify-keyspace-events", "Exg"}), "+OK\r\n");
  ASSERT_EQ(subscriber.Command({"SUBSCRIBE", "__keyevent@0__:expired"}),
            "*3\r\n$9\r\nsubscribe\r\n$22\r\n__keyevent@0__:expired\r\n:1\r\n");
  const std::string kExpired = "*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$1\r\n";
  ASSERT_EQ(admin.Command({"SET", "a", "1", "PX", "100"}), "+OK\r\n");
  ASSERT_EQ(admin.Command({"SET", "b", "1", "PX", "2000"}), "+OK\r\n");
  ASSERT_EQ(admin.Command({"SET", "p", "1"}), "+OK\r\n");

  for (const char* key : {"a", "b"}) {
    // a: ended by CLIENT UNPAUSE; b: by its timeout, passed on the server clock.
    bool unpause = std::string(key) == "a";
    ASSERT_EQ(admin.Command({"CLIENT", "PAUSE", "5000", "WRITE"}), "+OK\r\n");
    ASSERT_EQ(admin.Command({"RESPD", "TIME", "ADVANCE", "1000"}).front(), ':');
    EXPECT_EQ(admin.Command({"GET", key}), "$-1\r\n");
    EXPECT_EQ(admin.Command({"EXISTS", key}), ":0\r\n");
    EXPECT_EQ(admin.Command({"KEYS", key}), "*0\r\n");
    EXPECT_EQ(admin.Command({"SCAN", "0", "MATCH", key}), "*2\r\n$1\r\n0\r\n*0\r\n");
    std::string dbsize = unpause ? ":3\r\n" : ":2\r\n";
    EXPECT_EQ(admin.Command({"DBSIZE"}), dbsize);
    std::string keyspace = unpause ? "db0:keys=3,expires=2," : "db0:keys=2,expires=1,";
    EXPECT_NE(admin.Command({"INFO", "keyspace"}).find(keyspace), std::string::npos);
    std::string expired_keys = unpause ? "expired_keys:0\r\n" : "expired_keys:1\r\n";
    EXPECT_NE(admin.Command({"INFO", "stats"}).find(expired_keys), std::string::npos);

    if (unpause) {
      ASSERT_EQ(admin.Command({"CLIENT", "UNPAUSE"}), "+OK\r\n");
    } else {
      ASSERT_EQ(admin.Command({"RESPD", "TIME", "ADVANCE", "5000"}).front(), ':');
    }
    // The first event of all is the one the pause held back.
    EXPECT_EQ(admin.Command({"GET", key}), "$-1\r\n");
    EXPECT_EQ(subscriber.ReadReply(kReadTimeoutMs), kExpired + key + "\r\n");
    EXPECT_EQ(admin.Command({"DBSIZE"}), unpause ? ":2\r\n" : ":1\r\n");
  }
  EXPECT_NE(admin.Command({"INFO", "stats"}).find("expired_keys:2\r\n"), std::string::npos);
}

}  // namespace
}  // namespace respd::testing
