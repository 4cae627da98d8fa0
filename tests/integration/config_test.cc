// The real binary's configuration: a config file plus command-line overrides seen through CONFIG
// GET, and a bad directive stopping start-up with Redis's message and a non-zero exit.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

std::filesystem::path ScratchFile(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("respd_it_config_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigIntegrationTest, FileThenCommandLineOverrides) {
  auto conf = ScratchFile("ok.conf",
                          "# from a file\ntimeout 30\nmaxmemory 1mb\nappendonly no\n"
                          "maxmemory-policy allkeys-lru\n");
  ServerProcess server = ServerProcess::StartRespd({"--include", conf.string(), "--timeout", "45"});
  ASSERT_TRUE(server.running()) << server.Output();
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"CONFIG", "GET", "timeout"}), "*2\r\n$7\r\ntimeout\r\n$2\r\n45\r\n");
  EXPECT_EQ(client.Command({"CONFIG", "GET", "maxmemory"}),
            "*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n");
  EXPECT_EQ(client.Command({"CONFIG", "GET", "maxmemory-policy"}),
            "*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n");
  EXPECT_EQ(client.Command({"CONFIG", "SET", "loglevel", "debug"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"CONFIG", "GET", "loglevel"}),
            "*2\r\n$8\r\nloglevel\r\n$5\r\ndebug\r\n");
  std::filesystem::remove(conf);
}

TEST(ConfigIntegrationTest, UnknownDirectiveExitsNonZero) {
  auto conf = ScratchFile("bad.conf", "port 0\nno-such-directive yes\n");
  auto log = ScratchFile("bad.log", "");
  std::string command =
      std::string(RESPD_BINARY) + " " + conf.string() + " > " + log.string() + " 2>&1 < /dev/null";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  std::ifstream file(log);
  std::ostringstream output;
  output << file.rdbuf();
  EXPECT_NE(output.str().find(">>> 'no-such-directive yes'\nBad directive or wrong number of "
                              "arguments"),
            std::string::npos)
      << output.str();
  std::filesystem::remove(conf);
  std::filesystem::remove(log);
}

// enable-debug-command local: tests connect over loopback, so DEBUG runs for them.
TEST(ConfigIntegrationTest, DebugRunsForLoopbackClientsWhenLocal) {
  ServerProcess server = ServerProcess::StartRespd({"--enable-debug-command", "local"});
  ASSERT_TRUE(server.running()) << server.Output();
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"DEBUG", "SLEEP", "0"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"CONFIG", "GET", "enable-debug-command"}),
            "*2\r\n$20\r\nenable-debug-command\r\n$5\r\nlocal\r\n");
}

// A listening socket on 127.0.0.1:`port`, closed when it goes.
class PortTaker {
 public:
  explicit PortTaker(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listening_ = bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                 listen(fd_, 1) == 0;
  }
  ~PortTaker() { close(fd_); }
  bool listening() const { return listening_; }

 private:
  int fd_;
  bool listening_ = false;
};

// CONFIG SET port moves the listener as Redis's does: the new port accepts, the old one no longer
// does, connections stay; a port already taken fails the whole CONFIG SET with Redis's reason
// and puts every value back; port 0 stops TCP until a port is set again.
TEST(ConfigIntegrationTest, ConfigSetPortMovesTheListener) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running()) << server.Output();
  RespClient admin;
  ASSERT_TRUE(admin.Connect(server.port()));
  int moved = FreePort();
  EXPECT_EQ(admin.Command({"CONFIG", "SET", "port", std::to_string(moved)}), "+OK\r\n");
  RespClient client;
  ASSERT_TRUE(client.Connect(moved));
  EXPECT_EQ(client.Command({"PING"}), "+PONG\r\n");
  EXPECT_EQ(InfoField(client.Command({"INFO", "server"}), "tcp_port"), std::to_string(moved));
  RespClient old_port;
  EXPECT_FALSE(old_port.Connect(server.port(), 1000));
  EXPECT_EQ(admin.Command({"PING"}), "+PONG\r\n");

  int taken_port = FreePort();
  PortTaker taken(taken_port);
  ASSERT_TRUE(taken.listening());
  EXPECT_EQ(admin.Command({"CONFIG", "SET", "maxmemory", "10000001", "port",
                           std::to_string(taken_port), "timeout", "10"}),
            "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on "
            "this port. Check server logs.\r\n");
  EXPECT_EQ(admin.Command({"CONFIG", "GET", "maxmemory"}), "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
  EXPECT_EQ(BulkPayload(SplitTopLevelElements(admin.Command({"CONFIG", "GET", "port"}))[1]),
            std::to_string(moved));
  RespClient again;
  ASSERT_TRUE(again.Connect(moved));
  EXPECT_EQ(again.Command({"PING"}), "+PONG\r\n");

  EXPECT_EQ(admin.Command({"CONFIG", "SET", "port", "0"}), "+OK\r\n");
  RespClient refused;
  EXPECT_FALSE(refused.Connect(moved, 1000));
  int last = FreePort();
  EXPECT_EQ(admin.Command({"CONFIG", "SET", "port", std::to_string(last)}), "+OK\r\n");
  RespClient back;
  ASSERT_TRUE(back.Connect(last));
  EXPECT_EQ(back.Command({"PING"}), "+PONG\r\n");
}

// CONFIG SET bind opens the listeners again on the new addresses, as Redis's changeBindAddr; an
// address that cannot be bound is Redis's error and leaves the old ones; "" leaves none.
TEST(ConfigIntegrationTest, ConfigSetBindMovesTheListeners) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "2"});
  ASSERT_TRUE(server.running()) << server.Output();
  RespClient admin;
  ASSERT_TRUE(admin.Connect(server.port()));
  EXPECT_EQ(admin.Command({"CONFIG", "SET", "bind", "999.999.999.999"}),
            "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to "
            "specified addresses.\r\n");
  // "-" spares an address this machine lacks, not one that cannot be parsed (as Redis).
  EXPECT_EQ(admin.Command({"CONFIG", "SET", "bind", "-999.1.1.1 127.0.0.1"}),
            "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to "
            "specified addresses.\r\n");
  EXPECT_EQ(admin.Command({"CONFIG", "GET", "bind"}), "*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n");
  RespClient still;
  ASSERT_TRUE(still.Connect(server.port()));
  EXPECT_EQ(still.Command({"PING"}), "+PONG\r\n");

  // 127.0.0.2 is loopback too on Linux: the server leaves 127.0.0.1 for it.
  EXPECT_EQ(admin.Command({"CONFIG", "SET", "bind", "127.0.0.2"}), "+OK\r\n");
  RespClient moved;
  EXPECT_TRUE(moved.Connect("127.0.0.2", server.port(), 1000));
  RespClient old_address;
  EXPECT_FALSE(old_address.Connect(server.port(), 1000));

  EXPECT_EQ(admin.Command({"CONFIG", "SET", "bind", ""}), "+OK\r\n");
  RespClient none;
  EXPECT_FALSE(none.Connect("127.0.0.2", server.port(), 1000));
  EXPECT_EQ(admin.Command({"PING"}), "+PONG\r\n");
  EXPECT_EQ(admin.Command({"CONFIG", "SET", "bind", "127.0.0.1"}), "+OK\r\n");
  RespClient back;
  ASSERT_TRUE(back.Connect(server.port()));
  EXPECT_EQ(back.Command({"PING"}), "+PONG\r\n");
}

}  // namespace
}  // namespace respd::testing
