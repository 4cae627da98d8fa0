// RESPD DB and RESPD SNAPSHOT over real connections: leases handed to different clients, released
// by their owner or by disconnecting, what SELECT and FLUSHALL do to a leased database; snapshots
// of every type with their TTLs, restored into the same or another database, atomically for
// WATCH; the `databases` option at 10,000.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/respd_test.h"

namespace respd::testing {
namespace {

// A bounded poll for the tests without the fixture, as RespdTest's.
constexpr int kPollAttempts = 800;
constexpr auto kPollInterval = std::chrono::milliseconds(10);

std::string Int(int64_t n) { return ":" + std::to_string(n) + "\r\n"; }
std::string Bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

// The index a LEASE reply carries; -1 if it is not an integer reply.
int LeasedIndex(const std::string& reply) {
  if (reply.size() < 4 || reply[0] != ':') return -1;
  return std::stoi(reply.substr(1));
}

class RespdDbTest : public RespdTest {};

TEST_F(RespdDbTest, TwoClientsGetDifferentEmptyDatabases) {
  // Database 1 holds a key written without a lease: never handed out.
  ASSERT_EQ(admin_.Command({"SELECT", "1"}), "+OK\r\n");
  ASSERT_EQ(admin_.Command({"SET", "k", "v"}), "+OK\r\n");
  RespClient a = Connect();
  RespClient b = Connect();
  EXPECT_EQ(a.Command({"RESPD", "DB", "LEASE"}), Int(2));
  EXPECT_EQ(b.Command({"respd", "db", "lease"}), Int(3));
  EXPECT_EQ(a.Command({"RESPD", "DB", "LEASE"}), Int(4));  // a client may hold several
  std::string a_id = a.Command({"CLIENT", "ID"});
  std::string b_id = b.Command({"CLIENT", "ID"});
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "LIST"}),
            "*6\r\n" + Int(2) + a_id + Int(3) + b_id + Int(4) + a_id);
}

TEST_F(RespdDbTest, ConcurrentLeasesAreAllDifferent) {
  // Twelve clients over the server's two threads ask at once, three leases each.
  std::vector<RespClient> clients;
  for (int i = 0; i < 12; ++i) clients.push_back(Connect());
  std::string lease = clients[0].EncodeCommand({"RESPD", "DB", "LEASE"});
  for (RespClient& client : clients) ASSERT_TRUE(client.SendRaw(lease + lease + lease));
  std::set<std::string> replies;
  int granted = 0;
  for (RespClient& client : clients) {
    for (int i = 0; i < 3; ++i) {
      std::string reply = client.ReadReply();
      granted += reply.starts_with(":") ? 1 : 0;
      replies.insert(reply);
    }
  }
  // 36 asked, 15 databases to lease (0 never is): 15 grants, all different, then the error.
  EXPECT_EQ(granted, 15);
  EXPECT_EQ(replies.size(), 16u);
  EXPECT_TRUE(replies.contains("-ERR no empty database left to lease (raise 'databases')\r\n"));
  EXPECT_TRUE(replies.contains(Int(15)));
  EXPECT_FALSE(replies.contains(Int(0)));
}

TEST_F(RespdDbTest, ReleaseFlushesTheDatabaseAndFreesItsIndex) {
  RespClient a = Connect();
  int db = LeasedIndex(a.Command({"RESPD", "DB", "LEASE"}));
  ASSERT_EQ(db, 1);
  ASSERT_EQ(a.Command({"SELECT", std::to_string(db)}), "+OK\r\n");
  ASSERT_EQ(a.Command({"RPUSH", "jobs", "1", "2"}), Int(2));
  EXPECT_EQ(a.Command({"RESPD", "DB", "RELEASE", std::to_string(db)}), "+OK\r\n");
  EXPECT_EQ(a.Command({"DBSIZE"}), Int(0));
  EXPECT_EQ(a.Command({"RESPD", "DB", "RELEASE", std::to_string(db)}),
            "-ERR database 1 is not leased\r\n");
  RespClient b = Connect();
  EXPECT_EQ(b.Command({"RESPD", "DB", "LEASE"}), Int(db));
}

TEST_F(RespdDbTest, OnlyTheOwnerReleases) {
  RespClient a = Connect();
  RespClient b = Connect();
  ASSERT_EQ(a.Command({"RESPD", "DB", "LEASE"}), Int(1));
  ASSERT_EQ(a.Command({"SELECT", "1"}), "+OK\r\n");
  ASSERT_EQ(a.Command({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(b.Command({"RESPD", "DB", "RELEASE", "1"}),
            "-ERR database 1 is leased by another client\r\n");
  EXPECT_EQ(a.Command({"GET", "k"}), Bulk("v"));
  EXPECT_EQ(b.Command({"RESPD", "DB", "RELEASE", "0"}), "-ERR database 0 is not leased\r\n");
}

TEST_F(RespdDbTest, LeaseEndsWhenItsClientDisconnects) {
  RespClient a = Connect();
  ASSERT_EQ(a.Command({"RESPD", "DB", "LEASE"}), Int(1));
  ASSERT_EQ(a.Command({"SELECT", "1"}), "+OK\r\n");
  ASSERT_EQ(a.Command({"SET", "k", "v"}), "+OK\r\n");
  a.Close();
  bool released = false;
  for (int i = 0; i < kPollAttempts && !released; ++i) {
    released = admin_.Command({"RESPD", "DB", "LIST"}) == "*0\r\n";
    if (!released) std::this_thread::sleep_for(kPollInterval);
  }
  ASSERT_TRUE(released);
  ASSERT_EQ(admin_.Command({"SELECT", "1"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"DBSIZE"}), Int(0));
  RespClient b = Connect();
  EXPECT_EQ(b.Command({"RESPD", "DB", "LEASE"}), Int(1));
}

TEST_F(RespdDbTest, OtherConnectionsUseALeasedDatabaseAndFlushallEmptiesIt) {
  // A worker's connection pool: the lease is a reservation of the index, not a lock on it.
  RespClient owner = Connect();
  RespClient pooled = Connect();
  ASSERT_EQ(owner.Command({"RESPD", "DB", "LEASE"}), Int(1));
  EXPECT_EQ(pooled.Command({"SELECT", "1"}), "+OK\r\n");
  EXPECT_EQ(pooled.Command({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(owner.Command({"SELECT", "1"}), "+OK\r\n");
  EXPECT_EQ(owner.Command({"GET", "k"}), Bulk("v"));
  // FLUSHALL is Redis's: every database, leased or not, is emptied; the lease stays.
  EXPECT_EQ(admin_.Command({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(owner.Command({"DBSIZE"}), Int(0));
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "LIST"}),
            "*2\r\n" + Int(1) + owner.Command({"CLIENT", "ID"}));
  RespClient other = Connect();
  EXPECT_EQ(other.Command({"RESPD", "DB", "LEASE"}), Int(2));
  // SWAPDB is Redis's too: contents move, leases stay with their indexes.
  EXPECT_EQ(admin_.Command({"SET", "in-zero", "1"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"SWAPDB", "0", "1"}), "+OK\r\n");
  EXPECT_EQ(owner.Command({"GET", "in-zero"}), Bulk("1"));
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "LIST"}),
            "*4\r\n" + Int(1) + owner.Command({"CLIENT", "ID"}) + Int(2) +
                other.Command({"CLIENT", "ID"}));
}

TEST_F(RespdDbTest, LeaseAndRestoreInsideATransaction) {
  admin_.Command({"SET", "k", "1"});
  admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "s"});
  admin_.Command({"SET", "k", "2"});
  ASSERT_EQ(admin_.Command({"MULTI"}), "+OK\r\n");
  ASSERT_EQ(admin_.Command({"RESPD", "DB", "LEASE"}), "+QUEUED\r\n");
  ASSERT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "RESTORE", "s"}), "+QUEUED\r\n");
  ASSERT_EQ(admin_.Command({"GET", "k"}), "+QUEUED\r\n");
  EXPECT_EQ(admin_.Command({"EXEC"}), "*3\r\n" + Int(1) + "+OK\r\n" + Bulk("1"));
}

TEST_F(RespdDbTest, BadArgumentsAreRefused) {
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "RELEASE", "one"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "RELEASE", "9223372036854775808"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "RELEASE", "-1"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "RELEASE", "16"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "DB"}),
            "-ERR wrong number of arguments for 'respd|db' command\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "LEASE", "2"}),
            "-ERR unknown subcommand or wrong number of arguments for 'DB LEASE'. Try RESPD "
            "HELP.\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "RELEASE"}),
            "-ERR unknown subcommand or wrong number of arguments for 'DB RELEASE'. Try RESPD "
            "HELP.\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "DB", "BORROW"}),
            "-ERR unknown subcommand or wrong number of arguments for 'DB BORROW'. Try RESPD "
            "HELP.\r\n");
}

TEST(RespdDbLimitsTest, NoEmptyDatabaseLeftIsAnError) {
  ServerProcess server = ServerProcess::StartRespd({"--databases", "2"});
  ASSERT_TRUE(server.running());
  RespClient a;
  ASSERT_TRUE(a.Connect(server.port()));
  EXPECT_EQ(a.Command({"RESPD", "DB", "LEASE"}), Int(1));
  EXPECT_EQ(a.Command({"RESPD", "DB", "LEASE"}),
            "-ERR no empty database left to lease (raise 'databases')\r\n");
}

TEST(RespdDbLimitsTest, TenThousandDatabasesStartAndLease) {
  ServerProcess server = ServerProcess::StartRespd({"--databases", "10000", "--hz", "100"});
  ASSERT_TRUE(server.running());
  RespClient a;
  ASSERT_TRUE(a.Connect(server.port()));
  EXPECT_EQ(a.Command({"CONFIG", "GET", "databases"}), "*2\r\n" + Bulk("databases") + Bulk("10000"));
  EXPECT_EQ(a.Command({"SELECT", "9999"}), "+OK\r\n");
  EXPECT_EQ(a.Command({"SET", "k", "v", "PX", "1"}), "+OK\r\n");
  EXPECT_EQ(a.Command({"SELECT", "10000"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(a.Command({"RESPD", "DB", "LEASE"}), Int(1));
  EXPECT_EQ(a.Command({"RESPD", "DB", "RELEASE", "9999"}), "-ERR database 9999 is not leased\r\n");
  // The active expiry cycle reaches the key in the last database.
  bool expired = false;
  for (int i = 0; i < kPollAttempts && !expired; ++i) {
    expired = a.Command({"DBSIZE"}) == Int(0);
    if (!expired) std::this_thread::sleep_for(kPollInterval);
  }
  EXPECT_TRUE(expired);
}

// ---- SNAPSHOT -----------------------------------------------------------------------------------

class RespdSnapshotTest : public RespdTest {
 protected:
  // One key of every type, two with TTLs.
  void Fill(RespClient& client) {
    ASSERT_EQ(client.Command({"SET", "str", "v", "PX", "10000"}), "+OK\r\n");
    ASSERT_EQ(client.Command({"RPUSH", "list", "a", "b", "c"}), Int(3));
    ASSERT_EQ(client.Command({"HSET", "hash", "f", "1", "g", "2"}), Int(2));
    ASSERT_EQ(client.Command({"SADD", "set", "x", "y"}), Int(2));
    ASSERT_EQ(client.Command({"ZADD", "zset", "1", "m", "2", "n"}), Int(2));
    ASSERT_EQ(client.Command({"XADD", "stream", "1-1", "f", "v"}), Bulk("1-1"));
    ASSERT_EQ(client.Command({"PFADD", "hll", "a", "b"}), Int(1));
    ASSERT_EQ(client.Command({"XGROUP", "CREATE", "stream", "g", "0"}), "+OK\r\n");
    ASSERT_EQ(client.Command({"PEXPIRE", "hash", "20000"}), Int(1));
  }
  // Every key's type, value and TTL: equal when the database holds the same keys and values.
  std::string State(RespClient& client) {
    std::string state = client.Command({"DBSIZE"});
    for (const std::vector<std::string>& read : std::vector<std::vector<std::string>>{
             {"GET", "str"},
             {"LRANGE", "list", "0", "-1"},
             {"HMGET", "hash", "f", "g", "h"},
             {"SORT", "set", "ALPHA"},
             {"ZRANGE", "zset", "0", "-1", "WITHSCORES"},
             {"XRANGE", "stream", "-", "+"},
             {"XINFO", "GROUPS", "stream"},
             {"PFCOUNT", "hll"}}) {
      const std::string& key = read[1] == "GROUPS" ? read[2] : read[1];
      state += client.Command(read) + client.Command({"TYPE", key});
    }
    for (const char* key : {"str", "list", "hash", "set", "zset", "stream", "hll"}) {
      state += client.Command({"PTTL", key});
    }
    return state;
  }
};

TEST_F(RespdSnapshotTest, RestorePutsBackEveryTypeAndItsTtl) {
  ASSERT_EQ(admin_.Command({"RESPD", "TIME", "FREEZE", "1893456000000"}), ":1893456000000\r\n");
  Fill(admin_);
  std::string saved = State(admin_);
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "fixture"}), "+OK\r\n");
  // Later writes never show through the snapshot.
  admin_.Command({"RPUSH", "list", "d"});
  admin_.Command({"HSET", "hash", "h", "3"});
  admin_.Command({"DEL", "set", "str"});
  admin_.Command({"XGROUP", "DESTROY", "stream", "g"});
  admin_.Command({"ZINCRBY", "zset", "5", "m"});
  admin_.Command({"SET", "extra", "1"});
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "RESTORE", "fixture"}), "+OK\r\n");
  EXPECT_EQ(State(admin_), saved);
  EXPECT_EQ(admin_.Command({"EXISTS", "extra"}), Int(0));
  // TTLs are absolute instants: they keep running across a restore.
  admin_.Command({"RESPD", "TIME", "ADVANCE", "15000"});
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "RESTORE", "fixture"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"EXISTS", "str"}), Int(0));
  EXPECT_EQ(admin_.Command({"PTTL", "hash"}), Int(5000));
  EXPECT_EQ(admin_.Command({"DBSIZE"}), Int(6));
}

TEST_F(RespdSnapshotTest, SaveAndRestoreAcrossDatabases) {
  ASSERT_EQ(admin_.Command({"RESPD", "TIME", "FREEZE", "1893456000000"}), ":1893456000000\r\n");
  ASSERT_EQ(admin_.Command({"SELECT", "2"}), "+OK\r\n");
  Fill(admin_);
  ASSERT_EQ(admin_.Command({"SELECT", "0"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "two", "DB", "2"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"DBSIZE"}), Int(0));
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "RESTORE", "two", "db", "5"}), "+OK\r\n");
  ASSERT_EQ(admin_.Command({"SELECT", "5"}), "+OK\r\n");
  std::string restored = State(admin_);
  ASSERT_EQ(admin_.Command({"SELECT", "2"}), "+OK\r\n");
  EXPECT_EQ(State(admin_), restored);
  EXPECT_EQ(admin_.Command({"DBSIZE"}), Int(7));
}

TEST_F(RespdSnapshotTest, RestoreAbortsTransactionsWatchingTheDatabase) {
  admin_.Command({"SET", "k", "1"});
  admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "s"});
  RespClient watcher = Connect();
  ASSERT_EQ(watcher.Command({"WATCH", "k"}), "+OK\r\n");
  ASSERT_EQ(watcher.Command({"MULTI"}), "+OK\r\n");
  ASSERT_EQ(watcher.Command({"INCR", "k"}), "+QUEUED\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "RESTORE", "s"}), "+OK\r\n");
  EXPECT_EQ(watcher.Command({"EXEC"}), "*-1\r\n");
}

TEST_F(RespdSnapshotTest, RestoreWakesAClientBlockedOnARestoredList) {
  admin_.Command({"RPUSH", "jobs", "j1"});
  admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "s"});
  admin_.Command({"DEL", "jobs"});
  RespClient worker = Connect();
  ASSERT_TRUE(worker.SendRaw(worker.EncodeCommand({"BLPOP", "jobs", "0"})));
  WaitForInfo("clients", "blocked_clients:1");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "RESTORE", "s"}), "+OK\r\n");
  EXPECT_EQ(worker.ReadReply(), "*2\r\n" + Bulk("jobs") + Bulk("j1"));
}

TEST_F(RespdSnapshotTest, ListAndDel) {
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "LIST"}), "*0\r\n");
  admin_.Command({"SET", "a", "1"});
  admin_.Command({"SET", "b", "1"});
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "two"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "empty", "DB", "3"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "LIST"}),
            "*4\r\n" + Bulk("empty") + Int(0) + Bulk("two") + Int(2));
  // Saving again under a name replaces it.
  admin_.Command({"SET", "c", "1"});
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "two"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "LIST"}),
            "*4\r\n" + Bulk("empty") + Int(0) + Bulk("two") + Int(3));
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "DEL", "two"}), Int(1));
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "DEL", "two"}), Int(0));
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "RESTORE", "two"}),
            "-ERR no such snapshot 'two'\r\n");
  // Restoring the empty snapshot flushes the database.
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "RESTORE", "empty"}), "+OK\r\n");
  EXPECT_EQ(admin_.Command({"DBSIZE"}), Int(0));
}

TEST_F(RespdSnapshotTest, BadArgumentsAreRefused) {
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "s", "DB", "16"}),
            "-ERR DB index is out of range\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "s", "DB", "-1"}),
            "-ERR DB index is out of range\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "RESTORE", "s", "DB", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "s", "DB"}), "-ERR syntax error\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE", "s", "NOW"}), "-ERR syntax error\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "SAVE"}),
            "-ERR unknown subcommand or wrong number of arguments for 'SNAPSHOT SAVE'. Try RESPD "
            "HELP.\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "LIST", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'SNAPSHOT LIST'. Try RESPD "
            "HELP.\r\n");
  EXPECT_EQ(admin_.Command({"RESPD", "SNAPSHOT", "LIST"}), "*0\r\n");  // nothing was saved
}

}  // namespace
}  // namespace respd::testing
