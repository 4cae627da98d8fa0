// Pub/sub bookkeeping through the dispatcher: confirmations and counts, a RESP2 subscriber's
// restricted commands, RESET, and notify-keyspace-events' all-or-nothing CONFIG SET. Delivery
// between connections is tested over TCP (tests/integration/pubsub_test.cc, differential scripts).
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class PubSubTest : public CommandTest {};

constexpr std::string_view kRefusedGet =
    "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
    "allowed in this context\r\n";

TEST_F(PubSubTest, ConfirmationsCountChannelsAndPatternsTogetherAndShardChannelsApart) {
  EXPECT_EQ(Run({"subscribe", "a", "b", "a"}),
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n");
  EXPECT_EQ(Run({"psubscribe", "a*"}), "*3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:3\r\n");
  EXPECT_EQ(Run({"ssubscribe", "s"}), "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
  EXPECT_EQ(RunAs(1, {"pubsub", "numsub", "a", "s"}), "*4\r\n$1\r\na\r\n:1\r\n$1\r\ns\r\n:0\r\n");
  EXPECT_EQ(RunAs(1, {"pubsub", "shardnumsub", "s"}), "*2\r\n$1\r\ns\r\n:1\r\n");
  EXPECT_EQ(RunAs(1, {"publish", "a", "m"}), ":2\r\n");  // the channel and the pattern
  EXPECT_EQ(RunAs(1, {"spublish", "s", "m"}), ":1\r\n");
  EXPECT_EQ(Run({"sunsubscribe"}), "*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n");
  EXPECT_EQ(Run({"unsubscribe", "a", "zz"}),
            "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n"
            ":2\r\n");
}

TEST_F(PubSubTest, Resp2SubscriberRunsOnlyPubSubPingQuitAndReset) {
  Run({"subscribe", "a"});
  EXPECT_EQ(Run({"get", "k"}), kRefusedGet);
  EXPECT_EQ(Run({"ping"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(Run({"ping", "x"}), "*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
  EXPECT_EQ(Run({"reset"}), "+RESET\r\n");
  EXPECT_EQ(Run({"get", "k"}), "$-1\r\n");
  EXPECT_EQ(Run({"ping"}), "+PONG\r\n");
  EXPECT_EQ(RunAs(1, {"pubsub", "numsub", "a"}), "*2\r\n$1\r\na\r\n:0\r\n");
}

TEST_F(PubSubTest, Resp3SubscriberRunsAnythingAndGetsPushFrames) {
  Run({"hello", "3"});
  EXPECT_EQ(Run({"subscribe", "a"}), ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Run({"get", "k"}), "_\r\n");
  EXPECT_EQ(Run({"ping"}), "+PONG\r\n");
  EXPECT_EQ(Run({"punsubscribe"}), ">3\r\n$12\r\npunsubscribe\r\n_\r\n:1\r\n");
}

TEST_F(PubSubTest, NotifyKeyspaceEventsConfigSetIsAllOrNothing) {
  EXPECT_EQ(Run({"config", "set", "notify-keyspace-events", "KEA"}), "+OK\r\n");
  EXPECT_EQ(Run({"config", "set", "notify-keyspace-events", "Kx", "maxmemory", "bad"}),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be "
            "a memory value\r\n");
  EXPECT_EQ(Run({"config", "get", "notify-keyspace-events"}),
            "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n");
}

}  // namespace
}  // namespace respd::server
