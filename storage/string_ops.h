// Typed string operations on a database (SET and its variants, MSET, GETDEL, INCRBY, INCRBYFLOAT,
// APPEND, SETRANGE) and the pure string algorithms of GETRANGE and LCS. Writers report Redis
// 7.0's events (t_string.c: "new" for a created key, then "set", "incrby"...) and count Redis's
// server.dirty. Results are statuses and values, never RESP.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/op_status.h"

namespace respd::storage {

// How SET writes (Redis's setGenericCommand flags).
struct SetParams {
  enum class Condition { kAlways, kIfAbsent, kIfPresent };  // -, NX, XX
  Condition condition = Condition::kAlways;
  // GET: look the key up as a read and return its old value; another type fails with kWrongType.
  bool get_old = false;
  bool keep_ttl = false;                    // KEEPTTL
  int64_t expire_at_ms = Entry::kNoExpire;  // EX PX EXAT PXAT as an absolute time
};

struct SetOutcome {
  bool written = false;
  std::optional<std::string> old_value;  // with get_old: the value before, nullopt if none
};

// SET, SETNX, SETEX, PSETEX, GETSET: one lookup, then the write if the condition holds ("new"
// when the key is created, "set", then "expire" with an expire time, as Redis reports them).
OpResult<SetOutcome> Set(Database& db, std::string_view key, std::string_view value,
                         const SetParams& params);

// MSET (`only_if_none_exist` false) and MSETNX over key, value pairs: every pair is SET in
// order, or, for MSETNX, none when any key exists. Returns whether the pairs were written.
bool MSet(Database& db, std::span<const std::string_view> pairs, bool only_if_none_exist);

// GETDEL: the string at `key`, deleted ("del"); nullopt when absent, kWrongType for other types.
OpResult<std::optional<std::string>> GetDel(Database& db, std::string_view key);

// INCR DECR INCRBY DECRBY (all "incrby", as in Redis): adds `delta` to the integer at `key` (0
// when absent), keeping its TTL. kWrongType, kNotInteger (the value is not a canonical 64-bit
// integer) or kOverflow.
OpResult<int64_t> IncrBy(Database& db, std::string_view key, int64_t delta);

// INCRBYFLOAT: adds the long double `increment` text to the value at `key` (0 when absent),
// keeping its TTL. Checks the type, then the stored value, then the increment, as Redis does.
// Returns the new value's text (kWrongType, kNotFloat or kNanOrInfinity otherwise);
// "incrbyfloat".
OpResult<std::string> IncrByFloat(Database& db, std::string_view key, std::string_view increment);

// Appends `value` to the string at `key`, creating it when absent. Fails with kStringTooLong if
// the result would pass `max_len` bytes. Returns the new length; "append".
OpResult<size_t> Append(Database& db, std::string_view key, std::string_view value,
                        uint64_t max_len);

// Overwrites the string at `key` from `offset` (zero-padding as needed; creating the key unless
// `value` is empty). Returns the new length (the old one when `value` is empty); "setrange" when
// `value` is not empty.
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
