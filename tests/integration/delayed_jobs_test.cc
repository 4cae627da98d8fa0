// A delayed-job scheduler as applications write it: jobs scored by due time; workers on several
// connections find due jobs with ZRANGEBYSCORE ... LIMIT and claim one with ZREM (the claim
// succeeds for exactly one worker), or take the earliest with ZPOPMIN.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/respd_test.h"

namespace respd::testing {
namespace {

constexpr int kWorkers = 4;
constexpr int kJobs = 600;

// The first bulk string of an array reply, or "" for an empty array.
std::string FirstBulk(const std::string& reply) {
  std::vector<std::string> elements = SplitTopLevelElements(reply);
  if (elements.empty() || elements[0].empty() || elements[0][0] != '$') return "";
  size_t nl = elements[0].find("\r\n");
  return elements[0].substr(nl + 2, elements[0].size() - nl - 4);
}

// Runs kWorkers connections, each calling `take` until it returns nullopt (queue empty) or
// `max_tries` calls; `take` returns the job it claimed, or "" when another worker won the race.
// Returns how many times each job was claimed.
std::map<std::string, int> RunWorkers(
    int port, int max_tries, const std::function<std::optional<std::string>(RespClient&)>& take) {
  std::mutex mutex;
  std::map<std::string, int> claims;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      RespClient client;
      if (!client.Connect(port)) return;
      for (int tries = 0; tries < max_tries; ++tries) {
        std::optional<std::string> job = take(client);
        if (!job) break;
        if (job->empty()) continue;
        std::lock_guard lock(mutex);
        ++claims[*job];
      }
    });
  }
  for (std::thread& t : workers) t.join();
  return claims;
}

class DelayedJobsTest : public RespdTest {
 protected:
  void SetUp() override {
    RespdTest::SetUp();
    if (HasFatalFailure()) return;
    RespClient producer = Connect();
    for (int i = 0; i < kJobs; ++i) {
      // Due times 0..kJobs-1; a third of them share a due time to exercise ties.
      ASSERT_EQ(
          producer.Command({"ZADD", "jobs", std::to_string(i - i % 3), "job" + std::to_string(i)}),
          ":1\r\n");
    }
  }

  void ExpectEachJobOnce(const std::map<std::string, int>& claims) {
    EXPECT_EQ(claims.size(), static_cast<size_t>(kJobs));
    for (const auto& [job, count] : claims) EXPECT_EQ(count, 1) << job;
    RespClient client;
    ASSERT_TRUE(client.Connect(server_->port()));
    EXPECT_EQ(client.Command({"EXISTS", "jobs"}), ":0\r\n");
  }
};

TEST_F(DelayedJobsTest, RangeThenRemClaimsEachJobOnce) {
  // Each try either claims, loses a race, or sees the queue empty.
  ExpectEachJobOnce(RunWorkers(
      server_->port(), kJobs * kWorkers * 4, [](RespClient& client) -> std::optional<std::string> {
        std::string job =
            FirstBulk(client.Command({"ZRANGEBYSCORE", "jobs", "-inf", "+inf", "LIMIT", "0", "1"}));
        if (job.empty()) return std::nullopt;
        if (client.Command({"ZREM", "jobs", job}) != ":1\r\n") return "";
        return job;
      }));
}

TEST_F(DelayedJobsTest, OnlyDueJobsAreVisible) {
  RespClient client;
  ASSERT_TRUE(client.Connect(server_->port()));
  // At time 10 the due jobs are job0..job11 (due times 0, 3, 6, 9), earliest first.
  EXPECT_EQ(client.Command({"ZCOUNT", "jobs", "-inf", "10"}), ":12\r\n");
  EXPECT_EQ(client.Command({"ZRANGEBYSCORE", "jobs", "-inf", "10", "LIMIT", "3", "2"}),
            "*2\r\n$4\r\njob3\r\n$4\r\njob4\r\n");
}

TEST_F(DelayedJobsTest, PopMinHandsOutEachJobOnce) {
  ExpectEachJobOnce(
      RunWorkers(server_->port(), kJobs, [](RespClient& client) -> std::optional<std::string> {
        std::string job = FirstBulk(client.Command({"ZPOPMIN", "jobs"}));
        if (job.empty()) return std::nullopt;
        return job;
      }));
}

TEST_F(DelayedJobsTest, BlockedWorkersGetEachJobOnce) {
  // Workers wait with BZPOPMIN on an empty queue; the producer then adds jobs one by one and,
  // last, one "stop" per worker (scored above every job, so popped last).
  constexpr int kBlockingJobs = 200;
  std::mutex mutex;
  std::map<std::string, int> claims;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      RespClient client;
      if (!client.Connect(server_->port(), 15000)) return;
      for (int tries = 0; tries <= kBlockingJobs; ++tries) {
        std::vector<std::string> reply =
            SplitTopLevelElements(client.Command({"BZPOPMIN", "queue", "10"}));
        if (reply.size() != 3 || reply[1].find("stop") != std::string::npos) break;
        std::lock_guard lock(mutex);
        ++claims[reply[1]];
      }
    });
  }
  RespClient producer;
  ASSERT_TRUE(producer.Connect(server_->port()));
  for (int i = 0; i < kBlockingJobs; ++i) {
    producer.Command({"ZADD", "queue", std::to_string(i), "job" + std::to_string(i)});
  }
  for (int w = 0; w < kWorkers; ++w) {
    producer.Command({"ZADD", "queue", "1e9", "stop" + std::to_string(w)});
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(claims.size(), static_cast<size_t>(kBlockingJobs));
  for (const auto& [job, count] : claims) EXPECT_EQ(count, 1) << job;
  EXPECT_EQ(producer.Command({"EXISTS", "queue"}), ":0\r\n");
}

// Waits (bounded) until INFO reports `n` blocked clients.
bool WaitBlocked(RespClient& client, int n) {
  std::string expected = "blocked_clients:" + std::to_string(n) + "\r\n";
  for (int i = 0; i < 2000; ++i) {
    if (client.Command({"INFO", "clients"}).find(expected) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

TEST_F(DelayedJobsTest, BlockedClientsAreServedInArrivalOrder) {
  RespClient control, first, second;
  ASSERT_TRUE(control.Connect(server_->port()));
  ASSERT_TRUE(first.Connect(server_->port()));
  ASSERT_TRUE(second.Connect(server_->port()));
  ASSERT_TRUE(first.SendRaw(first.EncodeCommand({"BZMPOP", "5", "1", "later", "MAX"})));
  ASSERT_TRUE(WaitBlocked(control, 1));
  ASSERT_TRUE(second.SendRaw(second.EncodeCommand({"BZPOPMIN", "later", "5"})));
  ASSERT_TRUE(WaitBlocked(control, 2));
  EXPECT_EQ(control.Command({"ZADD", "later", "1", "x", "2", "y"}), ":2\r\n");
  EXPECT_EQ(first.ReadReply(), "*2\r\n$5\r\nlater\r\n*1\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n");
  EXPECT_EQ(second.ReadReply(), "*3\r\n$5\r\nlater\r\n$1\r\nx\r\n$1\r\n1\r\n");
  EXPECT_EQ(control.Command({"EXISTS", "later"}), ":0\r\n");
}

}  // namespace
}  // namespace respd::testing
