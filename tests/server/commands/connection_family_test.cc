// Connection family: PING ECHO SELECT HELLO AUTH CLIENT, through the dispatcher.
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

using ConnectionFamilyTest = CommandTest;

TEST_F(ConnectionFamilyTest, PingAndEcho) {
  EXPECT_EQ(Run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(Run({"ping", "hi"}), "$2\r\nhi\r\n");
  EXPECT_EQ(Run({"ping", "a", "b"}), "-ERR wrong number of arguments for 'ping' command\r\n");
  EXPECT_EQ(Run({"echo", "x y"}), "$3\r\nx y\r\n");
  EXPECT_EQ(Run({"echo"}), "-ERR wrong number of arguments for 'echo' command\r\n");
}

TEST_F(ConnectionFamilyTest, UnknownCommandEchoesArguments) {
  EXPECT_EQ(Run({"nosuch", "a", "b"}),
            "-ERR unknown command 'nosuch', with args beginning with: 'a' 'b' \r\n");
  EXPECT_EQ(Run({"client", "nosuch"}), "-ERR unknown subcommand 'nosuch'. Try CLIENT HELP.\r\n");
  EXPECT_EQ(Run({"client", "getname", "x"}),
            "-ERR wrong number of arguments for 'client|getname' command\r\n");
}

TEST_F(ConnectionFamilyTest, SelectChecksRange) {
  EXPECT_EQ(Run({"select", "15"}), "+OK\r\n");
  EXPECT_EQ(Run({"select", "16"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run({"select", "x"}), "-ERR value is not an integer or out of range\r\n");
}

TEST_F(ConnectionFamilyTest, HelloSwitchesProtocol) {
  std::string reply = Run({"hello", "3"});
  EXPECT_EQ(reply.substr(0, 3), "%7\r");
  EXPECT_EQ(Run({"hello", "4"}), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(Run({"hello", "x"}), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(Run({"hello", "2", "foo"}), "-ERR Syntax error in HELLO option 'foo'\r\n");
  EXPECT_EQ(Run({"hello", "2", "setname", "a b"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
}

TEST_F(ConnectionFamilyTest, ClientNames) {
  EXPECT_EQ(Run({"client", "getname"}), "$-1\r\n");
  EXPECT_EQ(Run({"client", "setname", "worker"}), "+OK\r\n");
  EXPECT_EQ(Run({"client", "getname"}), "$6\r\nworker\r\n");
  EXPECT_EQ(Run({"client", "setinfo", "lib-name", "redis-py"}), "+OK\r\n");
  EXPECT_EQ(Run({"client", "setinfo", "bad", "x"}), "-ERR Unrecognized option 'bad'\r\n");
}

TEST_F(ConnectionFamilyTest, AuthWithoutPassword) {
  EXPECT_EQ(Run({"auth", "x"}),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?\r\n");
  EXPECT_EQ(Run({"auth", "bob", "x"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
}

TEST_F(ConnectionFamilyTest, RequirePassGatesCommands) {
  config_.Get("requirepass").Set({"secret"});
  EXPECT_EQ(Run({"ping"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(Run({"auth", "wrong"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(Run({"auth", "secret"}), "+OK\r\n");
  EXPECT_EQ(Run({"ping"}), "+PONG\r\n");
}

// The value of `field` ("multi") in a CLIENT LIST / CLIENT INFO line.
std::string Field(const std::string& line, const std::string& field) {
  size_t at = line.find(" " + field + "=");
  if (at == std::string::npos) return "<missing>";
  size_t start = at + field.size() + 2;
  return line.substr(start, line.find_first_of(" \n", start) - start);
}

// Redis 7.0.15's values for the same sequences (the fields that do not depend on allocators).
TEST_F(ConnectionFamilyTest, ClientInfoShowsTheRunningCommand) {
  std::string info = Run({"client", "info"});
  EXPECT_EQ(Field(info, "cmd"), "client|info");
  EXPECT_EQ(Field(info, "argv-mem"), "10");
  EXPECT_EQ(Field(info, "multi"), "-1");
  EXPECT_EQ(Field(info, "flags"), "N");
  EXPECT_EQ(Field(info, "sub"), "0");
  EXPECT_EQ(Field(info, "psub"), "0");
}

// In-process clients have no connection, so CLIENT LIST cannot show them: the other clients'
// view is tested in tests/integration/introspection_test.cc.
TEST_F(ConnectionFamilyTest, ClientInfoInsideExecShowsTheTransaction) {
  Run({"multi"});
  Run({"set", "a", "1"});
  Run({"get", "a"});
  Run({"client", "info"});
  std::string exec = Run({"exec"});
  EXPECT_EQ(Field(exec, "multi"), "3");
  EXPECT_EQ(Field(exec, "flags"), "x");
  EXPECT_EQ(Field(exec, "cmd"), "exec");
  EXPECT_EQ(Field(exec, "argv-mem"), "4");
  std::string after = Run({"client", "info"});
  EXPECT_EQ(Field(after, "multi"), "-1");
  EXPECT_EQ(Field(after, "flags"), "N");
  EXPECT_EQ(Field(after, "multi-mem"), "0");
}

}  // namespace
TEST_F(ConnectionFamilyTest, ClientInfoFlagsShowDirtyWatchNoEvictAndMonitor) {
  EXPECT_EQ(Run({"watch", "w"}), "+OK\r\n");
  EXPECT_NE(Run({"client", "info"}).find(" flags=N "), std::string::npos);
  EXPECT_EQ(RunAs(1, {"set", "w", "1"}), "+OK\r\n");
  EXPECT_NE(Run({"client", "info"}).find(" flags=d "), std::string::npos);
  EXPECT_EQ(Run({"unwatch"}), "+OK\r\n");
  EXPECT_EQ(Run({"client", "no-evict", "on"}), "+OK\r\n");
  EXPECT_EQ(Run({"monitor"}), "+OK\r\n");
  EXPECT_NE(Run({"client", "info"}).find(" flags=Oe "), std::string::npos);
  // RESET leaves monitor mode and keeps NO-EVICT, as in Redis.
  EXPECT_EQ(Run({"reset"}), "+RESET\r\n");
  EXPECT_NE(Run({"client", "info"}).find(" flags=e "), std::string::npos);
}

}  // namespace respd::server
