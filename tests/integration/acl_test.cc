// ACL through the real binary: users from an aclfile or `user` directives at start-up (both at
// once stop it, as in Redis), ACL SAVE and ACL LOAD round trips, and the connections of a deleted
// or replaced user closed. Every wait is bounded.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace respd::testing {
namespace {

std::filesystem::path ScratchFile(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("respd_it_acl_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(AclIntegrationTest, AclFileUsersSaveAndLoad) {
  auto aclfile = ScratchFile("users.acl",
                             "user alice on >pw ~k* &* +@all -@dangerous\n"
                             "\n"
                             "user default on nopass ~* &* +@all\n");
  ServerProcess server = ServerProcess::StartRespd({"--aclfile", aclfile.string()});
  ASSERT_TRUE(server.running()) << server.Output();
  RespClient admin, alice;
  ASSERT_TRUE(admin.Connect(server.port()));
  ASSERT_TRUE(alice.Connect(server.port()));
  EXPECT_EQ(alice.Command({"AUTH", "alice", "pw"}), "+OK\r\n");
  EXPECT_EQ(alice.Command({"SET", "k1", "v"}), "+OK\r\n");
  EXPECT_EQ(alice.Command({"SET", "x1", "v"}),
            "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
  EXPECT_EQ(alice.Command({"CLIENT", "LIST"}).find("user=alice") != std::string::npos, false)
      << "CLIENT LIST is @dangerous";
  std::string clients = admin.Command({"CLIENT", "LIST"});
  EXPECT_NE(clients.find(" user=alice "), std::string::npos) << clients;
  EXPECT_NE(clients.find(" user=default "), std::string::npos) << clients;

  EXPECT_EQ(admin.Command({"ACL", "SETUSER", "bob", "on", "#" + std::string(64, 'a')}), "+OK\r\n");
  EXPECT_EQ(admin.Command({"ACL", "SAVE"}), "+OK\r\n");
  std::string saved = ReadFile(aclfile);
  EXPECT_NE(saved.find("user alice on #"), std::string::npos) << saved;
  EXPECT_NE(saved.find("user bob on #" + std::string(64, 'a') + " resetchannels -@all\n"),
            std::string::npos)
      << saved;
  EXPECT_NE(saved.find("user default on nopass ~* &* +@all\n"), std::string::npos) << saved;

  // A broken file changes nothing; a good one replaces every user and closes their connections.
  std::ofstream(aclfile) << "user carol on nonsense\nfoo\n";
  std::string error = admin.Command({"ACL", "LOAD"});
  EXPECT_EQ(error.substr(0, 5), "-ERR ") << error;
  EXPECT_NE(error.find(":1: Syntax error. "), std::string::npos) << error;
  EXPECT_NE(error.find(":2 should start with user keyword followed by the username. "),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("WARNING: ACL errors detected, no change to the previously active ACL "
                       "rules was performed"),
            std::string::npos)
      << error;
  EXPECT_EQ(admin.Command({"ACL", "USERS"}), "*3\r\n$5\r\nalice\r\n$3\r\nbob\r\n$7\r\ndefault\r\n");
  std::ofstream(aclfile, std::ios::trunc) << saved;
  EXPECT_EQ(admin.Command({"ACL", "LOAD"}), "+OK\r\n");
  EXPECT_EQ(admin.Command({"ACL", "USERS"}), "*3\r\n$5\r\nalice\r\n$3\r\nbob\r\n$7\r\ndefault\r\n");
  EXPECT_EQ(admin.Command({"ACL", "WHOAMI"}), "$7\r\ndefault\r\n");
  alice.SendRaw(alice.EncodeCommand({"PING"}));
  EXPECT_TRUE(alice.PeerClosed());

  // ACL DELUSER closes the deleted user's connections too.
  RespClient again;
  ASSERT_TRUE(again.Connect(server.port()));
  EXPECT_EQ(again.Command({"AUTH", "alice", "pw"}), "+OK\r\n");
  EXPECT_EQ(admin.Command({"ACL", "DELUSER", "alice"}), ":1\r\n");
  again.SendRaw(again.EncodeCommand({"PING"}));
  EXPECT_TRUE(again.PeerClosed());
  std::filesystem::remove(aclfile);
}

// ACL SETUSER closes a user's subscribers whose channels it no longer allows, and only those.
TEST(AclIntegrationTest, NarrowedChannelsCloseSubscribers) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running()) << server.Output();
  RespClient admin, news, weather;
  ASSERT_TRUE(admin.Connect(server.port()));
  ASSERT_TRUE(news.Connect(server.port()));
  ASSERT_TRUE(weather.Connect(server.port()));
  EXPECT_EQ(admin.Command({"ACL", "SETUSER", "sub", "on", "nopass", "&news*", "&weather",
                           "+subscribe", "+ping"}),
            "+OK\r\n");
  EXPECT_EQ(news.Command({"AUTH", "sub", "x"}), "+OK\r\n");
  EXPECT_EQ(weather.Command({"AUTH", "sub", "x"}), "+OK\r\n");
  EXPECT_EQ(news.Command({"SUBSCRIBE", "news1"}), "*3\r\n$9\r\nsubscribe\r\n$5\r\nnews1\r\n:1\r\n");
  EXPECT_EQ(weather.Command({"SUBSCRIBE", "weather"}),
            "*3\r\n$9\r\nsubscribe\r\n$7\r\nweather\r\n:1\r\n");
  EXPECT_EQ(weather.Command({"SUBSCRIBE", "other"}),
            "-NOPERM this user has no permissions to access one of the channels used as "
            "arguments\r\n");
  EXPECT_EQ(admin.Command({"ACL", "SETUSER", "sub", "resetchannels", "&weather"}), "+OK\r\n");
  news.SendRaw(news.EncodeCommand({"PING"}));
  EXPECT_TRUE(news.PeerClosed());
  EXPECT_EQ(weather.Command({"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  std::string clients = admin.Command({"CLIENT", "LIST"});
  EXPECT_NE(clients.find(" user=sub "), std::string::npos) << clients;

  // No list of channels covers every channel: a subscriber of a user that had allchannels goes.
  RespClient anything;
  ASSERT_TRUE(anything.Connect(server.port()));
  EXPECT_EQ(admin.Command({"ACL", "SETUSER", "sub", "allchannels", "+psubscribe"}), "+OK\r\n");
  EXPECT_EQ(anything.Command({"AUTH", "sub", "x"}), "+OK\r\n");
  EXPECT_EQ(anything.Command({"PSUBSCRIBE", "foo"}),
            "*3\r\n$10\r\npsubscribe\r\n$3\r\nfoo\r\n:1\r\n");
  EXPECT_EQ(admin.Command({"ACL", "SETUSER", "sub", "resetchannels", "&weather"}), "+OK\r\n");
  EXPECT_TRUE(anything.PeerClosed());
  EXPECT_EQ(admin.Command({"CLIENT", "KILL", "USER", "sub"}), ":1\r\n");
  EXPECT_EQ(admin.Command({"CLIENT", "KILL", "USER", "nobody"}), "-ERR No such user 'nobody'\r\n");
}

// Redis changes its working directory to `dir`, so its relative paths name files in there,
// including after CONFIG SET dir; respd keeps its own and resolves them against `dir` instead.
TEST(AclIntegrationTest, RelativePathsAreInsideDir) {
  TempDir first, second;
  ASSERT_FALSE(first.path().empty());
  ASSERT_FALSE(second.path().empty());
  std::ofstream(first.path() + "/user.acl") << "user alice on nopass ~* +@all\n";
  ServerProcess server = ServerProcess::StartRespd(
      {"--dir", first.path(), "--aclfile", "user.acl", "--pidfile", "respd.pid", "--logfile",
       "respd.log", "--enable-protected-configs", "yes"});
  ASSERT_TRUE(server.running()) << server.Output();
  RespClient admin;
  ASSERT_TRUE(admin.Connect(server.port()));
  EXPECT_EQ(admin.Command({"ACL", "USERS"}), "*2\r\n$5\r\nalice\r\n$7\r\ndefault\r\n");
  EXPECT_EQ(ReadFile(first.path() + "/respd.pid"), std::to_string(server.pid()) + "\n");
  EXPECT_NE(ReadFile(first.path() + "/respd.log").find("Ready to accept connections"),
            std::string::npos);
  EXPECT_EQ(admin.Command({"CONFIG", "SET", "dir", second.path()}), "+OK\r\n");
  EXPECT_EQ(admin.Command({"ACL", "SAVE"}), "+OK\r\n");
  EXPECT_NE(ReadFile(second.path() + "/user.acl").find("user alice on nopass"), std::string::npos);
  std::ofstream(second.path() + "/user.acl", std::ios::trunc) << "user bob on nopass\n";
  EXPECT_EQ(admin.Command({"ACL", "LOAD"}), "+OK\r\n");
  EXPECT_EQ(admin.Command({"ACL", "USERS"}), "*2\r\n$3\r\nbob\r\n$7\r\ndefault\r\n");
}

TEST(AclIntegrationTest, UserDirectivesDefineUsers) {
  auto conf = ScratchFile("users.conf",
                          "user worker on >w1 ~jobs:* +@list +ping\n"
                          "user default on >adminpw ~* &* +@all\n");
  ServerProcess server = ServerProcess::StartRespd({"--include", conf.string()});
  ASSERT_TRUE(server.running()) << server.Output();
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(client.Command({"HELLO", "2", "AUTH", "worker", "bad"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(client.Command({"AUTH", "worker", "w1"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"RPUSH", "jobs:a", "1"}), ":1\r\n");
  EXPECT_EQ(client.Command({"GET", "jobs:a"}),
            "-NOPERM this user has no permissions to run the 'get' command\r\n");
  EXPECT_EQ(client.Command({"AUTH", "adminpw"}), "+OK\r\n");
  EXPECT_EQ(client.Command({"ACL", "WHOAMI"}), "$7\r\ndefault\r\n");
  EXPECT_EQ(client.Command({"ACL", "SAVE"}).substr(0, 60),
            "-ERR This Redis instance is not configured to use an ACL fil");
  std::filesystem::remove(conf);
}

TEST(AclIntegrationTest, AclFileAndUserDirectivesTogetherStopStartUp) {
  auto aclfile = ScratchFile("both.acl", "user a on nopass\n");
  auto conf =
      ScratchFile("both.conf", "port 0\nuser b on nopass\naclfile " + aclfile.string() + "\n");
  auto log = ScratchFile("both.log", "");
  std::string command =
      std::string(RESPD_BINARY) + " " + conf.string() + " > " + log.string() + " 2>&1 < /dev/null";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(ReadFile(log).find("please define either an ACL file or declare users directly in "
                               "your redis.conf, but not both."),
            std::string::npos)
      << ReadFile(log);
  for (const auto& path : {aclfile, conf, log}) std::filesystem::remove(path);
}

}  // namespace
}  // namespace respd::testing
