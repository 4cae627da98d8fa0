// MULTI/EXEC/DISCARD/WATCH/UNWATCH through the dispatcher, with Redis 7.0.15's exact replies.
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class TransactionsTest : public CommandTest {};

TEST_F(TransactionsTest, QueuesAndExecutesInOrder) {
  EXPECT_EQ(Run({"multi"}), "+OK\r\n");
  EXPECT_EQ(Run({"set", "a", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(Run({"incr", "a"}), "+QUEUED\r\n");
  EXPECT_EQ(Run({"get", "a"}), "+QUEUED\r\n");
  EXPECT_EQ(Run({"exec"}), "*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run({"get", "a"}), "$1\r\n2\r\n");
}

TEST_F(TransactionsTest, RuntimeErrorsDoNotRollBack) {
  Run({"multi"});
  Run({"set", "a", "x"});
  Run({"incr", "a"});
  Run({"set", "b", "y"});
  EXPECT_EQ(Run({"exec"}), "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n");
  EXPECT_EQ(Run({"get", "b"}), "$1\r\ny\r\n");
}

TEST_F(TransactionsTest, QueueErrorsAbortExec) {
  Run({"multi"});
  EXPECT_EQ(Run({"set", "a"}), "-ERR wrong number of arguments for 'set' command\r\n");
  EXPECT_EQ(Run({"nosuch"}), "-ERR unknown command 'nosuch', with args beginning with: \r\n");
  EXPECT_EQ(Run({"set", "a", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(Run({"exec"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(Run({"exists", "a"}), ":0\r\n");
  EXPECT_EQ(Run({"exec"}), "-ERR EXEC without MULTI\r\n");
}

TEST_F(TransactionsTest, StateErrors) {
  EXPECT_EQ(Run({"exec"}), "-ERR EXEC without MULTI\r\n");
  EXPECT_EQ(Run({"discard"}), "-ERR DISCARD without MULTI\r\n");
  Run({"multi"});
  EXPECT_EQ(Run({"multi"}), "-ERR MULTI calls can not be nested\r\n");
  EXPECT_EQ(Run({"watch", "k"}), "-ERR WATCH inside MULTI is not allowed\r\n");
  EXPECT_EQ(Run({"set", "a", "1"}), "+QUEUED\r\n");
  // Neither error dooms the transaction.
  EXPECT_EQ(Run({"exec"}), "*1\r\n+OK\r\n");
}

TEST_F(TransactionsTest, DiscardDropsQueueAndWatches) {
  Run({"watch", "k"});
  Run({"multi"});
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"discard"}), "+OK\r\n");
  EXPECT_EQ(Run({"exists", "a"}), ":0\r\n");
  RunAs(1, {"set", "k", "changed"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*0\r\n");
}

TEST_F(TransactionsTest, EmptyAndUnwatchInsideMulti) {
  Run({"multi"});
  EXPECT_EQ(Run({"unwatch"}), "+QUEUED\r\n");
  EXPECT_EQ(Run({"ping"}), "+QUEUED\r\n");
  EXPECT_EQ(Run({"exec"}), "*2\r\n+OK\r\n+PONG\r\n");
}

TEST_F(TransactionsTest, WatchAbortsWhenAnotherClientWrites) {
  Run({"set", "k", "1"});
  EXPECT_EQ(Run({"watch", "k"}), "+OK\r\n");
  RunAs(1, {"set", "k", "2"});
  Run({"multi"});
  Run({"set", "k", "3"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
  EXPECT_EQ(Run({"get", "k"}), "$1\r\n2\r\n");
}

TEST_F(TransactionsTest, WatchSucceedsWithoutChangesAndAfterUnwatch) {
  Run({"set", "k", "1"});
  Run({"watch", "k"});
  RunAs(1, {"get", "k"});
  Run({"multi"});
  Run({"incr", "k"});
  EXPECT_EQ(Run({"exec"}), "*1\r\n:2\r\n");
  Run({"watch", "k"});
  RunAs(1, {"set", "k", "9"});
  EXPECT_EQ(Run({"unwatch"}), "+OK\r\n");
  Run({"multi"});
  Run({"incr", "k"});
  EXPECT_EQ(Run({"exec"}), "*1\r\n:10\r\n");
}

TEST_F(TransactionsTest, OwnWritesAlsoDirty) {
  Run({"watch", "k"});
  Run({"set", "k", "1"});
  Run({"multi"});
  Run({"ping"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
}

TEST_F(TransactionsTest, DeleteRenameAndExpire) {
  Run({"set", "d", "1"});
  Run({"watch", "d"});
  RunAs(1, {"del", "d"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");

  Run({"set", "src", "1"});
  Run({"watch", "dst"});
  RunAs(1, {"rename", "src", "dst"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
}

TEST_F(TransactionsTest, WatchedKeyExpiringBeforeExecAborts) {
  Run({"set", "e", "1", "px", "100"});
  Run({"watch", "e"});
  clock_.Advance(200'000);
  Run({"multi"});
  Run({"ping"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
}

TEST_F(TransactionsTest, KeyAlreadyExpiredAtWatchDoesNotAbort) {
  Run({"set", "e", "1", "px", "100"});
  clock_.Advance(200'000);
  Run({"watch", "e"});
  Run({"multi"});
  Run({"ping"});
  EXPECT_EQ(Run({"exec"}), "*1\r\n+PONG\r\n");
}

TEST_F(TransactionsTest, FlushDirtiesOnlyExistingKeys) {
  Run({"watch", "absent"});
  RunAs(1, {"set", "other", "1"});
  RunAs(1, {"flushdb"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*0\r\n");

  Run({"set", "present", "1"});
  Run({"watch", "present"});
  RunAs(1, {"flushall"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
}

TEST_F(TransactionsTest, SwapDbBringingTheKeyAborts) {
  RunAs(1, {"select", "1"});
  RunAs(1, {"set", "sw", "1"});
  Run({"watch", "sw"});
  RunAs(1, {"swapdb", "0", "1"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");

  Run({"flushall"});
  Run({"watch", "nowhere"});
  RunAs(1, {"set", "x", "1"});
  RunAs(1, {"swapdb", "0", "1"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*0\r\n");
}

TEST_F(TransactionsTest, WatchIsPerDatabase) {
  Run({"watch", "k"});
  RunAs(1, {"select", "1"});
  RunAs(1, {"set", "k", "1"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*0\r\n");
}

TEST_F(TransactionsTest, ResetEndsTransaction) {
  Run({"multi"});
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"reset"}), "+RESET\r\n");
  EXPECT_EQ(Run({"exec"}), "-ERR EXEC without MULTI\r\n");
  EXPECT_EQ(Run({"exists", "a"}), ":0\r\n");
}

TEST_F(TransactionsTest, SelectInsideTransaction) {
  Run({"multi"});
  Run({"select", "1"});
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"exec"}), "*2\r\n+OK\r\n+OK\r\n");
  EXPECT_EQ(Run({"get", "a"}), "$1\r\n1\r\n");
  Run({"select", "0"});
  EXPECT_EQ(Run({"exists", "a"}), ":0\r\n");
}

TEST_F(TransactionsTest, Resp3AbortIsNull) {
  Run({"hello", "3"});
  Run({"watch", "k"});
  RunAs(1, {"set", "k", "1"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "_\r\n");
}

}  // namespace
}  // namespace respd::server
