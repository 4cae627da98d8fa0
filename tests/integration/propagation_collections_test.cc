// What the list, sorted set, stream and geo commands propagate as, read from a replica's stream:
// Redis 7.0's rewrites (BLPOP as LPOP, ZMPOP as ZPOPMIN with a count, XADD with the ID it chose
// and an exact trim, XREADGROUP and XCLAIM as XCLAIMs of the pending entries they changed, GEOADD
// as ZADD...), for a blocked client served later too, and nothing for a write that changed
// nothing. Each stream, the replies and the changes counted (INFO's rdb_changes_since_last_save)
// are checked against redis-server's for the same commands when it is installed. Times and the
// stream IDs taken from the clock, which differ run to run, are masked.
#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/replication_stream.h"
#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kTimeoutMs = 10000;
// Stands for a time in ms (XCLAIM's TIME, the ms part of an ID XADD took from the clock).
constexpr const char* kMs = "<ms>";
constexpr auto kBlockPoll = std::chrono::milliseconds(5);

// Masks the 13-digit millisecond times of this era in a reply or an argument.
std::string Mask(const std::string& text) {
  static const std::regex kTime("\\b1[6-9][0-9]{11}\\b");
  return std::regex_replace(text, kTime, kMs);
}

// A script step: a command of the main client, or a blocking command sent by a second client
// (the step ends once the server counts it blocked), or that client's reply once served.
struct Step {
  enum class Kind : uint8_t { kCommand, kBlock, kServed };
  Kind kind = Kind::kCommand;
  Argv command;
};
Step Block(Argv command) { return {Step::Kind::kBlock, std::move(command)}; }
Step Served() { return {Step::Kind::kServed, {}}; }

struct ScriptRun {
  std::vector<std::string> replies;  // masked raw frames
  std::vector<int64_t> changes;      // rdb_changes_since_last_save counted by each step
  std::vector<Argv> stream;          // masked, PINGs dropped, up to the end marker
};

class PropagationCollectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    respd_ = Start(ServerProcess::StartRespd({"--threads", "1"}));
    if (RedisServerMissing().empty()) redis_ = Start(ServerProcess::StartRedis());
  }

  static std::unique_ptr<ServerProcess> Start(ServerProcess process) {
    auto server = std::make_unique<ServerProcess>(std::move(process));
    EXPECT_TRUE(server->running());
    return server;
  }

  // Runs `steps` on an emptied `server` with a replica attached.
  static ScriptRun RunOn(const ServerProcess& server, const std::vector<Step>& steps) {
    ScriptRun run;
    RespClient client;
    RespClient blocker;
    EXPECT_TRUE(client.Connect(server.port(), kTimeoutMs));
    EXPECT_TRUE(blocker.Connect(server.port(), kTimeoutMs));
    EXPECT_EQ(client.Command({"FLUSHALL"}), "+OK\r\n");
    RespClient replica;
    EXPECT_TRUE(AttachReplica(replica, server.port(), kTimeoutMs));
    for (const Step& step : steps) {
      int64_t before = ChangesCounted(client);
      switch (step.kind) {
        case Step::Kind::kCommand:
          run.replies.push_back(Mask(client.Command(step.command)));
          break;
        case Step::Kind::kBlock:
          EXPECT_TRUE(blocker.SendRaw(blocker.EncodeCommand(step.command)));
          WaitBlocked(client);
          break;
        case Step::Kind::kServed:
          run.replies.push_back(Mask(blocker.ReadReply(kTimeoutMs)));
          break;
      }
      run.changes.push_back(ChangesCounted(client) - before);
    }
    EXPECT_EQ(client.Command(kStreamEndMarker), "+OK\r\n");
    run.stream = ReadStreamUntil(replica, kStreamEndMarker, Mask, kTimeoutMs);
    return run;
  }

  static void WaitBlocked(RespClient& client) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
    while (InfoField(client.Command({"INFO", "clients"}), "blocked_clients") != "1") {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the client never blocked";
      std::this_thread::sleep_for(kBlockPoll);
    }
  }

  // Runs `steps` on respd and on redis-server (when installed); each stream must be `expected`,
  // and respd's replies and counted changes redis-server's.
  void ExpectStream(const std::vector<Step>& steps, const std::vector<Argv>& expected) {
    ScriptRun respd = RunOn(*respd_, steps);
    EXPECT_EQ(respd.stream, expected) << "respd";
    if (redis_ == nullptr) return;
    ScriptRun redis = RunOn(*redis_, steps);
    EXPECT_EQ(redis.stream, expected) << "redis-server";
    EXPECT_EQ(respd.replies, redis.replies);
    EXPECT_EQ(respd.changes, redis.changes);
  }

  std::unique_ptr<ServerProcess> respd_;
  std::unique_ptr<ServerProcess> redis_;
};

std::vector<Step> Steps(std::initializer_list<Step> steps) { return steps; }

TEST_F(PropagationCollectionsTest, BlockingAndMultiKeyListPopsPropagateAsThePopTheyWere) {
  ExpectStream(Steps({{.command = {"RPUSH", "l", "a", "b", "c", "d", "e", "f"}},
                      {.command = {"BLPOP", "missing", "l", "0"}},
                      {.command = {"BRPOP", "l", "0"}},
                      {.command = {"LMPOP", "2", "missing", "l", "LEFT", "COUNT", "2"}},
                      {.command = {"BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "10"}},
                      {.command = {"LMPOP", "1", "l", "LEFT"}},  // empty: nothing
                      {.command = {"RPUSH", "l", "x", "y"}},
                      {.command = {"BLMOVE", "l", "m", "LeFt", "RIGHT", "0"}},
                      {.command = {"BRPOPLPUSH", "l", "m", "0"}},
                      {.command = {"LMOVE", "m", "l", "left", "left"}}}),
               {{"SELECT", "0"},
                {"RPUSH", "l", "a", "b", "c", "d", "e", "f"},
                {"LPOP", "l"},
                {"RPOP", "l"},
                {"LPOP", "l", "2"},
                {"RPOP", "l", "2"},
                {"RPUSH", "l", "x", "y"},
                {"LMOVE", "l", "m", "LeFt", "RIGHT"},
                {"RPOPLPUSH", "l", "m"},
                {"LMOVE", "m", "l", "left", "left"}});
}

TEST_F(PropagationCollectionsTest, ABlockedListPopServedLaterPropagatesAfterThePush) {
  ExpectStream(Steps({Block({"BLPOP", "q", "0"}),
                      {.command = {"RPUSH", "q", "a", "b"}},
                      Served(),
                      Block({"BLMOVE", "empty", "dst", "LEFT", "RIGHT", "0"}),
                      {.command = {"RPUSH", "empty", "x"}},
                      Served(),
                      Block({"BLMPOP", "0", "2", "none", "many", "RIGHT", "COUNT", "5"}),
                      {.command = {"RPUSH", "many", "1", "2", "3"}},
                      Served()}),
               {{"SELECT", "0"},
                {"RPUSH", "q", "a", "b"},
                {"LPOP", "q"},
                {"RPUSH", "empty", "x"},
                {"LMOVE", "empty", "dst", "left", "right"},
                {"RPUSH", "many", "1", "2", "3"},
                {"RPOP", "many", "3"}});
}

TEST_F(PropagationCollectionsTest, SortedSetPopsPropagateAsZpopWithTheCountPopped) {
  ExpectStream(Steps({{.command = {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}},
                      {.command = {"BZPOPMIN", "missing", "z", "0"}},
                      {.command = {"BZPOPMAX", "z", "0"}},
                      {.command = {"ZMPOP", "1", "z", "MIN", "COUNT", "10"}},
                      {.command = {"ZMPOP", "1", "z", "MAX"}},  // empty: nothing
                      {.command = {"ZPOPMIN", "z"}},            // nothing
                      Block({"BZMPOP", "0", "1", "w", "MAX", "COUNT", "5"}),
                      {.command = {"ZADD", "w", "1", "a", "2", "b"}},
                      Served(),
                      Block({"BZPOPMIN", "w", "0"}),
                      {.command = {"ZADD", "w", "1", "a"}},
                      Served()}),
               {{"SELECT", "0"},
                {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"},
                {"ZPOPMIN", "z"},
                {"ZPOPMAX", "z"},
                {"ZPOPMIN", "z", "2"},
                {"ZADD", "w", "1", "a", "2", "b"},
                {"ZPOPMAX", "w", "2"},
                {"ZADD", "w", "1", "a"},
                {"ZPOPMIN", "w"}});
}

TEST_F(PropagationCollectionsTest, XaddPropagatesTheIdItChoseAndApproximateTrimsAsExact) {
  ExpectStream(Steps({{.command = {"CONFIG", "SET", "stream-node-max-entries", "2"}},
                      {.command = {"XADD", "s", "*", "f", "v"}},
                      {.command = {"XADD", "t", "5-*", "f", "v"}},
                      {.command = {"XADD", "t", "6", "f", "v"}},
                      {.command = {"XADD", "t", "7-1", "f", "v"}},
                      {.command = {"XADD", "t", "8-1", "f", "v"}},
                      {.command = {"XDEL", "t", "5-0"}},
                      {.command = {"XADD", "t", "MAXLEN", "~", "1", "9-1", "f", "v"}},
                      {.command = {"XADD", "t", "10-1", "f", "v"}},
                      {.command = {"XDEL", "t", "9-1"}},
                      // Trims nothing, and keeps the deleted 9-1 first in its node.
                      {.command = {"XADD", "t", "MINID", "~", "9", "LIMIT", "5", "11-1", "f", "v"}},
                      {.command = {"XTRIM", "t", "MAXLEN", "~", "0"}},
                      {.command = {"XTRIM", "t", "MAXLEN", "~", "0"}},  // nothing left to trim
                      {.command = {"XTRIM", "t", "MAXLEN", "=", "5"}},  // nothing
                      {.command = {"CONFIG", "SET", "stream-node-max-entries", "100"}}}),
               {{"SELECT", "0"},
                {"XADD", "s", std::string(kMs) + "-0", "f", "v"},
                {"XADD", "t", "5-0", "f", "v"},
                {"XADD", "t", "6", "f", "v"},
                {"XADD", "t", "7-1", "f", "v"},
                {"XADD", "t", "8-1", "f", "v"},
                {"XDEL", "t", "5-0"},
                {"XADD", "t", "MAXLEN", "=", "1", "9-1", "f", "v"},
                {"XADD", "t", "10-1", "f", "v"},
                {"XDEL", "t", "9-1"},
                {"XADD", "t", "MINID", "=", "9-1", "LIMIT", "5", "11-1", "f", "v"},
                {"XTRIM", "t", "MAXLEN", "=", "0"}});
}

TEST_F(PropagationCollectionsTest, XreadgroupPropagatesXclaimsAndItsGroupsLastId) {
  ExpectStream(
      Steps({{.command = {"XADD", "s", "1-1", "f", "v"}},
             {.command = {"XADD", "s", "2-1", "f", "v"}},
             {.command = {"XGROUP", "CREATE", "s", "g", "0"}},
             {.command = {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"}},
             {.command = {"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"}},    // nothing
             {.command = {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"}},  // history
             {.command = {"XGROUP", "SETID", "s", "g", "0"}},
             {.command = {"XREADGROUP", "GROUP", "g", "carol", "NOACK", "COUNT", "1", "STREAMS",
                          "s", ">"}},
             {.command = {"XACK", "s", "g", "1-1"}},
             {.command = {"XACK", "s", "g", "1-1"}},  // nothing
             {.command = {"XGROUP", "SETID", "s", "g", "2-1"}},
             Block({"XREADGROUP", "GROUP", "g", "dave", "BLOCK", "0", "STREAMS", "s", ">"}),
             {.command = {"XADD", "s", "3-1", "f", "v"}},
             Served()}),
      {{"SELECT", "0"},
       {"XADD", "s", "1-1", "f", "v"},
       {"XADD", "s", "2-1", "f", "v"},
       {"XGROUP", "CREATE", "s", "g", "0"},
       {"MULTI"},
       {"XCLAIM", "s", "g", "alice", "0", "1-1", "TIME", kMs, "RETRYCOUNT", "1", "FORCE", "JUSTID",
        "LASTID", "1-1"},
       {"XCLAIM", "s", "g", "alice", "0", "2-1", "TIME", kMs, "RETRYCOUNT", "1", "FORCE", "JUSTID",
        "LASTID", "2-1"},
       {"EXEC"},
       {"XGROUP", "SETID", "s", "g", "0"},
       {"MULTI"},
       {"XGROUP", "CREATECONSUMER", "s", "g", "carol"},
       {"XGROUP", "SETID", "s", "g", "1-1", "ENTRIESREAD", "1"},
       {"EXEC"},
       {"XACK", "s", "g", "1-1"},
       {"XGROUP", "SETID", "s", "g", "2-1"},
       {"XADD", "s", "3-1", "f", "v"},
       {"XCLAIM", "s", "g", "dave", "0", "3-1", "TIME", kMs, "RETRYCOUNT", "1", "FORCE", "JUSTID",
        "LASTID", "3-1"}});
}

TEST_F(PropagationCollectionsTest, XclaimAndXautoclaimPropagateEachPendingEntryTheyChanged) {
  ExpectStream(
      Steps({{.command = {"XADD", "s", "1-1", "f", "v"}},
             {.command = {"XADD", "s", "2-1", "f", "v"}},
             {.command = {"XADD", "s", "3-1", "f", "v"}},
             {.command = {"XGROUP", "CREATE", "s", "g", "0"}},
             {.command = {"XREADGROUP", "GROUP", "g", "alice", "NOACK", "STREAMS", "s", ">"}},
             {.command = {"XGROUP", "SETID", "s", "g", "0"}},
             {.command = {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"}},
             // The IDs as typed; 9-9 is not pending.
             {.command = {"XCLAIM", "s", "g", "bob", "0", "0001-1", "9-9", "TIME", "1000"}},
             {.command = {"XCLAIM", "s", "g", "bob", "0", "9-9", "LASTID", "50-0"}},
             {.command = {"XDEL", "s", "2-1"}},
             // The pending entry of a deleted entry goes, as its owner had it.
             {.command = {"XCLAIM", "s", "g", "bob", "0", "2-1", "JUSTID"}},
             {.command = {"XDEL", "s", "3-1"}},
             {.command = {"XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "10"}},
             {.command = {"XAUTOCLAIM", "s", "g", "carol", "0", "0"}}}),
      {{"SELECT", "0"},
       {"XADD", "s", "1-1", "f", "v"},
       {"XADD", "s", "2-1", "f", "v"},
       {"XADD", "s", "3-1", "f", "v"},
       {"XGROUP", "CREATE", "s", "g", "0"},
       {"MULTI"},
       {"XGROUP", "CREATECONSUMER", "s", "g", "alice"},
       {"XGROUP", "SETID", "s", "g", "3-1", "ENTRIESREAD", "3"},
       {"EXEC"},
       {"XGROUP", "SETID", "s", "g", "0"},
       {"MULTI"},
       {"XCLAIM", "s", "g", "alice", "0", "1-1", "TIME", kMs, "RETRYCOUNT", "1", "FORCE", "JUSTID",
        "LASTID", "1-1"},
       {"XCLAIM", "s", "g", "alice", "0", "2-1", "TIME", kMs, "RETRYCOUNT", "1", "FORCE", "JUSTID",
        "LASTID", "2-1"},
       {"XCLAIM", "s", "g", "alice", "0", "3-1", "TIME", kMs, "RETRYCOUNT", "1", "FORCE", "JUSTID",
        "LASTID", "3-1"},
       {"EXEC"},
       {"XCLAIM", "s", "g", "bob", "0", "0001-1", "TIME", "1000", "RETRYCOUNT", "2", "FORCE",
        "JUSTID", "LASTID", "3-1"},
       {"XGROUP", "SETID", "s", "g", "50-0", "ENTRIESREAD", "3"},
       {"XDEL", "s", "2-1"},
       {"XCLAIM", "s", "g", "alice", "0", "2-1", "TIME", kMs, "RETRYCOUNT", "1", "FORCE", "JUSTID",
        "LASTID", "50-0"},
       {"XDEL", "s", "3-1"},
       {"MULTI"},
       {"XCLAIM", "s", "g", "carol", "0", "1-1", "TIME", kMs, "RETRYCOUNT", "3", "FORCE", "JUSTID",
        "LASTID", "50-0"},
       {"XCLAIM", "s", "g", "alice", "0", "3-1", "TIME", kMs, "RETRYCOUNT", "1", "FORCE", "JUSTID",
        "LASTID", "50-0"},
       {"EXEC"},
       {"XCLAIM", "s", "g", "carol", "0", "1-1", "TIME", kMs, "RETRYCOUNT", "4", "FORCE", "JUSTID",
        "LASTID", "50-0"}});
}

TEST_F(PropagationCollectionsTest, GeoaddPropagatesAsZaddOfItsScoresAndStoresAsThemselves) {
  ExpectStream(Steps({{.command = {"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269",
                                   "37.502669", "Catania"}},
                      {.command = {"GEOADD", "g", "CH", "XX", "13.361389", "38.115556", "Palermo"}},
                      {.command = {"GEOADD", "g", "NX", "1", "1", "x"}},
                      {.command = {"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "near"}},
                      {.command = {"GEOSEARCHSTORE", "none", "g", "FROMLONLAT", "0", "0",
                                   "BYRADIUS", "1", "m"}},  // no key to delete: nothing
                      {.command = {"RPUSH", "l", "3", "1", "2"}},
                      {.command = {"SORT", "l", "STORE", "sorted"}},
                      {.command = {"SORT", "missing", "STORE", "sorted"}},
                      {.command = {"SORT", "missing", "STORE", "sorted"}}}),  // nothing
               {{"SELECT", "0"},
                {"zadd", "g", "3479099956230698", "Palermo", "3479447370796909", "Catania"},
                {"zadd", "g", "NX", "3377822707026402", "x"},
                {"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "near"},
                {"RPUSH", "l", "3", "1", "2"},
                {"SORT", "l", "STORE", "sorted"},
                {"SORT", "missing", "STORE", "sorted"}});
}

TEST_F(PropagationCollectionsTest, WritesThatChangeNothingPropagateNothing) {
  ExpectStream(Steps({{.command = {"RPUSH", "l", "a"}},
                      {.command = {"LPOP", "l", "0"}},
                      {.command = {"LREM", "l", "0", "missing"}},
                      {.command = {"LTRIM", "l", "0", "-1"}},
                      {.command = {"LINSERT", "l", "BEFORE", "missing", "x"}},
                      {.command = {"RPUSHX", "missing", "x"}},
                      {.command = {"LMOVE", "missing", "l", "LEFT", "LEFT"}},
                      {.command = {"ZADD", "z", "1", "a"}},
                      {.command = {"ZADD", "z", "NX", "2", "a"}},
                      {.command = {"ZINCRBY", "z", "0", "a"}},
                      {.command = {"ZREM", "z", "missing"}},
                      {.command = {"ZREMRANGEBYSCORE", "z", "5", "6"}},
                      {.command = {"ZUNIONSTORE", "out", "1", "missing"}},
                      {.command = {"XADD", "s", "NOMKSTREAM", "*", "f", "v"}},
                      {.command = {"XADD", "s", "1-1", "f", "v"}},
                      {.command = {"XDEL", "s", "9-9"}},
                      {.command = {"XGROUP", "CREATE", "s", "g", "$"}},
                      {.command = {"XGROUP", "CREATECONSUMER", "s", "g", "c"}},
                      {.command = {"XGROUP", "CREATECONSUMER", "s", "g", "c"}},
                      {.command = {"XGROUP", "DELCONSUMER", "s", "g", "missing"}},
                      {.command = {"XGROUP", "DESTROY", "s", "missing"}},
                      {.command = {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"}},
                      {.command = {"XAUTOCLAIM", "s", "g", "c", "0", "0"}}}),
               {{"SELECT", "0"},
                {"RPUSH", "l", "a"},
                {"ZADD", "z", "1", "a"},
                {"XADD", "s", "1-1", "f", "v"},
                {"XGROUP", "CREATE", "s", "g", "$"},
                {"XGROUP", "CREATECONSUMER", "s", "g", "c"}});
}

}  // namespace
}  // namespace respd::testing
