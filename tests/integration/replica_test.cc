// The replica side of replication: REPLICAOF makes respd a replica of a redis-server or respd
// master (the dataset synced, writes followed, acknowledged to WAIT), refusing clients' writes
// with READONLY; REPLICAOF NO ONE makes it a master again with its data; a master that is not
// there leaves the link trying to connect.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kTimeoutMs = 10000;

// Polls `condition` every 20 ms until it holds or kTimeoutMs passed.
bool Eventually(const std::function<bool()>& condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

class ReplicaTest : public ::testing::Test {
 protected:
  void StartReplica() {
    replica_ = std::make_unique<ServerProcess>(ServerProcess::StartRespd());
    ASSERT_TRUE(replica_->running());
    ASSERT_TRUE(replica_client_.Connect(replica_->port(), kTimeoutMs));
  }

  // REPLICAOF the master at `port`, then waits for the link to be up.
  void FollowAndSync(int port) {
    ASSERT_EQ(replica_client_.Command({"REPLICAOF", "127.0.0.1", std::to_string(port)}), "+OK\r\n");
    ASSERT_TRUE(Eventually([&] {
      return replica_client_.Command({"INFO", "replication"}).find("master_link_status:up") !=
             std::string::npos;
    })) << replica_client_.Command({"INFO", "replication"});
  }

  // The master and replica agree on `key`'s value `expected` (a RESP reply) within the timeout.
  bool Replicated(const std::string& key, const std::string& expected) {
    return Eventually([&] { return replica_client_.Command({"GET", key}) == expected; });
  }

  void ExpectFollowsAndRefusesWrites(RespClient& master) {
    ASSERT_EQ(master.Command({"SET", "after", "sync"}), "+OK\r\n");
    ASSERT_EQ(master.Command({"MULTI"}), "+OK\r\n");
    ASSERT_EQ(master.Command({"INCR", "counter"}), "+QUEUED\r\n");
    ASSERT_EQ(master.Command({"RPUSH", "list", "a", "b"}), "+QUEUED\r\n");
    ASSERT_EQ(master.Command({"EXEC"}), "*2\r\n:1\r\n:2\r\n");
    EXPECT_TRUE(Replicated("after", "$4\r\nsync\r\n"));
    // The transaction comes after SET in the stream, and is applied whole.
    EXPECT_TRUE(Replicated("counter", "$1\r\n1\r\n"));
    EXPECT_EQ(replica_client_.Command({"LRANGE", "list", "0", "-1"}),
              "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    // The replica acknowledges what it applied.
    EXPECT_EQ(master.Command({"WAIT", "1", "5000"}), ":1\r\n");
    // And reports the master's offset as its own, which is how Redis's tests see it caught up
    // (eventually: WAIT makes a Redis master send REPLCONF GETACK down the stream after it).
    auto offset_of = [](RespClient& client) {
      return InfoField(client.Command({"INFO", "replication"}), "master_repl_offset");
    };
    EXPECT_NE(offset_of(master), "0");
    EXPECT_TRUE(Eventually([&] { return offset_of(replica_client_) == offset_of(master); }))
        << offset_of(replica_client_) << " against " << offset_of(master);
    EXPECT_EQ(replica_client_.Command({"SET", "x", "1"}),
              "-READONLY You can't write against a read only replica.\r\n");
    std::string role = replica_client_.Command({"ROLE"});
    EXPECT_TRUE(role.starts_with("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n")) << role;
    EXPECT_NE(role.find("$9\r\nconnected\r\n"), std::string::npos) << role;
  }

  std::unique_ptr<ServerProcess> replica_;
  RespClient replica_client_;
};

TEST_F(ReplicaTest, FollowsARedisMasterThenBecomesAMasterAgain) {
  RESPD_REQUIRE_REDIS_SERVER();
  ServerProcess master = ServerProcess::StartRedis({"--repl-diskless-sync-delay", "0"});
  ASSERT_TRUE(master.running());
  RespClient master_client;
  ASSERT_TRUE(master_client.Connect(master.port(), kTimeoutMs));
  ASSERT_EQ(master_client.Command({"SET", "before", "sync"}), "+OK\r\n");
  StartReplica();
  ASSERT_EQ(replica_client_.Command({"SET", "dropped", "by-sync"}), "+OK\r\n");

  FollowAndSync(master.port());
  EXPECT_EQ(replica_client_.Command({"GET", "before"}), "$4\r\nsync\r\n");
  EXPECT_EQ(replica_client_.Command({"EXISTS", "dropped"}), ":0\r\n");
  EXPECT_EQ(replica_client_.Command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}),
            "+OK Already connected to specified master\r\n");
  ExpectFollowsAndRefusesWrites(master_client);
  std::string info = replica_client_.Command({"INFO", "replication"});
  EXPECT_NE(info.find("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:" +
                      std::to_string(master.port()) + "\r\n"),
            std::string::npos)
      << info;

  ASSERT_EQ(replica_client_.Command({"REPLICAOF", "NO", "ONE"}), "+OK\r\n");
  EXPECT_EQ(replica_client_.Command({"SET", "x", "1"}), "+OK\r\n");
  EXPECT_EQ(replica_client_.Command({"GET", "after"}), "$4\r\nsync\r\n");
  EXPECT_TRUE(replica_client_.Command({"ROLE"}).starts_with("*3\r\n$6\r\nmaster\r\n"));
  // The link is closed: the master's later writes no longer arrive.
  ASSERT_EQ(master_client.Command({"SET", "later", "write"}), "+OK\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(replica_client_.Command({"EXISTS", "later"}), ":0\r\n");
}

TEST_F(ReplicaTest, FollowsARespdMaster) {
  ServerProcess master = ServerProcess::StartRespd();
  ASSERT_TRUE(master.running());
  RespClient master_client;
  ASSERT_TRUE(master_client.Connect(master.port(), kTimeoutMs));
  ASSERT_EQ(master_client.Command({"SET", "before", "sync"}), "+OK\r\n");
  ASSERT_EQ(master_client.Command({"HSET", "h", "f", "v"}), ":1\r\n");
  StartReplica();

  FollowAndSync(master.port());
  EXPECT_EQ(replica_client_.Command({"GET", "before"}), "$4\r\nsync\r\n");
  EXPECT_EQ(replica_client_.Command({"HGET", "h", "f"}), "$1\r\nv\r\n");
  ExpectFollowsAndRefusesWrites(master_client);
}

// Redis's pendingquerybuf.tcl: a replica fed a 32 MB value does not keep the room it read it
// in; its memory stays near its master's.
TEST_F(ReplicaTest, ABigCommandsReadRoomIsNotKept) {
  ServerProcess master = ServerProcess::StartRespd();
  ASSERT_TRUE(master.running());
  RespClient master_client;
  ASSERT_TRUE(master_client.Connect(master.port(), kTimeoutMs));
  StartReplica();
  FollowAndSync(master.port());
  ASSERT_EQ(master_client.Command({"SET", "big", std::string(32 << 20, 'v')}), "+OK\r\n");
  EXPECT_TRUE(Eventually([&] {
    return replica_client_.Command({"STRLEN", "big"}) == ":" + std::to_string(32 << 20) + "\r\n";
  }));
  auto used_memory = [](RespClient& client) {
    return std::stoll(InfoField(client.Command({"INFO", "memory"}), "used_memory"));
  };
  EXPECT_TRUE(Eventually([&] {
    return used_memory(replica_client_) <= used_memory(master_client) + (10 << 20);
  })) << used_memory(replica_client_)
      << " against " << used_memory(master_client);
}

TEST_F(ReplicaTest, AMissingMasterLeavesTheLinkConnectingAndWritesRefused) {
  StartReplica();
  ASSERT_EQ(replica_client_.Command({"SET", "ttl", "v", "PX", "50"}), "+OK\r\n");
  int dead_port = FreePort();
  ASSERT_EQ(replica_client_.Command({"REPLICAOF", "localhost", std::to_string(dead_port)}),
            "+OK\r\n");
  std::string role = replica_client_.Command({"ROLE"});
  EXPECT_TRUE(role.starts_with("*5\r\n$5\r\nslave\r\n$9\r\nlocalhost\r\n")) << role;
  EXPECT_TRUE(role.ends_with(":-1\r\n")) << role;
  EXPECT_EQ(role.find("connected"), std::string::npos) << role;
  EXPECT_NE(replica_client_.Command({"INFO", "replication"}).find("master_link_status:down"),
            std::string::npos);
  EXPECT_EQ(replica_client_.Command({"SET", "x", "1"}),
            "-READONLY You can't write against a read only replica.\r\n");
  // A replica leaves expiry to its master: past its TTL and several expiry cycles, the key is
  // still stored (DBSIZE counts it), though no read sees it.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(replica_client_.Command({"DBSIZE"}), ":1\r\n");
  EXPECT_EQ(replica_client_.Command({"GET", "ttl"}), "$-1\r\n");
  // Reads are served from the stale dataset unless replica-serve-stale-data says no.
  EXPECT_EQ(replica_client_.Command({"GET", "x"}), "$-1\r\n");
  ASSERT_EQ(replica_client_.Command({"CONFIG", "SET", "replica-serve-stale-data", "no"}),
            "+OK\r\n");
  EXPECT_EQ(replica_client_.Command({"GET", "x"}),
            "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to "
            "'no'.\r\n");
  // A script flagged allow-stale runs, but only commands that could run there themselves
  // (checked against redis-server 7.0.15).
  const std::string stale_script = "#!lua flags=allow-stale,no-writes\nreturn redis.call(";
  EXPECT_EQ(replica_client_.Command({"EVAL", stale_script + "'info', 'server') ~= nil", "0"}),
            ":1\r\n");
  EXPECT_EQ(replica_client_.Command({"EVAL", stale_script + "'get', 'x')", "0"}),
            "-ERR Can not execute the command on a stale replica script: "
            "453628ecaa7226f65d8e90f77464155531d225ca, on @user_script:2.\r\n");
  EXPECT_EQ(replica_client_.Command({"REPLICAOF", "localhost", "port"}),
            "-ERR Invalid master port\r\n");
  EXPECT_EQ(replica_client_.Command({"REPLICAOF", "NO", "ONE"}), "+OK\r\n");
  EXPECT_EQ(replica_client_.Command({"SET", "x", "1"}), "+OK\r\n");
}

}  // namespace
}  // namespace respd::testing
