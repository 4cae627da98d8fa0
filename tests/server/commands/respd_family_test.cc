// RESPD through the dispatcher: enable-test-controls against a client that is not on loopback (the
// in-process client), and RESPD TIME moving the fixture's Clock that expiry reads.
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

constexpr std::string_view kRefused =
    "-ERR RESPD commands not allowed. If the enable-test-controls option is set to \"local\", you "
    "can run them from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.\r\n";

TEST_F(CommandTest, RespdIsRefusedToARemoteClientUnderTheDefaultLocal) {
  EXPECT_EQ(config_.Get("enable-test-controls").text(), "local");
  EXPECT_EQ(Run({"respd", "time"}), kRefused);
  EXPECT_EQ(Run({"respd", "help"}), kRefused);
  EXPECT_EQ(config_.Get("enable-test-controls").Set({"yes"}), "");
  EXPECT_EQ(Run({"respd", "time", "freeze", "5000"}), ":5000\r\n");
  EXPECT_EQ(clock_.NowMs(), 5000);
  EXPECT_EQ(config_.Get("enable-test-controls").Set({"no"}), "");
  EXPECT_EQ(Run({"respd", "time", "real"}), kRefused);
  EXPECT_TRUE(clock_.frozen());
}

TEST_F(CommandTest, RespdTimeAdvanceExpiresKeysAtTheNewInstant) {
  EXPECT_EQ(config_.Get("enable-test-controls").Set({"yes"}), "");
  Run({"respd", "time", "freeze", "1000000"});
  Run({"set", "k", "v", "px", "100"});
  EXPECT_EQ(Run({"respd", "time", "advance", "99"}), ":1000099\r\n");
  EXPECT_EQ(Run({"pttl", "k"}), ":1\r\n");
  Run({"respd", "time", "advance", "1"});
  EXPECT_EQ(Run({"get", "k"}), "$-1\r\n");
}

}  // namespace
}  // namespace respd::server
