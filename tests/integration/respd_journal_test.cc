// RESPD JOURNAL against the real binary: what is recorded on every entry path, the filters of GET
// and COUNT, WAIT for a background worker, and exact counts from many clients on four threads.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/support/respd_test.h"

namespace respd::testing {
namespace {

class RespdJournalTest : public RespdTest {
 protected:
  std::string Journal(std::vector<std::string> args) {
    args.insert(args.begin(), {"RESPD", "JOURNAL"});
    return admin_.Command(args);
  }
};

TEST_F(RespdJournalTest, RecordsNothingWhileOff) {
  admin_.Command({"SET", "k", "v"});
  EXPECT_EQ(Journal({"COUNT"}), ":0\r\n");
  EXPECT_EQ(Journal({"ON"}), "+OK\r\n");
  admin_.Command({"SET", "k", "v"});
  EXPECT_EQ(Journal({"OFF"}), "+OK\r\n");
  admin_.Command({"SET", "k", "v"});
  EXPECT_EQ(Journal({"COUNT"}), ":1\r\n");
  EXPECT_EQ(Journal({"RESET"}), "+OK\r\n");
  EXPECT_EQ(Journal({"COUNT"}), ":0\r\n");
}

TEST_F(RespdJournalTest, EntriesCarryClientArgvAndReply) {
  Journal({"ON"});
  RespClient client = Connect();
  client.Command({"CLIENT", "SETNAME", "app"});
  client.Command({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"});
  client.Command({"SELECT", "2"});
  client.Command({"SET", "user:1", "x"});
  client.Command({"INCR", "user:1"});
  std::string entries = Journal({"GET", "CLIENT", "app", "KEY", "user:*"});
  EXPECT_TRUE(entries.starts_with("*2\r\n")) << entries;
  EXPECT_NE(entries.find("$8\r\nredis-py\r\n"), std::string::npos) << entries;
  EXPECT_NE(entries.find("$2\r\ndb\r\n:2\r\n"), std::string::npos) << entries;
  EXPECT_NE(entries.find("*3\r\n$3\r\nSET\r\n$6\r\nuser:1\r\n$1\r\nx\r\n"), std::string::npos);
  EXPECT_NE(entries.find("$5\r\nerror\r\n$43\r\nERR value is not an integer or out of range"),
            std::string::npos)
      << entries;
  EXPECT_EQ(Journal({"COUNT", "COMMAND", "incr", "set"}), ":2\r\n");
  EXPECT_EQ(Journal({"COUNT", "LIB", "redis-py", "COMMAND", "select"}), ":1\r\n");
  EXPECT_EQ(Journal({"COUNT", "CLIENT", "nobody"}), ":0\r\n");
  std::string first = Journal({"GET", "COUNT", "1"});
  EXPECT_TRUE(first.starts_with("*1\r\n")) << first;
  // SINCE: only what came after a sequence number.
  EXPECT_EQ(Journal({"COUNT", "SINCE", "4"}), ":1\r\n");
}

TEST_F(RespdJournalTest, RecordsExecBodiesAndScriptCalls) {
  Journal({"ON"});
  RespClient client = Connect();
  client.Command({"MULTI"});
  client.Command({"SET", "a", "1"});
  client.Command({"INCR", "a"});
  client.Command({"EXEC"});
  client.Command({"EVAL", "return redis.call('get', KEYS[1])", "1", "a"});
  EXPECT_EQ(Journal({"COUNT", "COMMAND", "set", "incr"}), ":2\r\n");
  EXPECT_EQ(Journal({"COUNT", "COMMAND", "get"}), ":1\r\n");
  EXPECT_EQ(Journal({"COUNT", "KEY", "a"}), ":4\r\n");  // SET INCR EVAL GET
}

TEST_F(RespdJournalTest, WaitReturnsOnceTheWorkerDidItsWork) {
  Journal({"ON"});
  RespClient waiter = Connect();
  ASSERT_TRUE(waiter.SendRaw(waiter.EncodeCommand(
      {"RESPD", "JOURNAL", "WAIT", "COMMAND", "lpush", "MIN", "3", "TIMEOUT", "0"})));
  std::thread worker([port = server_->port()] {
    RespClient client;
    if (!client.Connect(port)) return;
    for (int i = 0; i < 3; ++i) client.Command({"LPUSH", "jobs", std::to_string(i)});
  });
  EXPECT_EQ(waiter.ReadReply(), ":3\r\n");
  worker.join();
  // With nothing to wait for, TIMEOUT ends the wait with what was seen.
  EXPECT_EQ(waiter.Command({"RESPD", "JOURNAL", "WAIT", "COMMAND", "rpush", "TIMEOUT", "50"}),
            ":0\r\n");
  EXPECT_EQ(waiter.Command({"PING"}), "+PONG\r\n");
}

TEST(RespdJournalThreadsTest, ExactCountsFromManyClientsOnFourThreads) {
  constexpr int kClients = 8;
  constexpr int kCommandsPerClient = 250;
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  RespClient admin;
  ASSERT_TRUE(admin.Connect(server.port()));
  ASSERT_EQ(admin.Command({"RESPD", "JOURNAL", "ON"}), "+OK\r\n");
  std::vector<std::thread> workers;
  for (int w = 0; w < kClients; ++w) {
    workers.emplace_back([&, w] {
      RespClient client;
      if (!client.Connect(server.port())) return;
      client.Command({"CLIENT", "SETNAME", "worker-" + std::to_string(w)});
      for (int i = 0; i < kCommandsPerClient; ++i) client.Command({"INCR", "counter"});
    });
  }
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(admin.Command({"RESPD", "JOURNAL", "COUNT", "COMMAND", "incr"}),
            ":" + std::to_string(kClients * kCommandsPerClient) + "\r\n");
  EXPECT_EQ(admin.Command({"RESPD", "JOURNAL", "COUNT", "CLIENT", "worker-3"}),
            ":" + std::to_string(kCommandsPerClient + 1) + "\r\n");
  EXPECT_EQ(admin.Command({"GET", "counter"}),
            "$4\r\n" + std::to_string(kClients * kCommandsPerClient) + "\r\n");
}

}  // namespace
}  // namespace respd::testing
