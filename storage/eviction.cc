// Picking and deleting the keys maxmemory evicts.
#include "storage/eviction.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "storage/entry.h"

namespace respd::storage {
namespace {

constexpr std::array<std::pair<std::string_view, EvictionPolicy>, 8> kPolicyNames = {{
    {"noeviction", EvictionPolicy::kNoEviction},
    {"allkeys-lru", EvictionPolicy::kAllKeysLru},
    {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
    {"allkeys-random", EvictionPolicy::kAllKeysRandom},
    {"volatile-lru", EvictionPolicy::kVolatileLru},
    {"volatile-lfu", EvictionPolicy::kVolatileLfu},
    {"volatile-random", EvictionPolicy::kVolatileRandom},
    {"volatile-ttl", EvictionPolicy::kVolatileTtl},
}};

// A database whose keys are all stale names in the pool could keep the pool empty round after
// round only if its counts were wrong; this bounds the search all the same.
constexpr int kMaxPoolRounds = 16;

bool VolatileOnly(EvictionPolicy policy) {
  return policy == EvictionPolicy::kVolatileLru || policy == EvictionPolicy::kVolatileLfu ||
         policy == EvictionPolicy::kVolatileRandom || policy == EvictionPolicy::kVolatileTtl;
}

uint64_t Score(const Entry* e, const EvictionSettings& settings, int64_t now_ms) {
  switch (settings.policy) {
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return 255 - static_cast<uint64_t>(LfuFrequency(e, now_ms, settings.decay_minutes));
    case EvictionPolicy::kVolatileTtl:
      return std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(e->expire_at());
    default:
      return static_cast<uint64_t>(IdleSeconds(e, now_ms));
  }
}

}  // namespace

std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name) {
  for (const auto& [policy_name, policy] : kPolicyNames) {
    if (policy_name == name) return policy;
  }
  return std::nullopt;
}

std::optional<size_t> Evictor::EvictOne(Store& store, const EvictionSettings& settings,
                                        int64_t now_ms, std::mt19937_64& rng) {
  EvictionPolicy policy = settings.policy;
  if (policy == EvictionPolicy::kNoEviction) return std::nullopt;
  bool volatile_only = VolatileOnly(policy);
  if (policy == EvictionPolicy::kAllKeysRandom || policy == EvictionPolicy::kVolatileRandom) {
    return EvictRandom(store, volatile_only, rng);
  }
  for (int round = 0; round < kMaxPoolRounds; ++round) {
    size_t candidates = 0;
    for (int i = 0; i < store.num_databases(); ++i) {
      Database& db = store.db(i);
      size_t keys = volatile_only ? db.VolatileCount() : db.Size();
      if (keys == 0) continue;
      candidates += keys;
      Populate(db, settings, now_ms, rng);
    }
    if (candidates == 0) return std::nullopt;
    // The best first; a name whose key is gone (or lost its TTL) is dropped.
    while (!pool_.empty()) {
      Candidate best = std::move(pool_.back());
      pool_.pop_back();
      if (std::optional<size_t> freed = store.db(best.db).Evict(best.key, volatile_only)) {
        return freed;
      }
    }
  }
  return std::nullopt;
}

std::optional<size_t> Evictor::EvictRandom(Store& store, bool volatile_only, std::mt19937_64& rng) {
  int dbs = store.num_databases();
  for (int i = 0; i < dbs; ++i) {
    next_db_ = (next_db_ + 1) % dbs;
    Database& db = store.db(next_db_);
    if (const Entry* e = db.RandomStored(volatile_only, rng)) {
      return db.Evict(std::string(e->key()), volatile_only);
    }
  }
  return std::nullopt;
}

void Evictor::Populate(Database& db, const EvictionSettings& settings, int64_t now_ms,
                       std::mt19937_64& rng) {
  db.SampleStored(settings.samples, VolatileOnly(settings.policy), rng,
                  [&](const Entry* e) { Offer(Score(e, settings, now_ms), db.index(), e->key()); });
}

void Evictor::Offer(uint64_t score, int db, std::string_view key) {
  auto first_not_below =
      std::lower_bound(pool_.begin(), pool_.end(), score,
                       [](const Candidate& c, uint64_t s) { return c.score < s; });
  // Full: a candidate no better than the worst is not kept (most samples, once the pool holds
  // the idlest keys).
  if (pool_.size() == kPoolSize && first_not_below == pool_.begin()) return;
  // A key sampled again has the same score unless it was used meanwhile; a copy left behind with
  // an older score only costs a failed lookup.
  for (auto it = first_not_below; it != pool_.end() && it->score == score; ++it) {
    if (it->db == db && it->key == key) return;
  }
  size_t at = first_not_below - pool_.begin();
  if (pool_.size() == kPoolSize) {
    // The worst leaves.
    pool_.erase(pool_.begin());
    --at;
  }
  pool_.insert(pool_.begin() + static_cast<std::ptrdiff_t>(at),
               Candidate{score, db, std::string(key)});
}

}  // namespace respd::storage
