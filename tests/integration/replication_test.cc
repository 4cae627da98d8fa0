// The master side of replication: SYNC and PSYNC give the dataset and then the command stream as
// Redis 7.0 writes it (SELECTs, MULTI/EXEC around a unit of several commands, DEL for expired
// keys), INFO, ROLE and CLIENT LIST show the replica, and a real redis-server replicating from
// respd ends up with respd's dataset and follows its writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

using Argv = std::vector<std::string>;

constexpr int kTimeoutMs = 10000;

class ReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(ServerProcess::StartRespd());
    ASSERT_TRUE(server_->running());
    ASSERT_TRUE(client_.Connect(server_->port(), kTimeoutMs));
  }

  // A connection attached with SYNC; its payload in `payload`.
  RespClient AttachReplica(std::string* payload) {
    RespClient replica;
    EXPECT_TRUE(replica.Connect(server_->port(), kTimeoutMs));
    EXPECT_TRUE(replica.AttachAsReplica({"SYNC"}, payload));
    return replica;
  }

  std::unique_ptr<ServerProcess> server_;
  RespClient client_;
};

TEST_F(ReplicationTest, SyncSendsTheDatasetThenEveryChangeAsRedisPropagatesIt) {
  ASSERT_EQ(client_.Command({"SET", "before", "sync"}), "+OK\r\n");
  std::string payload;
  RespClient replica = AttachReplica(&payload);
  EXPECT_TRUE(payload.starts_with("REDIS0010")) << payload.substr(0, 16);
  EXPECT_NE(payload.find("before"), std::string::npos);

  ASSERT_EQ(client_.Command({"SET", "k", "v"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"GET", "k"}), "$1\r\nv\r\n");   // a read propagates nothing
  ASSERT_EQ(client_.Command({"DEL", "missing"}), ":0\r\n");  // nor a write that changed nothing
  ASSERT_EQ(client_.Command({"EVAL", "redis.call('incr','a') redis.call('incr','b')", "0"}),
            "$-1\r\n");
  ASSERT_EQ(client_.Command({"SELECT", "5"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"LPUSH", "l", "x"}), ":1\r\n");
  ASSERT_EQ(client_.Command({"MULTI"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"SET", "m", "1"}), "+QUEUED\r\n");
  ASSERT_EQ(client_.Command({"EXEC"}), "*1\r\n+OK\r\n");

  const std::vector<Argv> expected = {
      {"SELECT", "0"}, {"SET", "k", "v"}, {"MULTI"},           {"incr", "a"},     {"incr", "b"},
      {"EXEC"},        {"SELECT", "5"},   {"LPUSH", "l", "x"}, {"SET", "m", "1"},
  };
  for (const Argv& command : expected) {
    EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), command);
  }
}

TEST_F(ReplicationTest, ScriptsChooseWhereTheirWritesPropagateWithSetRepl) {
  std::string payload;
  RespClient replica = AttachReplica(&payload);
  ASSERT_EQ(client_.Command({"EVAL",
                             "redis.set_repl(redis.REPL_NONE) redis.call('set','none','1') "
                             "redis.set_repl(redis.REPL_AOF) redis.call('set','aof','1') "
                             "redis.set_repl(redis.REPL_ALL) redis.call('set','all','1')",
                             "0"}),
            "$-1\r\n");
  ASSERT_EQ(client_.Command({"SET", "after", "1"}), "+OK\r\n");
  // With the AOF off, the write meant for it only goes nowhere and does not make the unit one of
  // several commands (no MULTI), as in Redis.
  const std::vector<Argv> expected = {{"SELECT", "0"}, {"set", "all", "1"}, {"SET", "after", "1"}};
  for (const Argv& command : expected) {
    EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), command);
  }
}

TEST_F(ReplicationTest, AnExpiredKeyPropagatesAsItsDeletion) {
  std::string payload;
  RespClient replica = AttachReplica(&payload);
  ASSERT_EQ(client_.Command({"SET", "gone", "v", "PX", "1"}), "+OK\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(client_.Command({"GET", "gone"}), "$-1\r\n");
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"SELECT", "0"}));
  // The SET itself (in whatever form its family rewrites it to), then the lazy expiry's DEL.
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs).at(0), "SET");
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"DEL", "gone"}));
}

TEST_F(ReplicationTest, EvictionsPropagateOneByOneAsRedisPerformEvictionsDoes) {
  ASSERT_EQ(client_.Command({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"MSET", "a", "1", "b", "2"}), "+OK\r\n");
  std::string payload;
  RespClient replica = AttachReplica(&payload);
  ASSERT_EQ(client_.Command({"CONFIG", "SET", "maxmemory", "1"}), "+OK\r\n");
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"SELECT", "0"}));
  std::vector<std::string> deleted;
  for (int i = 0; i < 2; ++i) {
    Argv command = replica.ReadStreamCommand(kTimeoutMs);
    ASSERT_EQ(command.size(), 2u);
    EXPECT_EQ(command[0], "DEL");
    deleted.push_back(command[1]);
  }
  std::sort(deleted.begin(), deleted.end());
  EXPECT_EQ(deleted, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(client_.Command({"CONFIG", "SET", "maxmemory", "0"}), "+OK\r\n");
}

TEST_F(ReplicationTest, PsyncIsAlwaysAFullResynchronisationFromTheStreamsOffset) {
  ASSERT_EQ(client_.Command({"SET", "k", "v"}), "+OK\r\n");
  std::string first_payload;
  RespClient first = AttachReplica(&first_payload);
  ASSERT_EQ(client_.Command({"SET", "k", "w"}), "+OK\r\n");
  ASSERT_EQ(first.ReadStreamCommand(kTimeoutMs), (Argv{"SELECT", "0"}));
  ASSERT_EQ(first.ReadStreamCommand(kTimeoutMs), (Argv{"SET", "k", "w"}));
  std::string offset = InfoField(client_.Command({"INFO", "replication"}), "master_repl_offset");
  // SELECT 0 and SET k w as RESP arrays.
  EXPECT_EQ(offset, std::to_string(23 + 27));

  RespClient replica;
  ASSERT_TRUE(replica.Connect(server_->port(), kTimeoutMs));
  ASSERT_EQ(replica.Command({"REPLCONF", "listening-port", "7777"}), "+OK\r\n");
  ASSERT_EQ(replica.Command({"REPLCONF", "capa", "eof", "capa", "psync2"}), "+OK\r\n");
  std::string payload, header;
  ASSERT_TRUE(replica.AttachAsReplica({"PSYNC", "?", "-1"}, &payload, &header));
  EXPECT_TRUE(std::regex_match(header, std::regex("\\+FULLRESYNC [0-9a-f]{40} " + offset)))
      << header;

  std::string info = client_.Command({"INFO", "replication"});
  EXPECT_EQ(InfoField(info, "connected_slaves"), "2");
  EXPECT_TRUE(std::regex_search(
      info, std::regex("slave1:ip=127\\.0\\.0\\.1,port=7777,state=online,offset=0,lag=\\d+")))
      << info;
  EXPECT_EQ(InfoField(info, "repl_backlog_active"), "1");
  std::string role = client_.Command({"ROLE"});
  EXPECT_NE(role.find("$9\r\n127.0.0.1\r\n$4\r\n7777\r\n$1\r\n0\r\n"), std::string::npos) << role;
  EXPECT_NE(client_.Command({"CLIENT", "LIST"}).find("flags=S"), std::string::npos);

  // An acknowledgement gets no reply and shows as the replica's offset.
  ASSERT_TRUE(replica.SendRaw(replica.EncodeCommand({"REPLCONF", "ACK", offset})));
  bool acknowledged = false;
  for (int attempt = 0; attempt < 100 && !acknowledged; ++attempt) {
    acknowledged = client_.Command({"INFO", "replication"}).find("offset=" + offset + ",") !=
                   std::string::npos;
    if (!acknowledged) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(acknowledged);

  first.Close();
  replica.Close();
  bool detached = false;
  for (int attempt = 0; attempt < 100 && !detached; ++attempt) {
    detached = InfoField(client_.Command({"INFO", "replication"}), "connected_slaves") == "0";
    if (!detached) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(detached);
}

// REPLCONF rdb-only 1 (`redis-cli --rdb`): the payload, then the connection closes, no stream.
TEST_F(ReplicationTest, AnRdbOnlyReplicaGetsThePayloadAndIsClosed) {
  ASSERT_EQ(client_.Command({"SET", "k", "v"}), "+OK\r\n");
  RespClient replica;
  ASSERT_TRUE(replica.Connect(server_->port(), kTimeoutMs));
  ASSERT_EQ(replica.Command({"REPLCONF", "rdb-only", "2"}),
            "-ERR value is out of range, value must between 0 and 1\r\n");
  ASSERT_EQ(replica.Command({"REPLCONF", "rdb-only", "1"}), "+OK\r\n");
  std::string payload;
  ASSERT_TRUE(replica.AttachAsReplica({"SYNC"}, &payload));
  EXPECT_TRUE(payload.starts_with("REDIS0010"));
  EXPECT_TRUE(replica.PeerClosed(kTimeoutMs));
  EXPECT_EQ(InfoField(client_.Command({"INFO", "replication"}), "connected_slaves"), "0");
}

// REPLCONF rdb-filter-only functions (`redis-cli --functions-rdb`): a payload with the function
// libraries and no keys, for a replica that announced the EOF capability, as Redis requires.
TEST_F(ReplicationTest, AFilteredReplicaGetsOnlyWhatItsFilterNames) {
  const std::string library =
      "#!lua name=filteredlib\nredis.register_function('f', function() return 1 end)";
  ASSERT_EQ(client_.Command({"FUNCTION", "LOAD", library}), "$11\r\nfilteredlib\r\n");
  ASSERT_EQ(client_.Command({"SET", "somekey", "somevalue"}), "+OK\r\n");
  RespClient replica;
  ASSERT_TRUE(replica.Connect(server_->port(), kTimeoutMs));
  EXPECT_EQ(replica.Command({"REPLCONF", "rdb-filter-only", "functions foo"}),
            "-ERR Unsupported rdb-filter-only option: foo\r\n");
  EXPECT_EQ(replica.Command({"REPLCONF", "rdb-filter-only", "\"functions"}),
            "-ERR Missing rdb-filter-only values\r\n");
  ASSERT_EQ(replica.Command({"REPLCONF", "rdb-only", "1", "rdb-filter-only", "functions"}),
            "+OK\r\n");
  EXPECT_EQ(replica.Command({"SYNC"}), "-ERR Filtered replica requires EOF capability\r\n");
  ASSERT_EQ(replica.Command({"REPLCONF", "capa", "eof", "capa", "psync2"}), "+OK\r\n");
  std::string payload;
  ASSERT_TRUE(replica.AttachAsReplica({"PSYNC", "?", "-1"}, &payload));
  EXPECT_TRUE(payload.starts_with("REDIS0010"));
  EXPECT_NE(payload.find("filteredlib"), std::string::npos);
  EXPECT_EQ(payload.find("somekey"), std::string::npos);
  EXPECT_TRUE(replica.PeerClosed(kTimeoutMs));

  // An empty filter leaves the libraries out too.
  RespClient empty;
  ASSERT_TRUE(empty.Connect(server_->port(), kTimeoutMs));
  ASSERT_EQ(empty.Command({"REPLCONF", "rdb-only", "1", "capa", "eof", "rdb-filter-only", ""}),
            "+OK\r\n");
  ASSERT_TRUE(empty.AttachAsReplica({"SYNC"}, &payload));
  EXPECT_EQ(payload.find("filteredlib"), std::string::npos);
  EXPECT_EQ(payload.find("somekey"), std::string::npos);
}

TEST_F(ReplicationTest, ReplconfAnswersAsRedis) {
  EXPECT_EQ(client_.Command({"REPLCONF", "listening-port"}), "-ERR syntax error\r\n");
  EXPECT_EQ(client_.Command({"REPLCONF", "listening-port", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(client_.Command({"REPLCONF", "nope", "1"}),
            "-ERR Unrecognized REPLCONF option: nope\r\n");
  EXPECT_EQ(client_.Command({"REPLCONF", "ip-address", std::string(256, 'a')}),
            "-ERR REPLCONF ip-address provided by replica instance is too long: 256 bytes\r\n");
  EXPECT_EQ(client_.Command({"REPLCONF"}), "+OK\r\n");
  // ACK and GETACK from a client that is no replica: no reply at all.
  ASSERT_TRUE(client_.SendRaw(client_.EncodeCommand({"REPLCONF", "ACK", "10"})));
  EXPECT_EQ(client_.Command({"PING"}), "+PONG\r\n");
  EXPECT_EQ(client_.Command({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"SYNC"}), "-ERR Command not allowed inside a transaction\r\n");
  EXPECT_EQ(client_.Command({"DISCARD"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"PSYNC", "?", "x"}),
            "-ERR value is not an integer or out of range\r\n");
}

// Replicas know no snapshots or leases: what RESPD commands did to the dataset reaches them as
// Redis commands.
TEST_F(ReplicationTest, RespdControlsPropagateAsTheCommandsThatRebuildTheirEffect) {
  ASSERT_EQ(client_.Command({"SET", "k", "v"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"RESPD", "SNAPSHOT", "SAVE", "s"}), "+OK\r\n");
  std::string payload;
  RespClient replica = AttachReplica(&payload);
  ASSERT_EQ(client_.Command({"DEL", "k"}), ":1\r\n");
  ASSERT_EQ(client_.Command({"RESPD", "SNAPSHOT", "RESTORE", "s"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"RESPD", "RESET"}), "+OK\r\n");
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"SELECT", "0"}));
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"DEL", "k"}));
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"MULTI"}));
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"FLUSHDB"}));
  Argv restore = replica.ReadStreamCommand(kTimeoutMs);
  ASSERT_EQ(restore.size(), 5u);
  EXPECT_EQ(restore[0], "RESTORE");
  EXPECT_EQ(restore[1], "k");
  EXPECT_EQ(restore[2], "0");
  EXPECT_EQ(restore[4], "ABSTTL");
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"EXEC"}));
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"FLUSHALL"}));
  // The payload is DUMP's: the replica's RESTORE gets the value back.
  ASSERT_EQ(client_.Command({"RESTORE", "again", "0", restore[3]}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"GET", "again"}), "$1\r\nv\r\n");
}

// A real redis-server replicates from respd: the full sync and then the stream.
TEST_F(ReplicationTest, RedisServerReplicatesFromRespd) {
  if (std::string missing = RedisServerMissing(); !missing.empty()) GTEST_SKIP() << missing;
  ASSERT_EQ(client_.Command({"SET", "a", "1"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"HSET", "h", "f", "v"}), ":1\r\n");
  ServerProcess redis =
      ServerProcess::StartRedis({"--replicaof", "127.0.0.1", std::to_string(server_->port())});
  ASSERT_TRUE(redis.running());
  RespClient replica;
  ASSERT_TRUE(replica.Connect(redis.port(), kTimeoutMs));
  auto wait_for = [&](const Argv& command, const std::string& reply) {
    for (int attempt = 0; attempt < 500; ++attempt) {
      if (replica.Command(command) == reply) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  EXPECT_TRUE(wait_for({"GET", "a"}, "$1\r\n1\r\n")) << redis.Output();
  EXPECT_EQ(replica.Command({"HGET", "h", "f"}), "$1\r\nv\r\n");
  ASSERT_EQ(client_.Command({"INCR", "a"}), ":2\r\n");
  ASSERT_EQ(client_.Command({"SELECT", "2"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"RPUSH", "l", "x", "y"}), ":2\r\n");
  ASSERT_EQ(client_.Command({"DEL", "l"}), ":1\r\n");
  ASSERT_EQ(client_.Command({"SET", "last", "z"}), "+OK\r\n");
  EXPECT_TRUE(wait_for({"GET", "a"}, "$1\r\n2\r\n"));
  ASSERT_EQ(replica.Command({"SELECT", "2"}), "+OK\r\n");
  EXPECT_TRUE(wait_for({"GET", "last"}, "$1\r\nz\r\n"));
  EXPECT_EQ(replica.Command({"EXISTS", "l"}), ":0\r\n");
  EXPECT_EQ(InfoField(replica.Command({"INFO", "replication"}), "master_link_status"), "up");
  // WAIT asks the replica (REPLCONF GETACK) and answers once it acknowledged the last write.
  ASSERT_EQ(client_.Command({"SET", "waited", "1"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"WAIT", "1", "0"}), ":1\r\n");
  EXPECT_EQ(client_.Command({"WAIT", "2", "50"}), ":1\r\n");
}

TEST_F(ReplicationTest, WaitCountsOnlyReplicasThatAcknowledgedTheClientsLastWrite) {
  std::string payload;
  RespClient replica = AttachReplica(&payload);
  // Before any write of this client, an attached replica has acknowledged everything it needs.
  EXPECT_EQ(client_.Command({"WAIT", "1", "0"}), ":1\r\n");
  ASSERT_EQ(client_.Command({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"WAIT", "1", "20"}), ":0\r\n");
  // The stream asked for an acknowledgement.
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"SELECT", "0"}));
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"SET", "k", "v"}));
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"REPLCONF", "GETACK", "*"}));
  std::string offset = InfoField(client_.Command({"INFO", "replication"}), "master_repl_offset");
  RespClient waiter;
  ASSERT_TRUE(waiter.Connect(server_->port(), kTimeoutMs));
  ASSERT_EQ(waiter.Command({"SET", "k", "w"}), "+OK\r\n");
  ASSERT_TRUE(waiter.SendRaw(waiter.EncodeCommand({"WAIT", "1", "0"})));
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"SET", "k", "w"}));
  EXPECT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"REPLCONF", "GETACK", "*"}));
  std::string after_write = std::to_string(std::stoull(offset) + 27);
  ASSERT_TRUE(replica.SendRaw(replica.EncodeCommand({"REPLCONF", "ACK", after_write})));
  EXPECT_EQ(waiter.ReadReply(kTimeoutMs), ":1\r\n");
}

}  // namespace
}  // namespace respd::testing
