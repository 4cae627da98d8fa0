// A delayed-job scheduler as applications write it: jobs scored by due time; workers on several
// connections find due jobs with ZRANGEBYSCORE ... LIMIT and claim one with ZREM (the claim
// succeeds for exactly one worker), or take the earliest with ZPOPMIN.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

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

class DelayedJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(ServerProcess::StartRespd({"--threads", "2"}));
    ASSERT_TRUE(server_->running());
    RespClient producer;
    ASSERT_TRUE(producer.Connect(server_->port()));
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

  std::unique_ptr<ServerProcess> server_;
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

}  // namespace
}  // namespace respd::testing
