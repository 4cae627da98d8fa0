// respd on a unix-domain socket (unixsocket, unixsocketperm) as redis-server 7.0 serves one, and
// protected mode: TCP clients from other than loopback are refused while no password is set.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace respd::testing {
namespace {

// Redis 7.0's reply to a client protected mode refuses (typo included).
constexpr std::string_view kDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the "
    "protected mode by editing the Redis configuration file, and setting the protected mode option "
    "to 'no', and then restarting the server. 3) If you started the server manually just for "
    "testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order for "
    "the server to start accepting connections from the outside.\r\n";

// Leaves a socket file at `path` with nobody listening, as a server killed without cleanup does.
bool LeaveStaleSocket(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

std::string Bulk(std::string_view text) {
  return "$" + std::to_string(text.size()) + "\r\n" + std::string(text) + "\r\n";
}

TEST(UnixSocketTest, ServesOnTheSocketWithItsPermissionsAndRemovesItAtExit) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string path = dir.path() + "/respd.sock";
  ASSERT_TRUE(LeaveStaleSocket(path));
  ServerProcess server =
      ServerProcess::StartRespd({"--unixsocket", path, "--unixsocketperm", "0700"});
  ASSERT_TRUE(server.running());
  // StartRespd waits for the TCP port only, which the kernel accepts on before respd has
  // replaced the stale socket file; a reply means every listener is set up.
  RespClient tcp;
  ASSERT_TRUE(tcp.Connect(server.port()));
  ASSERT_EQ(tcp.Command({"PING"}), "+PONG\r\n");

  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0700u);

  RespClient client;
  ASSERT_TRUE(client.ConnectUnix(path));
  EXPECT_EQ(client.Command({"PING"}), "+PONG\r\n");
  EXPECT_EQ(client.Command({"CONFIG", "GET", "unixsocket"}),
            "*2\r\n" + Bulk("unixsocket") + Bulk(path));
  EXPECT_EQ(client.Command({"CONFIG", "GET", "unixsocketperm"}),
            "*2\r\n" + Bulk("unixsocketperm") + Bulk("700"));
  EXPECT_EQ(client.Command({"CONFIG", "SET", "unixsocketperm", "777"}),
            "-ERR CONFIG SET failed (possibly related to argument 'unixsocketperm') - can't set "
            "immutable config\r\n");
  std::string line = client.Command({"CLIENT", "INFO"});
  EXPECT_NE(line.find(" addr=" + path + ":0 laddr=" + path + ":0 "), std::string::npos) << line;
  EXPECT_NE(line.find(" flags=U "), std::string::npos) << line;
  // CLIENT LIST with no argument lists every client (the one line here, as CLIENT INFO's).
  std::string list = client.Command({"CLIENT", "LIST"});
  EXPECT_NE(list.find(" addr=" + path + ":0 laddr=" + path + ":0 "), std::string::npos) << list;

  // TCP stays served next to the socket, and its clients are not flagged U.
  std::string tcp_line = tcp.Command({"CLIENT", "INFO"});
  EXPECT_NE(tcp_line.find(" addr=127.0.0.1:"), std::string::npos) << tcp_line;
  EXPECT_NE(tcp_line.find(" flags=N "), std::string::npos) << tcp_line;

  // A pipeline of many commands in one write over the socket: every reply, in order.
  constexpr int kCommands = 2000;
  std::string pipeline;
  for (int i = 0; i < kCommands; ++i) {
    pipeline += client.EncodeCommand({"INCR", "counter"});
  }
  ASSERT_TRUE(client.SendRaw(pipeline));
  for (int i = 1; i <= kCommands; ++i) {
    ASSERT_EQ(client.ReadReply(), ":" + std::to_string(i) + "\r\n") << "reply " << i;
  }

  EXPECT_EQ(server.Stop(), 0) << server.Output();
  EXPECT_FALSE(std::filesystem::exists(path)) << "socket file left behind";
}

TEST(UnixSocketTest, PortZeroWithASocketListensOnlyOnTheSocket) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string path = dir.path() + "/only.sock";
  ServerProcess server = ServerProcess::StartRespdUnixOnly(path);
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.ConnectUnix(path));
  std::string info = client.Command({"INFO", "server"});
  EXPECT_NE(info.find("\r\ntcp_port:0\r\n"), std::string::npos) << info;
  EXPECT_EQ(client.Command({"CONFIG", "GET", "port"}), "*2\r\n" + Bulk("port") + Bulk("0"));
  std::string output = server.Output();
  EXPECT_EQ(output.find("accept connections tcp"), std::string::npos) << output;
  EXPECT_NE(output.find("ready to accept connections at " + path), std::string::npos) << output;
}

TEST(UnixSocketTest, AnUnusableSocketPathIsAStartUpError) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string path = dir.path() + "/no-such-dir/respd.sock";
  std::string binary = RESPD_BINARY;
  // Bounded by timeout(1) in case the server came up after all.
  std::string command = "timeout 10 " + binary + " --port 0 --unixsocket " + path + " 2>&1";
  FILE* out = popen(command.c_str(), "r");
  ASSERT_NE(out, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), out)) output.append(buffer, n);
  int status = pclose(out);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status << "\n" << output;
  EXPECT_NE(output.find("Failed opening Unix socket: bind: No such file or directory"),
            std::string::npos)
      << output;
}

// Protected mode needs a client whose address is not 127.0.0.1 or ::1: servers in tests bind
// 127.0.0.1 only, so the client connects from 127.0.0.2, which Redis refuses as well.
constexpr char kOutsideSource[] = "127.0.0.2";

class ProtectedModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.path() + "/respd.sock";
  }

  TempDir dir_;
  std::string path_;
};

TEST_F(ProtectedModeTest, RefusesNonLoopbackClientsWithoutAPasswordButNotTheSocket) {
  ServerProcess server = ServerProcess::StartRespd({"--unixsocket", path_});
  ASSERT_TRUE(server.running());
  RespClient outside;
  ASSERT_TRUE(outside.Connect("127.0.0.1", server.port(), 5000, kOutsideSource));
  EXPECT_EQ(outside.ReadUntilClosed(), kDenied);

  RespClient local;
  ASSERT_TRUE(local.ConnectUnix(path_));
  EXPECT_EQ(local.Command({"PING"}), "+PONG\r\n");
  std::string stats = local.Command({"INFO", "stats"});
  // The refused client counts as rejected, not received.
  EXPECT_NE(stats.find("\r\nrejected_connections:1\r\n"), std::string::npos) << stats;

  ASSERT_EQ(local.Command({"CONFIG", "SET", "protected-mode", "no"}), "+OK\r\n");
  ASSERT_TRUE(outside.Connect("127.0.0.1", server.port(), 5000, kOutsideSource));
  EXPECT_EQ(outside.Command({"PING"}), "+PONG\r\n");
  std::string line = outside.Command({"CLIENT", "INFO"});
  EXPECT_NE(line.find(" addr=127.0.0.2:"), std::string::npos) << line;

  // A password lets outside clients in to authenticate.
  ASSERT_EQ(local.Command({"CONFIG", "SET", "protected-mode", "yes", "requirepass", "secret"}),
            "+OK\r\n");
  RespClient with_password;
  ASSERT_TRUE(with_password.Connect("127.0.0.1", server.port(), 5000, kOutsideSource));
  EXPECT_EQ(with_password.Command({"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(with_password.Command({"AUTH", "secret"}), "+OK\r\n");
}

TEST_F(ProtectedModeTest, DeniedReplyIsRedisOwn) {
  RESPD_REQUIRE_REDIS_SERVER();
  ServerProcess redis = ServerProcess::StartRedis();
  ASSERT_TRUE(redis.running());
  RespClient client;
  ASSERT_TRUE(client.Connect("127.0.0.1", redis.port(), 5000, kOutsideSource));
  EXPECT_EQ(client.ReadUntilClosed(), kDenied);
}

}  // namespace
}  // namespace respd::testing
