// RDB persistence of the real respd binary: SAVE, BGSAVE, the save before a shutdown and the load
// at start-up, and files exchanged with redis-server both ways (each loads the other's file to the
// same DEBUG DIGEST).
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace respd::testing {
namespace {

using Clock = std::chrono::steady_clock;

const std::string kLibrary =
    "#!lua name=lib\nredis.register_function('answer', function() return 42 end)";

// Keys of every type, two with a TTL, in two databases.
void Populate(RespClient& c) {
  ASSERT_EQ(c.Command({"SET", "str", "hello"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"SET", "num", "12345"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"SET", "ttl", "x", "PX", "600000"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"RPUSH", "list", "a", "b", "c"}), ":3\r\n");
  ASSERT_EQ(c.Command({"HSET", "hash", "f1", "v1", "f2", "v2"}), ":2\r\n");
  ASSERT_EQ(c.Command({"SADD", "ints", "1", "2", "3"}), ":3\r\n");
  ASSERT_EQ(c.Command({"SADD", "words", "x", "y"}), ":2\r\n");
  ASSERT_EQ(c.Command({"ZADD", "zset", "1.5", "a", "2", "b"}), ":2\r\n");
  ASSERT_EQ(c.Command({"XADD", "stream", "1-1", "f", "v"}), "$3\r\n1-1\r\n");
  ASSERT_EQ(c.Command({"PFADD", "hll", "a", "b"}), ":1\r\n");
  ASSERT_EQ(c.Command({"SELECT", "3"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"SET", "other", "db", "EX", "3600"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"SELECT", "0"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"FUNCTION", "LOAD", kLibrary}), "$3\r\nlib\r\n");
}

void ExpectPopulated(RespClient& c) {
  EXPECT_EQ(c.Command({"GET", "str"}), "$5\r\nhello\r\n");
  EXPECT_EQ(c.Command({"OBJECT", "ENCODING", "num"}), "$3\r\nint\r\n");
  EXPECT_EQ(c.Command({"LRANGE", "list", "0", "-1"}), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(c.Command({"HGET", "hash", "f2"}), "$2\r\nv2\r\n");
  EXPECT_EQ(c.Command({"OBJECT", "ENCODING", "ints"}), "$6\r\nintset\r\n");
  EXPECT_EQ(c.Command({"SCARD", "words"}), ":2\r\n");
  EXPECT_EQ(c.Command({"ZSCORE", "zset", "a"}), "$3\r\n1.5\r\n");
  EXPECT_EQ(c.Command({"XRANGE", "stream", "-", "+"}), "*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(c.Command({"PFCOUNT", "hll"}), ":2\r\n");
  std::string pttl = c.Command({"PTTL", "ttl"});
  ASSERT_EQ(pttl[0], ':') << pttl;
  EXPECT_GT(std::stoll(pttl.substr(1)), 500000) << pttl;
  EXPECT_EQ(c.Command({"FCALL", "answer", "0"}), ":42\r\n");
  ASSERT_EQ(c.Command({"SELECT", "3"}), "+OK\r\n");
  EXPECT_EQ(c.Command({"GET", "other"}), "$2\r\ndb\r\n");
  ASSERT_EQ(c.Command({"SELECT", "0"}), "+OK\r\n");
}

// The value of one INFO persistence field.
std::string PersistenceField(RespClient& c, const std::string& field) {
  return InfoField(BulkPayload(c.Command({"INFO", "persistence"})), field);
}

// Waits (bounded) until no background save runs.
bool BackgroundSaveEnds(RespClient& c) {
  for (int i = 0; i < 500; ++i) {
    if (PersistenceField(c, "rdb_bgsave_in_progress") == "0") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// DEBUG DIGEST-VALUE of every key but the stream (respd's DEBUG DIGEST leaves stream contents
// out, a documented difference; ExpectPopulated reads the stream back instead).
std::string Digest(RespClient& c) {
  return c.Command(
      {"DEBUG", "DIGEST-VALUE", "str", "num", "ttl", "list", "hash", "ints", "words", "zset", "hll"});
}

TEST(PersistenceTest, SaveThenRestartLoadsEveryKeyTtlAndLibrary) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string digest;
  {
    ServerProcess server =
        ServerProcess::StartRespd({"--dir", dir.path(), "--enable-debug-command", "yes"});
    ASSERT_TRUE(server.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    Populate(c);
    EXPECT_NE(PersistenceField(c, "rdb_changes_since_last_save"), "0");
    EXPECT_EQ(c.Command({"SAVE"}), "+OK\r\n");
    EXPECT_EQ(PersistenceField(c, "rdb_changes_since_last_save"), "0");
    EXPECT_EQ(PersistenceField(c, "rdb_saves"), "1");
    EXPECT_EQ(PersistenceField(c, "rdb_last_bgsave_status"), "ok");
    digest = Digest(c);
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/dump.rdb"));
    // Nothing changed since: the shutdown's save writes the same dataset.
    EXPECT_EQ(server.Stop(), 0) << server.Output();
  }
  ServerProcess server =
      ServerProcess::StartRespd({"--dir", dir.path(), "--enable-debug-command", "yes"});
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  // Before ExpectPopulated, whose PFCOUNT caches the HLL's cardinality in its string (a write).
  EXPECT_EQ(Digest(c), digest);
  EXPECT_EQ(PersistenceField(c, "rdb_last_load_keys_loaded"), "11");
  EXPECT_EQ(PersistenceField(c, "rdb_changes_since_last_save"), "0");
  ExpectPopulated(c);
  EXPECT_NE(server.Output().find("DB loaded from disk"), std::string::npos) << server.Output();
}

TEST(PersistenceTest, BgsaveWritesTheFileAndReportsIt) {
  TempDir dir;
  ServerProcess server = ServerProcess::StartRespd({"--dir", dir.path(), "--save", ""});
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  ASSERT_EQ(c.Command({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(c.Command({"BGSAVE", "NOW"}), "-ERR syntax error\r\n");
  EXPECT_EQ(c.Command({"BGSAVE", "SCHEDULE", "x"}), "-ERR syntax error\r\n");
  std::vector<std::string> mset = {"MSET"};
  for (int i = 0; i < 1000; ++i) {
    mset.push_back("key:" + std::to_string(i));
    mset.push_back(std::string(100, 'v'));
  }
  ASSERT_EQ(c.Command(mset), "+OK\r\n");
  std::string stats = BulkPayload(c.Command({"INFO", "stats"}));
  EXPECT_EQ(InfoField(stats, "total_forks"), "0");
  EXPECT_EQ(InfoField(stats, "latest_fork_usec"), "0");
  EXPECT_EQ(c.Command({"BGSAVE"}), "+Background saving started\r\n");
  ASSERT_TRUE(BackgroundSaveEnds(c));
  // The snapshot stands for Redis's fork, counted and timed as one.
  stats = BulkPayload(c.Command({"INFO", "stats"}));
  EXPECT_EQ(InfoField(stats, "total_forks"), "1");
  EXPECT_GT(std::stoll(InfoField(stats, "latest_fork_usec")), 0);
  EXPECT_EQ(PersistenceField(c, "rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(PersistenceField(c, "rdb_changes_since_last_save"), "0");
  EXPECT_EQ(PersistenceField(c, "rdb_saves"), "1");
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/dump.rdb"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/temp-bg-" + std::to_string(server.pid()) +
                                       ".rdb"));

  // Inside MULTI it is scheduled, and the cron starts it.
  ASSERT_EQ(c.Command({"SET", "k2", "v"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"MULTI"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"BGSAVE"}), "+QUEUED\r\n");
  EXPECT_EQ(c.Command({"EXEC"}), "*1\r\n+Background saving scheduled\r\n");
  bool saved = false;
  for (int i = 0; i < 500 && !saved; ++i) {
    saved = PersistenceField(c, "rdb_saves") == "2" &&
            PersistenceField(c, "rdb_bgsave_in_progress") == "0";
    if (!saved) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(saved);
  EXPECT_EQ(PersistenceField(c, "rdb_changes_since_last_save"), "0");
  EXPECT_EQ(InfoField(BulkPayload(c.Command({"INFO", "stats"})), "total_forks"), "2");
  EXPECT_EQ(c.Command({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  stats = BulkPayload(c.Command({"INFO", "stats"}));
  EXPECT_EQ(InfoField(stats, "total_forks"), "0");
  EXPECT_EQ(InfoField(stats, "latest_fork_usec"), "0");

  ASSERT_EQ(c.Command({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(c.Command({"SAVE"}), "-ERR Command not allowed inside a transaction\r\n");
  ASSERT_EQ(c.Command({"DISCARD"}), "+OK\r\n");
  // LASTSAVE moved to the last save, which began no later than now.
  std::string lastsave = c.Command({"LASTSAVE"});
  std::string time = c.Command({"TIME"});
  ASSERT_EQ(lastsave[0], ':');
  EXPECT_LE(std::stoll(lastsave.substr(1)), std::stoll(BulkPayload(SplitTopLevelElements(time)[0])));
}

TEST(PersistenceTest, SigtermSavesOnlyWithSavePoints) {
  TempDir with_points, without;
  {
    ServerProcess server = ServerProcess::StartRespd({"--dir", with_points.path()});
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    ASSERT_EQ(c.Command({"SET", "k", "v"}), "+OK\r\n");
    EXPECT_EQ(server.Stop(), 0);
    EXPECT_NE(server.Output().find("Saving the final RDB snapshot before exiting."),
              std::string::npos)
        << server.Output();
  }
  EXPECT_TRUE(std::filesystem::exists(with_points.path() + "/dump.rdb"));
  {
    ServerProcess server = ServerProcess::StartRespd({"--dir", without.path(), "--save", ""});
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    ASSERT_EQ(c.Command({"SET", "k", "v"}), "+OK\r\n");
    EXPECT_EQ(server.Stop(), 0);
  }
  EXPECT_FALSE(std::filesystem::exists(without.path() + "/dump.rdb"));
}

TEST(PersistenceTest, ShutdownWhoseSaveFailsKeepsServingUnlessForced) {
  TempDir dir;
  ServerProcess server = ServerProcess::StartRespd({"--save", "", "--enable-protected-configs", "yes"});
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  std::string gone = dir.path() + "/gone";
  std::filesystem::create_directory(gone);
  ASSERT_EQ(c.Command({"CONFIG", "SET", "dir", gone}), "+OK\r\n");
  std::filesystem::remove(gone);
  EXPECT_EQ(c.Command({"SAVE"}), "-ERR\r\n");
  EXPECT_EQ(c.Command({"SHUTDOWN", "SAVE"}), "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  EXPECT_EQ(c.Command({"PING"}), "+PONG\r\n");
  c.Command({"SHUTDOWN", "SAVE", "FORCE"});
  EXPECT_EQ(server.WaitForExit(5000), 0);
}

// respd started on a dump.rdb it cannot load exits with status 1, as Redis does.
TEST(PersistenceTest, CorruptFileStopsTheStart) {
  TempDir dir;
  {
    std::ofstream file(dir.path() + "/dump.rdb", std::ios::binary);
    file << "REDIS0010\xfa\x03" << "abc";
  }
  std::string binary = RESPD_BINARY;
  std::vector<std::string> args = {binary, "--port", std::to_string(FreePort()), "--bind",
                                   "127.0.0.1", "--dir", dir.path(), "--logfile",
                                   dir.path() + "/log"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  int status = 0;
  pid_t reaped = 0;
  for (int i = 0; i < 500 && reaped == 0; ++i) {
    reaped = waitpid(pid, &status, WNOHANG);
    if (reaped == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (reaped == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "respd kept running on a corrupt dump.rdb";
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream log(dir.path() + "/log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("Short read"), std::string::npos) << text;
}

// Waits (bounded) until INFO persistence shows `field` at `value`.
bool InfoReaches(RespClient& c, const std::string& field, const std::string& value) {
  for (int i = 0; i < 500; ++i) {
    if (PersistenceField(c, field) == value) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(PersistenceTest, BgrewriteaofWritesABaseFileThatDebugLoadaofReads) {
  TempDir dir;
  ServerProcess server =
      ServerProcess::StartRespd({"--dir", dir.path(), "--save", "", "--enable-debug-command", "yes"});
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  Populate(c);
  std::string digest = Digest(c);
  // No AOF yet: refused, and nothing is emptied (Redis exits).
  EXPECT_EQ(c.Command({"DEBUG", "LOADAOF"}), "-ERR Error trying to load the AOF\r\n");
  EXPECT_EQ(Digest(c), digest);
  EXPECT_EQ(c.Command({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  ASSERT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
  EXPECT_EQ(PersistenceField(c, "aof_last_bgrewrite_status"), "ok");
  EXPECT_EQ(PersistenceField(c, "aof_rewrites"), "1");
  const std::string aof_dir = dir.path() + "/appendonlydir";
  EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\n");
  // A second rewrite replaces the base and removes the first.
  EXPECT_EQ(c.Command({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  ASSERT_TRUE(InfoReaches(c, "aof_rewrites", "2"));
  ASSERT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
  EXPECT_EQ(ReadText(aof_dir + "/appendonly.aof.manifest"),
            "file appendonly.aof.2.base.rdb seq 2 type b\n");
  EXPECT_FALSE(std::filesystem::exists(aof_dir + "/appendonly.aof.1.base.rdb"));

  ASSERT_EQ(c.Command({"FLUSHALL"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"SET", "gone", "after-loadaof"}), "+OK\r\n");
  EXPECT_EQ(c.Command({"DEBUG", "LOADAOF"}), "+OK\r\n");
  EXPECT_EQ(c.Command({"EXISTS", "gone"}), ":0\r\n");
  EXPECT_EQ(Digest(c), digest);
  ExpectPopulated(c);

  // Inside MULTI both are scheduled; the cron runs the rewrite first, then the save.
  ASSERT_EQ(c.Command({"MULTI"}), "+OK\r\n");
  ASSERT_EQ(c.Command({"BGREWRITEAOF"}), "+QUEUED\r\n");
  ASSERT_EQ(c.Command({"BGSAVE"}), "+QUEUED\r\n");
  EXPECT_EQ(c.Command({"EXEC"}),
            "*2\r\n+Background append only file rewriting scheduled\r\n"
            "+Background saving scheduled\r\n");
  EXPECT_TRUE(InfoReaches(c, "rdb_saves", "1"));
  EXPECT_TRUE(InfoReaches(c, "rdb_bgsave_in_progress", "0"));
  EXPECT_EQ(PersistenceField(c, "aof_rewrites"), "3");
}

// rdb-key-save-delay keeps a background save running, as Redis's suite uses it: while it runs,
// SAVE and BGSAVE are refused, BGREWRITEAOF waits for it, and FLUSHALL stops it.
TEST(PersistenceTest, RunningBackgroundSaveIsReportedAndStopped) {
  TempDir dir;
  ServerProcess server = ServerProcess::StartRespd(
      {"--dir", dir.path(), "--save", "", "--rdb-key-save-delay", "1000000"});
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  for (int i = 0; i < 10; ++i) ASSERT_EQ(c.Command({"SET", "k" + std::to_string(i), "v"}), "+OK\r\n");
  EXPECT_EQ(c.Command({"BGSAVE"}), "+Background saving started\r\n");
  EXPECT_EQ(PersistenceField(c, "rdb_bgsave_in_progress"), "1");
  EXPECT_EQ(PersistenceField(c, "rdb_current_bgsave_time_sec"), "0");
  EXPECT_EQ(c.Command({"SAVE"}), "-ERR Background save already in progress\r\n");
  EXPECT_EQ(c.Command({"BGSAVE"}), "-ERR Background save already in progress\r\n");
  EXPECT_EQ(c.Command({"BGREWRITEAOF"}), "+Background append only file rewriting scheduled\r\n");
  EXPECT_EQ(PersistenceField(c, "aof_rewrite_scheduled"), "1");
  ASSERT_EQ(c.Command({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(PersistenceField(c, "rdb_bgsave_in_progress"), "0");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/dump.rdb"));
  // Nothing runs now: the cron starts the scheduled rewrite of the empty dataset.
  EXPECT_TRUE(InfoReaches(c, "aof_rewrites", "1"));
  EXPECT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
  EXPECT_EQ(PersistenceField(c, "aof_rewrite_scheduled"), "0");
  EXPECT_EQ(PersistenceField(c, "aof_last_bgrewrite_status"), "ok");
}

class PersistenceDifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override { RESPD_REQUIRE_REDIS_SERVER(); }

  // Fills `writer`, persists with `persist` (whose reply must be `reply`), waits for a background
  // rewrite to end, and keeps the dataset's digest; the writer stops when this returns.
  void WriteDataset(ServerProcess writer, const std::vector<std::string>& persist,
                    const std::string& reply) {
    ASSERT_TRUE(writer.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(writer.port()));
    Populate(c);
    digest_ = Digest(c);
    ASSERT_EQ(c.Command(persist), reply);
    ASSERT_TRUE(InfoReaches(c, "aof_rewrite_in_progress", "0"));
  }

  // `reader` started from what the writer left: the same digest, TTLs and library. redis-server
  // accepts connections while it loads (answering LOADING until done).
  void ExpectLoaded(ServerProcess reader) {
    ASSERT_TRUE(reader.running());
    RespClient c;
    ASSERT_TRUE(c.Connect(reader.port()));
    ASSERT_TRUE(InfoReaches(c, "loading", "0"));
    EXPECT_EQ(Digest(c), digest_);
    ExpectPopulated(c);
  }

  TempDir dir_;
  std::string digest_;
};

TEST_F(PersistenceDifferentialTest, RedisLoadsRespdFile) {
  ASSERT_NO_FATAL_FAILURE(WriteDataset(
      ServerProcess::StartRespd({"--dir", dir_.path(), "--enable-debug-command", "yes"}),
      {"SAVE"}, "+OK\r\n"));
  ExpectLoaded(ServerProcess::StartRedis({"--dir", dir_.path(), "--enable-debug-command", "yes"}));
}

TEST_F(PersistenceDifferentialTest, RespdLoadsRedisFile) {
  ASSERT_NO_FATAL_FAILURE(WriteDataset(
      ServerProcess::StartRedis({"--dir", dir_.path(), "--enable-debug-command", "yes"}),
      {"SAVE"}, "+OK\r\n"));
  ExpectLoaded(ServerProcess::StartRespd({"--dir", dir_.path(), "--enable-debug-command", "yes"}));
}

// redis-server with AOF on starts from the base file and manifest respd's BGREWRITEAOF wrote.
TEST_F(PersistenceDifferentialTest, RedisStartsFromRespdAofBase) {
  ASSERT_NO_FATAL_FAILURE(WriteDataset(
      ServerProcess::StartRespd(
          {"--dir", dir_.path(), "--save", "", "--enable-debug-command", "yes"}),
      {"BGREWRITEAOF"}, "+Background append only file rewriting started\r\n"));
  ExpectLoaded(ServerProcess::StartRedis(
      {"--dir", dir_.path(), "--appendonly", "yes", "--enable-debug-command", "yes"}));
}

}  // namespace
}  // namespace respd::testing
