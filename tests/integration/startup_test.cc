// Process-level checks of the real respd binary: it starts, logs that it is ready, answers, serves
// several clients at once, and exits cleanly on SIGTERM. Talks to it only over TCP and signals.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The ready line may be written just after the port starts accepting; give the log a moment.
constexpr auto kLogWait = std::chrono::seconds(2);
// Stop() escalates to SIGKILL after 5 s; a clean shutdown must come well before that.
constexpr auto kMaxShutdown = std::chrono::seconds(4);

TEST(StartupTest, AnswersPing) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"PING"}), "+PONG\r\n");
}

TEST(StartupTest, LogsReadyLine) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  auto deadline = Clock::now() + kLogWait;
  while (server.Output().find("Ready to accept connections") == std::string::npos &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(server.Output().find("Ready to accept connections"), std::string::npos)
      << "output:\n"
      << server.Output();
}

TEST(StartupTest, SigtermExitsCleanly) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  ASSERT_EQ(client.Command({"PING"}), "+PONG\r\n");

  auto start = Clock::now();
  int status = server.Stop();
  auto elapsed = Clock::now() - start;
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status << "; output:\n" << server.Output();
  EXPECT_EQ(WEXITSTATUS(status), 0) << "output:\n" << server.Output();
  EXPECT_LT(elapsed, kMaxShutdown);
  // A connected client sees the close rather than a hang.
  EXPECT_TRUE(client.PeerClosed(1000));
}

TEST(StartupTest, SecondClientWhileFirstConnected) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  RespClient first;
  ASSERT_TRUE(first.Connect(server.port()));
  ASSERT_EQ(first.Command({"PING"}), "+PONG\r\n");

  // The first client stays connected and idle; the second must still be served.
  RespClient second;
  ASSERT_TRUE(second.Connect(server.port()));
  EXPECT_EQ(second.Command({"ECHO", "second"}), "$6\r\nsecond\r\n");
  EXPECT_EQ(first.Command({"ECHO", "first"}), "$5\r\nfirst\r\n");
  // A partial command on one connection must not block the other.
  ASSERT_TRUE(first.SendRaw("*2\r\n$4\r\nECHO\r\n"));
  EXPECT_EQ(second.Command({"PING"}), "+PONG\r\n");
  ASSERT_TRUE(first.SendRaw("$3\r\nend\r\n"));
  EXPECT_EQ(first.ReadReply(), "$3\r\nend\r\n");
}

}  // namespace
}  // namespace respd::testing
