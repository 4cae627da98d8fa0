// cluster-enabled yes: the real respd binary as a single-node cluster in a temporary directory.
// Its node ID and slots survive a restart through nodes.conf, keys are routed by slot (CROSSSLOT,
// CLUSTERDOWN, ASK, TRYAGAIN, EXEC's and scripts' checks) and the database commands refuse what
// Redis refuses in cluster mode.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace respd::testing {
namespace {

constexpr int kStatePolls = 800;
constexpr auto kStatePollInterval = std::chrono::milliseconds(10);
constexpr char kCrossSlot[] = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";

std::string Bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

// The text of a bulk or verbatim reply.
std::string BulkText(const std::string& reply) {
  size_t start = reply.find("\r\n");
  if (start == std::string::npos || reply.size() < start + 4) return "";
  return reply.substr(start + 2, reply.size() - start - 4);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class ClusterTest : public ::testing::Test {
 protected:
  void Start() {
    // The shortest rejoin delay Redis allows, so a node that was given its slots turns ok soon.
    server_ = std::make_unique<ServerProcess>(ServerProcess::StartRespd(
        {"--cluster-enabled", "yes", "--dir", dir_.path(), "--cluster-node-timeout", "500",
         "--save", "", "--threads", "2"}));
    ASSERT_TRUE(server_->running());
    client_ = RespClient();
    ASSERT_TRUE(client_.Connect(server_->port()));
  }

  void WaitForState(const std::string& state) {
    for (int i = 0; i < kStatePolls; ++i) {
      if (client_.Command({"CLUSTER", "INFO"}).find("cluster_state:" + state) !=
          std::string::npos) {
        return;
      }
      std::this_thread::sleep_for(kStatePollInterval);
    }
    FAIL() << "the cluster never turned " << state;
  }

  // A node serving every slot, ok.
  void StartServingAll() {
    Start();
    ASSERT_EQ(client_.Command({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"}), "+OK\r\n");
    WaitForState("ok");
  }

  std::string MyId() { return BulkText(client_.Command({"CLUSTER", "MYID"})); }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  RespClient client_;
};

TEST_F(ClusterTest, FreshNodeHasAnIdNoSlotsAndWritesNodesConf) {
  Start();
  std::string id = MyId();
  ASSERT_EQ(id.size(), 40u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  std::string info = client_.Command({"CLUSTER", "INFO"});
  EXPECT_NE(info.find("cluster_state:fail\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("cluster_slots_assigned:0\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("cluster_known_nodes:1\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("cluster_current_epoch:0\r\n"), std::string::npos) << info;
  EXPECT_EQ(client_.Command({"CONFIG", "GET", "cluster-enabled"}),
            "*2\r\n$15\r\ncluster-enabled\r\n$3\r\nyes\r\n");
  EXPECT_NE(client_.Command({"INFO", "cluster"}).find("cluster_enabled:1\r\n"), std::string::npos);
  EXPECT_EQ(client_.Command({"CONFIG", "SET", "cluster-enabled", "no"}),
            "-ERR CONFIG SET failed (possibly related to argument 'cluster-enabled') - can't set "
            "immutable config\r\n");
  // Written at once, before the node knew its port, as Redis writes it.
  EXPECT_EQ(ReadFile(dir_.path() + "/nodes.conf"),
            id + " :0@0 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n");
  EXPECT_EQ(client_.Command({"CLUSTER", "SLOTS"}), "*0\r\n");
  EXPECT_EQ(client_.Command({"GET", "k"}), "-CLUSTERDOWN Hash slot not served\r\n");
  // Commands without keys run whatever the state.
  EXPECT_EQ(client_.Command({"DBSIZE"}), ":0\r\n");
}

TEST_F(ClusterTest, SlotsAndEpochSurviveARestart) {
  Start();
  std::string id = MyId();
  ASSERT_EQ(client_.Command({"CLUSTER", "ADDSLOTSRANGE", "0", "99", "200", "300"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"CLUSTER", "ADDSLOTS", "16383"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"CLUSTER", "BUMPEPOCH"}), "+BUMPED 1\r\n");
  // The node as CLUSTER NODES and nodes.conf describe it, on the port it listens on now.
  auto line = [&](const std::string& node_id, const std::string& rest) {
    int port = server_->port();
    return node_id + " :" + std::to_string(port) + "@" + std::to_string(port + 10000) +
           " myself,master - 0 0 " + rest;
  };
  std::string mine = "1 connected 0-99 200-300 16383";
  EXPECT_EQ(BulkText(client_.Command({"CLUSTER", "NODES"})), line(id, mine) + "\n");
  EXPECT_EQ(ReadFile(dir_.path() + "/nodes.conf"),
            line(id, mine) + "\nvars currentEpoch 1 lastVoteEpoch 0\n");
  server_->Stop();
  Start();
  EXPECT_EQ(MyId(), id);
  std::string info = client_.Command({"CLUSTER", "INFO"});
  EXPECT_NE(info.find("cluster_slots_assigned:202\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("cluster_my_epoch:1\r\n"), std::string::npos) << info;
  EXPECT_EQ(BulkText(client_.Command({"CLUSTER", "NODES"})), line(id, mine) + "\n");
  // CLUSTER RESET HARD: a new ID, epochs back to 0, no slots; saved at once.
  EXPECT_EQ(client_.Command({"CLUSTER", "RESET", "HARD"}), "+OK\r\n");
  std::string new_id = MyId();
  EXPECT_NE(new_id, id);
  EXPECT_EQ(ReadFile(dir_.path() + "/nodes.conf"),
            line(new_id, "0 connected") + "\nvars currentEpoch 0 lastVoteEpoch 0\n");
}

TEST_F(ClusterTest, AnnouncedAddressIsShownAndSaved) {
  Start();
  ASSERT_EQ(client_.Command({"CONFIG", "SET", "cluster-announce-ip", "10.0.0.1"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"CONFIG", "SET", "cluster-announce-hostname", "node1"}), "+OK\r\n");
  std::string address = "10.0.0.1:" + std::to_string(server_->port()) + "@" +
                        std::to_string(server_->port() + 10000) + ",node1 ";
  EXPECT_NE(client_.Command({"CLUSTER", "NODES"}).find(address), std::string::npos);
  EXPECT_NE(ReadFile(dir_.path() + "/nodes.conf").find(address), std::string::npos);
  ASSERT_EQ(client_.Command({"CLUSTER", "ADDSLOTS", "1"}), "+OK\r\n");
  std::string id = MyId();
  // CLUSTER SLOTS names the node by its address, with its hostname as extra metadata.
  EXPECT_EQ(client_.Command({"CLUSTER", "SLOTS"}),
            "*1\r\n*3\r\n:1\r\n:1\r\n*4\r\n$8\r\n10.0.0.1\r\n:" + std::to_string(server_->port()) +
                "\r\n" + Bulk(id) + "*2\r\n$8\r\nhostname\r\n$5\r\nnode1\r\n");
}

TEST_F(ClusterTest, ACorruptedNodesConfStopsStartUp) {
  { std::ofstream(dir_.path() + "/nodes.conf") << "garbage\n"; }
  // `timeout` bounds a server that would wrongly start.
  std::string log = dir_.path() + "/log";
  std::string command = std::string("timeout 10 ") + RESPD_BINARY +
                        " --port 0 --save '' --cluster-enabled yes --dir " + dir_.path() + " > " +
                        log + " 2>&1";
  int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  EXPECT_NE(ReadFile(log).find("corrupted cluster config file"), std::string::npos)
      << ReadFile(log);
}

TEST_F(ClusterTest, KeysAreRoutedBySlot) {
  StartServingAll();
  EXPECT_EQ(client_.Command({"CLUSTER", "KEYSLOT", "foo"}), ":12182\r\n");
  EXPECT_EQ(client_.Command({"CLUSTER", "KEYSLOT", "{user1000}.following"}),
            client_.Command({"CLUSTER", "KEYSLOT", "{user1000}.followers"}));
  EXPECT_EQ(client_.Command({"SET", "foo", "bar"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"MSET", "a", "1", "b", "2"}), kCrossSlot);
  EXPECT_EQ(client_.Command({"MSET", "{t}a", "1", "{t}b", "2"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"CLUSTER", "COUNTKEYSINSLOT", "12182"}), ":1\r\n");
  EXPECT_EQ(client_.Command({"CLUSTER", "GETKEYSINSLOT", "12182", "10"}), "*1\r\n" + Bulk("foo"));
  // The database commands a cluster node refuses.
  EXPECT_EQ(client_.Command({"SELECT", "1"}), "-ERR SELECT is not allowed in cluster mode\r\n");
  EXPECT_EQ(client_.Command({"SELECT", "0"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"MOVE", "foo", "1"}), "-ERR MOVE is not allowed in cluster mode\r\n");
  EXPECT_EQ(client_.Command({"SWAPDB", "0", "1"}),
            "-ERR SWAPDB is not allowed in cluster mode\r\n");
  EXPECT_EQ(client_.Command({"COPY", "{t}a", "{t}c", "DB", "1"}),
            "-ERR Copying to another database is not allowed in cluster mode\r\n");
  EXPECT_EQ(client_.Command({"COPY", "{t}a", "{t}c", "DB", "0"}), ":1\r\n");
  // A transaction's keys are checked together at EXEC, which discards it.
  EXPECT_EQ(client_.Command({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"SET", "a", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(client_.Command({"SET", "b", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(client_.Command({"EXEC"}), kCrossSlot);
  EXPECT_EQ(client_.Command({"EXEC"}), "-ERR EXEC without MULTI\r\n");
  // A queued command refused on its own dooms the transaction.
  EXPECT_EQ(client_.Command({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"MGET", "a", "b"}), kCrossSlot);
  EXPECT_EQ(client_.Command({"EXEC"}),
            "-EXECABORT Transaction discarded because of previous errors.\r\n");
  // Scripts: declared keys are routed with EVAL; undeclared ones must keep to one slot when the
  // script has a shebang.
  EXPECT_EQ(client_.Command({"EVAL", "return 1", "2", "a", "b"}), kCrossSlot);
  EXPECT_EQ(client_.Command({"EVAL", "redis.call('get','a') return redis.call('get','b')", "0"}),
            "$-1\r\n");
  std::string script = "#!lua\nredis.call('get','a') return redis.call('get','b')";
  EXPECT_TRUE(client_.Command({"EVAL", script, "0"})
                  .starts_with("-ERR Script attempted to access keys that do not hash to the "
                               "same slot"));
  script = "#!lua flags=allow-cross-slot-keys\nredis.call('get','a') return redis.call('get','b')";
  EXPECT_EQ(client_.Command({"EVAL", script, "0"}), "$-1\r\n");
  EXPECT_EQ(client_.Command({"EVAL", "#!lua flags=no-cluster\nreturn 1", "0"}),
            "-ERR Can not run script on cluster, 'no-cluster' flag is set.\r\n");
  EXPECT_NE(client_.Command({"HELLO", "3"}).find("$4\r\nmode\r\n$7\r\ncluster\r\n"),
            std::string::npos);
}

TEST_F(ClusterTest, DownSlotsAndReadsWhenDown) {
  StartServingAll();
  ASSERT_EQ(client_.Command({"SET", "foo", "bar"}), "+OK\r\n");
  ASSERT_EQ(client_.Command({"CLUSTER", "DELSLOTS", "0"}), "+OK\r\n");
  // Slot 0 unassigned: the whole cluster is down, and slot 0 is served by no one.
  WaitForState("fail");
  EXPECT_EQ(client_.Command({"GET", "foo"}), "-CLUSTERDOWN The cluster is down\r\n");
  EXPECT_EQ(client_.Command({"CLUSTER", "KEYSLOT", "{3560}"}), ":0\r\n");
  EXPECT_EQ(client_.Command({"GET", "{3560}"}), "-CLUSTERDOWN Hash slot not served\r\n");
  ASSERT_EQ(client_.Command({"CONFIG", "SET", "cluster-allow-reads-when-down", "yes"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"GET", "foo"}), "$3\r\nbar\r\n");
  EXPECT_EQ(client_.Command({"SET", "foo", "x"}),
            "-CLUSTERDOWN The cluster is down and only accepts read commands\r\n");
  ASSERT_EQ(client_.Command({"CONFIG", "SET", "cluster-require-full-coverage", "no"}), "+OK\r\n");
  WaitForState("ok");
  EXPECT_EQ(client_.Command({"SET", "foo", "x"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"CLUSTER", "FLUSHSLOTS"}),
            "-ERR DB must be empty to perform CLUSTER FLUSHSLOTS.\r\n");
  EXPECT_EQ(client_.Command({"CLUSTER", "RESET"}),
            "-ERR CLUSTER RESET can't be called with master nodes containing keys\r\n");
}

TEST_F(ClusterTest, MigratingSlotAsksForMissingKeys) {
  StartServingAll();
  std::string id = MyId();
  std::string port = std::to_string(server_->port());
  ASSERT_EQ(client_.Command({"SET", "{m}1", "x"}), "+OK\r\n");
  std::string slot = client_.Command({"CLUSTER", "KEYSLOT", "{m}"});
  slot = slot.substr(1, slot.size() - 3);
  EXPECT_EQ(client_.Command({"CLUSTER", "SETSLOT", slot, "MIGRATING", "nobody"}),
            "-ERR I don't know about node nobody\r\n");
  ASSERT_EQ(client_.Command({"CLUSTER", "SETSLOT", slot, "MIGRATING", id}), "+OK\r\n");
  EXPECT_NE(BulkText(client_.Command({"CLUSTER", "NODES"})).find("[" + slot + "->-" + id + "]"),
            std::string::npos);
  EXPECT_EQ(client_.Command({"GET", "{m}1"}), "$1\r\nx\r\n");
  EXPECT_EQ(client_.Command({"GET", "{m}2"}), "-ASK " + slot + " :" + port + "\r\n");
  EXPECT_EQ(client_.Command({"MGET", "{m}1", "{m}2"}),
            "-TRYAGAIN Multiple keys request during rehashing of slot\r\n");
  ASSERT_EQ(client_.Command({"CLUSTER", "SETSLOT", slot, "STABLE"}), "+OK\r\n");
  EXPECT_EQ(client_.Command({"GET", "{m}2"}), "$-1\r\n");
  EXPECT_EQ(client_.Command({"CLUSTER", "SETSLOT", slot, "IMPORTING", id}),
            "-ERR I'm already the owner of hash slot " + slot + "\r\n");
}

}  // namespace
}  // namespace respd::testing
