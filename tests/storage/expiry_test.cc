// The active expiry cycle (storage/expiry.h) on a fixed Clock time: nothing goes before its TTL,
// and once the time has passed every expired key goes within one cycle, wherever the previous
// cycles left the shards' cursors.
#include "storage/expiry.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "storage/clock.h"

namespace respd::storage {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;
// A deadline no test reaches: a cycle then walks every shard once.
constexpr auto kNoBudget = std::chrono::steady_clock::time_point::max();

class ExpiryTest : public ::testing::Test {
 protected:
  void Fill(int db, int keys, int64_t ttl_ms) {
    for (int i = 0; i < keys; ++i) {
      store_.db(db).SetString("v" + std::to_string(i), "x", kNow + ttl_ms);
      store_.db(db).SetString("p" + std::to_string(i), "x", Entry::kNoExpire);
    }
  }

  Store store_{16, /*locking=*/true};
  ActiveExpiry expiry_;
};

TEST_F(ExpiryTest, KeysGoOnlyOnceTheClockPassesTheirTtl) {
  Fill(0, 1000, 100);
  Fill(9, 300, 100);
  EXPECT_EQ(expiry_.RunCycle(store_, kNow + 99, kNoBudget), 0u);
  EXPECT_EQ(store_.db(0).Size(), 2000u);
  EXPECT_EQ(expiry_.RunCycle(store_, kNow + 100, kNoBudget), 1300u);
  EXPECT_EQ(store_.db(0).Size(), 1000u);
  EXPECT_EQ(store_.db(9).Size(), 300u);
  EXPECT_EQ(store_.db(0).VolatileCount(), 0u);
  EXPECT_EQ(store_.stats().expired_keys.load(), 1300u);
}

TEST_F(ExpiryTest, OneCycleFindsEveryExpiredKeyWhereverTheCursorsStand) {
  Fill(0, 1000, 100);
  // Steps of a few buckets leave each shard's cursor in the middle of its table.
  for (size_t shard = 0; shard < kShardCount; ++shard) {
    store_.db(0).ActiveExpireShard(shard, 3, kNow);
  }
  EXPECT_EQ(expiry_.RunCycle(store_, kNow + 1000, kNoBudget), 1000u);
  EXPECT_EQ(store_.db(0).VolatileCount(), 0u);
}

TEST_F(ExpiryTest, ASpentBudgetLeavesTheRestForTheNextCycle) {
  Fill(0, 100, 100);
  // A deadline already past: the cycle does nothing, and the next one starts where it stopped.
  EXPECT_EQ(expiry_.RunCycle(store_, kNow + 100, std::chrono::steady_clock::now()), 0u);
  EXPECT_EQ(expiry_.RunCycle(store_, kNow + 100, kNoBudget), 100u);
}

TEST_F(ExpiryTest, BudgetIsAQuarterOfTheCronPeriod) {
  EXPECT_EQ(ActiveExpiry::Budget(10), std::chrono::milliseconds(25));
  EXPECT_EQ(ActiveExpiry::Budget(100), std::chrono::microseconds(2500));
  EXPECT_EQ(ActiveExpiry::Budget(0), std::chrono::milliseconds(250));
}

TEST_F(ExpiryTest, ShardsHeldByOthersAreLeftForTheNextCycle) {
  Fill(0, 1000, 100);
  // Another thread holds one shard (as a command would) while the cycle runs.
  std::promise<void> locked;
  std::promise<void> release;
  std::thread holder([&] {
    std::lock_guard lock(store_.shard_mutex(ShardOf("v0")));
    locked.set_value();
    release.get_future().wait();
  });
  locked.get_future().wait();
  size_t expired = expiry_.RunCycle(store_, kNow + 100, kNoBudget);
  release.set_value();
  holder.join();
  EXPECT_LT(expired, 1000u);
  EXPECT_GT(expired, 0u);
  EXPECT_GT(expiry_.RunCycle(store_, kNow + 100, kNoBudget), 0u);
  EXPECT_EQ(store_.db(0).VolatileCount(), 0u);
}

}  // namespace
}  // namespace respd::storage
