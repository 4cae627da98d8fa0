// Typed hash operations on a database (the storage half of HSET, HSETNX, HDEL, HINCRBY,
// HINCRBYFLOAT). Each finds the hash, creates it when a write needs one, deletes it when it
// becomes empty and reports Redis 7.0's keyspace events for its command through
// Database::Touch/Notify, in Redis's order. Results are statuses and values, never RESP; server
// dirty counts stay with the commands. Knows nothing of the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/database.h"
#include "storage/hash_object.h"
#include "storage/op_status.h"

namespace respd::storage {

// The hash at `key` for reading (counts a keyspace hit or miss): kKeyNotFound or kWrongType
// otherwise. The pointer is valid until the next write to the database.
OpResult<const Hash*> FindHash(Database& db, std::string_view key);

// HSET/HMSET (HSETNX when `only_new_fields`): sets the fields of `field_values` (field, value,
// field, value...), creating the hash when absent; with `only_new_fields` a field that exists
// keeps its value. Returns how many fields were created. Event "hset" (none when nothing was set).
// `limits` are hash-max-listpack-entries and -value.
OpResult<size_t> HSet(Database& db, std::string_view key,
                      std::span<const std::string_view> field_values, bool only_new_fields,
                      const HashLimits& limits);

// HDEL: deletes `fields`. Returns how many existed. Events "hdel" if any did, then "del" if none
// is left.
OpResult<size_t> HDel(Database& db, std::string_view key, std::span<const std::string_view> fields);

// HINCRBY: adds `delta` to the integer at `field` (0 when absent), creating the hash when absent.
// kNotInteger when the value is no integer, kOverflow. Event "hincrby".
OpResult<int64_t> HIncrBy(Database& db, std::string_view key, std::string_view field, int64_t delta,
                          const HashLimits& limits);

// HINCRBYFLOAT: adds `increment` (finite: the command checks) to the number at `field` (0 when
// absent). Returns the new value's text. kNotFloat when the value is no number, kNanOrInfinity
// when the sum is not finite. Event "hincrbyfloat".
OpResult<std::string> HIncrByFloat(Database& db, std::string_view key, std::string_view field,
                                   long double increment, const HashLimits& limits);

}  // namespace respd::storage
