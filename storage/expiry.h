// Active expiry, Redis's activeExpireCycle: the server's cron runs a cycle about hz times a second,
// which walks the keys with a TTL shard by shard and deletes those expired at the Clock's time, so
// keys nobody reads again still go (lazy expiry in Database::Lookup handles the rest). A cycle
// takes at most a share of the cron period (Redis's slow cycle budget) and resumes where the last
// one stopped. It knows nothing of event loops: the net layer's cron only calls it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "storage/database.h"

namespace respd::storage {

// Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC: a cycle may use 25% of each cron period.
inline constexpr int64_t kActiveExpireTimePercent = 25;
// Buckets one shard walks under its lock before the cycle checks its budget again: clients wait
// at most this long for a shard the cycle holds.
inline constexpr size_t kExpireBucketsPerStep = 64;
// Shards without TTLs the cycle skips between two reads of the clock against its deadline.
inline constexpr size_t kEmptyShardsPerDeadlineCheck = 1024;

class ActiveExpiry {
 public:
  // The real time one cycle may take when the cron runs `hz` times a second. The budget is the
  // processor's time, not the keys': it is measured on the steady clock, never on the Clock.
  static std::chrono::microseconds Budget(int64_t hz);

  // Deletes the keys of `store` expired at `now_ms` (Clock time), walking each shard of each
  // database once, from where the previous cycle stopped, until all are walked or `deadline`
  // passes. Never waits for a shard lock: a shard someone else holds (a long script or EXEC holds
  // them all) is left for the next cycle. Returns the number of keys deleted.
  size_t RunCycle(Store& store, int64_t now_ms, std::chrono::steady_clock::time_point deadline);

 private:
  // The (database, shard) pair the next cycle starts with, as db * kShardCount + shard: a cycle
  // cut short by its budget does not starve the databases after it.
  size_t next_ = 0;
};

}  // namespace respd::storage
