// Which writes wake a blocked client, and the timeouts of every blocking command, as Redis 7.0
// (each expectation was checked against redis-server 7.0.15): a list or sorted set added at a key
// that had none wakes its waiters whatever command added it; a value stored over an existing key
// wakes nobody; a positive timeout, however small, times out.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/blocking_fixture.h"

namespace respd::testing {
namespace {

using Commands = std::vector<std::vector<std::string>>;

// A BZPOPMIN/BZPOPMAX reply in RESP2.
std::string KeyMemberScore(const std::string& key, const std::string& member,
                           const std::string& score) {
  return "*3\r\n" + Bulk(key) + Bulk(member) + Bulk(score);
}

const std::vector<std::string> kListSource = {"RPUSH", "src", "3", "1", "2"};
const std::vector<std::string> kZSetSource = {"ZADD", "zsrc", "1", "a", "2", "b"};
const std::vector<std::string> kGeoSource = {"GEOADD",  "gsrc",      "13.361389", "38.115556",
                                             "Palermo", "15.087269", "37.502669", "Catania"};
const std::string kPalermoScore = "3479099956230698";

struct WakeCase {
  std::string name;
  Commands setup;
  int waiter_db;
  std::vector<std::string> waiter;
  // Run on database 0 after the waiter blocked. A case where the first writes must not wake the
  // waiter ends by making `dst` anew with "later", which must be what the waiter gets.
  Commands writes;
  std::string reply;
};

std::vector<WakeCase> WakeCases() {
  const std::vector<std::string> blpop = {"BLPOP", "dst", "0"};
  const std::vector<std::string> bzpopmin = {"BZPOPMIN", "dst", "0"};
  const std::vector<std::string> geosearchstore = {
      "GEOSEARCHSTORE", "dst", "gsrc", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"};
  const std::string list_first = KeyValue("dst", "1");
  const std::string list_len = KeyValue("dst", "3");
  const std::string zset_first = KeyMemberScore("dst", "a", "1");
  const std::string palermo = KeyMemberScore("dst", "Palermo", kPalermoScore);
  const std::string list_later = KeyValue("dst", "later");
  const std::string zset_later = KeyMemberScore("dst", "later", "9");
  const Commands renew_list = {{"DEL", "dst"}, {"RPUSH", "dst", "later"}};
  const Commands renew_zset = {{"DEL", "dst"}, {"ZADD", "dst", "9", "later"}};
  auto then = [](Commands first, const Commands& rest) {
    first.insert(first.end(), rest.begin(), rest.end());
    return first;
  };
  return {
      {"SortStore", {kListSource}, 0, blpop, {{"SORT", "src", "STORE", "dst"}}, list_first},
      {"SortByStore",
       {kListSource, {"MSET", "w_3", "2", "w_1", "3", "w_2", "1"}},
       0,
       blpop,
       {{"SORT", "src", "BY", "w_*", "STORE", "dst"}},
       KeyValue("dst", "2")},
      {"SortStoreServesBlmove",
       {kListSource},
       0,
       {"BLMOVE", "dst", "out", "LEFT", "LEFT", "0"},
       {{"SORT", "src", "STORE", "dst"}},
       Bulk("1")},
      {"SortStoreServesBlmpop",
       {kListSource},
       0,
       {"BLMPOP", "0", "2", "other", "dst", "RIGHT", "COUNT", "2"},
       {{"SORT", "src", "STORE", "dst"}},
       "*2\r\n" + Bulk("dst") + "*2\r\n" + Bulk("3") + Bulk("2")},
      {"Copy", {kListSource}, 0, blpop, {{"COPY", "src", "dst"}}, list_len},
      {"CopyReplaceOverAString",
       {kListSource},
       0,
       blpop,
       {{"SET", "dst", "x"}, {"COPY", "src", "dst", "REPLACE"}},
       list_len},
      {"CopyToAnotherDb", {kListSource}, 1, blpop, {{"COPY", "src", "dst", "DB", "1"}}, list_len},
      {"CopySortedSet", {kZSetSource}, 0, bzpopmin, {{"COPY", "zsrc", "dst"}}, zset_first},
      {"RenameOverAString",
       {kListSource},
       0,
       blpop,
       {{"SET", "dst", "x"}, {"RENAME", "src", "dst"}},
       list_len},
      {"Renamenx", {kListSource}, 0, blpop, {{"RENAMENX", "src", "dst"}}, list_len},
      {"Move",
       {kListSource},
       1,
       {"BLPOP", "src", "0"},
       {{"MOVE", "src", "1"}},
       KeyValue("src", "3")},
      {"SwapdbSortedSet",
       {{"SELECT", "1"}, {"ZADD", "k", "1", "a"}, {"SELECT", "0"}},
       0,
       {"BZPOPMIN", "k", "0"},
       {{"SWAPDB", "0", "1"}},
       KeyMemberScore("k", "a", "1")},
      {"Zunionstore",
       {kZSetSource},
       0,
       bzpopmin,
       {{"ZUNIONSTORE", "dst", "1", "zsrc"}},
       zset_first},
      {"Zinterstore",
       {kZSetSource},
       0,
       bzpopmin,
       {{"ZINTERSTORE", "dst", "1", "zsrc"}},
       zset_first},
      {"Zdiffstore", {kZSetSource}, 0, bzpopmin, {{"ZDIFFSTORE", "dst", "1", "zsrc"}}, zset_first},
      {"Zrangestore",
       {kZSetSource},
       0,
       bzpopmin,
       {{"ZRANGESTORE", "dst", "zsrc", "0", "-1"}},
       zset_first},
      {"Zincrby",
       {},
       0,
       {"BZPOPMAX", "dst", "0"},
       {{"ZINCRBY", "dst", "2", "m"}},
       KeyMemberScore("dst", "m", "2")},
      {"Geoadd",
       {},
       0,
       bzpopmin,
       {{"GEOADD", "dst", "13.361389", "38.115556", "Palermo"}},
       palermo},
      {"Geosearchstore", {kGeoSource}, 0, bzpopmin, {geosearchstore}, palermo},
      {"GeoradiusStore",
       {kGeoSource},
       0,
       bzpopmin,
       {{"GEORADIUS", "gsrc", "15", "37", "200", "km", "STORE", "dst"}},
       palermo},
      {"GeoradiusbymemberStore",
       {kGeoSource},
       0,
       {"BZMPOP", "0", "1", "dst", "MIN"},
       {{"GEORADIUSBYMEMBER", "gsrc", "Palermo", "200", "km", "STORE", "dst"}},
       "*2\r\n" + Bulk("dst") + "*1\r\n*2\r\n" + Bulk("Palermo") + Bulk(kPalermoScore)},
      {"LmoveIntoANewList",
       {kListSource},
       0,
       blpop,
       {{"LMOVE", "src", "dst", "LEFT", "LEFT"}},
       KeyValue("dst", "3")},
      {"MultiServesAfterExec",
       {kListSource},
       0,
       blpop,
       {{"MULTI"}, {"SORT", "src", "STORE", "dst"}, {"LPUSH", "dst", "first"}, {"EXEC"}},
       KeyValue("dst", "first")},
      {"MultiDeletingThenStoring",
       {kListSource},
       0,
       blpop,
       {{"SET", "dst", "x"}, {"MULTI"}, {"DEL", "dst"}, {"SORT", "src", "STORE", "dst"}, {"EXEC"}},
       list_first},
      {"Script",
       {kListSource},
       0,
       blpop,
       {{"EVAL", "return redis.call('SORT', 'src', 'STORE', 'dst')", "0"}},
       list_first},
      // The waiter must not be woken by the first writes.
      {"SortStoreOverAStringThenPushes",
       {kListSource},
       0,
       blpop,
       then({{"SET", "dst", "x"}, {"SORT", "src", "STORE", "dst"}, {"RPUSH", "dst", "y"}},
            renew_list),
       list_later},
      {"ZunionstoreOverAStringThenZadd",
       {kZSetSource},
       0,
       bzpopmin,
       then({{"SET", "dst", "x"}, {"ZUNIONSTORE", "dst", "1", "zsrc"}, {"ZADD", "dst", "0", "e"}},
            renew_zset),
       zset_later},
      {"GeosearchstoreOverAString",
       {kGeoSource},
       0,
       bzpopmin,
       then({{"SET", "dst", "x"}, geosearchstore}, renew_zset),
       zset_later},
      {"SortedSetForAListWaiter",
       {kZSetSource},
       0,
       blpop,
       then({{"ZUNIONSTORE", "dst", "1", "zsrc"}}, renew_list),
       list_later},
      {"ListForASortedSetWaiter",
       {kListSource},
       0,
       bzpopmin,
       then({{"SORT", "src", "STORE", "dst"}}, renew_zset),
       zset_later},
      {"SetForAListWaiter",
       {{"SADD", "s", "m"}},
       0,
       blpop,
       then({{"SUNIONSTORE", "dst", "s"}}, renew_list),
       list_later},
      {"MultiStoringThenDeleting",
       {kListSource},
       0,
       blpop,
       then({{"MULTI"}, {"SORT", "src", "STORE", "dst"}, {"DEL", "dst"}, {"EXEC"}}, renew_list),
       list_later},
  };
}

TEST_F(BlockingTest, EveryWriteThatAddsAListOrSortedSetWakesItsWaiters) {
  for (const WakeCase& c : WakeCases()) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(admin_.Command({"FLUSHALL"}), "+OK\r\n");
    for (const auto& command : c.setup) admin_.Command(command);
    RespClient waiter = Connect();
    if (c.waiter_db != 0) waiter.Command({"SELECT", std::to_string(c.waiter_db)});
    SendBlocking(waiter, c.waiter, 1);
    for (const auto& command : c.writes) admin_.Command(command);
    EXPECT_EQ(waiter.ReadReply(), c.reply);
    WaitBlocked(0);
  }
}

TEST_F(BlockingTest, WaitersOnOneKeyAreServedInOrderWhateverTheirCommand) {
  admin_.Command({"RPUSH", "src", "c", "a", "b"});
  RespClient first = Connect();
  RespClient second = Connect();
  RespClient third = Connect();
  SendBlocking(first, {"BLPOP", "dst", "0"}, 1);
  SendBlocking(second, {"BRPOP", "dst", "0"}, 2);
  SendBlocking(third, {"BLMPOP", "0", "1", "dst", "LEFT", "COUNT", "5"}, 3);
  EXPECT_EQ(admin_.Command({"SORT", "src", "ALPHA", "STORE", "dst"}), ":3\r\n");
  EXPECT_EQ(first.ReadReply(), KeyValue("dst", "a"));
  EXPECT_EQ(second.ReadReply(), KeyValue("dst", "c"));
  EXPECT_EQ(third.ReadReply(), "*2\r\n" + Bulk("dst") + "*1\r\n" + Bulk("b"));
  EXPECT_EQ(admin_.Command({"EXISTS", "dst"}), ":0\r\n");
}

TEST_F(BlockingTest, WaitersForAnotherTypeArePassedOverNotServedFirst) {
  RespClient zmin = Connect();
  RespClient left = Connect();
  RespClient zmax = Connect();
  RespClient right = Connect();
  SendBlocking(zmin, {"BZPOPMIN", "k", "0"}, 1);
  SendBlocking(left, {"BLPOP", "k", "0"}, 2);
  SendBlocking(zmax, {"BZPOPMAX", "k", "0"}, 3);
  SendBlocking(right, {"BRPOP", "k", "0"}, 4);
  admin_.Command({"RPUSH", "k", "a", "b"});
  EXPECT_EQ(left.ReadReply(), KeyValue("k", "a"));
  EXPECT_EQ(right.ReadReply(), KeyValue("k", "b"));
  WaitBlocked(2);
  admin_.Command({"ZADD", "k", "1", "m", "2", "n"});
  EXPECT_EQ(zmin.ReadReply(), KeyMemberScore("k", "m", "1"));
  EXPECT_EQ(zmax.ReadReply(), KeyMemberScore("k", "n", "2"));
  WaitBlocked(0);
}

// Every blocking command with a sub-millisecond timeout answers its timeout reply.
TEST_F(BlockingTest, SubMillisecondTimeoutsTimeOut) {
  RespClient client = Connect();
  const std::vector<std::vector<std::string>> commands = {
      {"BLPOP", "nolist", "0.001"},
      {"BLPOP", "nolist", "0.0001"},
      {"BLPOP", "nolist", "1e-10"},
      {"BRPOP", "nolist", "0.0005"},
      {"BLMOVE", "nolist", "dst", "LEFT", "RIGHT", "0.0001"},
      {"BRPOPLPUSH", "nolist", "dst", "0.0001"},
      {"BLMPOP", "0.0001", "1", "nolist", "LEFT"},
      {"BZPOPMIN", "nolist", "0.0001"},
      {"BZPOPMAX", "nolist", "0.0009"},
      {"BZMPOP", "0.0001", "1", "nolist", "MIN"},
  };
  for (const auto& command : commands) {
    SCOPED_TRACE(command[0] + " " + command.back());
    EXPECT_EQ(client.Command(command), "*-1\r\n");
  }
}

// 0, -0 and negatives above -1 ms round to 0, which is no timeout; so do timeouts too large for
// any clock.
TEST_F(BlockingTest, TimeoutsThatMeanForeverWaitForData) {
  const std::vector<std::string> timeouts = {"0.0", "-0", "-0.0009", "9223371500000000", "1e15"};
  for (const std::string& timeout : timeouts) {
    SCOPED_TRACE(timeout);
    RespClient waiter = Connect();
    SendBlocking(waiter, {"BLPOP", "q", timeout}, 1);
    admin_.Command({"RPUSH", "q", timeout});
    EXPECT_EQ(waiter.ReadReply(), KeyValue("q", timeout));
  }
}

TEST_F(BlockingTest, BadTimeoutsGetRedisErrors) {
  const std::string negative = "-ERR timeout is negative\r\n";
  const std::string not_float = "-ERR timeout is not a float or out of range\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"-0.0011", negative}, {"1e20", negative},    {"inf", negative},
      {"-inf", negative},    {"nan", not_float},    {"1 ", not_float},
      {" 1", not_float},     {"1e5000", not_float}, {"", not_float},
  };
  for (const auto& [timeout, error] : cases) {
    SCOPED_TRACE(timeout);
    EXPECT_EQ(admin_.Command({"BLPOP", "q", timeout}), error);
    EXPECT_EQ(admin_.Command({"BZMPOP", timeout, "1", "q", "MIN"}), error);
  }
}

TEST_F(BlockingTest, TimeoutFiresWhileOtherClientsKeepTheServerBusy) {
  constexpr int kBusyClients = 4;
  constexpr int kMaxCommandsEach = 200000;
  std::atomic<bool> stop{false};
  std::vector<std::thread> busy;
  for (int i = 0; i < kBusyClients; ++i) {
    busy.emplace_back([&, i] {
      RespClient client;
      if (!client.Connect(server_->port())) return;
      std::string key = "busy" + std::to_string(i);
      for (int n = 0; n < kMaxCommandsEach && !stop.load(); ++n) {
        client.Command({"LPUSH", key, "x"});
        client.Command({"RPOP", key});
      }
    });
  }
  RespClient waiter = Connect();
  EXPECT_EQ(waiter.Command({"BLPOP", "q", "0.2"}), "*-1\r\n");
  EXPECT_EQ(waiter.Command({"BZPOPMIN", "z", "0.001"}), "*-1\r\n");
  stop = true;
  for (std::thread& t : busy) t.join();
}

}  // namespace
}  // namespace respd::testing
