// The server's time decisions follow its Clock, not real time: blocked clients' deadlines, idle
// client timeouts and active expiry. The server runs in this process on a real port so the test
// holds its Clock, as the RESPD time controls will; clients talk RESP to it over loopback.
// Waits for something that must not happen are bounded real waits; everything else is polled
// with a bound.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/composition.h"
#include "server/config/config.h"
#include "server/net/server.h"
#include "storage/clock.h"
#include "tests/support/resp_client.h"

namespace respd::server {
namespace {

using respd::testing::RespClient;

constexpr int64_t kStartUs = 1'700'000'000'000'000;
constexpr int64_t kUsPerMs = 1000;
constexpr int kPollAttempts = 500;
constexpr auto kPollInterval = std::chrono::milliseconds(10);
// How long a test waits to see that something does not happen: many times the timeouts involved.
constexpr int kQuietMs = 300;

class ServerClockTest : public ::testing::Test {
 protected:
  // `threads` I/O threads, a fast cron (hz 100) so cron-driven effects show quickly.
  void StartServer(int threads) {
    config_.ApplyConfigText("port 0\nbind 127.0.0.1\nhz 100\nthreads " + std::to_string(threads) +
                            "\n");
    clock_.FreezeAt(kStartUs);
    server_ = std::make_unique<Server>(config_, clock_);
    Compose(server_->context());
    runner_ = std::thread([this] { server_->Run(); });
    for (int i = 0; i < kPollAttempts && server_->context().tcp_port.load() == 0; ++i) {
      std::this_thread::sleep_for(kPollInterval);
    }
    ASSERT_NE(server_->context().tcp_port.load(), 0);
  }

  void TearDown() override {
    if (server_ == nullptr) return;
    server_->Stop();
    runner_.join();
  }

  RespClient Connect() {
    RespClient client;
    EXPECT_TRUE(client.Connect(server_->context().tcp_port.load()));
    return client;
  }

  // Polls (bounded) until the server counts `blocked` blocked clients.
  void WaitBlocked(RespClient& admin, int blocked) {
    std::string wanted = "blocked_clients:" + std::to_string(blocked) + "\r\n";
    for (int i = 0; i < kPollAttempts; ++i) {
      if (admin.Command({"INFO", "clients"}).find(wanted) != std::string::npos) return;
      std::this_thread::sleep_for(kPollInterval);
    }
    FAIL() << "never reached " << wanted;
  }

  Config config_;
  storage::Clock clock_;
  std::unique_ptr<Server> server_;
  std::thread runner_;
};

TEST_F(ServerClockTest, FrozenClockNeverTimesOutAWaiterAndAdvancingItDoes) {
  StartServer(2);
  RespClient admin = Connect();
  std::vector<RespClient> waiters;
  // Enough clients that both I/O threads hold waiters.
  for (int i = 0; i < 4; ++i) {
    waiters.push_back(Connect());
    ASSERT_TRUE(waiters.back().SendRaw(waiters.back().EncodeCommand({"BLPOP", "q", "0.01"})));
    WaitBlocked(admin, i + 1);
  }
  for (RespClient& waiter : waiters) EXPECT_EQ(waiter.ReadReply(kQuietMs / 4), "");
  clock_.Advance(9 * kUsPerMs);
  EXPECT_EQ(waiters[0].ReadReply(kQuietMs), "");
  clock_.Advance(1 * kUsPerMs);
  for (RespClient& waiter : waiters) EXPECT_EQ(waiter.ReadReply(), "*-1\r\n");
  WaitBlocked(admin, 0);
  EXPECT_EQ(waiters[0].Command({"PING"}), "+PONG\r\n");
}

TEST_F(ServerClockTest, WaitersTimeOutInTheOrderOfTheirDeadlinesOnTheClock) {
  StartServer(1);
  RespClient admin = Connect();
  RespClient late = Connect();
  RespClient early = Connect();
  ASSERT_TRUE(late.SendRaw(late.EncodeCommand({"BLPOP", "q", "20"})));
  WaitBlocked(admin, 1);
  ASSERT_TRUE(early.SendRaw(early.EncodeCommand({"BRPOP", "q", "10"})));
  WaitBlocked(admin, 2);
  clock_.Advance(10'000 * kUsPerMs);
  EXPECT_EQ(early.ReadReply(), "*-1\r\n");
  EXPECT_EQ(late.ReadReply(kQuietMs), "");
  // A waiter still blocked is still served, first come first served.
  EXPECT_EQ(admin.Command({"RPUSH", "q", "a"}), ":1\r\n");
  EXPECT_EQ(late.ReadReply(), "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
}

TEST_F(ServerClockTest, LettingTheClockRunAgainArmsTheDeadlines) {
  StartServer(2);
  RespClient admin = Connect();
  RespClient waiter = Connect();
  ASSERT_TRUE(waiter.SendRaw(waiter.EncodeCommand({"BZPOPMIN", "z", "0.005"})));
  WaitBlocked(admin, 1);
  EXPECT_EQ(waiter.ReadReply(kQuietMs), "");
  clock_.Unfreeze();
  EXPECT_EQ(waiter.ReadReply(), "*-1\r\n");
}

TEST_F(ServerClockTest, AFlowingClockMovedFarAheadTimesOutALongWait) {
  StartServer(2);
  clock_.Unfreeze();
  RespClient admin = Connect();
  RespClient waiter = Connect();
  ASSERT_TRUE(waiter.SendRaw(waiter.EncodeCommand({"BLMOVE", "q", "d", "LEFT", "LEFT", "3600"})));
  WaitBlocked(admin, 1);
  clock_.Advance(int64_t{3600} * 1000 * kUsPerMs);
  EXPECT_EQ(waiter.ReadReply(), "*-1\r\n");  // Redis answers a timed-out BLMOVE so too
}

TEST_F(ServerClockTest, IdleTimeoutFollowsTheClock) {
  // One I/O thread: one sweep looks at both clients.
  StartServer(1);
  RespClient first = Connect();
  RespClient second = Connect();
  EXPECT_EQ(first.Command({"CONFIG", "SET", "timeout", "1"}), "+OK\r\n");
  // Real time past a sweep (one a second) moves nothing on a frozen clock.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(second.Command({"PING"}), "+PONG\r\n");
  clock_.Advance(600 * kUsPerMs);
  EXPECT_EQ(second.Command({"PING"}), "+PONG\r\n");
  // `first` has now been idle 1.2 s of Clock time, `second` 0.6 s.
  clock_.Advance(600 * kUsPerMs);
  EXPECT_TRUE(first.PeerClosed(5000));
  EXPECT_EQ(second.Command({"PING"}), "+PONG\r\n");
}

TEST_F(ServerClockTest, ActiveExpiryRemovesKeysOnceTheClockPassesTheirTtl) {
  StartServer(2);
  RespClient client = Connect();
  EXPECT_EQ(client.Command({"SET", "k", "v", "PX", "100"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"SET", "keep", "v", "PX", "100000"}), "+OK\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(kQuietMs));
  // DBSIZE counts keys not yet removed, as in Redis: nothing expired on its own.
  EXPECT_EQ(client.Command({"DBSIZE"}), ":2\r\n");
  clock_.Advance(100 * kUsPerMs);
  std::string size;
  for (int i = 0; i < kPollAttempts && (size = client.Command({"DBSIZE"})) != ":1\r\n"; ++i) {
    std::this_thread::sleep_for(kPollInterval);
  }
  EXPECT_EQ(size, ":1\r\n");
  EXPECT_NE(client.Command({"INFO", "stats"}).find("expired_keys:1\r\n"), std::string::npos);
}

}  // namespace
}  // namespace respd::server
