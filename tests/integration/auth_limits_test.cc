// With a password set, a client that has not authenticated may send only small requests (Redis
// 7.0.15's protocol limits); after AUTH the limits are gone.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

TEST(AuthLimitsTest, UnauthenticatedClientsAreLimitedUntilAuth) {
  ServerProcess server = ServerProcess::StartRespd({"--requirepass", "pw"});
  ASSERT_TRUE(server.running());

  RespClient many_args;
  ASSERT_TRUE(many_args.Connect(server.port()));
  ASSERT_TRUE(many_args.SendRaw("*11\r\n"));
  EXPECT_EQ(many_args.ReadReply(), "-ERR Protocol error: unauthenticated multibulk length\r\n");
  EXPECT_TRUE(many_args.PeerClosed());

  RespClient big_bulk;
  ASSERT_TRUE(big_bulk.Connect(server.port()));
  ASSERT_TRUE(big_bulk.SendRaw("*2\r\n$4\r\nECHO\r\n$16385\r\n"));
  EXPECT_EQ(big_bulk.ReadReply(), "-ERR Protocol error: unauthenticated bulk length\r\n");

  RespClient authed;
  ASSERT_TRUE(authed.Connect(server.port()));
  EXPECT_EQ(authed.Command({"GET", "k"}), "-NOAUTH Authentication required.\r\n");
  // AUTH and a large command in one pipeline: the limit lifts for the command after AUTH.
  std::string value(20000, 'v');
  std::vector<std::string> args = {"MSET"};
  for (int i = 0; i < 6; ++i) {
    args.push_back("k" + std::to_string(i));
    args.push_back(value);
  }
  ASSERT_TRUE(authed.SendRaw(authed.EncodeCommand({"AUTH", "pw"}) + authed.EncodeCommand(args)));
  EXPECT_EQ(authed.ReadReply(), "+OK\r\n");
  EXPECT_EQ(authed.ReadReply(), "+OK\r\n");
  EXPECT_EQ(authed.Command({"STRLEN", "k5"}), ":20000\r\n");
}

}  // namespace
}  // namespace respd::testing
