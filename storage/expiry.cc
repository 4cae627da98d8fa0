// Active expiry cycle (see expiry.h).
#include "storage/expiry.h"

#include <algorithm>
#include <mutex>

namespace respd::storage {

std::chrono::microseconds ActiveExpiry::Budget(int64_t hz) {
  hz = std::max<int64_t>(1, hz);
  return std::chrono::microseconds(1'000'000 * kActiveExpireTimePercent / 100 / hz);
}

size_t ActiveExpiry::RunCycle(Store& store, int64_t now_ms,
                              std::chrono::steady_clock::time_point deadline) {
  size_t positions = static_cast<size_t>(store.num_databases()) * kShardCount;
  size_t expired = 0;
  size_t start = next_ % positions;
  for (size_t visited = 0; visited < positions; ++visited) {
    size_t position = (start + visited) % positions;
    Database& database = store.db(static_cast<int>(position / kShardCount));
    size_t shard = position % kShardCount;
    // Shards without TTLs (most, with thousands of databases) cost neither a lock nor a clock
    // read; the deadline is still looked at now and then.
    if (database.ShardVolatileCount(shard) == 0) {
      if (visited % kEmptyShardsPerDeadlineCheck == 0 &&
          std::chrono::steady_clock::now() >= deadline) {
        next_ = position;
        return expired;
      }
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      next_ = position;
      return expired;
    }
    size_t walked = 0;
    bool more = true;
    // The lock is taken per step, so clients wait at most one step.
    while (more) {
      std::unique_lock<std::timed_mutex> lock;
      if (store.locking()) {
        lock = std::unique_lock(store.shard_mutex(shard), std::try_to_lock);
        if (!lock.owns_lock()) break;
      }
      Database::ExpireStep step = database.ActiveExpireShard(shard, kExpireBucketsPerStep, now_ms);
      expired += step.expired;
      walked += step.buckets;
      more = step.buckets > 0 && walked < step.table_buckets;
      if (more && std::chrono::steady_clock::now() >= deadline) {
        // This shard's walk continues next cycle, from its own cursor.
        next_ = position;
        return expired;
      }
    }
    next_ = (position + 1) % positions;
  }
  return expired;
}

}  // namespace respd::storage
