// CallTimer measures at least the time that passed, both while its tick rate is still being
// measured (the first 100 ms of the process) and after it is fixed.
#include "server/dispatch/call_timer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace respd::server {
namespace {

TEST(CallTimerTest, CountsTheMicrosecondsThatPassedBeforeAndAfterCalibration) {
  for (int round = 0; round < 2; ++round) {
    uint64_t start = CallTimer::Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    uint64_t micros = CallTimer::MicrosSince(start);
    // Less only by the tick rate's measuring error, parts per million.
    EXPECT_GE(micros, 119'900u) << "round " << round;
    // Far above any scheduling delay, far below a unit mistake (ticks or nanoseconds).
    EXPECT_LT(micros, 60'000'000u) << "round " << round;
  }
  EXPECT_EQ(CallTimer::MicrosSince(CallTimer::Start() + (uint64_t{1} << 62)), 0u);
}

}  // namespace
}  // namespace respd::server
