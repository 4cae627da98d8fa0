// What the commands of the key, string, hash, set, scripting, pub/sub and flush families propagate
// as, read from a replica's stream: Redis 7.0's rewrites (SET EX as SET PXAT, EXPIRE as PEXPIREAT,
// SPOP as SREMs, INCRBYFLOAT as SET KEEPTTL...), nothing for a write that changed nothing, and
// each stream checked against redis-server's for the same commands when it is installed. Absolute
// times, which differ run to run, are masked.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/replication_stream.h"
#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kTimeoutMs = 10000;
// Stands for an absolute time in ms (PXAT, PEXPIREAT, RESTORE ABSTTL) in expected streams.
constexpr std::string_view kMs = "<ms>";
// An argument counts as such a time when it is a 13-digit number within this of now.
constexpr int64_t kTimeWindowMs = 1'000'000'000;
// Long enough for a key with PX 1 to be past its time.
constexpr auto kExpiryWait = std::chrono::milliseconds(20);

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Mask(const std::string& arg) {
  if (arg.size() != 13 || arg.find_first_not_of("0123456789") != std::string::npos) return arg;
  int64_t distance = std::stoll(arg) - NowMs();
  return distance > -kTimeWindowMs && distance < kTimeWindowMs ? std::string(kMs) : arg;
}

// A script step: a command, or a pause long enough for a short TTL to pass.
struct Step {
  Argv command;
  bool wait_for_expiry = false;
};
Step Pause() { return {{}, true}; }

struct ScriptRun {
  std::vector<std::string> replies;  // raw frames
  std::vector<int64_t> changes;      // rdb_changes_since_last_save counted by each command
  std::vector<Argv> stream;          // masked, PINGs dropped, up to the end marker
};

class PropagationKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    respd_ = Start(ServerProcess::StartRespd(DebugArgs()));
    if (RedisServerMissing().empty()) redis_ = Start(ServerProcess::StartRedis(DebugArgs()));
  }

  // No save points: a save would reset the counted changes FLUSHALL is checked for.
  static std::vector<std::string> DebugArgs() {
    return {"--enable-debug-command", "yes", "--save", ""};
  }

  // Keys expire only when looked up, so a test decides when an expired key is deleted.
  static std::unique_ptr<ServerProcess> Start(ServerProcess process) {
    auto server = std::make_unique<ServerProcess>(std::move(process));
    EXPECT_TRUE(server->running());
    RespClient client;
    EXPECT_TRUE(client.Connect(server->port(), kTimeoutMs));
    EXPECT_EQ(client.Command({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), "+OK\r\n");
    return server;
  }

  // Runs `steps` on an emptied `server` with a replica attached.
  static ScriptRun RunOn(const ServerProcess& server, const std::vector<Step>& steps) {
    ScriptRun run;
    RespClient client;
    EXPECT_TRUE(client.Connect(server.port(), kTimeoutMs));
    EXPECT_EQ(client.Command({"FLUSHALL"}), "+OK\r\n");
    RespClient replica;
    EXPECT_TRUE(AttachReplica(replica, server.port(), kTimeoutMs));
    for (const Step& step : steps) {
      if (step.wait_for_expiry) {
        std::this_thread::sleep_for(kExpiryWait);
      } else {
        int64_t before = ChangesCounted(client);
        run.replies.push_back(client.Command(step.command));
        run.changes.push_back(ChangesCounted(client) - before);
      }
    }
    EXPECT_EQ(client.Command({"SELECT", "0"}), "+OK\r\n");
    EXPECT_EQ(client.Command(kStreamEndMarker), "+OK\r\n");
    run.stream = ReadStreamUntil(replica, kStreamEndMarker, Mask, kTimeoutMs);
    // The marker's SELECT when the script ended in another database.
    if (!run.stream.empty() && run.stream.back() == Argv{"SELECT", "0"}) run.stream.pop_back();
    return run;
  }

  // Runs `steps` on respd and on redis-server (when installed); each stream must be `expected`,
  // and respd's replies and counted changes redis-server's.
  void ExpectStream(const std::vector<Step>& steps, const std::vector<Argv>& expected) {
    ScriptRun respd = RunOn(*respd_, steps);
    EXPECT_EQ(respd.stream, expected) << "respd";
    if (redis_ != nullptr) {
      ScriptRun redis = RunOn(*redis_, steps);
      EXPECT_EQ(redis.stream, expected) << "redis-server";
      EXPECT_EQ(respd.replies, redis.replies);
      EXPECT_EQ(respd.changes, redis.changes);
    }
  }

  std::unique_ptr<ServerProcess> respd_;
  std::unique_ptr<ServerProcess> redis_;
};

std::vector<Step> Steps(std::initializer_list<Step> steps) { return steps; }

TEST_F(PropagationKeysTest, SetWithAnExpireBecomesSetPxatAndDropsItsOtherOptions) {
  ExpectStream(Steps({{{"SET", "k", "v", "EX", "100"}},
                      {{"SET", "k", "w", "XX", "GET", "PX", "100000"}},
                      {{"set", "k", "v", "exat", "9999999999"}},
                      {{"SETEX", "a", "100", "v"}},
                      {{"PSETEX", "b", "100000", "v"}},
                      {{"SET", "k", "v", "NX", "EX", "100"}}}),  // NX failed: nothing
               {{"SELECT", "0"},
                {"SET", "k", "v", "PXAT", std::string(kMs)},
                {"SET", "k", "w", "PXAT", std::string(kMs)},
                {"SET", "k", "v", "PXAT", "9999999999000"},
                {"SET", "a", "v", "PXAT", std::string(kMs)},
                {"SET", "b", "v", "PXAT", std::string(kMs)}});
}

TEST_F(PropagationKeysTest, SetPxatCarriesTheDeadlineTheMasterComputed) {
  int64_t before = NowMs();
  RespClient client;
  ASSERT_TRUE(client.Connect(respd_->port(), kTimeoutMs));
  RespClient replica;
  ASSERT_TRUE(replica.Connect(respd_->port(), kTimeoutMs));
  std::string payload;
  ASSERT_TRUE(replica.AttachAsReplica({"SYNC"}, &payload));
  ASSERT_EQ(client.Command({"SET", "k", "v", "PX", "100000"}), "+OK\r\n");
  int64_t after = NowMs();
  ASSERT_EQ(replica.ReadStreamCommand(kTimeoutMs), (Argv{"SELECT", "0"}));
  Argv set = replica.ReadStreamCommand(kTimeoutMs);
  ASSERT_EQ(set.size(), 5u);
  int64_t at = std::stoll(set[4]);
  EXPECT_GE(at, before + 100000);
  EXPECT_LE(at, after + 100000);
}

TEST_F(PropagationKeysTest, SetGetPropagatesWithoutItsGets) {
  ExpectStream(Steps({{{"SET", "k", "v", "GET"}},
                      {{"set", "k", "w", "get", "KEEPTTL", "Get"}},
                      {{"SET", "k", "x", "NX", "GET"}}}),  // NX failed: nothing
               {{"SELECT", "0"}, {"SET", "k", "v"}, {"set", "k", "w", "KEEPTTL"}});
}

TEST_F(PropagationKeysTest, GetsetGetdelAndGetexPropagateAsWhatTheyDid) {
  ExpectStream(Steps({{{"GETSET", "k", "v"}},
                      {{"GETEX", "k"}},  // no option: a read
                      {{"GETEX", "k", "EX", "100"}},
                      {{"GETEX", "k", "PERSIST"}},
                      {{"GETEX", "k", "PERSIST"}},  // no TTL left: nothing
                      {{"GETEX", "k", "PXAT", "1"}},
                      {{"SET", "k", "v"}},
                      {{"GETDEL", "k"}},
                      {{"GETDEL", "k"}}}),
               {{"SELECT", "0"},
                {"SET", "k", "v"},
                {"PEXPIREAT", "k", std::string(kMs)},
                {"PERSIST", "k"},
                {"DEL", "k"},
                {"SET", "k", "v"},
                {"DEL", "k"}});
}

TEST_F(PropagationKeysTest, LazyfreeOptionsMakeDeletionsUnlink) {
  ExpectStream(Steps({{{"CONFIG", "SET", "lazyfree-lazy-user-del", "yes"}},
                      {{"CONFIG", "SET", "lazyfree-lazy-expire", "yes"}},
                      {{"SET", "a", "v"}},
                      {{"GETDEL", "a"}},
                      {{"SET", "b", "v"}},
                      {{"GETEX", "b", "EXAT", "1"}},
                      {{"SET", "c", "v"}},
                      {{"EXPIRE", "c", "0"}},
                      {{"SET", "d", "v"}},
                      {{"DEL", "d"}},  // DEL stays DEL
                      {{"CONFIG", "SET", "lazyfree-lazy-user-del", "no"}},
                      {{"CONFIG", "SET", "lazyfree-lazy-expire", "no"}}}),
               {{"SELECT", "0"},
                {"SET", "a", "v"},
                {"UNLINK", "a"},
                {"SET", "b", "v"},
                {"UNLINK", "b"},
                {"SET", "c", "v"},
                {"UNLINK", "c"},
                {"SET", "d", "v"},
                {"DEL", "d"}});
}

TEST_F(PropagationKeysTest, FloatIncrementsPropagateTheirResult) {
  ExpectStream(Steps({{{"SET", "f", "1e3", "EX", "100"}},
                      {{"INCRBYFLOAT", "f", "1.0e1"}},
                      {{"incrbyfloat", "g", "3.0000"}},
                      {{"INCRBYFLOAT", "g", "x"}},  // an error: nothing
                      {{"HINCRBYFLOAT", "h", "f", "1.5"}},
                      {{"hincrbyfloat", "h", "f", "0.25"}}}),
               {{"SELECT", "0"},
                {"SET", "f", "1e3", "PXAT", std::string(kMs)},
                {"SET", "f", "1010", "KEEPTTL"},
                {"SET", "g", "3", "KEEPTTL"},
                {"HSET", "h", "f", "1.5"},
                {"HSET", "h", "f", "1.75"}});
}

TEST_F(PropagationKeysTest, ExpireFamilyBecomesPexpireatWithItsOptions) {
  ExpectStream(Steps({{{"SET", "k", "v"}},
                      {{"EXPIRE", "k", "100"}},
                      {{"pexpire", "k", "200000", "GT"}},
                      {{"EXPIREAT", "k", "9999999999", "XX"}},
                      {{"pexpireat", "k", "99999999999999"}},
                      {{"EXPIRE", "k", "100", "NX"}},  // condition failed: nothing
                      {{"EXPIRE", "missing", "100"}},
                      {{"PERSIST", "k"}},
                      {{"PERSIST", "k"}}}),
               {{"SELECT", "0"},
                {"SET", "k", "v"},
                {"PEXPIREAT", "k", std::string(kMs)},
                {"PEXPIREAT", "k", std::string(kMs), "GT"},
                {"PEXPIREAT", "k", "9999999999000", "XX"},
                {"pexpireat", "k", "99999999999999"},
                {"PERSIST", "k"}});
}

TEST_F(PropagationKeysTest, AnExpireTimeAlreadyPastPropagatesAsDel) {
  ExpectStream(Steps({{{"SET", "a", "v"}},
                      {{"EXPIRE", "a", "-1"}},
                      {{"SET", "b", "v"}},
                      {{"PEXPIREAT", "b", "1"}},
                      {{"SET", "c", "v"}},
                      {{"EXPIREAT", "c", "0", "NX"}}}),
               {{"SELECT", "0"},
                {"SET", "a", "v"},
                {"DEL", "a"},
                {"SET", "b", "v"},
                {"DEL", "b"},
                {"SET", "c", "v"},
                {"DEL", "c"}});
}

TEST_F(PropagationKeysTest, SpopPropagatesAsSremOrDel) {
  ExpectStream(Steps({{{"SADD", "one", "a"}},
                      {{"SPOP", "one"}},
                      {{"SPOP", "one"}},  // no such key: nothing
                      // One member: a whole set's reply order is its hash order, random per
                      // process in Redis.
                      {{"SADD", "all", "a"}},
                      {{"SPOP", "all", "5"}},
                      {{"SADD", "zero", "a"}},
                      {{"SPOP", "zero", "0"}}}),
               {{"SELECT", "0"},
                {"SADD", "one", "a"},
                {"SREM", "one", "a"},
                {"SADD", "all", "a"},
                {"DEL", "all"},
                {"SADD", "zero", "a"}});
}

// The members are random: each server's stream names the ones its reply did, in reply order.
TEST_F(PropagationKeysTest, SpopOfPartOfASetPropagatesOneSremPerMemberInOneTransaction) {
  std::vector<Step> steps = {{{"SADD", "s", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}},
                             {{"SPOP", "s", "3"}},
                             {{"SPOP", "s", "6"}}};
  std::vector<const ServerProcess*> servers = {respd_.get()};
  if (redis_ != nullptr) servers.push_back(redis_.get());
  for (const ServerProcess* server : servers) {
    ScriptRun run = RunOn(*server, steps);
    std::vector<Argv> expected = {{"SELECT", "0"}, steps[0].command};
    for (size_t i = 1; i < run.replies.size(); ++i) {
      expected.push_back({"MULTI"});
      for (const std::string& member : SplitTopLevelElements(run.replies[i])) {
        expected.push_back({"SREM", "s", BulkPayload(member)});
      }
      expected.push_back({"EXEC"});
    }
    EXPECT_EQ(run.stream, expected) << "port " << server->port();
  }
}

TEST_F(PropagationKeysTest, WritesThatChangeNothingPropagateNothing) {
  ExpectStream(Steps({{{"SET", "k", "v"}},
                      {{"DEL", "missing"}},
                      {{"SETNX", "k", "w"}},
                      {{"MSETNX", "k", "1", "j", "2"}},
                      {{"SETRANGE", "k", "1", ""}},
                      {{"RENAME", "k", "k"}},
                      {{"RENAMENX", "missing", "x"}},
                      {{"COPY", "missing", "x"}},
                      {{"MOVE", "missing", "1"}},
                      {{"HDEL", "h", "f"}},
                      {{"HINCRBY", "k", "f", "1"}},  // WRONGTYPE
                      {{"SREM", "s", "a"}},
                      {{"SMOVE", "s", "d", "a"}},
                      {{"SADD", "s", "a"}},
                      {{"SADD", "s", "a"}},
                      {{"SMOVE", "s", "s", "a"}},
                      {{"SETBIT", "b", "3", "0"}},
                      {{"SETBIT", "b", "3", "0"}},
                      {{"PFADD", "p", "x"}},
                      {{"PFADD", "p", "x"}}}),
               {{"SELECT", "0"},
                {"SET", "k", "v"},
                {"SADD", "s", "a"},
                {"SETBIT", "b", "3", "0"},
                {"PFADD", "p", "x"}});
}

TEST_F(PropagationKeysTest, KeyspaceCommandsPropagateAsThemselves) {
  ExpectStream(Steps({{{"MSET", "a", "1", "b", "2"}},
                      {{"RENAME", "a", "c"}},
                      {{"COPY", "c", "d", "DB", "1"}},
                      {{"MOVE", "b", "2"}},
                      {{"SWAPDB", "1", "2"}},
                      {{"UNLINK", "c", "d"}}}),
               {{"SELECT", "0"},
                {"MSET", "a", "1", "b", "2"},
                {"RENAME", "a", "c"},
                {"COPY", "c", "d", "DB", "1"},
                {"MOVE", "b", "2"},
                {"SWAPDB", "1", "2"},
                {"UNLINK", "c", "d"}});
}

TEST_F(PropagationKeysTest, RestoreWithARelativeTtlPropagatesAnAbsoluteOne) {
  RespClient client;
  ASSERT_TRUE(client.Connect(respd_->port(), kTimeoutMs));
  ASSERT_EQ(client.Command({"SET", "source", "v"}), "+OK\r\n");
  std::string payload = BulkPayload(client.Command({"DUMP", "source"}));
  ExpectStream(Steps({{{"RESTORE", "k", "100000", payload}},
                      {{"RESTORE", "k", "0", payload, "REPLACE"}},
                      {{"RESTORE", "a", "99999999999999", payload, "ABSTTL"}},
                      {{"RESTORE", "a", "1", payload, "ABSTTL", "REPLACE"}},
                      {{"RESTORE", "b", "1", payload, "ABSTTL"}}}),  // already past: nothing
               {{"SELECT", "0"},
                {"RESTORE", "k", std::string(kMs), payload, "ABSTTL"},
                {"RESTORE", "k", "0", payload, "REPLACE"},
                {"RESTORE", "a", "99999999999999", payload, "ABSTTL"},
                {"DEL", "a"}});
}

TEST_F(PropagationKeysTest, ScriptsPropagateOnlyTheirWrites) {
  ExpectStream(
      Steps(
          {{{"EVAL", "return redis.call('get', 'a')", "0"}},
           {{"EVAL", "return redis.call('set', 'a', '1')", "0"}},
           {{"EVAL", "redis.call('set', 'b', '1', 'EX', '100') redis.call('incrbyfloat', 'c', '1')",
             "0"}},
           {{"FUNCTION", "LOAD",
             "#!lua name=lib\nredis.register_function('f', function(keys, args) return "
             "redis.call('set', keys[1], args[1]) end)"}},
           {{"FCALL", "f", "1", "k", "v"}},
           {{"FUNCTION", "DELETE", "lib"}}}),
      {{"SELECT", "0"},
       {"set", "a", "1"},
       {"MULTI"},
       {"SET", "b", "1", "PXAT", std::string(kMs)},
       {"SET", "c", "1", "KEEPTTL"},
       {"EXEC"},
       {"FUNCTION", "LOAD",
        "#!lua name=lib\nredis.register_function('f', function(keys, args) return "
        "redis.call('set', keys[1], args[1]) end)"},
       {"set", "k", "v"},
       {"FUNCTION", "DELETE", "lib"}});
}

TEST_F(PropagationKeysTest, PublishAndFlushesPropagateWithoutChanges) {
  ExpectStream(Steps({{{"PUBLISH", "ch", "m"}},
                      {{"SPUBLISH", "ch", "m"}},
                      {{"FLUSHDB"}},
                      {{"FLUSHALL", "ASYNC"}}}),
               {{"SELECT", "0"},
                {"PUBLISH", "ch", "m"},
                {"SPUBLISH", "ch", "m"},
                {"FLUSHDB"},
                {"FLUSHALL", "ASYNC"}});
}

TEST_F(PropagationKeysTest, ALazilyExpiredKeyPropagatesItsDelInTheCommandsUnit) {
  ExpectStream(Steps({{{"SET", "k", "v", "PX", "1"}},
                      Pause(),
                      {{"GET", "k"}},
                      {{"SET", "j", "v", "PX", "1"}},
                      Pause(),
                      {{"SET", "j", "w"}}}),
               {{"SELECT", "0"},
                {"SET", "k", "v", "PXAT", std::string(kMs)},
                {"DEL", "k"},
                {"SET", "j", "v", "PXAT", std::string(kMs)},
                {"MULTI"},
                {"DEL", "j"},
                {"SET", "j", "w"},
                {"EXEC"}});
}

// KEYS skips expired keys without deleting them, so it propagates nothing.
TEST_F(PropagationKeysTest, KeysLeavesExpiredKeysWhereTheyAre) {
  ExpectStream(Steps({{{"SET", "k", "v", "PX", "1"}}, Pause(), {{"KEYS", "*"}}, {{"KEYS", "k"}}}),
               {{"SELECT", "0"}, {"SET", "k", "v", "PXAT", std::string(kMs)}});
}

}  // namespace
}  // namespace respd::testing
