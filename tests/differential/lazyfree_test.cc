// Lazy freeing compared with redis-server: the same deletions (UNLINK of big and small values of
// every type, DEL, FLUSHALL/FLUSHDB with and without ASYNC, overwrites, expiry, eviction) under the
// same lazyfree options leave INFO's lazyfreed_objects and lazyfree_pending_objects where Redis
// leaves them. Then what respd alone must show: memory an UNLINK or FLUSHALL ASYNC let go comes
// back (used_memory falls, and the entries a lazy flush freed are used again).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

// Builds `key` with `count` elements in one round trip: SADD, ZADD, HSET or RPUSH of "m<i>", or
// XADD of one field each.
std::string Fill(RespClient& c, const std::string& type, const std::string& key, int count) {
  static const std::string kBody =
      "local t, n = ARGV[1], tonumber(ARGV[2]) "
      "for i = 1, n do "
      "  if t == 'set' then redis.call('SADD', KEYS[1], 'm' .. i) "
      "  elseif t == 'zset' then redis.call('ZADD', KEYS[1], i, 'm' .. i) "
      "  elseif t == 'hash' then redis.call('HSET', KEYS[1], 'f' .. i, i) "
      "  elseif t == 'list' then redis.call('RPUSH', KEYS[1], 'element' .. i) "
      "  else redis.call('XADD', KEYS[1], '*', i % 10 == 0 and 'bar' or 'foo', i) end "
      "end return redis.call('TYPE', KEYS[1])";
  return c.Command({"EVAL", kBody, "1", key, type, std::to_string(count)});
}

// Once nothing is pending (bounded wait), the freed count: what a deletion left, comparable
// between servers whatever their speed.
std::string Freed(RespClient& c) {
  std::string info;
  for (int i = 0; i < 500; ++i) {
    info = c.Command({"INFO", "memory"});
    if (InfoField(info, "lazyfree_pending_objects") == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "pending " + InfoField(info, "lazyfree_pending_objects") + " freed " +
         InfoField(info, "lazyfreed_objects");
}

// Every step's reply and, after it, the freed count.
std::vector<std::string> Conversation(int port) {
  RespClient c;
  if (!c.Connect(port)) return {"connect failed"};
  std::vector<std::string> seen;
  auto step = [&](const std::vector<std::string>& command) {
    std::string reply = c.Command(command);
    seen.push_back(command[0] + " " + (command.size() > 1 ? command[1] : "") + " -> " + reply +
                   Freed(c));
  };
  auto fill = [&](const std::string& type, const std::string& key, int count) {
    seen.push_back("fill " + key + " " + Fill(c, type, key, count));
  };
  step({"CONFIG", "RESETSTAT"});
  // Big values of every type, each freed by the thread (one object).
  for (const char* type : {"set", "zset", "hash"}) {
    fill(type, "big", 1000);
    step({"UNLINK", "big"});
  }
  fill("list", "big", 100000);  // 170 quicklist nodes of 8 KB
  step({"UNLINK", "big"});
  step({"CONFIG", "SET", "stream-node-max-entries", "5"});
  fill("stream", "big", 1000);
  step({"XGROUP", "CREATE", "big", "g", "0"});
  // Its reply holds the entries' time-based IDs: only the count is compared.
  c.Command({"XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "big", ">"});
  step({"UNLINK", "big"});
  // Small ones and compact encodings are freed at once: the count stays.
  fill("set", "s", 64);  // effort 64: not above the threshold
  fill("zset", "z", 100);
  fill("hash", "h", 100);
  fill("list", "l", 1000);
  fill("stream", "x", 2);
  step({"SET", "str", "value"});
  step({"UNLINK", "s", "z", "h", "l", "x", "str", "missing"});
  fill("set", "s", 65);
  step({"UNLINK", "s"});
  // DEL frees at once unless lazyfree-lazy-user-del.
  fill("set", "s", 1000);
  step({"DEL", "s"});
  step({"CONFIG", "SET", "lazyfree-lazy-user-del", "yes"});
  fill("set", "s", 1000);
  step({"DEL", "s"});
  // Flushes hand databases over whole, counting every key, big or small.
  step({"MSET", "a", "1", "b", "2"});
  fill("set", "s", 1000);
  step({"SELECT", "9"});
  step({"SET", "c", "3"});
  step({"FLUSHALL", "ASYNC"});
  step({"SET", "c", "3"});
  step({"FLUSHDB", "ASYNC"});
  step({"FLUSHALL", "ASYNC"});  // nothing left
  step({"SET", "c", "3"});
  step({"FLUSHDB"});
  step({"CONFIG", "SET", "lazyfree-lazy-user-flush", "yes"});
  step({"MSET", "a", "1", "b", "2"});
  step({"FLUSHDB"});
  step({"MSET", "a", "1", "b", "2"});
  step({"FLUSHALL", "SYNC"});
  step({"FLUSHALL", "ASYNC", "SYNC"});
  step({"SELECT", "0"});
  // A command's side-effect deletions follow lazyfree-lazy-server-del.
  fill("set", "s", 1000);
  step({"SET", "s", "x"});
  step({"CONFIG", "SET", "lazyfree-lazy-server-del", "yes"});
  fill("set", "s2", 1000);
  step({"SET", "s2", "x"});
  fill("set", "s3", 1000);
  step({"SUNIONSTORE", "s3", "missing"});
  fill("set", "s4", 1000);
  step({"SET", "k", "v"});
  step({"RENAME", "k", "s4"});
  // Expiry follows lazyfree-lazy-expire: a time already past, then a TTL that runs out.
  fill("set", "s5", 1000);
  step({"EXPIRE", "s5", "-1"});
  step({"CONFIG", "SET", "lazyfree-lazy-expire", "yes"});
  fill("set", "s6", 1000);
  step({"EXPIRE", "s6", "-1"});
  fill("set", "s7", 1000);
  step({"PEXPIRE", "s7", "1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  step({"EXISTS", "s7"});
  step({"CONFIG", "RESETSTAT"});
  return seen;
}

std::vector<std::string> RunOn(ServerProcess server) {
  if (!server.running()) return {"not started"};
  return Conversation(server.port());
}

TEST(LazyfreeDifferentialTest, CountersFollowRedisForEveryKindOfDeletion) {
  RESPD_REQUIRE_REDIS_SERVER();
  std::vector<std::string> redis = RunOn(ServerProcess::StartRedis());
  EXPECT_EQ(RunOn(ServerProcess::StartRespd({"--save", "", "--threads", "1"})), redis);
  EXPECT_EQ(RunOn(ServerProcess::StartRespd({"--save", "", "--threads", "2"})), redis);
}

// Every key evicted under lazyfree-lazy-eviction is a big set: each goes to the thread. How many
// are evicted depends on each server's memory figures, so only that relation is compared.
std::string EvictionConversation(int port) {
  RespClient c;
  if (!c.Connect(port)) return "connect failed";
  c.Command({"CONFIG", "SET", "lazyfree-lazy-eviction", "yes"});
  c.Command({"CONFIG", "SET", "maxmemory-policy", "allkeys-random"});
  int64_t used = std::stoll(InfoField(c.Command({"INFO", "memory"}), "used_memory"));
  c.Command({"CONFIG", "SET", "maxmemory", std::to_string(used + 4'000'000)});
  for (int i = 0; i < 6; ++i) Fill(c, "set", "s" + std::to_string(i), 20000);
  c.Command({"PING"});
  c.Command({"CONFIG", "SET", "maxmemory", "0"});
  std::string freed = Freed(c);
  std::string evicted = InfoField(c.Command({"INFO", "stats"}), "evicted_keys");
  if (evicted == "0") return "nothing evicted";
  return freed == "pending 0 freed " + evicted ? "each evicted set freed lazily"
                                               : freed + ", evicted " + evicted;
}

TEST(LazyfreeDifferentialTest, EvictedKeysFollowLazyfreeLazyEviction) {
  RESPD_REQUIRE_REDIS_SERVER();
  ServerProcess redis = ServerProcess::StartRedis();
  ServerProcess respd = ServerProcess::StartRespd({"--save", ""});
  ASSERT_TRUE(redis.running() && respd.running());
  EXPECT_EQ(EvictionConversation(redis.port()), "each evicted set freed lazily");
  EXPECT_EQ(EvictionConversation(respd.port()), "each evicted set freed lazily");
}

int64_t InfoNumber(RespClient& c, const std::string& field) {
  return std::stoll(InfoField(c.Command({"INFO", "memory"}), field));
}

TEST(LazyfreeTest, UnlinkedMemoryComesBackOnceTheThreadFreedIt) {
  ServerProcess server = ServerProcess::StartRespd({"--save", ""});
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  int64_t before = InfoNumber(c, "used_memory");
  ASSERT_EQ(Fill(c, "set", "big", 100000), "+set\r\n");
  int64_t peak = InfoNumber(c, "used_memory");
  ASSERT_GT(peak, before + 1'000'000);
  ASSERT_EQ(c.Command({"UNLINK", "big"}), ":1\r\n");
  EXPECT_EQ(Freed(c), "pending 0 freed 1");
  EXPECT_LT(InfoNumber(c, "used_memory"), before + (peak - before) / 4);
}

#if !defined(RESPD_SANITIZED)
// The entries of a database flushed lazily are freed on the lazy-free thread; the keys written
// next take those blocks again instead of new slabs. (Sanitizer builds hand entries to malloc.)
TEST(LazyfreeTest, EntriesOfALazyFlushAreUsedAgain) {
  ServerProcess server = ServerProcess::StartRespd({"--save", ""});
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  constexpr int kKeys = 100000;
  const std::string populate =
      "for i = 1, tonumber(ARGV[1]) do redis.call('SET', 'key:' .. i, i) end";
  ASSERT_EQ(c.Command({"EVAL", populate, "0", std::to_string(kKeys)}), "$-1\r\n");
  ASSERT_EQ(c.Command({"FLUSHALL", "ASYNC"}), "+OK\r\n");
  ASSERT_EQ(Freed(c), "pending 0 freed " + std::to_string(kKeys));
  // used_memory leaves idle slab bytes out whoever holds them: the resident set tells.
  int64_t flushed = InfoNumber(c, "used_memory_rss");
  ASSERT_EQ(c.Command({"EVAL", populate, "0", std::to_string(kKeys)}), "$-1\r\n");
  // New slabs for 100,000 entries would take over 3 MB; the table's buckets take 1 MB.
  EXPECT_LT(InfoNumber(c, "used_memory_rss") - flushed, 2'000'000);
}
#endif

}  // namespace
}  // namespace respd::testing
