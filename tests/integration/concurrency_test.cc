// Many clients at once on a multi-threaded respd: every client gets exactly its own replies, in
// order, whichever I/O thread its connection landed on.
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
constexpr int kCommandsPerClient = 1000;

TEST(ConcurrencyTest, EightClientsPingOnTwoThreads) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());

  std::atomic<int> good_replies{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kClients; ++w) {
    workers.emplace_back([&, w] {
      RespClient client;
      if (!client.Connect(server.port())) return;
      // ECHO with a per-client payload shows replies never cross between connections.
      for (int i = 0; i < kCommandsPerClient; ++i) {
        std::string payload = std::to_string(w) + ":" + std::to_string(i);
        std::string expected = "$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
        std::string reply =
            i % 2 == 0 ? client.Command({"PING"}) : client.Command({"ECHO", payload});
        if (reply == (i % 2 == 0 ? std::string("+PONG\r\n") : expected)) ++good_replies;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(good_replies.load(), kClients * kCommandsPerClient);
}

TEST(ConcurrencyTest, IncrFromEightClientsOnTwoThreadsLosesNothing) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());

  // Each client's replies must be integers that only grow: INCR is atomic and read-your-writes.
  std::atomic<int> increasing_replies{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kClients; ++w) {
    workers.emplace_back([&] {
      RespClient client;
      if (!client.Connect(server.port())) return;
      long long last = 0;
      for (int i = 0; i < kCommandsPerClient; ++i) {
        std::string reply = client.Command({"INCR", "counter"});
        if (reply.size() < 4 || reply[0] != ':') continue;
        long long value = std::stoll(reply.substr(1));
        if (value > last) ++increasing_replies;
        last = value;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(increasing_replies.load(), kClients * kCommandsPerClient);

  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"GET", "counter"}), "$4\r\n8000\r\n");
}

}  // namespace
}  // namespace respd::testing
