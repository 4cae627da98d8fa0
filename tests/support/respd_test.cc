#include "tests/support/respd_test.h"

#include <thread>

namespace respd::testing {

void RespdTest::SetUp() {
  server_ = std::make_unique<ServerProcess>(ServerProcess::StartRespd({"--threads", "2"}));
  ASSERT_TRUE(server_->running());
  ASSERT_TRUE(admin_.Connect(server_->port()));
}

RespClient RespdTest::Connect() {
  RespClient client;
  EXPECT_TRUE(client.Connect(server_->port()));
  return client;
}

void RespdTest::WaitForInfo(const std::string& section, const std::string& line) {
  for (int i = 0; i < kPollAttempts; ++i) {
    if (admin_.Command({"INFO", section}).find(line) != std::string::npos) return;
    std::this_thread::sleep_for(kPollInterval);
  }
  FAIL() << "INFO " << section << " never showed " << line;
}

}  // namespace respd::testing
