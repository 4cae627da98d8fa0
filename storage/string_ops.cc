// String operations: integer and float arithmetic, APPEND, SETRANGE, GETRANGE slices and LCS.
#include "storage/string_ops.h"

#include <cstring>

#include "storage/key_ops.h"
#include "storage/numbers.h"

namespace respd::storage {
namespace {

constexpr KeyEvent kSetEvent{kEventString, "set"};
constexpr KeyEvent kIncrByEvent{kEventString, "incrby"};
constexpr KeyEvent kIncrByFloatEvent{kEventString, "incrbyfloat"};
constexpr KeyEvent kAppendEvent{kEventString, "append"};
constexpr KeyEvent kSetRangeEvent{kEventString, "setrange"};

// The string at `key` or nullptr when absent; kWrongType for other types.
OpResult<Entry*> FindStringForWrite(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindWriteTyped(key, ValueType::kString);
  if (found.status() == OpStatus::kKeyNotFound) return static_cast<Entry*>(nullptr);
  return found;
}

// Redis's checkStringLength: `size + extra` must not pass `max_len` (nor overflow).
bool FitsMaxLen(uint64_t size, uint64_t extra, uint64_t max_len) {
  return size <= max_len && extra <= max_len - size;
}

// Stores the integer text of a counter at `key` (whose string is `entry`, nullptr when absent),
// keeping the TTL, and reports `event`. A counter of unchanged width is rewritten in place: INCR
// on a hot key allocates nothing.
void StoreCounterText(Database& db, std::string_view key, Entry* entry, std::string_view text,
                      StringEncoding encoding, KeyEvent event) {
  if (entry != nullptr && entry->string_encoding() == encoding &&
      entry->str().size() == text.size()) {
    std::memcpy(entry->mutable_str(), text.data(), text.size());
    db.Touch(key, event);
  } else {
    db.SetString(key, text, Entry::kNoExpire, /*keep_ttl=*/true, encoding);
    db.Notify(key, event);
  }
  db.AddDirty();
}

}  // namespace

OpResult<SetOutcome> Set(Database& db, std::string_view key, std::string_view value,
                         const SetParams& params) {
  Database::Slot slot = db.FindSlot(key, /*read=*/params.get_old);
  SetOutcome outcome;
  bool found = slot.entry != nullptr;
  if (params.get_old && found) {
    if (slot.entry->type() != ValueType::kString) return OpStatus::kWrongType;
    outcome.old_value.emplace(slot.entry->str());
  }
  if ((params.condition == SetParams::Condition::kIfAbsent && found) ||
      (params.condition == SetParams::Condition::kIfPresent && !found)) {
    return outcome;
  }
  db.SetString(slot, key, value, params.expire_at_ms, params.keep_ttl);
  db.Notify(key, kSetEvent);
  if (params.expire_at_ms != Entry::kNoExpire) db.Notify(key, kExpireEvent);
  db.AddDirty();
  outcome.written = true;
  return outcome;
}

bool MSet(Database& db, std::span<const std::string_view> pairs, bool only_if_none_exist) {
  if (only_if_none_exist) {
    for (size_t i = 0; i < pairs.size(); i += 2) {
      if (db.FindWrite(pairs[i]) != nullptr) return false;
    }
  }
  // Redis's msetGenericCommand: each key set with its "set" event, the dirty count added once.
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    std::string_view key = pairs[i];
    db.SetString(db.FindSlot(key, /*read=*/false), key, pairs[i + 1], Entry::kNoExpire);
    db.Notify(key, kSetEvent);
  }
  db.AddDirty(pairs.size() / 2);
  return true;
}

OpResult<std::optional<std::string>> GetDel(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindReadTyped(key, ValueType::kString);
  if (found.status() == OpStatus::kKeyNotFound) return std::optional<std::string>();
  if (!found.ok()) return found.status();
  std::optional<std::string> value((*found)->str());
  db.Delete(key);
  db.Notify(key, kDelEvent);
  db.AddDirty();
  return value;
}

OpResult<int64_t> IncrBy(Database& db, std::string_view key, int64_t delta) {
  OpResult<Entry*> found = FindStringForWrite(db, key);
  if (!found.ok()) return found.status();
  Entry* entry = *found;
  int64_t value = 0;
  if (entry != nullptr) {
    std::optional<int64_t> parsed = ParseInt64(entry->str());
    if (!parsed) return OpStatus::kNotInteger;
    value = *parsed;
  }
  int64_t result;
  if (__builtin_add_overflow(value, delta, &result)) return OpStatus::kOverflow;
  char buf[24];
  size_t len = FormatInt64(result, buf);
  StoreCounterText(db, key, entry, {buf, len}, StringEncoding::kAuto, kIncrByEvent);
  return result;
}

OpResult<std::string> IncrByFloat(Database& db, std::string_view key, std::string_view increment) {
  OpResult<Entry*> found = FindStringForWrite(db, key);
  if (!found.ok()) return found.status();
  Entry* entry = *found;
  long double value = 0;
  if (entry != nullptr) {
    std::optional<long double> parsed = ParseLongDouble(entry->str());
    if (!parsed) return OpStatus::kNotFloat;
    value = *parsed;
  }
  std::optional<long double> incr = ParseLongDouble(increment);
  if (!incr) return OpStatus::kNotFloat;
  std::optional<std::string> text = FormatLongDoubleHuman(value + *incr);
  if (!text) return OpStatus::kNanOrInfinity;
  StoreCounterText(db, key, entry, *text, StringEncoding::kNoInt, kIncrByFloatEvent);
  return std::move(*text);
}

OpResult<size_t> Append(Database& db, std::string_view key, std::string_view value,
                        uint64_t max_len) {
  OpResult<Entry*> found = FindStringForWrite(db, key);
  if (!found.ok()) return found.status();
  Entry* entry = *found;
  size_t new_len;
  if (entry == nullptr) {
    db.SetString(key, value, Entry::kNoExpire);
    new_len = value.size();
  } else {
    size_t old_len = entry->str().size();
    if (!FitsMaxLen(old_len, value.size(), max_len)) return OpStatus::kStringTooLong;
    entry = db.ResizeString(entry, old_len + value.size());
    if (!value.empty()) std::memcpy(entry->mutable_str() + old_len, value.data(), value.size());
    new_len = entry->str().size();
  }
  db.Notify(key, kAppendEvent);
  db.AddDirty();
  return new_len;
}

OpResult<size_t> SetRange(Database& db, std::string_view key, uint64_t offset,
                          std::string_view value, uint64_t max_len) {
  OpResult<Entry*> found = FindStringForWrite(db, key);
  if (!found.ok()) return found.status();
  Entry* entry = *found;
  if (value.empty()) return entry == nullptr ? 0 : entry->str().size();
  if (!FitsMaxLen(offset, value.size(), max_len)) return OpStatus::kStringTooLong;
  if (entry == nullptr) entry = db.SetString(key, {}, Entry::kNoExpire, false, StringEncoding::kRaw);
  size_t new_len = std::max<size_t>(entry->str().size(), offset + value.size());
  entry = db.ResizeString(entry, new_len);
  std::memcpy(entry->mutable_str() + offset, value.data(), value.size());
  db.Notify(key, kSetRangeEvent);
  db.AddDirty();
  return new_len;
}

std::string_view Substring(std::string_view s, int64_t start, int64_t end) {
  if (start < 0 && end < 0 && start > end) return {};
  // Unsigned arithmetic: a huge negative index plus the length must not overflow.
  auto from_end = [&](int64_t i) {
    return i < 0 ? static_cast<int64_t>(static_cast<uint64_t>(s.size()) + static_cast<uint64_t>(i))
                 : i;
  };
  start = std::max<int64_t>(from_end(start), 0);
  end = std::max<int64_t>(from_end(end), 0);
  if (static_cast<uint64_t>(end) >= s.size()) end = static_cast<int64_t>(s.size()) - 1;
  if (s.empty() || start > end) return {};
  return s.substr(start, end - start + 1);
}

uint64_t LcsTableBytes(size_t a_len, size_t b_len) {
  return (uint64_t{a_len} + 1) * (uint64_t{b_len} + 1) * sizeof(uint32_t);
}

LcsResult Lcs(std::string_view a, std::string_view b, bool want_text, bool want_matches) {
  const uint32_t alen = static_cast<uint32_t>(a.size());
  const uint32_t blen = static_cast<uint32_t>(b.size());
  const size_t row = size_t{blen} + 1;
  // table[i * row + j]: length of the LCS of a[0..i) and b[0..j).
  std::vector<uint32_t> table((size_t{alen} + 1) * row, 0);
  for (uint32_t i = 1; i <= alen; ++i) {
    for (uint32_t j = 1; j <= blen; ++j) {
      size_t at = i * row + j;
      table[at] =
          a[i - 1] == b[j - 1] ? table[at - row - 1] + 1 : std::max(table[at - row], table[at - 1]);
    }
  }
  LcsResult result;
  result.length = table[alen * row + blen];
  if (!want_text && !want_matches) return result;
  if (want_text) result.text.resize(result.length);
  // Walk back from the end, collecting the text and the runs of consecutive matches.
  uint32_t i = alen, j = blen, remaining = result.length;
  bool in_run = false;
  LcsMatch run{};
  auto close_run = [&] {
    if (in_run && want_matches) result.matches.push_back(run);
    in_run = false;
  };
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      if (want_text) result.text[remaining - 1] = a[i - 1];
      --remaining;
      if (in_run) {
        run.a_start = i - 1;
        run.b_start = j - 1;
      } else {
        run = {i - 1, i - 1, j - 1, j - 1};
        in_run = true;
      }
      --i;
      --j;
    } else {
      close_run();
      if (table[(i - 1) * row + j] > table[i * row + j - 1]) {
        --i;
      } else {
        --j;
      }
    }
  }
  close_run();
  return result;
}

}  // namespace respd::storage
