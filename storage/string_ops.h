// Typed string operations on a database (INCRBY, INCRBYFLOAT, APPEND, SETRANGE) and the pure
// string algorithms of GETRANGE and LCS. Results are statuses and values, never RESP.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/op_status.h"

namespace respd::storage {

// Adds `delta` to the integer at `key` (0 when absent), keeping its TTL. kWrongType, kNotInteger
// (the value is not a canonical 64-bit integer) or kOverflow.
OpResult<int64_t> IncrBy(Database& db, std::string_view key, int64_t delta);

// INCRBYFLOAT: adds the long double `increment` text to the value at `key` (0 when absent),
// keeping its TTL. Checks the type, then the stored value, then the increment, as Redis does.
// Returns the new value's text (kWrongType, kNotFloat or kNanOrInfinity otherwise).
OpResult<std::string> IncrByFloat(Database& db, std::string_view key, std::string_view increment);

// Appends `value` to the string at `key`, creating it when absent. Fails with kStringTooLong if
// the result would pass `max_len` bytes. Returns the new length.
OpResult<size_t> Append(Database& db, std::string_view key, std::string_view value,
                        uint64_t max_len);

// Overwrites the string at `key` from `offset` (zero-padding as needed; creating the key unless
// `value` is empty). Returns the new length (the old one when `value` is empty).
OpResult<size_t> SetRange(Database& db, std::string_view key, uint64_t offset,
                          std::string_view value, uint64_t max_len);

// GETRANGE's slice of `s` by inclusive indexes, negative ones counting from the end.
std::string_view Substring(std::string_view s, int64_t start, int64_t end);

// One common run of LCS IDX: inclusive ranges in each string.
struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;
  uint32_t length() const { return a_end - a_start + 1; }
};

struct LcsResult {
  uint32_t length = 0;
  std::string text;               // the common subsequence, when asked for
  std::vector<LcsMatch> matches;  // runs from the end of the strings backwards, when asked for
};

// Bytes of the dynamic-programming table Lcs() allocates for strings of these sizes.
uint64_t LcsTableBytes(size_t a_len, size_t b_len);

// The longest common subsequence of `a` and `b` (Redis's LCS): its length always, its text when
// `want_text`, its contiguous runs (longest-suffix first, as Redis walks back) when `want_matches`.
LcsResult Lcs(std::string_view a, std::string_view b, bool want_text, bool want_matches);

}  // namespace respd::storage
