// RESPD FAULT DOWN against the real binary: every connection closes, TCP and unix-socket clients
// are refused while the server is down and get in again afterwards, as across a restart; data
// survives; the argument's bounds.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace respd::testing {
namespace {

// Reconnect attempts are this far apart, at most kAttempts of them (the loop is bounded; a long
// DOWN keeps the refused phase wide enough to be seen on a loaded machine).
constexpr auto kRetryInterval = std::chrono::milliseconds(10);
constexpr int kAttempts = 1000;
constexpr std::string_view kDownMs = "1000";

// connect(2)'s errno for one attempt (0: it connected; the socket is closed again).
int ConnectErrno(int family, const sockaddr* addr, socklen_t len) {
  int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0) return errno;
  int result = connect(fd, addr, len) == 0 ? 0 : errno;
  close(fd);
  return result;
}

int TcpConnectErrno(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ConnectErrno(AF_INET, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
}

int UnixConnectErrno(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  return ConnectErrno(AF_UNIX, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
}

// What a client reconnecting in a loop saw: refusals, then a server answering PING.
struct Reconnect {
  bool refused = false;
  bool answered = false;
};

template <class Attempt, class Ping>
Reconnect ReconnectLoop(Attempt attempt, Ping ping) {
  Reconnect seen;
  for (int i = 0; i < kAttempts && !seen.answered; ++i) {
    int error = attempt();
    if (error == ECONNREFUSED) {
      seen.refused = true;
    } else if (error == 0 && seen.refused) {
      seen.answered = ping();
    }
    if (!seen.answered) std::this_thread::sleep_for(kRetryInterval);
  }
  return seen;
}

TEST(RespdDownTest, ClosesEveryConnectionAndRefusesTcpAndUnixClientsForAWhile) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string path = dir.path() + "/respd.sock";
  ServerProcess server =
      ServerProcess::StartRespd({"--threads", "2", "--unixsocket", path});
  ASSERT_TRUE(server.running());
  RespClient admin;
  ASSERT_TRUE(admin.Connect(server.port()));
  RespClient tcp_bystander;
  ASSERT_TRUE(tcp_bystander.Connect(server.port()));
  RespClient unix_bystander;
  ASSERT_TRUE(unix_bystander.ConnectUnix(path));
  EXPECT_EQ(tcp_bystander.Command({"SET", "kept", "1"}), "+OK\r\n");
  EXPECT_EQ(unix_bystander.Command({"PING"}), "+PONG\r\n");

  // The caller gets its OK, then loses its connection like everyone else.
  EXPECT_EQ(admin.Command({"RESPD", "FAULT", "DOWN", std::string(kDownMs)}), "+OK\r\n");
  EXPECT_EQ(admin.ReadUntilClosed(), "");
  EXPECT_EQ(tcp_bystander.ReadUntilClosed(), "");
  EXPECT_EQ(unix_bystander.ReadUntilClosed(), "");

  Reconnect unix_seen = ReconnectLoop([&] { return UnixConnectErrno(path); },
                                      [&] {
                                        RespClient client;
                                        return client.ConnectUnix(path) &&
                                               client.Command({"PING"}) == "+PONG\r\n";
                                      });
  EXPECT_TRUE(unix_seen.refused);
  EXPECT_TRUE(unix_seen.answered);
  // The listeners open together: TCP answers too, on the same port, with the data of before.
  RespClient back;
  ASSERT_TRUE(back.Connect(server.port()));
  EXPECT_EQ(back.Command({"GET", "kept"}), "$1\r\n1\r\n");
}

TEST(RespdDownTest, TcpClientsAreRefusedThenServed) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());
  RespClient admin;
  ASSERT_TRUE(admin.Connect(server.port()));
  EXPECT_EQ(admin.Command({"RESPD", "FAULT", "DOWN", std::string(kDownMs)}), "+OK\r\n");
  EXPECT_EQ(admin.ReadUntilClosed(), "");
  Reconnect seen = ReconnectLoop([&] { return TcpConnectErrno(server.port()); },
                                 [&] {
                                   RespClient client;
                                   return client.Connect(server.port()) &&
                                          client.Command({"PING"}) == "+PONG\r\n";
                                 });
  EXPECT_TRUE(seen.refused);
  EXPECT_TRUE(seen.answered);
}

TEST(RespdDownTest, ZeroRestartsAtOnceAndBadDurationsAreRefused) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running());
  RespClient admin;
  ASSERT_TRUE(admin.Connect(server.port()));
  const std::string kBad = "-ERR invalid time: ms must be an integer between 0 and 3600000\r\n";
  EXPECT_EQ(admin.Command({"RESPD", "FAULT", "DOWN", "-1"}), kBad);
  EXPECT_EQ(admin.Command({"RESPD", "FAULT", "DOWN", "3600001"}), kBad);
  EXPECT_EQ(admin.Command({"RESPD", "FAULT", "DOWN", "soon"}), kBad);
  EXPECT_EQ(admin.Command({"PING"}), "+PONG\r\n");  // refusals leave the server up
  EXPECT_EQ(admin.Command({"RESPD", "FAULT", "DOWN", "0"}), "+OK\r\n");
  EXPECT_EQ(admin.ReadUntilClosed(), "");
  bool served = false;
  for (int i = 0; i < kAttempts && !served; ++i) {
    RespClient client;
    served = client.Connect(server.port()) && client.Command({"PING"}) == "+PONG\r\n";
    if (!served) std::this_thread::sleep_for(kRetryInterval);
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace respd::testing
