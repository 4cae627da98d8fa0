// The fixture of the blocking tests: a two-thread respd, an admin connection, and a way to block
// clients in a known order.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {

constexpr int kPollAttempts = 500;
constexpr auto kPollInterval = std::chrono::milliseconds(10);

inline std::string Bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

inline std::string KeyValue(const std::string& key, const std::string& value) {
  return "*2\r\n" + Bulk(key) + Bulk(value);
}

class BlockingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(ServerProcess::StartRespd({"--threads", "2"}));
    ASSERT_TRUE(server_->running());
    ASSERT_TRUE(admin_.Connect(server_->port()));
  }

  RespClient Connect() {
    RespClient client;
    EXPECT_TRUE(client.Connect(server_->port()));
    return client;
  }

  // Sends a blocking command without reading, then waits (bounded) until the server counts
  // `blocked` blocked clients, so the order in which clients block is the order of these calls.
  void SendBlocking(RespClient& client, const std::vector<std::string>& args, int blocked) {
    ASSERT_TRUE(client.SendRaw(client.EncodeCommand(args)));
    WaitBlocked(blocked);
  }

  void WaitBlocked(int blocked) {
    std::string wanted = "blocked_clients:" + std::to_string(blocked) + "\r\n";
    for (int i = 0; i < kPollAttempts; ++i) {
      if (admin_.Command({"INFO", "clients"}).find(wanted) != std::string::npos) return;
      std::this_thread::sleep_for(kPollInterval);
    }
    FAIL() << "never reached " << wanted;
  }

  std::unique_ptr<ServerProcess> server_;
  RespClient admin_;
};

}  // namespace respd::testing
