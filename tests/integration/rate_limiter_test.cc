// A sliding-window rate limiter as applications write it: per request, one MULTI with
// ZREMRANGEBYSCORE (drop what left the window), ZADD (this request), ZCARD (requests in the
// window), from several connections on a multi-threaded respd.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kClients = 4;
constexpr int kRequestsPerClient = 250;
constexpr int kTotal = kClients * kRequestsPerClient;
constexpr int kWindow = 100;  // timestamps

// The ZCARD reply at the end of an EXEC reply "*3\r\n:<removed>\r\n:<added>\r\n:<card>\r\n".
int CardOf(const std::string& exec_reply) {
  size_t last = exec_reply.rfind("\r\n:");
  if (exec_reply.rfind("*3\r\n", 0) != 0 || last == std::string::npos) return -1;
  return std::stoi(exec_reply.substr(last + 3));
}

TEST(RateLimiterTest, TransactionsFromFourClientsSeeEveryCountOnce) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());

  // Timestamps only grow and the window is never passed during the run, so each transaction adds
  // one member and, being atomic, sees a count no other transaction saw.
  std::atomic<int> clock{0};
  std::mutex mutex;
  std::vector<int> cards;
  std::vector<std::thread> workers;
  for (int w = 0; w < kClients; ++w) {
    workers.emplace_back([&, w] {
      RespClient client;
      if (!client.Connect(server.port())) return;
      for (int i = 0; i < kRequestsPerClient; ++i) {
        int now = clock.fetch_add(1) + kTotal;
        std::string member = std::to_string(w) + ":" + std::to_string(i);
        client.Command({"MULTI"});
        client.Command({"ZREMRANGEBYSCORE", "limiter", "-inf", std::to_string(-1)});
        client.Command({"ZADD", "limiter", std::to_string(now), member});
        client.Command({"ZCARD", "limiter"});
        int card = CardOf(client.Command({"EXEC"}));
        std::lock_guard lock(mutex);
        cards.push_back(card);
      }
    });
  }
  for (std::thread& t : workers) t.join();
  ASSERT_EQ(cards.size(), static_cast<size_t>(kTotal));
  std::sort(cards.begin(), cards.end());
  for (int i = 0; i < kTotal; ++i) EXPECT_EQ(cards[i], i + 1);

  // Sliding the window forward keeps only its last kWindow timestamps.
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  std::string cutoff = "(" + std::to_string(2 * kTotal - kWindow);
  EXPECT_EQ(client.Command({"ZREMRANGEBYSCORE", "limiter", "-inf", cutoff}),
            ":" + std::to_string(kTotal - kWindow) + "\r\n");
  EXPECT_EQ(client.Command({"ZCARD", "limiter"}), ":" + std::to_string(kWindow) + "\r\n");
}

TEST(RateLimiterTest, LimitIsEnforcedAcrossClients) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());

  // Every client asks in the same instant; a request is allowed when the count it sees is within
  // the limit. Exactly kLimit requests may pass, whatever the interleaving.
  constexpr int kLimit = 37;
  std::atomic<int> allowed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kClients; ++w) {
    workers.emplace_back([&, w] {
      RespClient client;
      if (!client.Connect(server.port())) return;
      for (int i = 0; i < 50; ++i) {
        client.Command({"MULTI"});
        client.Command({"ZREMRANGEBYSCORE", "instant", "-inf", "(1000"});
        client.Command({"ZADD", "instant", "1000", std::to_string(w) + "-" + std::to_string(i)});
        client.Command({"ZCARD", "instant"});
        if (CardOf(client.Command({"EXEC"})) <= kLimit) ++allowed;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(allowed.load(), kLimit);
}

}  // namespace
}  // namespace respd::testing
