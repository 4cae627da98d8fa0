// SLOWLOG: what is logged (Redis 7.0's call() rules), how entries are cut and redacted, and the
// subcommands' replies.
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class SlowlogTest : public CommandTest {
 protected:
  void SetUp() override {
    Run({"config", "set", "slowlog-log-slower-than", "0"});
    Run({"slowlog", "reset"});
  }

  // The logged commands' arguments, newest first.
  std::vector<std::vector<std::string>> Logged() {
    std::vector<std::vector<std::string>> argvs;
    for (const SlowlogEntry& entry : server_->slowlog.Newest(1000)) argvs.push_back(entry.argv);
    return argvs;
  }
};

using Argvs = std::vector<std::vector<std::string>>;

TEST_F(SlowlogTest, LogsCommandsThatRanNotRefusedOrQueuedOnes) {
  Run({"set", "k", "v"});
  Run({"get"});
  Run({"nosuch"});
  Run({"multi"});
  Run({"incr", "n"});
  Run({"exec"});
  // EXEC is skip-slowlog; its body's commands are logged one by one.
  EXPECT_EQ(Logged(), (Argvs{{"incr", "n"}, {"multi"}, {"set", "k", "v"}, {"slowlog", "reset"}}));
}

TEST_F(SlowlogTest, ScriptCommandsAreLoggedAsTheLuaClient) {
  Run({"client", "setname", "me"});
  Run({"eval", "return redis.call('set', 'x', 'y')", "0"});
  std::vector<SlowlogEntry> entries = server_->slowlog.Newest(2);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].argv[0], "eval");
  EXPECT_EQ(entries[0].name, "me");
  EXPECT_EQ(entries[1].argv, (std::vector<std::string>{"set", "x", "y"}));
  EXPECT_EQ(entries[1].peer, "?:0");
  EXPECT_EQ(entries[1].name, "");
}

TEST_F(SlowlogTest, CutsLongArgumentsAndArgumentLists) {
  std::vector<std::string> rpush = {"rpush", "l"};
  for (int i = 0; i < 40; ++i) rpush.push_back(std::to_string(i));
  Run(rpush);
  Run({"set", "k", std::string(200, 'a')});
  Argvs logged = Logged();
  ASSERT_EQ(logged.size(), 3u);
  EXPECT_EQ(logged[0][2], std::string(128, 'a') + "... (72 more bytes)");
  ASSERT_EQ(logged[1].size(), 32u);
  EXPECT_EQ(logged[1][30], "28");
  EXPECT_EQ(logged[1][31], "... (11 more arguments)");
}

TEST_F(SlowlogTest, RedactsSecrets) {
  Run({"auth", "user", "pass"});
  Run({"hello", "2", "auth", "u", "p"});
  Run({"config", "set", "masterauth", "x", "maxmemory", "0"});
  Run({"acl", "setuser", "u", "on", ">pw"});
  Argvs logged = Logged();
  ASSERT_EQ(logged.size(), 5u);
  // ACL SETUSER: the user name and every rule, as Redis redacts them.
  EXPECT_EQ(logged[0], (std::vector<std::string>{"acl", "setuser", "(redacted)", "(redacted)",
                                                 "(redacted)"}));
  EXPECT_EQ(logged[1], (std::vector<std::string>{"config", "set", "masterauth", "(redacted)",
                                                 "maxmemory", "0"}));
  EXPECT_EQ(logged[2], (std::vector<std::string>{"hello", "2", "auth", "(redacted)",
                                                 "(redacted)"}));
  EXPECT_EQ(logged[3], (std::vector<std::string>{"auth", "(redacted)", "(redacted)"}));
}

TEST_F(SlowlogTest, ThresholdAndMaxLenAreHonoured) {
  Run({"config", "set", "slowlog-log-slower-than", "-1"});
  Run({"set", "a", "1"});
  // Only the RESET: the CONFIG SET is judged by its own new value, as in Redis.
  EXPECT_EQ(Run({"slowlog", "len"}), ":1\r\n");
  Run({"config", "set", "slowlog-log-slower-than", "100000000"});
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"slowlog", "len"}), ":1\r\n");
  Run({"config", "set", "slowlog-log-slower-than", "0"});
  Run({"config", "set", "slowlog-max-len", "1"});
  EXPECT_EQ(Logged(), (Argvs{{"config", "set", "slowlog-max-len", "1"}}));
  EXPECT_EQ(Run({"slowlog", "len"}), ":1\r\n");
  Run({"config", "set", "slowlog-max-len", "128"});
}

TEST_F(SlowlogTest, GetReplies) {
  clock_.FreezeAt(1'700'000'000'000'000);
  Run({"set", "k", "v"});
  std::string reply = Run({"slowlog", "get", "1"});
  std::string head = "*1\r\n*6\r\n:";
  ASSERT_EQ(reply.substr(0, head.size()), head);
  EXPECT_NE(reply.find("\r\n:1700000000\r\n:"), std::string::npos);
  EXPECT_NE(reply.find("*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n"), std::string::npos);
  EXPECT_EQ(Run({"slowlog", "get", "0"}), "*0\r\n");
  EXPECT_EQ(Run({"slowlog", "get", "-2"}),
            "-ERR count should be greater than or equal to -1\r\n");
  EXPECT_EQ(Run({"slowlog", "get", "x"}), "-ERR count should be greater than or equal to -1\r\n");
  EXPECT_EQ(Run({"slowlog", "get", "1", "2"}),
            "-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG "
            "HELP.\r\n");
  EXPECT_EQ(Run({"slowlog", "reset"}), "+OK\r\n");
  EXPECT_EQ(Run({"slowlog", "len"}), ":1\r\n");  // the RESET
  EXPECT_EQ(Run({"slowlog", "help"}).substr(0, 5), "*12\r\n");
}

}  // namespace
}  // namespace respd::server
