// maxmemory's eviction in the real respd binary (two I/O threads), after Redis's own
// unit/maxmemory tests: under every evicting policy a limit 100 KB above what the server holds
// keeps used_memory within 4 KB of it while new keys keep coming, the volatile policies evict only
// keys with a TTL (and refuse with OOM once none is left), and writers on both threads at once
// stay near the limit.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/respd_test.h"

namespace respd::testing {
namespace {

constexpr int64_t kHeadroom = 100 * 1024;
// Redis's test allows this much over the limit after the last write.
constexpr int64_t kSlack = 4096;
// Bounds the fill loops: 100 KB takes about 1,500 keys.
constexpr int kMaxKeys = 100'000;

class EvictionTest : public RespdTest {
 protected:
  int64_t Info(const std::string& field) {
    return std::stoll(InfoField(admin_.Command({"INFO"}), field));
  }
  // A limit `headroom` above used memory now, under `policy`. The commands the tests send run
  // once first: each allocates its latency histogram (about 25 KB) the first time it runs.
  int64_t SetLimit(const std::string& policy, int64_t headroom = kHeadroom) {
    for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
             {"SET", "warm", "x"}, {"SETEX", "warm", "10", "x"}, {"EXISTS", "warm"}}) {
      admin_.Command(command);
    }
    EXPECT_EQ(admin_.Command({"FLUSHALL"}), "+OK\r\n");
    int64_t limit = Info("used_memory") + headroom;
    EXPECT_EQ(admin_.Command({"CONFIG", "SET", "maxmemory", std::to_string(limit),
                              "maxmemory-policy", policy}),
              "+OK\r\n");
    return limit;
  }
  std::string RandomKey() { return "key:" + std::to_string(rng_() % 1'000'000'000'000); }

  std::mt19937_64 rng_{7};
};

TEST_F(EvictionTest, EveryPolicyKeepsUsedMemoryAtTheLimit) {
  for (std::string policy : {"allkeys-random", "allkeys-lru", "allkeys-lfu", "volatile-lru",
                             "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    int64_t limit = SetLimit(policy);
    int keys = 0;
    while (keys < kMaxKeys) {
      ASSERT_EQ(admin_.Command({"SETEX", RandomKey(), "10000", "x"}), "+OK\r\n") << policy;
      ++keys;
      if (Info("used_memory") + kSlack > limit) break;
    }
    ASSERT_GT(keys, 10) << policy;
    for (int i = 0; i < keys; ++i) {
      ASSERT_EQ(admin_.Command({"SETEX", RandomKey(), "10000", "x"}), "+OK\r\n") << policy;
    }
    EXPECT_LT(Info("used_memory"), limit + kSlack) << policy;
    EXPECT_GT(Info("evicted_keys"), 0) << policy;
  }
}

TEST_F(EvictionTest, VolatilePoliciesTakeOnlyKeysWithATtl) {
  for (std::string policy : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    int64_t limit = SetLimit(policy);
    int keys = 0;
    for (; keys < kMaxKeys; ++keys) {
      std::string key = "key:" + std::to_string(keys);
      std::string reply = keys % 2 ? admin_.Command({"SETEX", key, "10000", "x"})
                                   : admin_.Command({"SET", key, "x"});
      ASSERT_EQ(reply, "+OK\r\n") << policy;
      if (Info("used_memory") + kSlack > limit) break;
    }
    ASSERT_GT(keys, 10) << policy;
    for (int i = 0; i < keys; ++i) {
      admin_.Command({"SETEX", "foo:" + std::to_string(i), "10000", "x"});
    }
    EXPECT_LT(Info("used_memory"), limit + kSlack) << policy;
    for (int i = 0; i < keys; i += 2) {
      ASSERT_EQ(admin_.Command({"EXISTS", "key:" + std::to_string(i)}), ":1\r\n") << policy;
    }
  }
}

TEST_F(EvictionTest, WithoutKeysToTakeWritesAreRefused) {
  for (std::string policy : {"volatile-lru", "volatile-random", "volatile-ttl"}) {
    SetLimit(policy);
    bool refused = false;
    for (int i = 0; i < kMaxKeys && !refused; ++i) {
      std::string reply = admin_.Command({"SET", RandomKey(), "x"});
      refused = reply.starts_with("-OOM command not allowed when used memory > 'maxmemory'.");
      if (!refused) ASSERT_EQ(reply, "+OK\r\n");
    }
    EXPECT_TRUE(refused) << policy;
    EXPECT_EQ(Info("evicted_keys"), 0) << policy;
  }
}

// Writers on both I/O threads pipeline new keys at once (about 5 MB of them against a 2 MB limit,
// which leaves room for their buffers): whichever thread evicts, the others go on, and memory ends
// near the limit with keys still there.
TEST_F(EvictionTest, WritersOnBothThreadsStayNearTheLimit) {
  int64_t limit = SetLimit("allkeys-lru", 2 * 1024 * 1024);
  constexpr int kWriters = 4;
  constexpr int kRounds = 40;
  constexpr int kBatch = 200;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([this, w] {
      RespClient client = Connect();
      for (int round = 0; round < kRounds; ++round) {
        std::string batch;
        for (int i = 0; i < kBatch; ++i) {
          std::string key = "w" + std::to_string(w) + ":" + std::to_string(round * kBatch + i);
          batch += client.EncodeCommand({"SET", key, std::string(100, 'v')});
        }
        ASSERT_TRUE(client.SendRaw(batch));
        for (int i = 0; i < kBatch; ++i) ASSERT_EQ(client.ReadReply(), "+OK\r\n");
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_LT(Info("used_memory"), limit + kSlack);
  EXPECT_GT(Info("evicted_keys"), 0);
  EXPECT_NE(admin_.Command({"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(admin_.Command({"PING"}), "+PONG\r\n");
}

}  // namespace
}  // namespace respd::testing
