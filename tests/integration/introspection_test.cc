// INFO memory, errorstats/commandstats and CLIENT LIST over real connections on a two-thread
// respd: used_memory follows what the keyspace holds, errors met outside a command (protocol
// errors, blocked clients' answers) are counted as Redis 7.0.15 counts them, and CLIENT LIST shows
// other threads' clients as they are.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/respd_test.h"

namespace respd::testing {
namespace {

constexpr int64_t kMiB = 1024 * 1024;
// A value a little over 10 MiB: used_memory must rise by at least 10 MiB although connection
// buffers (a few KB) are allocated and freed meanwhile.
const std::string kBigValue(10 * kMiB + 64 * 1024, 'x');

// The value of `field` in an INFO text or a CLIENT LIST line ("" when absent).
std::string Field(const std::string& text, const std::string& field) {
  size_t at = 0;
  while ((at = text.find(field, at)) != std::string::npos) {
    bool starts = at == 0 || text[at - 1] == '\n' || text[at - 1] == ' ';
    char after = at + field.size() < text.size() ? text[at + field.size()] : '\0';
    if (starts && (after == ':' || after == '=')) break;
    ++at;
  }
  if (at == std::string::npos) return "";
  size_t start = at + field.size() + 1;
  return text.substr(start, text.find_first_of(" \r\n", start) - start);
}

class IntrospectionTest : public RespdTest {
 protected:
  int64_t UsedMemory() {
    return std::stoll(Field(admin_.Command({"INFO", "memory"}), "used_memory"));
  }

  // Waits (bounded) until the lazy-free thread has freed what UNLINK handed it.
  void WaitForLazyFree() {
    for (int i = 0; i < 500; ++i) {
      if (Field(admin_.Command({"INFO", "memory"}), "lazyfree_pending_objects") == "0") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Sends `commands` as one pipeline and reads every reply.
  void Pipeline(RespClient& client, const std::vector<std::vector<std::string>>& commands) {
    std::string bytes;
    for (const auto& command : commands) bytes += client.EncodeCommand(command);
    ASSERT_TRUE(client.SendRaw(bytes));
    for (size_t i = 0; i < commands.size(); ++i) ASSERT_NE(client.ReadReply(), "");
  }

  // CLIENT ID of `client`, as text.
  static std::string ClientId(RespClient& client) {
    std::string reply = client.Command({"CLIENT", "ID"});
    return reply.substr(1, reply.size() - 3);
  }

  std::string ClientLine(const std::string& id) {
    return admin_.Command({"CLIENT", "LIST", "ID", id});
  }

};

TEST_F(IntrospectionTest, UsedMemoryFollowsALargeString) {
  int64_t start = UsedMemory();
  ASSERT_EQ(admin_.Command({"SET", "big", kBigValue}), "+OK\r\n");
  EXPECT_GE(UsedMemory() - start, 10 * kMiB);
  ASSERT_EQ(admin_.Command({"DEL", "big"}), ":1\r\n");
  EXPECT_LT(UsedMemory() - start, kMiB);
  // Overwritten, then gone with FLUSHALL.
  ASSERT_EQ(admin_.Command({"SET", "big", kBigValue}), "+OK\r\n");
  ASSERT_EQ(admin_.Command({"SET", "big", "small"}), "+OK\r\n");
  EXPECT_LT(UsedMemory() - start, kMiB);
  ASSERT_EQ(admin_.Command({"SET", "big", kBigValue}), "+OK\r\n");
  ASSERT_EQ(admin_.Command({"FLUSHALL"}), "+OK\r\n");
  EXPECT_LT(UsedMemory() - start, kMiB);
}

TEST_F(IntrospectionTest, UsedMemoryFollowsAnExpiredString) {
  int64_t start = UsedMemory();
  ASSERT_EQ(admin_.Command({"SET", "big", kBigValue}), "+OK\r\n");
  EXPECT_GE(UsedMemory() - start, 10 * kMiB);
  ASSERT_EQ(admin_.Command({"PEXPIRE", "big", "1"}), ":1\r\n");
  for (int i = 0; i < kPollAttempts && admin_.Command({"EXISTS", "big"}) != ":0\r\n"; ++i) {
    std::this_thread::sleep_for(kPollInterval);
  }
  EXPECT_LT(UsedMemory() - start, kMiB);
}

TEST_F(IntrospectionTest, UsedMemoryFollowsLargeContainers) {
  RespClient writer = Connect();
  constexpr int kElements = 100000;
  constexpr int kPerCommand = 1000;
  struct Case {
    std::string command;
    int values_per_element;
  };
  for (const Case& c : {Case{"RPUSH", 1}, Case{"HSET", 2}, Case{"SADD", 1}, Case{"ZADD", 2}}) {
    SCOPED_TRACE(c.command);
    int64_t start = UsedMemory();
    std::vector<std::vector<std::string>> commands;
    for (int first = 0; first < kElements; first += kPerCommand) {
      std::vector<std::string> command = {c.command, "container"};
      for (int i = first; i < first + kPerCommand; ++i) {
        if (c.values_per_element == 2) command.push_back(std::to_string(i));
        command.push_back("element:" + std::to_string(i));
      }
      commands.push_back(std::move(command));
    }
    Pipeline(writer, commands);
    // At least one byte per element's text, whatever the encoding.
    EXPECT_GE(UsedMemory() - start, int64_t{kElements} * 8);
    ASSERT_EQ(admin_.Command({c.command == "RPUSH" ? "DEL" : "UNLINK", "container"}), ":1\r\n");
    WaitForLazyFree();
    EXPECT_LT(UsedMemory() - start, kMiB);
  }
}

// Redis 7.0.15 counts a protocol error, and a blocked command once, when it is answered.
TEST_F(IntrospectionTest, ErrorsOutsideCommandsAndBlockedCommandsAreCounted) {
  ASSERT_EQ(admin_.Command({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  RespClient bad = Connect();
  ASSERT_TRUE(bad.SendRaw("*1\r\n$x\r\n"));
  EXPECT_EQ(bad.ReadReply(), "-ERR Protocol error: invalid bulk length\r\n");
  RespClient waiter = Connect();
  std::string id = ClientId(waiter);
  EXPECT_EQ(waiter.Command({"BLPOP", "q", "0.05"}), "*-1\r\n");
  // Blocked, then unblocked with an error by another client.
  ASSERT_TRUE(waiter.SendRaw(waiter.EncodeCommand({"BLPOP", "q", "0"})));
  for (int i = 0; i < kPollAttempts && Field(ClientLine(id), "flags") != "b"; ++i) {
    std::this_thread::sleep_for(kPollInterval);
  }
  EXPECT_EQ(Field(ClientLine(id), "argv-mem"), "7");
  EXPECT_EQ(admin_.Command({"CLIENT", "UNBLOCK", id, "ERROR"}), ":1\r\n");
  EXPECT_EQ(waiter.ReadReply(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  std::string info = admin_.Command({"INFO", "everything"});
  EXPECT_EQ(Field(info, "errorstat_ERR"), "count=1");
  EXPECT_EQ(Field(info, "errorstat_UNBLOCKED"), "count=1");
  EXPECT_EQ(Field(info, "total_error_replies"), "2");
  std::string blpop = Field(info, "cmdstat_blpop");
  EXPECT_TRUE(blpop.starts_with("calls=2,")) << blpop;
  EXPECT_TRUE(blpop.ends_with(",rejected_calls=0,failed_calls=1")) << blpop;
  std::string unblock = Field(info, "cmdstat_client|unblock");
  EXPECT_TRUE(unblock.ends_with(",rejected_calls=0,failed_calls=1")) << unblock;
}

TEST_F(IntrospectionTest, ClientListShowsClientsOfOtherThreads) {
  std::vector<RespClient> clients;
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    clients.push_back(Connect());
    ids.push_back(ClientId(clients.back()));
  }
  for (size_t i = 0; i < clients.size(); ++i) {
    RespClient& client = clients[i];
    ASSERT_EQ(client.Command({"SELECT", "3"}), "+OK\r\n");
    ASSERT_EQ(client.Command({"MULTI"}), "+OK\r\n");
    ASSERT_EQ(client.Command({"SET", "a", "1"}), "+QUEUED\r\n");
    ASSERT_EQ(client.Command({"GET", "a"}), "+QUEUED\r\n");
    std::string line = ClientLine(ids[i]);
    EXPECT_EQ(Field(line, "multi"), "2") << line;
    EXPECT_EQ(Field(line, "flags"), "x") << line;
    EXPECT_EQ(Field(line, "cmd"), "get") << line;
    EXPECT_EQ(Field(line, "db"), "3") << line;
    EXPECT_EQ(Field(line, "qbuf"), "0") << line;
    EXPECT_EQ(Field(line, "argv-mem"), "0") << line;
    std::string exec = client.Command({"EXEC"});
    EXPECT_EQ(exec, "*2\r\n+OK\r\n$1\r\n1\r\n");
    line = ClientLine(ids[i]);
    EXPECT_EQ(Field(line, "multi"), "-1") << line;
    EXPECT_EQ(Field(line, "cmd"), "exec") << line;
  }
  // cmd= is what the last name resolved to, refused or not; NULL when unknown.
  RespClient& client = clients[1];
  const std::string& id = ids[1];
  struct Step {
    std::vector<std::string> command;
    std::string cmd;
  };
  for (const Step& step : {Step{{"NOSUCH"}, "NULL"}, Step{{"SET", "k"}, "set"},
                           Step{{"CLIENT", "NOSUCH"}, "NULL"},
                           Step{{"CLIENT", "GETNAME", "x"}, "client|getname"},
                           Step{{"HELLO", "3"}, "hello"}}) {
    client.Command(step.command);
    EXPECT_EQ(Field(ClientLine(id), "cmd"), step.cmd) << step.command[0];
  }
  EXPECT_EQ(Field(ClientLine(id), "resp"), "3");
  // A fresh client's own view while it runs CLIENT INFO, as Redis shows it.
  std::string own = clients[0].Command({"CLIENT", "INFO"});
  EXPECT_EQ(Field(own, "qbuf"), "26") << own;
  EXPECT_EQ(Field(own, "argv-mem"), "10") << own;
  EXPECT_EQ(Field(own, "cmd"), "client|info") << own;
}

// Redis frees the query buffer of a client idle for more than 2 seconds (qbuf-free=0) and
// allocates it again when the client speaks.
TEST_F(IntrospectionTest, IdleClientGivesItsQueryBufferBack) {
  RespClient client = Connect();
  std::string id = ClientId(client);
  // Before that, as in Redis's unit/querybuf: nothing pending, and the bytes already parsed count
  // as free room, so the two make the read buffer (Redis's 16 KB, less than its 32 KB resize
  // threshold).
  std::string line = ClientLine(id);
  EXPECT_EQ(Field(line, "qbuf"), "0") << line;
  int64_t buffer = std::stoll(Field(line, "qbuf")) + std::stoll(Field(line, "qbuf-free"));
  EXPECT_GE(buffer, 16 * 1024) << line;
  EXPECT_LT(buffer, 32 * 1024) << line;
  std::string free_space;
  for (int i = 0; i < kPollAttempts && free_space != "0"; ++i) {
    std::this_thread::sleep_for(kPollInterval);
    free_space = Field(ClientLine(id), "qbuf-free");
  }
  EXPECT_EQ(free_space, "0");
  EXPECT_EQ(client.Command({"PING"}), "+PONG\r\n");
  EXPECT_NE(Field(ClientLine(id), "qbuf-free"), "0");
}

// Redis's cron resizes each client's reply buffer (rbs) to what its replies used (rbp): a new
// client's 16 KB shrinks to 1 KB while it only gets small replies, and grows back, doubling a tick
// at a time, up to 16 KB while its replies fill it. INFO counts the shrinks and expands.
TEST_F(IntrospectionTest, ReplyBufferFollowsWhatRepliesUse) {
  RespClient client = Connect();
  std::string id = ClientId(client);
  std::string line = ClientLine(id);
  EXPECT_EQ(Field(line, "rbs"), "16384") << line;
  int64_t size = 16384;
  for (int i = 0; i < kPollAttempts && size != 1024; ++i) {
    std::this_thread::sleep_for(kPollInterval);
    size = std::stoll(Field(ClientLine(id), "rbs"));
  }
  EXPECT_EQ(size, 1024);
  // This client's shrink, and the admin connection's.
  EXPECT_GE(std::stoll(Field(admin_.Command({"INFO", "stats"}), "reply_buffer_shrinks")), 1);
  ASSERT_EQ(client.Command({"SET", "big", std::string(32 * 1024, 'x')}), "+OK\r\n");
  for (int i = 0; i < kPollAttempts && size < 16384; ++i) {
    ASSERT_EQ(client.Command({"GET", "big"}).size(), 32 * 1024 + 10);
    std::this_thread::sleep_for(kPollInterval);
    size = std::stoll(Field(ClientLine(id), "rbs"));
  }
  EXPECT_EQ(size, 16384);
  std::string stats = admin_.Command({"INFO", "stats"});
  EXPECT_GE(std::stoll(Field(stats, "reply_buffer_expands")), 4) << stats;
  EXPECT_GE(std::stoll(Field(stats, "total_reads_processed")), 4) << stats;
  EXPECT_GE(std::stoll(Field(stats, "total_writes_processed")), 4) << stats;
  EXPECT_EQ(admin_.Command({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  stats = admin_.Command({"INFO", "stats"});
  EXPECT_EQ(Field(stats, "reply_buffer_expands"), "0") << stats;
  // The RESETSTAT reply was written since.
  EXPECT_EQ(Field(stats, "total_writes_processed"), "1") << stats;
}

}  // namespace
}  // namespace respd::testing
