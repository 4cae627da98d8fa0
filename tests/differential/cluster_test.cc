// Cluster mode against Redis: a redis-server started with --cluster-enabled yes and respd started
// the same way, both given every slot with CLUSTER ADDSLOTSRANGE, answer the same commands with the
// same bytes once each node's ID, port and bus port are masked (they must differ). The generic
// script runner (differential_test.cc) starts its servers without cluster mode, hence this file.
#include <gtest/gtest.h>

#include <chrono>
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
constexpr size_t kNodeIdLength = 40;

struct Node {
  ServerProcess server;
  RespClient client;
  std::string id;
  std::string port;
  std::string cport;
};

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

class ClusterDifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RESPD_REQUIRE_REDIS_SERVER();
    // The bus port is given (any free one) since Redis binds it and port + 10000 may not exist.
    // Both get the shortest rejoin delay Redis allows, so they turn ok soon after ADDSLOTSRANGE.
    auto args = [](const TempDir& dir, int bus_port) {
      return std::vector<std::string>{
          "--cluster-enabled",      "yes", "--cluster-config-file", dir.path() + "/nodes.conf",
          "--cluster-node-timeout", "500", "--cluster-port",        std::to_string(bus_port)};
    };
    int redis_bus = FreePort();
    int respd_bus = FreePort();
    nodes_.push_back(Init(ServerProcess::StartRedis(args(redis_dir_, redis_bus)), redis_bus));
    nodes_.push_back(Init(ServerProcess::StartRespd(args(respd_dir_, respd_bus)), respd_bus));
    for (Node& node : nodes_) ASSERT_TRUE(node.server.running());
  }

  static Node Init(ServerProcess server, int bus_port) {
    Node node{std::move(server)};
    EXPECT_TRUE(node.client.Connect(node.server.port()));
    std::string reply = node.client.Command({"CLUSTER", "MYID"});
    // "$40\r\n<id>\r\n"
    if (reply.size() == kNodeIdLength + 7) node.id = reply.substr(5, kNodeIdLength);
    node.port = std::to_string(node.server.port());
    node.cport = std::to_string(bus_port);
    return node;
  }

  // The reply with the node's own ID, port and bus port replaced by placeholders of the same
  // length, so bulk lengths still compare (free ports all have five digits).
  static std::string Masked(const Node& node, std::string reply) {
    ReplaceAll(reply, node.id, std::string(kNodeIdLength, 'I'));
    ReplaceAll(reply, node.cport, std::string(node.cport.size(), 'C'));
    ReplaceAll(reply, node.port, std::string(node.port.size(), 'P'));
    return reply;
  }

  // Runs `args` on both, with "{id}" standing for each node's own ID, and compares the replies.
  void Compare(std::vector<std::string> args) {
    std::string replies[2];
    for (size_t i = 0; i < nodes_.size(); ++i) {
      std::vector<std::string> own = args;
      for (std::string& arg : own) ReplaceAll(arg, "{id}", nodes_[i].id);
      replies[i] = Masked(nodes_[i], nodes_[i].client.Command(own));
    }
    std::string line;
    for (const std::string& arg : args) line += arg + " ";
    EXPECT_EQ(replies[1], replies[0]) << "respd differs from redis-server on: " << line;
  }

  void WaitForOk() {
    for (Node& node : nodes_) {
      bool ok = false;
      for (int i = 0; i < kStatePolls && !ok; ++i) {
        ok = node.client.Command({"CLUSTER", "INFO"}).find("cluster_state:ok") != std::string::npos;
        if (!ok) std::this_thread::sleep_for(kStatePollInterval);
      }
      ASSERT_TRUE(ok) << "a node never turned ok";
    }
  }

  void ServeAllSlots() {
    Compare({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"});
    WaitForOk();
  }

  TempDir redis_dir_;
  TempDir respd_dir_;
  std::vector<Node> nodes_;
};

TEST_F(ClusterDifferentialTest, FreshNode) {
  Compare({"CLUSTER", "SLOTS"});
  Compare({"CLUSTER", "SHARDS"});
  Compare({"CLUSTER", "NODES"});
  Compare({"CLUSTER", "LINKS"});
  Compare({"GET", "k"});
  Compare({"SET", "k", "v"});
  Compare({"MSET", "a", "1", "b", "2"});
  Compare({"DBSIZE"});
  Compare({"CLUSTER", "DELSLOTS", "5"});
  Compare({"CLUSTER", "FLUSHSLOTS"});
  Compare({"CLUSTER", "SET-CONFIG-EPOCH", "7"});
  Compare({"CLUSTER", "SET-CONFIG-EPOCH", "8"});
  Compare({"CLUSTER", "BUMPEPOCH"});
  Compare({"CLUSTER", "NODES"});
}

TEST_F(ClusterDifferentialTest, Subcommands) {
  ServeAllSlots();
  for (const char* sub : {"INFO", "MYID", "NODES", "SLOTS", "SHARDS", "LINKS", "HELP"}) {
    Compare({"CLUSTER", sub});
  }
  Compare({"CLUSTER", "INFO", "x"});
  Compare({"CLUSTER", "NOSUCH"});
  for (const char* key : {"foo", "{a}b", "{}x", "a{b", "{{a}}", "", "a{}{b}", "{user1000}.x"}) {
    Compare({"CLUSTER", "KEYSLOT", key});
  }
  Compare({"SET", "foo", "bar"});
  Compare({"SET", "{foo}2", "bar"});
  for (const char* slot : {"12182", "0", "16384", "-1", "x", "16383"}) {
    Compare({"CLUSTER", "COUNTKEYSINSLOT", slot});
  }
  // Redis lists a slot's keys newest first, respd in its table's order (docs/COMMANDS.md): the
  // order is compared with one key in the slot.
  Compare({"CLUSTER", "GETKEYSINSLOT", "12182", "0"});
  Compare({"DEL", "{foo}2"});
  Compare({"CLUSTER", "GETKEYSINSLOT", "12182", "1"});
  Compare({"CLUSTER", "GETKEYSINSLOT", "12182", "10"});
  Compare({"CLUSTER", "GETKEYSINSLOT", "12182", "-1"});
  Compare({"CLUSTER", "GETKEYSINSLOT", "16384", "1"});
  Compare({"CLUSTER", "GETKEYSINSLOT", "x", "1"});
  Compare({"CLUSTER", "GETKEYSINSLOT", "1", "x"});
  Compare({"CLUSTER", "ADDSLOTS", "0"});
  Compare({"CLUSTER", "ADDSLOTS", "99999"});
  Compare({"CLUSTER", "ADDSLOTS", "x"});
  Compare({"CLUSTER", "ADDSLOTS"});
  Compare({"CLUSTER", "DELSLOTS", "5", "7"});
  Compare({"CLUSTER", "DELSLOTS", "5"});
  Compare({"CLUSTER", "ADDSLOTS", "5", "5"});
  Compare({"CLUSTER", "ADDSLOTS", "5", "6"});
  Compare({"CLUSTER", "ADDSLOTS", "7", "x"});
  Compare({"CLUSTER", "NODES"});
  Compare({"CLUSTER", "SLOTS"});
  Compare({"CLUSTER", "SHARDS"});
  Compare({"CLUSTER", "ADDSLOTS", "5", "7"});
  Compare({"CLUSTER", "DELSLOTSRANGE", "10", "20", "30", "30"});
  Compare({"CLUSTER", "ADDSLOTSRANGE", "5", "1"});
  Compare({"CLUSTER", "ADDSLOTSRANGE", "0"});
  Compare({"CLUSTER", "ADDSLOTSRANGE", "0", "1", "3"});
  Compare({"CLUSTER", "ADDSLOTSRANGE", "10", "x"});
  Compare({"CLUSTER", "ADDSLOTSRANGE", "10", "15", "12", "20"});
  Compare({"CLUSTER", "ADDSLOTSRANGE", "10", "20", "30", "30"});
  Compare({"CLUSTER", "SETSLOT", "0", "STABLE"});
  Compare({"CLUSTER", "SETSLOT", "0", "NODE", "x"});
  Compare({"CLUSTER", "SETSLOT", "0", "NODE", "{id}"});
  Compare({"CLUSTER", "SETSLOT", "0", "MIGRATING", "x"});
  Compare({"CLUSTER", "SETSLOT", "0", "IMPORTING", "{id}"});
  Compare({"CLUSTER", "SETSLOT", "0", "FOO"});
  Compare({"CLUSTER", "SETSLOT", "0", "STABLE", "x"});
  Compare({"CLUSTER", "SETSLOT", "x", "STABLE"});
  Compare({"CLUSTER", "SETSLOT", "0"});
  for (const char* sub : {"REPLICAS", "SLAVES", "COUNT-FAILURE-REPORTS", "FORGET", "REPLICATE"}) {
    Compare({"CLUSTER", sub, "{id}"});
    Compare({"CLUSTER", sub, "nosuchnode"});
  }
  Compare({"CLUSTER", "FAILOVER"});
  Compare({"CLUSTER", "FAILOVER", "FORCE"});
  Compare({"CLUSTER", "FAILOVER", "takeover"});
  Compare({"CLUSTER", "FAILOVER", "x"});
  Compare({"CLUSTER", "FAILOVER", "x", "y"});
  Compare({"CLUSTER", "MEET", "127.0.0.1", "x"});
  Compare({"CLUSTER", "MEET", "127.0.0.1", "1", "x"});
  Compare({"CLUSTER", "MEET", "127.0.0.1", "1", "2", "3"});
  Compare({"CLUSTER", "SET-CONFIG-EPOCH", "-1"});
  Compare({"CLUSTER", "SET-CONFIG-EPOCH", "x"});
  Compare({"CLUSTER", "BUMPEPOCH"});
  Compare({"CLUSTER", "BUMPEPOCH"});
  Compare({"CLUSTER", "SET-CONFIG-EPOCH", "5"});
  Compare({"CLUSTER", "INFO"});
  Compare({"CLUSTER", "SAVECONFIG"});
  Compare({"CLUSTER", "RESET", "x"});
  Compare({"CLUSTER", "RESET", "SOFT", "x"});
  Compare({"CLUSTER", "RESET"});
  Compare({"READONLY"});
  Compare({"READWRITE"});
  Compare({"ASKING"});
  for (Node& node : nodes_) node.client.Command({"HELLO", "3"});
  for (const char* sub : {"INFO", "NODES", "SLOTS", "SHARDS", "LINKS"}) {
    Compare({"CLUSTER", sub});
  }
  Compare({"CLUSTER", "GETKEYSINSLOT", "12182", "1"});
  Compare({"FLUSHALL"});
  Compare({"CLUSTER", "RESET", "SOFT"});
  Compare({"CLUSTER", "NODES"});
  Compare({"CLUSTER", "SLOTS"});
  Compare({"CLUSTER", "INFO"});
}

TEST_F(ClusterDifferentialTest, Routing) {
  ServeAllSlots();
  Compare({"SET", "foo", "bar"});
  Compare({"GET", "foo"});
  Compare({"MSET", "a", "1", "b", "2"});
  Compare({"MSET", "{t}a", "1", "{t}b", "2"});
  Compare({"MGET", "a", "a", "a"});
  Compare({"DEL", "a", "b"});
  Compare({"RENAME", "{t}a", "{t}c"});
  Compare({"RENAME", "foo", "bar"});
  Compare({"SUNIONSTORE", "x", "y", "z"});
  Compare({"ZUNIONSTORE", "{z}x", "2", "{z}y", "{z}z"});
  Compare({"ZUNIONSTORE", "{z}x", "2", "{z}y", "z"});
  Compare({"BLPOP", "a", "b", "1"});
  Compare({"SELECT", "1"});
  Compare({"SELECT", "0"});
  Compare({"SELECT", "x"});
  Compare({"SELECT", "99"});
  Compare({"MOVE", "foo", "1"});
  Compare({"MOVE", "foo", "x"});
  Compare({"SWAPDB", "0", "1"});
  Compare({"SWAPDB", "x", "1"});
  Compare({"COPY", "{t}b", "{t}d", "DB", "1"});
  Compare({"COPY", "{t}b", "{t}d", "DB", "0"});
  Compare({"COPY", "{t}b", "{t}e", "DB", "99"});
  Compare({"COPY", "a", "b"});
  Compare({"REPLICAOF", "127.0.0.1", "1"});
  Compare({"REPLICAOF", "NO", "ONE"});
  Compare({"DBSIZE"});
  Compare({"MULTI"});
  Compare({"SET", "a", "1"});
  Compare({"SET", "b", "1"});
  Compare({"EXEC"});
  Compare({"EXEC"});
  Compare({"MULTI"});
  Compare({"MGET", "a", "b"});
  Compare({"SET", "a", "1"});
  Compare({"EXEC"});
  Compare({"MULTI"});
  Compare({"SET", "{t}a", "1"});
  Compare({"GET", "{t}b"});
  Compare({"EXEC"});
  Compare({"EVAL", "return 1", "2", "a", "b"});
  Compare({"EVAL", "return redis.call('get', KEYS[1])", "1", "{t}a"});
  Compare({"EVAL", "redis.call('get','a') return redis.call('get','b')", "0"});
  Compare({"EVAL", "return redis.pcall('mget','a','b')", "0"});
  Compare({"EVAL", "#!lua\nredis.call('get','a') return redis.call('get','b')", "0"});
  Compare({"EVAL", "#!lua\nreturn redis.pcall('get','b')", "1", "a"});
  Compare({"EVAL", "#!lua flags=allow-cross-slot-keys\nredis.call('get','a') return 1", "1", "b"});
  Compare({"EVAL", "#!lua flags=no-cluster\nreturn 1", "0"});
  Compare({"EVAL", "return redis.pcall('select', 1)", "0"});
  Compare({"FUNCTION", "LOAD",
           "#!lua name=lib\nredis.register_function{function_name='f', callback=function(k) "
           "redis.call('get','a') return redis.call('get','b') end}"});
  Compare({"FCALL", "f", "0"});
  Compare({"SPUBLISH", "a", "x"});
  Compare({"SSUBSCRIBE", "a", "b"});
  Compare({"PUBLISH", "a", "x"});
  Compare({"CLUSTER", "DELSLOTS", "15495"});
  Compare({"GET", "a"});
  Compare({"SPUBLISH", "a", "x"});
  Compare({"CONFIG", "SET", "cluster-allow-reads-when-down", "yes"});
  Compare({"CONFIG", "SET", "cluster-require-full-coverage", "yes"});
  Compare({"GET", "a"});
  Compare({"GET", "b"});
  Compare({"SET", "b", "1"});
  Compare({"EVAL", "return redis.pcall('set','b','1')", "0"});
  Compare({"EVAL", "return redis.pcall('get','b')", "0"});
  Compare({"CONFIG", "SET", "cluster-allow-reads-when-down", "no"});
  Compare({"EVAL", "return redis.pcall('get','b')", "0"});
  Compare({"CONFIG", "SET", "cluster-allow-pubsubshard-when-down", "no"});
  Compare({"SPUBLISH", "b", "x"});
}

TEST_F(ClusterDifferentialTest, MigratingAndImportingSlots) {
  ServeAllSlots();
  Compare({"SET", "{m}1", "x"});
  Compare({"CLUSTER", "KEYSLOT", "{m}"});
  Compare({"CLUSTER", "SETSLOT", "4023", "MIGRATING", "{id}"});
  Compare({"CLUSTER", "NODES"});
  Compare({"GET", "{m}1"});
  Compare({"GET", "{m}2"});
  Compare({"MGET", "{m}1", "{m}2"});
  Compare({"MGET", "{m}1", "{m}1"});
  Compare({"SPUBLISH", "{m}2", "x"});
  Compare({"MIGRATE", "127.0.0.1", "1", "{m}2", "0", "100"});
  Compare({"MIGRATE", "127.0.0.1", "1", "", "0", "100", "KEYS", "{m}1", "{m}2"});
  Compare({"ASKING"});
  Compare({"GET", "{m}2"});
  Compare({"EVAL", "return redis.pcall('get', '{m}2')", "0"});
  Compare({"CLUSTER", "SETSLOT", "4023", "NODE", "{id}"});
  Compare({"CLUSTER", "NODES"});
  Compare({"DEL", "{m}1"});
  Compare({"CLUSTER", "SETSLOT", "4023", "MIGRATING", "{id}"});
  Compare({"CLUSTER", "SETSLOT", "4023", "NODE", "{id}"});
  Compare({"CLUSTER", "NODES"});
  Compare({"CLUSTER", "DELSLOTS", "4023"});
  Compare({"CLUSTER", "SETSLOT", "4023", "IMPORTING", "{id}"});
  Compare({"CLUSTER", "SETSLOT", "4023", "MIGRATING", "{id}"});
  Compare({"CLUSTER", "NODES"});
  Compare({"GET", "{m}1"});
  Compare({"ASKING"});
  Compare({"GET", "{m}1"});
  Compare({"CLUSTER", "SETSLOT", "4023", "NODE", "{id}"});
  Compare({"CLUSTER", "NODES"});
  Compare({"CLUSTER", "INFO"});
  Compare({"CLUSTER", "SETSLOT", "4024", "MIGRATING", "{id}"});
  Compare({"CLUSTER", "ADDSLOTS", "4024"});
  Compare({"CLUSTER", "DELSLOTS", "4024"});
  Compare({"CLUSTER", "NODES"});
  Compare({"CLUSTER", "SETSLOT", "4024", "STABLE"});
  Compare({"CLUSTER", "NODES"});
}

}  // namespace
}  // namespace respd::testing
