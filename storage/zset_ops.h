// Typed sorted set operations on a database (ZADD ZINCRBY GEOADD, ZREM, ZREMRANGEBY*, the pops,
// the algebra of ZUNION ZINTER ZDIFF, and the stores of ZRANGESTORE, Z*STORE and GEO* STORE): the
// one place that finds, creates and deletes sorted set keys, counts Redis's changes (server.dirty)
// and reports Redis 7.0's keyspace events in its order. Results are statuses and values, never
// RESP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/database.h"
#include "storage/op_status.h"
#include "storage/zset.h"

namespace respd::storage {

// Members with their scores, as pops return them and stores take them.
using ScoredMembers = std::vector<std::pair<std::string, double>>;

// The sorted set at `key` for reading (counts a keyspace hit or miss): kKeyNotFound or kWrongType
// otherwise.
OpResult<const ZSet*> FindZSet(Database& db, std::string_view key);

// Ascending ranks [first, second) of the members inside a range (Redis's zzlIsInLexRange check
// first for a lex range).
std::pair<size_t, size_t> RankBounds(const ZSet& z, const ScoreRange& range);
std::pair<size_t, size_t> RankBounds(const ZSet& z, const LexRange& range);
// Ascending ranks [first, second) of ZRANGE's inclusive indexes `start`..`end` over `length`
// members, negative ones counting from the end, clamped as Redis does.
std::pair<size_t, size_t> ClampRanks(int64_t start, int64_t end, size_t length);

struct ScoredMember {
  double score;
  std::string_view member;
};

struct ZAddResult {
  size_t added = 0;
  size_t updated = 0;
  size_t processed = 0;  // added, updated or already at that score: INCR replies nil for none
  double score = 0;      // the last processed score as computed (INCR's reply)
  bool nan = false;      // stopped at a NaN score; what came before it stays
};

// ZADD under `flags` (ZAddFlag; ZINCRBY is kZAddIncr with one member), creating the key unless XX.
// GEOADD is ZADD with geohash scores. Reports "zadd", or "zincr" with INCR, when a score changed.
OpResult<ZAddResult> ZAdd(Database& db, std::string_view key, std::span<const ScoredMember> members,
                          int flags, const ZSetLimits& limits);

// ZREM: removes `members`, deleting the key once empty. Returns how many were there (0 for a
// missing key).
OpResult<size_t> ZRem(Database& db, std::string_view key,
                      std::span<const std::string_view> members);

// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX: removes the members in the range, deleting
// the key once empty. Returns how many went (0 for a missing key).
OpResult<size_t> ZRemRangeByRank(Database& db, std::string_view key, int64_t start, int64_t end);
OpResult<size_t> ZRemRangeByScore(Database& db, std::string_view key, const ScoreRange& range);
OpResult<size_t> ZRemRangeByLex(Database& db, std::string_view key, const LexRange& range);

// ZPOPMIN / ZPOPMAX and the pops of ZMPOP, BZPOPMIN, BZMPOP: removes up to `count` members from
// the low end (from the high end when `max`), returned in pop order, deleting the key once empty.
// kKeyNotFound for a missing key.
OpResult<ScoredMembers> ZPop(Database& db, std::string_view key, bool max, size_t count);

enum class ZSetOpKind : uint8_t { kUnion, kInter, kDiff };
enum class ZAggregate : uint8_t { kSum, kMin, kMax };

// One input of the sorted set algebra: a sorted set, a set (every score 1, as in Redis) or a
// missing key (nullptr, empty), with its WEIGHTS factor.
struct ZSource {
  const Object* object = nullptr;
  double weight = 1;
};

// Looks up the inputs of ZUNION ZINTER ZDIFF (and their STORE forms, ZINTERCARD) in order:
// kWrongType for the first key holding neither a sorted set nor a set.
OpResult<std::vector<ZSource>> FindZSources(Database& db, std::span<const std::string_view> keys);

// The union, intersection or difference of `sources`, weighted and aggregated as Redis does, in no
// particular order; `limit` (0: none) stops an intersection early, for ZINTERCARD.
ScoredMembers ZCombine(ZSetOpKind op, std::vector<ZSource> sources, ZAggregate aggregate,
                       size_t limit = 0);

// Which command stores: it decides the event Redis reports and how it counts the change.
enum class ZStoreKind : uint8_t {
  kRangeStore,
  kUnionStore,
  kInterStore,
  kDiffStore,
  kGeoRadiusStore,  // GEORADIUS / GEORADIUSBYMEMBER STORE
  kGeoSearchStore,
};

// Stores `members` (distinct) at `dst` as a new sorted set without TTL, replacing any value, or
// deletes `dst` when there are none. Returns the stored size.
size_t ZStore(Database& db, std::string_view dst, ScoredMembers members, const ZSetLimits& limits,
              ZStoreKind kind);

}  // namespace respd::storage
