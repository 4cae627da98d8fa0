// Process behaviour of the real respd binary: `--port 0` binds a free port and logs it, SIGINT
// shuts down cleanly with exit status 0.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

extern char** environ;

namespace respd::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kStartWait = std::chrono::seconds(10);
constexpr auto kExitWait = std::chrono::seconds(5);

// True once `pid` (our child) has exited; it stays a zombie so the caller can still reap it.
bool ExitedWithoutReaping(pid_t pid, Clock::duration timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string fields;
    std::getline(stat, fields);
    // State is the field after the parenthesised command name.
    size_t paren = fields.rfind(')');
    if (paren == std::string::npos || paren + 2 >= fields.size() || fields[paren + 2] == 'Z') {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(ProcessTest, PortZeroPicksAFreePortAndLogsIt) {
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  std::string binary = RESPD_BINARY;
  // No save points: the process runs in the test's directory and must leave no dump.rdb there.
  std::vector<std::string> args = {binary, "--port", "0", "--bind", "127.0.0.1", "--save", ""};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  ASSERT_EQ(spawned, 0);

  // Read the log until the ready line names the port (bounded).
  static const std::regex kReady(R"(Ready to accept connections tcp on port (\d+))");
  std::string log;
  std::smatch match;
  auto deadline = Clock::now() + kStartWait;
  while (!std::regex_search(log, match, kReady) && Clock::now() < deadline) {
    pollfd pfd{out[0], POLLIN, 0};
    if (poll(&pfd, 1, 100) != 1) continue;
    char buffer[4096];
    ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    log.append(buffer, static_cast<size_t>(n));
  }
  int port = match.empty() ? 0 : std::stoi(match[1]);
  EXPECT_GT(port, 0) << "log:\n" << log;
  if (port > 0) {
    // No ASSERT before the kill below: the child must be stopped whatever happens.
    RespClient client;
    EXPECT_TRUE(client.Connect(port));
    EXPECT_EQ(client.Command({"PING"}), "+PONG\r\n");
  }

  kill(pid, SIGTERM);
  int status = -1;
  if (!ExitedWithoutReaping(pid, kExitWait)) kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  close(out[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST(ProcessTest, SigintExitsWithStatusZero) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  ASSERT_EQ(client.Command({"PING"}), "+PONG\r\n");

  ASSERT_EQ(kill(server.pid(), SIGINT), 0);
  // Wait for the exit ourselves so Stop()'s SIGTERM cannot be the signal that ended it.
  EXPECT_TRUE(ExitedWithoutReaping(server.pid(), kExitWait)) << "still running 5 s after SIGINT";
  int status = server.Stop();
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status << "; output:\n" << server.Output();
  EXPECT_EQ(WEXITSTATUS(status), 0) << "output:\n" << server.Output();
  EXPECT_NE(server.Output().find("SIGINT"), std::string::npos) << server.Output();
  EXPECT_TRUE(client.PeerClosed(1000));
}

}  // namespace
}  // namespace respd::testing
