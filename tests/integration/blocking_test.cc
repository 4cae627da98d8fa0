// Blocking list commands over real connections on a two-thread respd: FIFO service, timeouts,
// wake-ups from pushes on other threads, MULTI, disconnects, CLIENT UNBLOCK, chains of BLMOVE.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/integration/blocking_fixture.h"

namespace respd::testing {
namespace {

TEST_F(BlockingTest, WaitersOnOneKeyAreServedFirstComeFirstServed) {
  std::vector<RespClient> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.push_back(Connect());
    SendBlocking(waiters.back(), {"BLPOP", "q", "0"}, i + 1);
  }
  EXPECT_EQ(admin_.Command({"RPUSH", "q", "a", "b", "c"}), ":3\r\n");
  EXPECT_EQ(waiters[0].ReadReply(), KeyValue("q", "a"));
  EXPECT_EQ(waiters[1].ReadReply(), KeyValue("q", "b"));
  EXPECT_EQ(waiters[2].ReadReply(), KeyValue("q", "c"));
  // Served as part of the push: nothing is left for anyone else.
  EXPECT_EQ(admin_.Command({"LLEN", "q"}), ":0\r\n");
  WaitBlocked(0);
}

TEST_F(BlockingTest, OnePushServesOnlyAsManyWaitersAsElements) {
  RespClient first = Connect();
  RespClient second = Connect();
  SendBlocking(first, {"BRPOP", "q", "0"}, 1);
  SendBlocking(second, {"BRPOP", "q", "0"}, 2);
  admin_.Command({"LPUSH", "q", "only"});
  EXPECT_EQ(first.ReadReply(), KeyValue("q", "only"));
  WaitBlocked(1);
  admin_.Command({"LPUSH", "q", "next"});
  EXPECT_EQ(second.ReadReply(), KeyValue("q", "next"));
}

TEST_F(BlockingTest, TimeoutRepliesNullAndFractionalSecondsWork) {
  RespClient client = Connect();
  EXPECT_EQ(client.Command({"BLPOP", "q", "0.05"}), "*-1\r\n");
  EXPECT_EQ(client.Command({"BLMOVE", "q", "d", "LEFT", "LEFT", "0.05"}), "*-1\r\n");
  EXPECT_EQ(client.Command({"BLMPOP", "0.05", "1", "q", "LEFT"}), "*-1\r\n");
  EXPECT_EQ(client.Command({"PING"}), "+PONG\r\n");
  EXPECT_EQ(client.Command({"HELLO", "3"}).substr(0, 1), "%");
  EXPECT_EQ(client.Command({"BRPOPLPUSH", "q", "d", "0.05"}), "_\r\n");
}

TEST_F(BlockingTest, DisconnectedWaiterIsForgotten) {
  {
    RespClient gone = Connect();
    SendBlocking(gone, {"BLPOP", "q", "0"}, 1);
  }
  WaitBlocked(0);
  RespClient waiter = Connect();
  SendBlocking(waiter, {"BLPOP", "q", "0"}, 1);
  admin_.Command({"RPUSH", "q", "x"});
  EXPECT_EQ(waiter.ReadReply(), KeyValue("q", "x"));
}

TEST_F(BlockingTest, PushInsideMultiServesWaitersAfterExec) {
  RespClient waiter = Connect();
  SendBlocking(waiter, {"BLPOP", "q", "0"}, 1);
  EXPECT_EQ(admin_.Command({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"RPUSH", "q", "a"}), "+QUEUED\r\n");
  EXPECT_EQ(admin_.Command({"LLEN", "q"}), "+QUEUED\r\n");
  EXPECT_EQ(admin_.Command({"EXEC"}), "*2\r\n:1\r\n:1\r\n");
  EXPECT_EQ(waiter.ReadReply(), KeyValue("q", "a"));
  EXPECT_EQ(admin_.Command({"LLEN", "q"}), ":0\r\n");
}

TEST_F(BlockingTest, BlockingCommandInsideMultiDoesNotBlock) {
  EXPECT_EQ(admin_.Command({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"BLPOP", "q", "0"}), "+QUEUED\r\n");
  EXPECT_EQ(admin_.Command({"BRPOPLPUSH", "q", "d", "0"}), "+QUEUED\r\n");
  EXPECT_EQ(admin_.Command({"EXEC"}), "*2\r\n*-1\r\n$-1\r\n");
}

TEST_F(BlockingTest, OnePushWakesWaitersOnSeveralKeys) {
  RespClient on_k1 = Connect();
  RespClient on_k2 = Connect();
  RespClient on_both = Connect();
  SendBlocking(on_k1, {"BLPOP", "k1", "0"}, 1);
  SendBlocking(on_k2, {"BLPOP", "k2", "0"}, 2);
  SendBlocking(on_both, {"BRPOP", "k2", "k1", "0"}, 3);
  admin_.Command({"MULTI"});
  admin_.Command({"RPUSH", "k1", "a", "b"});
  admin_.Command({"RPUSH", "k2", "c"});
  EXPECT_EQ(admin_.Command({"EXEC"}), "*2\r\n:2\r\n:1\r\n");
  EXPECT_EQ(on_k1.ReadReply(), KeyValue("k1", "a"));
  EXPECT_EQ(on_both.ReadReply(), KeyValue("k1", "b"));
  EXPECT_EQ(on_k2.ReadReply(), KeyValue("k2", "c"));
  WaitBlocked(0);
}

TEST_F(BlockingTest, ClientUnblockWithTimeoutOrError) {
  RespClient waiter = Connect();
  std::string id = waiter.Command({"CLIENT", "ID"});
  id = id.substr(1, id.size() - 3);
  SendBlocking(waiter, {"BLPOP", "q", "0"}, 1);
  EXPECT_EQ(admin_.Command({"CLIENT", "UNBLOCK", id}), ":1\r\n");
  EXPECT_EQ(waiter.ReadReply(), "*-1\r\n");
  EXPECT_EQ(admin_.Command({"CLIENT", "UNBLOCK", id}), ":0\r\n");
  SendBlocking(waiter, {"BLMOVE", "q", "d", "LEFT", "RIGHT", "0"}, 1);
  EXPECT_EQ(admin_.Command({"CLIENT", "UNBLOCK", id, "ERROR"}), ":1\r\n");
  EXPECT_EQ(waiter.ReadReply(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(waiter.Command({"PING"}), "+PONG\r\n");
}

// WAIT on a master without replicas blocks on no key: its timeout and CLIENT UNBLOCK answer 0
// replicas, and Redis 7.0 counts the calls CLIENT UNBLOCK ended as failed.
TEST_F(BlockingTest, WaitForReplicasEndsByTimeoutOrClientUnblock) {
  RespClient waiter = Connect();
  std::string id = waiter.Command({"CLIENT", "ID"});
  id = id.substr(1, id.size() - 3);
  EXPECT_EQ(admin_.Command({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  EXPECT_EQ(waiter.Command({"WAIT", "1", "20"}), ":0\r\n");
  SendBlocking(waiter, {"WAIT", "1", "0"}, 1);
  EXPECT_EQ(admin_.Command({"CLIENT", "UNBLOCK", id}), ":1\r\n");
  EXPECT_EQ(waiter.ReadReply(), ":0\r\n");
  SendBlocking(waiter, {"WAIT", "3", "0"}, 1);
  EXPECT_EQ(admin_.Command({"CLIENT", "UNBLOCK", id, "ERROR"}), ":1\r\n");
  EXPECT_EQ(waiter.ReadReply(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  WaitBlocked(0);
  std::string stats = admin_.Command({"INFO", "commandstats"});
  size_t at = stats.find("cmdstat_wait:calls=3,");
  ASSERT_NE(at, std::string::npos) << stats;
  std::string line = stats.substr(at, stats.find("\r\n", at) - at);
  EXPECT_TRUE(line.ends_with(",rejected_calls=0,failed_calls=2")) << line;
}

TEST_F(BlockingTest, BlmoveServesAWaiterOnItsDestination) {
  RespClient mover = Connect();
  RespClient popper = Connect();
  SendBlocking(mover, {"BLMOVE", "src", "dst", "LEFT", "LEFT", "0"}, 1);
  SendBlocking(popper, {"BLPOP", "dst", "0"}, 2);
  admin_.Command({"RPUSH", "src", "job"});
  EXPECT_EQ(mover.ReadReply(), Bulk("job"));
  EXPECT_EQ(popper.ReadReply(), KeyValue("dst", "job"));
  EXPECT_EQ(admin_.Command({"EXISTS", "src", "dst"}), ":0\r\n");
}

TEST_F(BlockingTest, RenameAndSwapdbCreatingTheKeyWakeWaiters) {
  RespClient waiter = Connect();
  SendBlocking(waiter, {"BLPOP", "dst", "0"}, 1);
  admin_.Command({"RPUSH", "src", "x"});
  EXPECT_EQ(admin_.Command({"RENAME", "src", "dst"}), "+OK\r\n");
  EXPECT_EQ(waiter.ReadReply(), KeyValue("dst", "x"));

  SendBlocking(waiter, {"BLPOP", "swapped", "0"}, 1);
  admin_.Command({"SELECT", "1"});
  admin_.Command({"RPUSH", "swapped", "y"});
  EXPECT_EQ(admin_.Command({"SWAPDB", "0", "1"}), "+OK\r\n");
  EXPECT_EQ(waiter.ReadReply(), KeyValue("swapped", "y"));
}

TEST_F(BlockingTest, KeyOfAnotherTypeKeepsTheWaiterBlocked) {
  RespClient waiter = Connect();
  SendBlocking(waiter, {"BLPOP", "k", "0"}, 1);
  admin_.Command({"SET", "k", "string"});
  admin_.Command({"DEL", "k"});
  admin_.Command({"ZADD", "k", "1", "m"});
  admin_.Command({"RENAME", "k", "k2"});
  WaitBlocked(1);
  admin_.Command({"RPUSH", "k", "v"});
  EXPECT_EQ(waiter.ReadReply(), KeyValue("k", "v"));
}

TEST_F(BlockingTest, PipelinedCommandsAfterABlockingOneWaitForIt) {
  RespClient waiter = Connect();
  ASSERT_TRUE(waiter.SendRaw("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n"));
  WaitBlocked(1);
  admin_.Command({"RPUSH", "q", "a"});
  EXPECT_EQ(waiter.ReadReply(), KeyValue("q", "a"));
  EXPECT_EQ(waiter.ReadReply(), "+PONG\r\n");
}

TEST_F(BlockingTest, ManyPushersAndPoppersAcrossThreadsLoseNothing) {
  constexpr int kItems = 200;
  std::vector<std::string> got;
  std::thread consumer([&] {
    RespClient client;
    if (!client.Connect(server_->port())) return;
    for (int i = 0; i < kItems; ++i) got.push_back(client.Command({"BLPOP", "work", "5"}));
  });
  std::thread producer([&] {
    RespClient client;
    if (!client.Connect(server_->port())) return;
    for (int i = 0; i < kItems; ++i) client.Command({"RPUSH", "work", std::to_string(i)});
  });
  producer.join();
  consumer.join();
  ASSERT_EQ(got.size(), static_cast<size_t>(kItems));
  for (int i = 0; i < kItems; ++i) EXPECT_EQ(got[i], KeyValue("work", std::to_string(i)));
}

}  // namespace
}  // namespace respd::testing
