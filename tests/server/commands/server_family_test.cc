// Server family through the dispatcher: COMMAND generated from the table, INFO, CONFIG, MEMORY,
// TIME, DEBUG, SHUTDOWN.
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class ServerFamilyTest : public CommandTest {};

TEST_F(ServerFamilyTest, CommandCountMatchesTable) {
  EXPECT_EQ(Run({"command", "count"}),
            ":" + std::to_string(server_->commands.all().size()) + "\r\n");
}

TEST_F(ServerFamilyTest, CommandInfoOfContainerSubcommandAndUnknown) {
  EXPECT_EQ(
      Run({"command", "info", "config|get", "nosuch"}),
      "*2\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
      "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n"
      "$-1\r\n");
}

TEST_F(ServerFamilyTest, CommandInfoKeySpecFromRange) {
  std::string reply = Run({"command", "info", "memory|usage"});
  EXPECT_NE(reply.find("$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2"
                       "\r\n$5\r\nindex\r\n:2\r\n"),
            std::string::npos)
      << reply;
  EXPECT_NE(reply.find("$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n"), std::string::npos);
}

TEST_F(ServerFamilyTest, CommandGetkeysErrors) {
  EXPECT_EQ(Run({"command", "getkeys", "nosuch", "a"}), "-ERR Invalid command specified\r\n");
  EXPECT_EQ(Run({"command", "getkeys", "config", "get", "x"}),
            "-ERR The command has no key arguments\r\n");
  EXPECT_EQ(Run({"command", "getkeys", "memory", "usage", "k"}), "*1\r\n$1\r\nk\r\n");
  // As Redis: a command without keys is refused before its arity is checked.
  EXPECT_EQ(Run({"command", "getkeys", "time", "x"}), "-ERR The command has no key arguments\r\n");
  EXPECT_EQ(Run({"command", "getkeys", "get", "a", "b"}),
            "-ERR Invalid number of arguments specified for command\r\n");
}

TEST_F(ServerFamilyTest, CommandListFilters) {
  EXPECT_EQ(Run({"command", "list", "filterby", "pattern", "memory*"}),
            "*7\r\n$6\r\nmemory\r\n$12\r\nmemory|usage\r\n$11\r\nmemory|help\r\n$12\r\nmemory|"
            "stats\r\n$13\r\nmemory|doctor\r\n$19\r\nmemory|malloc-stats\r\n$12\r\n"
            "memory|purge\r\n");
  EXPECT_EQ(Run({"command", "list", "filterby", "module", "x"}), "*0\r\n");
  EXPECT_EQ(Run({"command", "list", "filterby", "bad", "x"}), "-ERR syntax error\r\n");
}

TEST_F(ServerFamilyTest, CommandDocs) {
  EXPECT_EQ(
      Run({"command", "docs", "time", "nosuch"}),
      "*2\r\n$4\r\ntime\r\n*8\r\n$7\r\nsummary\r\n$30\r\nReturn the current server time\r\n"
      "$5\r\nsince\r\n$5\r\n2.6.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\n"
      "O(1)\r\n");
}

TEST_F(ServerFamilyTest, InfoSections) {
  std::string all = Run({"info"});
  EXPECT_NE(all.find("# Server\r\nredis_version:7.0.15\r\n"), std::string::npos);
  EXPECT_NE(all.find("redis_mode:standalone\r\n"), std::string::npos);
  EXPECT_NE(all.find("# Keyspace\r\n"), std::string::npos);
  EXPECT_EQ(Run({"info", "nosuch"}), "$0\r\n\r\n");
  Run({"set", "a", "1"});
  // Redis 7.0.15 ends the last section without a blank line.
  EXPECT_EQ(Run({"info", "KEYSPACE"}),
            "$44\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n\r\n");
  // Redis reads section names as C strings: a NUL byte ends one.
  EXPECT_EQ(Run({"info", std::string("keyspace\0x", 10)}), Run({"info", "keyspace"}));
  EXPECT_NE(Run({"info", std::string("default\0", 8)}).find("# Keyspace\r\n"), std::string::npos);
  std::string cpu = Run({"info", "cpu", "cluster"});
  EXPECT_NE(cpu.find("# CPU\r\nused_cpu_sys:"), std::string::npos);
  EXPECT_TRUE(cpu.ends_with("\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n")) << cpu;
}

// maxmemory is unsigned in Redis: CONFIG GET shows 2^64-1, INFO prints it as a long long and its
// human form in plain bytes past 1024 P.
TEST_F(ServerFamilyTest, MaxmemoryTakesUnsigned64BitValues) {
  EXPECT_EQ(Run({"config", "set", "maxmemory", "18446744073709551615"}), "+OK\r\n");
  EXPECT_EQ(Run({"config", "get", "maxmemory"}),
            "*2\r\n$9\r\nmaxmemory\r\n$20\r\n18446744073709551615\r\n");
  std::string info = Run({"info", "memory"});
  EXPECT_NE(info.find("\r\nmaxmemory:-1\r\n"), std::string::npos);
  EXPECT_NE(info.find("\r\nmaxmemory_human:18446744073709551615B\r\n"), std::string::npos);
}

TEST_F(ServerFamilyTest, ConfigGetSet) {
  EXPECT_EQ(Run({"config", "get", "maxmemory-policy"}),
            "*2\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n");
  EXPECT_EQ(Run({"config", "set", "maxmemory", "1mb"}), "+OK\r\n");
  EXPECT_EQ(Run({"config", "get", "maxmemory"}), "*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n");
  EXPECT_EQ(Run({"config", "set", "hz", "10", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"config", "set", "databases", "1"}),
            "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
            "immutable config\r\n");
  EXPECT_EQ(Run({"config", "get", "nosuch"}), "*0\r\n");
  EXPECT_EQ(Run({"config", "resetstat"}), "+OK\r\n");
}

TEST_F(ServerFamilyTest, MemoryUsage) {
  Run({"set", "k", "value"});
  EXPECT_EQ(Run({"memory", "usage", "k", "samples", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run({"memory", "usage", "k", "samples"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"memory", "usage", "nosuch"}), "$-1\r\n");
  std::string usage = Run({"memory", "usage", "k"});
  EXPECT_EQ(usage[0], ':') << usage;
  EXPECT_GT(std::stoll(usage.substr(1)), 5);
}

TEST_F(ServerFamilyTest, TimeReadsTheServerClock) {
  EXPECT_EQ(Run({"time"}), "*2\r\n$10\r\n1700000000\r\n$1\r\n0\r\n");
}

TEST_F(ServerFamilyTest, DebugAndShutdownArguments) {
  EXPECT_EQ(Run({"debug", "sleep", "0"}),
            "-ERR DEBUG command not allowed. If the enable-debug-command option is set to "
            "\"local\", you can run it from a local connection, otherwise you need to set this "
            "option in the configuration file, and then restart the server.\r\n");
  // This client is not on a loopback address, so only "yes" lets it in.
  ASSERT_EQ(config_.Get("enable-debug-command").Set({"local"}), "");
  EXPECT_EQ(Run({"debug", "sleep", "0"}).substr(0, 20), "-ERR DEBUG command n");
  ASSERT_EQ(config_.Get("enable-debug-command").Set({"yes"}), "");
  EXPECT_EQ(Run({"debug", "sleep", "0"}), "+OK\r\n");
  EXPECT_EQ(Run({"debug", "log", "hello"}), "+OK\r\n");
  EXPECT_EQ(Run({"debug", "log"}),
            "-ERR unknown subcommand or wrong number of arguments for 'log'. Try DEBUG HELP.\r\n");
  EXPECT_EQ(Run({"shutdown", "abort"}), "-ERR No shutdown in progress.\r\n");
  EXPECT_EQ(Run({"shutdown", "save", "nosave"}), "-ERR syntax error\r\n");
  bool stopped = false;
  server_->request_shutdown = [&] { stopped = true; };
  EXPECT_EQ(Run({"shutdown", "nosave"}), "");
  EXPECT_TRUE(stopped);
}

}  // namespace
}  // namespace respd::server
