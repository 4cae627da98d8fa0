// RESPD JOURNAL against the real binary: what is recorded on every entry path (blocked commands
// when answered), the filters of GET and COUNT, WAIT for a background worker, the ring's bound and
// argument cut (journal-max-len, journal-max-arg-len), and exact counts from many clients on four
// threads.
#include <gtest/gtest.h>

#include <cstdint>
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

TEST_F(RespdJournalTest, RecordsFunctionCalls) {
  admin_.Command({"FUNCTION", "LOAD",
                  "#!lua name=lib\nredis.register_function('bump', function(keys) "
                  "return redis.call('incr', keys[1]) end)"});
  Journal({"ON"});
  RespClient client = Connect();
  EXPECT_EQ(client.Command({"FCALL", "bump", "1", "n"}), ":1\r\n");
  EXPECT_EQ(Journal({"COUNT", "COMMAND", "fcall"}), ":1\r\n");
  EXPECT_EQ(Journal({"COUNT", "COMMAND", "incr", "KEY", "n"}), ":1\r\n");
}

// Seq numbers in a GET reply, in order.
std::vector<int64_t> Seqs(const std::string& reply) {
  std::vector<int64_t> seqs;
  const std::string kField = "$3\r\nseq\r\n:";
  for (size_t at = reply.find(kField); at != std::string::npos; at = reply.find(kField, at)) {
    at += kField.size();
    seqs.push_back(std::stoll(reply.substr(at, reply.find('\r', at) - at)));
  }
  return seqs;
}

TEST_F(RespdJournalTest, BlockedCommandsAreRecordedWhenAnswered) {
  Journal({"ON"});
  RespClient served = Connect();
  ASSERT_TRUE(served.SendRaw(served.EncodeCommand({"BLPOP", "q", "0"})));
  WaitForInfo("clients", "blocked_clients:1\r\n");
  EXPECT_EQ(Journal({"COUNT", "COMMAND", "blpop"}), ":0\r\n");  // not answered yet
  admin_.Command({"RPUSH", "q", "a"});
  EXPECT_EQ(served.ReadReply(), "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
  // Recorded after the push that served it.
  std::vector<int64_t> push = Seqs(Journal({"GET", "COMMAND", "rpush"}));
  std::vector<int64_t> pop = Seqs(Journal({"GET", "COMMAND", "blpop"}));
  ASSERT_EQ(push.size(), 1u);
  ASSERT_EQ(pop.size(), 1u);
  EXPECT_GT(pop[0], push[0]);

  // A timeout (the server clock moved past it) and CLIENT UNBLOCK ERROR answer too.
  admin_.Command({"RESPD", "TIME", "FREEZE"});
  ASSERT_TRUE(served.SendRaw(served.EncodeCommand({"BLPOP", "q", "5"})));
  WaitForInfo("clients", "blocked_clients:1\r\n");
  admin_.Command({"RESPD", "TIME", "ADVANCE", "5000"});
  EXPECT_EQ(served.ReadReply(), "*-1\r\n");
  std::string id = served.Command({"CLIENT", "ID"});
  ASSERT_TRUE(served.SendRaw(served.EncodeCommand({"BLPOP", "q", "0"})));
  WaitForInfo("clients", "blocked_clients:1\r\n");
  admin_.Command({"CLIENT", "UNBLOCK", id.substr(1, id.size() - 3), "ERROR"});
  EXPECT_EQ(served.ReadReply(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(Journal({"COUNT", "COMMAND", "blpop"}), ":3\r\n");
  std::string last = Journal({"GET", "COMMAND", "blpop", "SINCE", std::to_string(pop[0])});
  EXPECT_NE(last.find("$5\r\nerror\r\n$45\r\nUNBLOCKED client unblocked via CLIENT UNBLOCK"),
            std::string::npos)
      << last;
  // A client that leaves while blocked is not recorded.
  {
    RespClient leaving = Connect();
    ASSERT_TRUE(leaving.SendRaw(leaving.EncodeCommand({"BLPOP", "q", "0"})));
    WaitForInfo("clients", "blocked_clients:1\r\n");
  }
  WaitForInfo("clients", "blocked_clients:0\r\n");
  EXPECT_EQ(Journal({"COUNT", "COMMAND", "blpop"}), ":3\r\n");
}

TEST_F(RespdJournalTest, KeepsTheNewestMaxLenAcrossThreadsAndCutsArguments) {
  EXPECT_EQ(admin_.Command({"CONFIG", "SET", "journal-max-len", "10", "journal-max-arg-len", "4"}),
            "+OK\r\n");
  EXPECT_EQ(admin_.Command({"CONFIG", "GET", "journal-max-len"}),
            "*2\r\n$15\r\njournal-max-len\r\n$2\r\n10\r\n");
  Journal({"ON"});
  // Two clients, on the fixture's two I/O threads: one ring each.
  RespClient first = Connect();
  RespClient second = Connect();
  first.Command({"CLIENT", "SETNAME", "first"});
  second.Command({"CLIENT", "SETNAME", "second"});
  for (int i = 0; i < 20; ++i) first.Command({"SET", "key:" + std::to_string(i), "value"});
  for (int i = 0; i < 3; ++i) second.Command({"SET", "key:" + std::to_string(i), "value"});
  EXPECT_EQ(Journal({"COUNT"}), ":10\r\n");
  EXPECT_EQ(Journal({"COUNT", "CLIENT", "first"}), ":7\r\n");
  EXPECT_EQ(Journal({"COUNT", "CLIENT", "second"}), ":3\r\n");
  std::string entries = Journal({"GET"});
  std::vector<int64_t> seqs = Seqs(entries);
  ASSERT_EQ(seqs.size(), 10u);
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1);
  // Arguments cut at 4 bytes; KEY filters still see whole keys.
  EXPECT_NE(entries.find("*3\r\n$3\r\nSET\r\n$4\r\nkey:\r\n$4\r\nvalu\r\n"), std::string::npos)
      << entries;
  EXPECT_EQ(Journal({"COUNT", "KEY", "key:19"}), ":1\r\n");
  // A smaller bound applies at once; a larger one keeps only what is left.
  EXPECT_EQ(admin_.Command({"CONFIG", "SET", "journal-max-len", "4"}), "+OK\r\n");
  EXPECT_EQ(Journal({"COUNT", "CLIENT", "second"}), ":3\r\n");
  EXPECT_EQ(Journal({"COUNT"}), ":4\r\n");
  EXPECT_EQ(admin_.Command({"CONFIG", "SET", "journal-max-len", "0"}).substr(0, 4), "-ERR");
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
  ServerProcess server =
      ServerProcess::StartRespd({"--threads", "4", "--journal-max-len", "100000"});
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
      // Each client its own number of commands, so a count taken from the wrong client shows.
      for (int i = 0; i < kCommandsPerClient + w; ++i) client.Command({"INCR", "counter"});
    });
  }
  for (std::thread& worker : workers) worker.join();
  int total = 0;
  for (int w = 0; w < kClients; ++w) {
    total += kCommandsPerClient + w;
    EXPECT_EQ(admin.Command({"RESPD", "JOURNAL", "COUNT", "CLIENT", "worker-" + std::to_string(w),
                             "COMMAND", "incr"}),
              ":" + std::to_string(kCommandsPerClient + w) + "\r\n");
  }
  EXPECT_EQ(admin.Command({"RESPD", "JOURNAL", "COUNT", "COMMAND", "incr"}),
            ":" + std::to_string(total) + "\r\n");
  // Merged from four threads' rings: every number once, in order.
  std::vector<int64_t> seqs = Seqs(admin.Command({"RESPD", "JOURNAL", "GET"}));
  ASSERT_EQ(seqs.size(), static_cast<size_t>(total + kClients));
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1);
  EXPECT_EQ(admin.Command({"GET", "counter"}), "$4\r\n" + std::to_string(total) + "\r\n");
}

}  // namespace
}  // namespace respd::testing
