// Typed set operations on a database (SADD SREM SMOVE SPOP and the SINTER/SUNION/SDIFF family):
// the one place that finds, creates and deletes set keys, counts Redis's changes (server.dirty)
// and reports Redis 7.0's keyspace events in its order. Results are statuses, never RESP.
#pragma once

#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/op_status.h"
#include "storage/set.h"

namespace respd::storage {

// The set at `key` for reading (counts a keyspace hit or miss): kKeyNotFound or kWrongType
// otherwise.
OpResult<const Set*> FindSet(Database& db, std::string_view key);

// SADD: adds `members` to the set at `key`, creating it when absent. Returns how many were new.
OpResult<size_t> SAdd(Database& db, std::string_view key, std::span<const std::string_view> members,
                      size_t max_intset_entries);

// SREM: removes `members`, deleting the key once empty. Returns how many were there (0 for a
// missing key).
OpResult<size_t> SRem(Database& db, std::string_view key,
                      std::span<const std::string_view> members);

// SMOVE: moves `member` from the set at `src` to the set at `dst` (created when absent). False when
// `src` is missing or lacks the member; kWrongType when either key holds another type. Moving
// within one set changes nothing and answers whether the member is there.
OpResult<bool> SMove(Database& db, std::string_view src, std::string_view dst,
                     std::string_view member, size_t max_intset_entries);

// SPOP: removes and returns up to `count` random members (all of them, in the set's order, when
// `count` reaches its size), deleting the key once empty. kKeyNotFound for a missing key. When
// nearly all go, what stays takes the encoding of a set built anew from it (Redis rebuilds it).
OpResult<std::vector<std::string>> SPop(Database& db, std::string_view key, size_t count,
                                        size_t max_intset_entries, std::mt19937_64& rng);

enum class SetOpKind : uint8_t { kInter, kUnion, kDiff };

// The members of the intersection, union or difference of the sets at `keys` (missing keys are
// empty sets); kWrongType if any key holds another type. `limit` (0: none) stops an intersection
// early, for SINTERCARD.
OpResult<std::vector<std::string>> SCombine(Database& db, SetOpKind op,
                                            std::span<const std::string_view> keys,
                                            size_t limit = 0);

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE: stores the combination at `dst` (replacing any value,
// dropping its TTL), or deletes `dst` when it is empty. Returns the stored size.
OpResult<size_t> SCombineStore(Database& db, SetOpKind op, std::string_view dst,
                               std::span<const std::string_view> keys, size_t max_intset_entries);

}  // namespace respd::storage
