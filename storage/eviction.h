// maxmemory's key eviction, Redis's evict.c over the sharded store. The random policies take a
// random key from the databases in turn; the LRU, LFU and TTL ones sample maxmemory-samples keys
// of every database into a pool of the sixteen best candidates seen so far (most idle, least
// used, nearest expiry) and evict the best one still present. When to evict, and how much, is the
// server's (server/services/memory_limit.h): this picks and deletes one key at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"

namespace respd::storage {

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};

// maxmemory-policy's names; nothing for any other.
std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name);

struct EvictionSettings {
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  size_t samples = 5;         // maxmemory-samples
  int64_t decay_minutes = 1;  // lfu-decay-time
};

class Evictor {
 public:
  // Every shard lock held. Deletes the key the policy picks now (Database::Evict) and returns the
  // bytes that took off the store's byte counter; nothing when no key qualifies (an empty
  // keyspace, no key with a TTL under a volatile policy, or noeviction).
  std::optional<size_t> EvictOne(Store& store, const EvictionSettings& settings, int64_t now_ms,
                                 std::mt19937_64& rng);

  // Redis's EVPOOL_SIZE.
  static constexpr size_t kPoolSize = 16;

 private:
  struct Candidate {
    uint64_t score;  // higher evicts first
    int db;
    std::string key;
  };
  std::optional<size_t> EvictRandom(Store& store, bool volatile_only, std::mt19937_64& rng);
  // Redis's evictionPoolPopulate for one database.
  void Populate(Database& db, const EvictionSettings& settings, int64_t now_ms,
                std::mt19937_64& rng);
  void Offer(uint64_t score, int db, std::string_view key);

  std::vector<Candidate> pool_;  // ascending score
  int next_db_ = 0;              // the random policies' turn
};

}  // namespace respd::storage
