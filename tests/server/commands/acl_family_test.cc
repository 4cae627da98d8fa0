// ACL through the in-process pipeline: what the differential scripts cannot compare byte for byte
// (ACL LOG's times and client lines, GENPASS's randomness) and respd's own seams (requirepass as
// the default user's password, RESET back to the default user, blocked re-runs, SHA-256).
#include <gtest/gtest.h>

#include "server/services/sha256.h"
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class AclTest : public CommandTest {};

TEST(Sha256Test, MatchesTheFipsVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 55 and 56 bytes: the length fits in the last block, or needs one more.
  EXPECT_EQ(Sha256Hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(Sha256Hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_F(AclTest, PasswordsAreStoredAsSha256) {
  EXPECT_EQ(Run({"acl", "setuser", "u", "on", ">password", "+acl|whoami"}), "+OK\r\n");
  std::string list = Run({"acl", "list"});
  EXPECT_NE(list.find("user u on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 "
                      "resetchannels -@all"),
            std::string::npos)
      << list;
  EXPECT_EQ(Run({"auth", "u", "password"}), "+OK\r\n");
  EXPECT_EQ(Run({"acl", "whoami"}), "$1\r\nu\r\n");
  EXPECT_EQ(Run({"get", "k"}), "-NOPERM this user has no permissions to run the 'get' command\r\n");
}

TEST_F(AclTest, RequirepassIsTheDefaultUsersPassword) {
  EXPECT_EQ(Run({"config", "set", "requirepass", "secret"}), "+OK\r\n");
  EXPECT_EQ(Run({"auth", "secret"}), "+OK\r\n");
  EXPECT_NE(Run({"acl", "list"})
                .find("user default on #2bb80d537b1da3e38bd30361aa855686bde0eacd71"
                      "62fef6a25fe97bf527a25b ~* &* +@all"),
            std::string::npos);
  // A client that connected before keeps its authentication, as in Redis; a new one must AUTH.
  EXPECT_EQ(RunAs(1, {"get", "k"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(RunAs(1, {"auth", "wrong"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(RunAs(1, {"auth", "secret"}), "+OK\r\n");
  EXPECT_EQ(RunAs(1, {"get", "k"}), "$-1\r\n");
  EXPECT_EQ(Run({"config", "set", "requirepass", ""}), "+OK\r\n");
  EXPECT_NE(Run({"acl", "list"}).find("user default on nopass ~* &* +@all"), std::string::npos);
}

TEST_F(AclTest, ResetReturnsToTheDefaultUser) {
  Run({"acl", "setuser", "u", "on", "nopass", "+@all", "~*"});
  EXPECT_EQ(Run({"auth", "u", "x"}), "+OK\r\n");
  EXPECT_EQ(Run({"acl", "whoami"}), "$1\r\nu\r\n");
  EXPECT_EQ(Run({"reset"}), "+RESET\r\n");
  EXPECT_EQ(Run({"acl", "whoami"}), "$7\r\ndefault\r\n");
}

TEST_F(AclTest, LogRecordsRefusalsAndGroupsRepeats) {
  Run({"acl", "setuser", "u", "on", "nopass", "~k*", "+get"});
  EXPECT_EQ(RunAs(1, {"auth", "u", "x"}), "+OK\r\n");
  EXPECT_EQ(RunAs(1, {"get", "x"}),
            "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
  EXPECT_EQ(RunAs(1, {"get", "x"}).substr(0, 7), "-NOPERM");
  EXPECT_EQ(RunAs(1, {"auth", "u2", "bad"}).substr(0, 10), "-WRONGPASS");
  std::string log = Run({"acl", "log"});
  EXPECT_EQ(log.substr(0, 4), "*2\r\n");
  // The newest first: the failed AUTH (object: the command as typed, user: the one tried).
  EXPECT_NE(log.find("$6\r\nreason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n"
                     "$6\r\nobject\r\n$4\r\nauth\r\n$8\r\nusername\r\n$2\r\nu2\r\n"),
            std::string::npos)
      << log;
  // Two refusals of the same key by the same user are one entry counted twice.
  EXPECT_NE(log.find("$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$3\r\nkey\r\n$7\r\ncontext\r\n"
                     "$8\r\ntoplevel\r\n$6\r\nobject\r\n$1\r\nx\r\n$8\r\nusername\r\n$1\r\nu\r\n"
                     "$11\r\nage-seconds\r\n$1\r\n0\r\n$11\r\nclient-info\r\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("user=u "), std::string::npos) << log;
  EXPECT_EQ(Run({"acl", "log", "1"}).substr(0, 4), "*1\r\n");
  EXPECT_EQ(Run({"config", "set", "acllog-max-len", "1"}), "+OK\r\n");
  RunAs(1, {"del", "k"});
  EXPECT_EQ(Run({"acl", "log"}).substr(0, 4), "*1\r\n");
  EXPECT_EQ(Run({"acl", "log", "reset"}), "+OK\r\n");
  EXPECT_EQ(Run({"acl", "log"}), "*0\r\n");
}

TEST_F(AclTest, ScriptsAndTransactionsLogTheirContext) {
  Run({"acl", "setuser", "u", "on", "nopass", "~k*", "+get", "+eval", "+multi", "+exec"});
  RunAs(1, {"auth", "u", "x"});
  std::string reply = RunAs(1, {"eval", "return redis.pcall('get','x')", "0"});
  EXPECT_EQ(reply,
            "-ERR The user executing the script can't access at least one of the keys mentioned "
            "in the command arguments\r\n");
  RunAs(1, {"multi"});
  RunAs(1, {"get", "k"});
  Run({"acl", "setuser", "u", "-get"});
  EXPECT_EQ(RunAs(1, {"exec"}),
            "*1\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated "
            "and the EXEC call. This command is no longer allowed for the following reason: no "
            "permission to execute the command or subcommand\r\n");
  std::string log = Run({"acl", "log"});
  EXPECT_NE(log.find("$7\r\ncontext\r\n$5\r\nmulti\r\n$6\r\nobject\r\n$3\r\nget\r\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("$7\r\ncontext\r\n$3\r\nlua\r\n$6\r\nobject\r\n$1\r\nx\r\n"),
            std::string::npos)
      << log;
}

TEST_F(AclTest, GenpassGivesHexOfTheBitsAsked) {
  std::string reply = Run({"acl", "genpass"});
  ASSERT_EQ(reply.substr(0, 5), "$64\r\n");
  EXPECT_EQ(reply.find_first_not_of("0123456789abcdef", 5), 69u);
  EXPECT_EQ(Run({"acl", "genpass", "5"}).substr(0, 4), "$2\r\n");
  EXPECT_NE(Run({"acl", "genpass"}), reply);
}

TEST_F(AclTest, DeletedUsersClientsAreRefused) {
  Run({"acl", "setuser", "u", "on", "nopass", "+@all", "~*"});
  RunAs(1, {"auth", "u", "x"});
  EXPECT_EQ(Run({"acl", "deluser", "u"}), ":1\r\n");
  EXPECT_EQ(RunAs(1, {"get", "k"}).substr(0, 7), "-NOPERM");
}

}  // namespace
}  // namespace respd::server
