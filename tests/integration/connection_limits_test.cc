// maxclients and timeout on the real respd binary: the client over the limit gets Redis's error and
// is closed; an idle client is closed after `timeout` seconds while a busy one stays.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

using Clock = std::chrono::steady_clock;

TEST(ConnectionLimitsTest, MaxclientsRefusesTheExtraClient) {
  ServerProcess server = ServerProcess::StartRespd({"--maxclients", "2"});
  ASSERT_TRUE(server.running());
  RespClient first;
  RespClient second;
  ASSERT_TRUE(first.Connect(server.port()));
  ASSERT_TRUE(second.Connect(server.port()));
  // Both must be registered before the third arrives.
  ASSERT_EQ(first.Command({"PING"}), "+PONG\r\n");
  ASSERT_EQ(second.Command({"PING"}), "+PONG\r\n");

  RespClient third;
  ASSERT_TRUE(third.Connect(server.port()));
  EXPECT_EQ(third.ReadUntilClosed(), "-ERR max number of clients reached\r\n");
  EXPECT_TRUE(third.eof());

  // The refused client did not take a slot: once one leaves, a newcomer is served.
  first.Close();
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    RespClient newcomer;
    ASSERT_TRUE(newcomer.Connect(server.port()));
    served = newcomer.Command({"PING"}) == "+PONG\r\n";
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(served);
  EXPECT_EQ(second.Command({"PING"}), "+PONG\r\n");
}

TEST(ConnectionLimitsTest, TimeoutClosesIdleClientButNotBusyOne) {
  ServerProcess server = ServerProcess::StartRespd({"--timeout", "1"});
  ASSERT_TRUE(server.running());
  RespClient idle;
  RespClient busy;
  ASSERT_TRUE(idle.Connect(server.port()));
  ASSERT_TRUE(busy.Connect(server.port()));
  ASSERT_EQ(idle.Command({"PING"}), "+PONG\r\n");

  // The busy client talks every 200 ms until the idle one is gone (bounded at 10 s).
  auto deadline = Clock::now() + std::chrono::seconds(10);
  bool idle_closed = false;
  int busy_failures = 0;
  while (!idle_closed && Clock::now() < deadline) {
    if (busy.Command({"PING"}) != "+PONG\r\n") ++busy_failures;
    idle_closed = idle.PeerClosed(200);
  }
  EXPECT_TRUE(idle_closed) << "idle client still open after 10 s with --timeout 1";
  EXPECT_EQ(busy_failures, 0);
  // Keep the busy one busy past another full timeout period: it must survive.
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(busy.Command({"PING"}), "+PONG\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace
}  // namespace respd::testing
