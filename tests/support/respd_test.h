// The fixture of integration tests that need one running respd: a two-thread server (so
// cross-thread paths run), an admin connection, new connections on demand, and a bounded wait for
// a condition read from INFO.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {

class RespdTest : public ::testing::Test {
 protected:
  static constexpr int kPollAttempts = 800;
  static constexpr auto kPollInterval = std::chrono::milliseconds(10);

  void SetUp() override;

  RespClient Connect();
  // Polls `INFO <section>` (bounded) until it contains `line`; fails the test if it never does.
  void WaitForInfo(const std::string& section, const std::string& line);

  std::unique_ptr<ServerProcess> server_;
  RespClient admin_;
};

}  // namespace respd::testing
