// The append-only file of the real respd binary: commands kept across a restart, AOF turned on at
// run time and loaded back, rewrites that rotate the files, the base file of commands
// (aof-use-rdb-preamble no) with every type, and files byte for byte as redis-server writes them.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace respd::testing {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string PersistenceField(RespClient& c, const std::string& field) {
  return InfoField(BulkPayload(c.Command({"INFO", "persistence"})), field);
}

// Waits (bounded) until INFO persistence shows `field` at `value`.
bool InfoReaches(RespClient& c, const std::string& field, const std::string& value) {
  for (int i = 0; i < 500; ++i) {
    if (PersistenceField(c, field) == value) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::vector<std::string> AofArgs(const TempDir& dir, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--dir",         dir.path(), "--appendonly",           "yes",
                                   "--appendfsync", "always",   "--enable-debug-command", "yes"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// Commands whose propagated form is the command itself, in two databases and a transaction.
void WriteWithoutTtls(RespClient& c) {
  ASSERT_EQ(c.Command({"SET", "str", "hello"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"APPEND", "str", " world"}), ":11\r\n");
  ASSERT_EQ(c.Command({"RPUSH", "list", "a", "b", "c"}), ":3\r\n");
  ASSERT_EQ(c.Command({"LPOP", "list"}), "$1\r\na\r\n");
  ASSERT_EQ(c.Command({"HSET", "hash", "f1", "v1", "f2", "v2"}), ":2\r\n");
  ASSERT_EQ(c.Command({"SADD", "set", "x", "y"}), ":2\r\n");
  ASSERT_EQ(c.Command({"ZADD", "zset", "1.5", "a", "2", "b"}), ":2\r\n");
  ASSERT_EQ(c.Command({"XADD", "stream", "1-1", "f", "v"}), "$3\r\n1-1\r\n");
  ASSERT_EQ(c.Command({"SELECT", "2"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"INCRBY", "counter", "5"}), ":5\r\n");
  ASSERT_EQ(c.Command({"MULTI"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"INCR", "counter"}), "+QUEUED\r\n");
  ASSERT_EQ(c.Command({"SET", "other", "db2"}), "+QUEUED\r\n");
  ASSERT_EQ(c.Command({"EXEC"}), "*2\r\n:6\r\n+OK\r\n");
  ASSERT_EQ(c.Command({"SELECT", "0"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"DEL", "set"}), ":1\r\n");
  // Reads and failed writes are not logged.
  ASSERT_EQ(c.Command({"GET", "str"}), "$11\r\nhello world\r\n");
  ASSERT_EQ(c.Command({"LPUSH", "str", "x"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

void ExpectWrittenWithoutTtls(RespClient& c) {
  EXPECT_EQ(c.Command({"GET", "str"}), "$11\r\nhello world\r\n");
  EXPECT_EQ(c.Command({"LRANGE", "list", "0", "-1"}), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(c.Command({"HGET", "hash", "f2"}), "$2\r\nv2\r\n");
  EXPECT_EQ(c.Command({"EXISTS", "set"}), ":0\r\n");
  EXPECT_EQ(c.Command({"ZSCORE", "zset", "a"}), "$3\r\n1.5\r\n");
  EXPECT_EQ(c.Command({"XLEN", "stream"}), ":1\r\n");
  ASSERT_EQ(c.Command({"SELECT", "2"}), "+OK\r\n");
  EXPECT_EQ(c.Command({"GET", "counter"}), "$1\r\n6\r\n");
  EXPECT_EQ(c.Command({"GET", "other"}), "$3\r\ndb2\r\n");
  ASSERT_EQ(c.Command({"SELECT", "0"}), "+OK\r\n");
}

TEST(AofTest, CommandsSurviveARestart) {
  TempDir dir;
  const std::string aof_dir = dir.path() + "/appendonlydir";
  {
    ServerProcess server = ServerProcess::StartRespd(AofArgs(dir));
    ASSERT_TRUE(server.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    EXPECT_EQ(PersistenceField(c, "aof_enabled"), "1");
    WriteWithoutTtls(c);
    ASSERT_EQ(c.Command({"SET", "ttl", "x", "PX", "600000"}), "+OK\r\n");
    EXPECT_EQ(server.Stop(), 0);
  }
  EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  ServerProcess server = ServerProcess::StartRespd(AofArgs(dir));
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  ExpectWrittenWithoutTtls(c);
  std::string pttl = c.Command({"PTTL", "ttl"});
  ASSERT_EQ(pttl[0], ':') << pttl;
  EXPECT_GT(std::stoll(pttl.substr(1)), 500000) << pttl;
  // The same incremental file goes on growing.
  ASSERT_EQ(c.Command({"SET", "after", "restart"}), "+OK\r\n");
  EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_NE(ReadText(aof_dir + "/appendonly.aof.1.incr.aof").find("restart"), std::string::npos);
}

TEST(AofTest, ConfigSetAppendonlyThenDebugLoadaof) {
  TempDir dir;
  ServerProcess server = ServerProcess::StartRespd(
      {"--dir", dir.path(), "--save", "", "--enable-debug-command", "yes"});
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  ASSERT_EQ(c.Command({"SET", "before", "aof"}), "+OK\r\n");
  EXPECT_EQ(PersistenceField(c, "aof_enabled"), "0");
  EXPECT_EQ(InfoField(BulkPayload(c.Command({"INFO", "persistence"})), "aof_current_size"), "");
  ASSERT_EQ(c.Command({"CONFIG", "SET", "appendonly", "yes"}), "+OK\r\n");
  EXPECT_EQ(PersistenceField(c, "aof_enabled"), "1");
  ASSERT_EQ(c.Command({"SET", "during", "rewrite"}), "+OK\r\n");
  ASSERT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
  EXPECT_EQ(PersistenceField(c, "aof_rewrites"), "1");
  ASSERT_EQ(c.Command({"RPUSH", "after", "1", "2"}), ":2\r\n");
  const std::string aof_dir = dir.path() + "/appendonlydir";
  EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  ASSERT_EQ(c.Command({"SET", "dropped", "x"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"DEL", "dropped"}), ":1\r\n");
  EXPECT_EQ(c.Command({"DEBUG", "LOADAOF"}), "+OK\r\n");
  EXPECT_EQ(c.Command({"MGET", "before", "during", "dropped"}),
            "*3\r\n$3\r\naof\r\n$7\r\nrewrite\r\n$-1\r\n");
  EXPECT_EQ(c.Command({"LRANGE", "after", "0", "-1"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  // DEBUG LOADAOF itself is not logged: loading again gives the same dataset.
  EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.1.incr.aof").find("LOADAOF"), std::string::npos);

  ASSERT_EQ(c.Command({"CONFIG", "SET", "appendonly", "no"}), "+OK\r\n");
  EXPECT_EQ(PersistenceField(c, "aof_enabled"), "0");
  const std::string incr = ReadText(aof_dir + "/appendonly.aof.1.incr.aof");
  ASSERT_EQ(c.Command({"SET", "not", "logged"}), "+OK\r\n");
  EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.1.incr.aof"), incr);
}

TEST(AofTest, BgrewriteaofRotatesTheFiles) {
  TempDir dir;
  const std::string aof_dir = dir.path() + "/appendonlydir";
  {
    ServerProcess server = ServerProcess::StartRespd(AofArgs(dir));
    ASSERT_TRUE(server.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    WriteWithoutTtls(c);
    EXPECT_EQ(c.Command({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
    ASSERT_EQ(c.Command({"SET", "next", "file"}), "+OK\r\n");
    ASSERT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
    EXPECT_EQ(PersistenceField(c, "aof_last_bgrewrite_status"), "ok");
    EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.manifest"),
              "file appendonly.aof.2.base.rdb seq 2 type b\n"
              "file appendonly.aof.2.incr.aof seq 2 type i\n");
    EXPECT_FALSE(std::filesystem::exists(aof_dir + "/appendonly.aof.1.base.rdb"));
    EXPECT_FALSE(std::filesystem::exists(aof_dir + "/appendonly.aof.1.incr.aof"));
    EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.2.incr.aof"),
              "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$4\r\nnext\r\n$4\r\nfile\r\n");
    const std::string base = ReadText(aof_dir + "/appendonly.aof.2.base.rdb");
    EXPECT_EQ(base.substr(0, 5), "REDIS");
    EXPECT_NE(base.find("aof-base"), std::string::npos);
    EXPECT_EQ(PersistenceField(c, "aof_base_size"), std::to_string(base.size()));
    EXPECT_EQ(c.Command({"DEBUG", "LOADAOF"}), "+OK\r\n");
    ExpectWrittenWithoutTtls(c);
    EXPECT_EQ(c.Command({"GET", "next"}), "$4\r\nfile\r\n");
  }
  ServerProcess server = ServerProcess::StartRespd(AofArgs(dir));
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  ExpectWrittenWithoutTtls(c);
  EXPECT_EQ(c.Command({"GET", "next"}), "$4\r\nfile\r\n");
}

// The incremental file and manifest respd writes for a command sequence are the bytes
// redis-server 7.0 writes for it.
TEST(AofTest, FilesMatchRedisServer) {
  RESPD_REQUIRE_REDIS_SERVER();
  TempDir respd_dir, redis_dir;
  std::vector<std::string> texts[2];
  int index = 0;
  for (bool redis : {false, true}) {
    const TempDir& dir = redis ? redis_dir : respd_dir;
    std::vector<std::string> args = {"--dir", dir.path(),      "--appendonly",
                                     "yes",   "--appendfsync", "always"};
    ServerProcess server =
        redis ? ServerProcess::StartRedis(args) : ServerProcess::StartRespd(args);
    ASSERT_TRUE(server.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    WriteWithoutTtls(c);
    const std::string aof_dir = dir.path() + "/appendonlydir/";
    texts[index].push_back(ReadText(aof_dir + "appendonly.aof.manifest"));
    texts[index].push_back(ReadText(aof_dir + "appendonly.aof.1.incr.aof"));
    ASSERT_EQ(c.Command({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
    ASSERT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
    ASSERT_EQ(c.Command({"SELECT", "2"}), "+OK\r\n");
    ASSERT_EQ(c.Command({"RPUSH", "after", "rewrite"}), ":1\r\n");
    texts[index].push_back(ReadText(aof_dir + "appendonly.aof.manifest"));
    texts[index].push_back(ReadText(aof_dir + "appendonly.aof.2.incr.aof"));
    ++index;
  }
  ASSERT_EQ(texts[0].size(), texts[1].size());
  for (size_t i = 0; i < texts[0].size(); ++i) {
    EXPECT_FALSE(texts[1][i].empty()) << i;
    EXPECT_EQ(texts[0][i], texts[1][i]) << i;
  }
}

// With aof-use-rdb-preamble no the rewritten base file is redis-server's byte for byte: one key
// a database (so the keyspace's order cannot differ), of every type, values whose order both
// servers keep, and no delivery times.
TEST(AofTest, BaseOfCommandsMatchesRedisServer) {
  RESPD_REQUIRE_REDIS_SERVER();
  TempDir respd_dir, redis_dir;
  std::string texts[2][3];
  int index = 0;
  for (bool redis : {false, true}) {
    const TempDir& dir = redis ? redis_dir : respd_dir;
    std::vector<std::string> args = {
        "--dir", dir.path(), "--appendonly", "yes", "--aof-use-rdb-preamble", "no"};
    ServerProcess server =
        redis ? ServerProcess::StartRedis(args) : ServerProcess::StartRespd(args);
    ASSERT_TRUE(server.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    ASSERT_EQ(c.Command({"FUNCTION", "LOAD",
                         "#!lua name=lib\nredis.register_function('answer', function() return 42 "
                         "end)"}),
              "$3\r\nlib\r\n");
    // Each element: the database, then the command.
    const std::vector<std::vector<std::string>> writes = {
        {"1", "SET", "string", "value"},
        {"1", "PEXPIREAT", "string", "4102444800000"},
        {"2", "ZADD", "zset", "1.5", "a", "2", "b", "-3", "c"},
        {"3", "HSET", "hash", "f1", "v1", "f2", "v2"},
        {"4", "SADD", "ints", "3", "1", "2"},
        {"5", "XADD", "stream", "1-1", "a", "1"},
        {"5", "XADD", "stream", "2-1", "b", "2", "c", "3"},
        {"5", "XADD", "stream", "3-1", "d", "4"},
        {"5", "XDEL", "stream", "3-1"},
        {"5", "XGROUP", "CREATE", "stream", "workers", "1-1"},
        {"5", "XGROUP", "CREATECONSUMER", "stream", "workers", "bob"},
        {"6", "XADD", "empty", "MAXLEN", "0", "5-5", "x", "y"}};
    for (const std::vector<std::string>& write : writes) {
      ASSERT_EQ(c.Command({"SELECT", write[0]}), "+OK\r\n");
      std::string reply = c.Command(std::vector<std::string>(write.begin() + 1, write.end()));
      ASSERT_NE(reply[0], '-') << reply;
    }
    std::vector<std::string> long_list = {"RPUSH", "list"};
    for (int i = 0; i < 150; ++i) long_list.push_back(std::to_string(i));
    ASSERT_EQ(c.Command({"SELECT", "15"}), "+OK\r\n");
    ASSERT_EQ(c.Command(long_list), ":150\r\n");
    ASSERT_EQ(c.Command({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
    ASSERT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
    const std::string aof_dir = dir.path() + "/appendonlydir/";
    texts[index][0] = ReadText(aof_dir + "appendonly.aof.manifest");
    texts[index][1] = ReadText(aof_dir + "appendonly.aof.2.base.aof");
    texts[index][2] = ReadText(aof_dir + "appendonly.aof.2.incr.aof");
    ++index;
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(texts[0][i], texts[1][i]) << i;
  EXPECT_NE(texts[0][1].find("CREATECONSUMER"), std::string::npos);
}

// A stream with a consumer group, pending entries and a consumer without any.
void WriteStreamWithGroup(RespClient& c) {
  ASSERT_EQ(c.Command({"XADD", "events", "1-1", "a", "1"}), "$3\r\n1-1\r\n");
  ASSERT_EQ(c.Command({"XADD", "events", "2-1", "b", "2", "c", "3"}), "$3\r\n2-1\r\n");
  ASSERT_EQ(c.Command({"XADD", "events", "3-1", "d", "4"}), "$3\r\n3-1\r\n");
  ASSERT_EQ(c.Command({"XDEL", "events", "3-1"}), ":1\r\n");
  ASSERT_EQ(c.Command({"XGROUP", "CREATE", "events", "workers", "0"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"XREADGROUP", "GROUP", "workers", "alice", "COUNT", "1", "STREAMS", "events",
                       ">"}),
            "*1\r\n*2\r\n$6\r\nevents\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  ASSERT_EQ(c.Command({"XGROUP", "CREATECONSUMER", "events", "workers", "bob"}), ":1\r\n");
  ASSERT_EQ(c.Command({"XADD", "empty", "MAXLEN", "0", "5-5", "x", "y"}), "$3\r\n5-5\r\n");
}

TEST(AofTest, BaseOfCommandsRebuildsEveryType) {
  TempDir dir;
  ServerProcess server = ServerProcess::StartRespd(AofArgs(dir, {"--aof-use-rdb-preamble", "no"}));
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  WriteWithoutTtls(c);
  WriteStreamWithGroup(c);
  std::vector<std::string> many = {"RPUSH", "long"};
  for (int i = 0; i < 150; ++i) many.push_back(std::to_string(i));
  ASSERT_EQ(c.Command(many), ":150\r\n");
  ASSERT_EQ(c.Command({"SET", "ttl", "x", "PX", "600000"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"FUNCTION", "LOAD",
                       "#!lua name=lib\nredis.register_function('answer', function() return 42 "
                       "end)"}),
            "$3\r\nlib\r\n");
  const std::vector<std::vector<std::string>> probes = {
      {"XINFO", "GROUPS", "events"}, {"XPENDING", "events", "workers"},
      {"XINFO", "STREAM", "empty"},  {"XRANGE", "events", "-", "+"},
      {"LRANGE", "long", "0", "-1"}, {"FCALL", "answer", "0"}};
  std::vector<std::string> before;
  for (const auto& probe : probes) before.push_back(c.Command(probe));
  // Consumers' seen-time is not in the file, as in Redis: the XINFO CONSUMERS idle differs.
  ASSERT_EQ(c.Command({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  ASSERT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
  const std::string aof_dir = dir.path() + "/appendonlydir";
  EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.manifest"),
            "file appendonly.aof.2.base.aof seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  const std::string base = ReadText(aof_dir + "/appendonly.aof.2.base.aof");
  EXPECT_TRUE(base.starts_with("*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$74\r\n#!lua name=lib\n"))
      << base.substr(0, 64);
  for (std::string_view expected :
       {"$6\r\nXCLAIM\r\n$6\r\nevents\r\n$7\r\nworkers\r\n$5\r\nalice\r\n$1\r\n0\r\n$3\r\n1-1\r\n",
        "*5\r\n$6\r\nXGROUP\r\n$14\r\nCREATECONSUMER\r\n$6\r\nevents\r\n$7\r\nworkers\r\n$"
        "3\r\nbob\r\n",
        "*7\r\n$6\r\nXSETID\r\n$6\r\nevents\r\n$3\r\n3-1\r\n$12\r\nENTRIESADDED\r\n$1\r\n3\r\n"
        "$12\r\nMAXDELETEDID\r\n$3\r\n3-1\r\n",
        "*7\r\n$4\r\nXADD\r\n$5\r\nempty\r\n$6\r\nMAXLEN\r\n$1\r\n0\r\n$3\r\n0-1\r\n",
        "*66\r\n$5\r\nRPUSH\r\n$4\r\nlong\r\n", "*24\r\n$5\r\nRPUSH\r\n$4\r\nlong\r\n",
        "*3\r\n$9\r\nPEXPIREAT\r\n$3\r\nttl\r\n"}) {
    EXPECT_NE(base.find(expected), std::string::npos) << expected;
  }
  EXPECT_EQ(c.Command({"DEBUG", "LOADAOF"}), "+OK\r\n");
  for (size_t i = 0; i < probes.size(); ++i) EXPECT_EQ(c.Command(probes[i]), before[i]) << i;
  ExpectWrittenWithoutTtls(c);
  std::string pttl = c.Command({"PTTL", "ttl"});
  ASSERT_EQ(pttl[0], ':') << pttl;
  EXPECT_GT(std::stoll(pttl.substr(1)), 500000) << pttl;
}

TEST(AofTest, TruncatedTailLoadsUnderAofLoadTruncated) {
  TempDir dir;
  const std::string incr = dir.path() + "/appendonlydir/appendonly.aof.1.incr.aof";
  {
    ServerProcess server = ServerProcess::StartRespd(AofArgs(dir));
    ASSERT_TRUE(server.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    ASSERT_EQ(c.Command({"SET", "kept", "1"}), "+OK\r\n");
    EXPECT_EQ(server.Stop(), 0);
  }
  const std::string whole = ReadText(incr);
  // Appends `tail`: the next start loads what came before it and cuts it off.
  const auto expect_cut_off = [&](const std::string& tail) {
    {
      std::ofstream out(incr, std::ios::binary | std::ios::app);
      out << tail;
    }
    ServerProcess server = ServerProcess::StartRespd(AofArgs(dir));
    ASSERT_TRUE(server.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    EXPECT_EQ(c.Command({"MGET", "kept", "lost"}), "*2\r\n$1\r\n1\r\n$-1\r\n");
    EXPECT_EQ(server.Stop(), 0);
    EXPECT_EQ(ReadText(incr), whole);
  };
  // A command that ends in the middle of an argument.
  expect_cut_off("*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1\r\n");
  // A transaction without its EXEC is cut off whole, its commands not applied.
  expect_cut_off("*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1\r\n1\r\n");
}

TEST(AofTest, TimestampAnnotationsAreWrittenAndSkipped) {
  TempDir dir;
  const std::string aof_dir = dir.path() + "/appendonlydir/";
  const std::vector<std::string> args =
      AofArgs(dir, {"--aof-timestamp-enabled", "yes", "--aof-use-rdb-preamble", "no"});
  {
    ServerProcess server = ServerProcess::StartRespd(args);
    ASSERT_TRUE(server.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    ASSERT_EQ(c.Command({"SET", "k", "v"}), "+OK\r\n");
    ASSERT_EQ(c.Command({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
    ASSERT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
    EXPECT_TRUE(ReadText(aof_dir + "appendonly.aof.2.base.aof").starts_with("#TS:"));
    EXPECT_EQ(server.Stop(), 0);
  }
  ServerProcess server = ServerProcess::StartRespd(args);
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  EXPECT_EQ(c.Command({"GET", "k"}), "$1\r\nv\r\n");
  ASSERT_EQ(c.Command({"SET", "k", "w"}), "+OK\r\n");
  EXPECT_TRUE(ReadText(aof_dir + "appendonly.aof.2.incr.aof").starts_with("#TS:"));
  EXPECT_EQ(c.Command({"DEBUG", "LOADAOF"}), "+OK\r\n");
  EXPECT_EQ(c.Command({"GET", "k"}), "$1\r\nw\r\n");
}

}  // namespace
}  // namespace respd::testing
