// Bitmap operations: bit counting and search, BITOP, BITFIELD integers with Redis's overflow
// rules, and the writes of SETBIT, BITFIELD and BITOP.
#include "storage/bitmap_ops.h"

#include <algorithm>
#include <cstring>

#include "storage/key_ops.h"
#include "storage/numbers.h"

namespace respd::storage {
namespace {

// SETBIT and BITFIELD both report "setbit", as in Redis; BITOP stores with "set".
constexpr KeyEvent kSetBitEvent{kEventString, "setbit"};
constexpr KeyEvent kSetEvent{kEventString, "set"};

uint8_t ByteAt(std::string_view bytes, uint64_t index) {
  return static_cast<uint8_t>(bytes[index]);
}

// Position (0..7, from the most significant bit) of the first set bit of a non-zero byte.
int FirstSetBit(uint8_t byte) { return __builtin_clz(uint32_t{byte}) - 24; }

// The string a bit write goes to, as Redis's lookupStringForBitCommand leaves it.
struct BitWriteTarget {
  Entry* entry;
  bool grown;     // created or zero-padded: counts as a change even if no bit flips
  bool notified;  // the keyspace has already been told the key was modified
};

// The string at `key`, created ("new") or zero-padded so that bit `max_bit` exists, and
// raw-encoded (Redis unshares the value before writing into it, so OBJECT ENCODING says "raw"
// afterwards).
OpResult<BitWriteTarget> StringForBitWrite(Database& db, std::string_view key, uint64_t max_bit) {
  const size_t needed = max_bit / 8 + 1;
  OpResult<Entry*> found = db.FindWriteTyped(key, ValueType::kString);
  if (found.status() == OpStatus::kKeyNotFound) {
    Entry* entry = db.SetString(key, {}, Entry::kNoExpire, false, StringEncoding::kRaw);
    entry = db.ResizeString(entry, needed);
    return BitWriteTarget{entry, true, true};
  }
  if (!found.ok()) return found.status();
  Entry* entry = *found;
  size_t len = entry->str().size();
  if (len < needed) return BitWriteTarget{db.ResizeString(entry, needed), true, true};
  // Unsharing changes no byte, so it is no modification until a bit changes (as in Redis).
  entry->MarkRaw();
  return BitWriteTarget{entry, false, false};
}

}  // namespace

bool GetBit(std::string_view bytes, uint64_t offset) {
  uint64_t byte = offset / 8;
  if (byte >= bytes.size()) return false;
  return (ByteAt(bytes, byte) >> (7 - offset % 8)) & 1;
}

std::optional<uint64_t> ParseBitOffset(std::string_view text, uint64_t max_bytes, int field_bits) {
  bool by_field = field_bits > 0 && !text.empty() && text[0] == '#';
  std::optional<int64_t> parsed = ParseInt64(by_field ? text.substr(1) : text);
  if (!parsed) return std::nullopt;
  int64_t offset = *parsed;
  if (by_field) {
    offset =
        static_cast<int64_t>(static_cast<uint64_t>(offset) * static_cast<uint64_t>(field_bits));
  }
  if (offset < 0 || static_cast<uint64_t>(offset >> 3) >= max_bytes) return std::nullopt;
  return static_cast<uint64_t>(offset);
}

std::optional<BitRange> ResolveBitRange(uint64_t len_bytes, int64_t start, int64_t end,
                                        BitUnit unit) {
  // Strings are at most a few GB, so these sums cannot overflow.
  const int64_t total = static_cast<int64_t>(unit == BitUnit::kBit ? len_bytes * 8 : len_bytes);
  if (start < 0) start = std::max<int64_t>(total + start, 0);
  if (end < 0) end = std::max<int64_t>(total + end, 0);
  end = std::min(end, total - 1);
  if (start > end) return std::nullopt;
  auto first = static_cast<uint64_t>(start), last = static_cast<uint64_t>(end);
  if (unit == BitUnit::kBit) return BitRange{first, last};
  return BitRange{first * 8, last * 8 + 7};
}

uint64_t PopCount(std::string_view bytes) {
  uint64_t count = 0;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, sizeof(word));
    count += __builtin_popcountll(word);
  }
  for (; i < bytes.size(); ++i) count += __builtin_popcount(ByteAt(bytes, i));
  return count;
}

uint64_t CountBits(std::string_view bytes, BitRange range) {
  uint64_t first_byte = range.first / 8, last_byte = range.last / 8;
  uint64_t count = PopCount(bytes.substr(first_byte, last_byte - first_byte + 1));
  // Take back the bits of the edge bytes that lie outside the range.
  uint8_t before = static_cast<uint8_t>(0xff00 >> (range.first % 8));
  uint8_t after = static_cast<uint8_t>(0xff >> (range.last % 8 + 1));
  count -= __builtin_popcount(ByteAt(bytes, first_byte) & before);
  count -= __builtin_popcount(ByteAt(bytes, last_byte) & after);
  return count;
}

std::optional<uint64_t> FindBit(std::string_view bytes, bool bit, BitRange range) {
  const uint64_t first_byte = range.first / 8, last_byte = range.last / 8;
  const uint64_t skip_word = bit ? 0 : ~uint64_t{0};
  for (uint64_t i = first_byte; i <= last_byte;) {
    uint8_t in_range = 0xff;
    if (i == first_byte) in_range &= 0xff >> (range.first % 8);
    if (i == last_byte) in_range &= static_cast<uint8_t>(0xff << (7 - range.last % 8));
    uint8_t byte = ByteAt(bytes, i);
    uint8_t hits = (bit ? byte : static_cast<uint8_t>(~byte)) & in_range;
    if (hits != 0) return i * 8 + FirstSetBit(hits);
    ++i;
    // Whole words strictly before the last byte hold no match if they are all skip bits.
    while (i + 8 <= last_byte) {
      uint64_t word;
      std::memcpy(&word, bytes.data() + i, sizeof(word));
      if (word != skip_word) break;
      i += 8;
    }
  }
  return std::nullopt;
}

std::string BitOperation(BitOpKind op, std::span<const std::string_view> sources) {
  size_t max_len = 0;
  for (std::string_view s : sources) max_len = std::max(max_len, s.size());
  std::string result(max_len, '\0');
  if (max_len == 0) return result;
  std::copy(sources[0].begin(), sources[0].end(), result.begin());  // a missing key: empty, no data
  if (op == BitOpKind::kNot) {
    for (char& c : result) c = static_cast<char>(~c);
    return result;
  }
  for (std::string_view s : sources.subspan(1)) {
    switch (op) {
      case BitOpKind::kAnd:
        for (size_t j = 0; j < s.size(); ++j) result[j] &= s[j];
        std::fill(result.begin() + s.size(), result.end(), '\0');
        break;
      case BitOpKind::kOr:
        for (size_t j = 0; j < s.size(); ++j) result[j] |= s[j];
        break;
      case BitOpKind::kXor:
        for (size_t j = 0; j < s.size(); ++j) result[j] ^= s[j];
        break;
      case BitOpKind::kNot:
        break;
    }
  }
  return result;
}

std::optional<BitfieldType> ParseBitfieldType(std::string_view text) {
  if (text.empty() || (text[0] != 'i' && text[0] != 'u')) return std::nullopt;
  bool is_signed = text[0] == 'i';
  std::optional<int64_t> bits = ParseInt64(text.substr(1));
  if (!bits || *bits < 1 || *bits > (is_signed ? 64 : 63)) return std::nullopt;
  return BitfieldType{is_signed, static_cast<int>(*bits)};
}

int64_t GetBitfield(std::string_view bytes, uint64_t offset, BitfieldType type) {
  // A field of up to 64 bits spans at most 9 bytes; copy them zero-padded past the end.
  uint8_t buf[9] = {};
  uint64_t byte = offset / 8;
  for (uint64_t i = 0; i < 9 && byte + i < bytes.size(); ++i) buf[i] = ByteAt(bytes, byte + i);
  uint64_t word = 0;
  for (int i = 0; i < 8; ++i) word = (word << 8) | buf[i];
  unsigned shift = offset % 8;
  if (shift != 0) word = (word << shift) | (buf[8] >> (8 - shift));
  uint64_t value = word >> (64 - type.bits);
  if (type.is_signed && type.bits < 64 && ((value >> (type.bits - 1)) & 1)) {
    value |= ~uint64_t{0} << type.bits;
  }
  return static_cast<int64_t>(value);
}

void SetBitfield(char* bytes, uint64_t offset, BitfieldType type, int64_t value) {
  auto bits = static_cast<uint64_t>(value);
  for (int j = 0; j < type.bits; ++j, ++offset) {
    unsigned bit_value = (bits >> (type.bits - 1 - j)) & 1;
    unsigned shift = 7 - offset % 8;
    auto& byte = reinterpret_cast<uint8_t&>(bytes[offset / 8]);
    byte = static_cast<uint8_t>((byte & ~(1u << shift)) | (bit_value << shift));
  }
}

std::optional<int64_t> BitfieldResult(BitfieldType type, int64_t value, int64_t incr,
                                      BitfieldOverflow overflow) {
  const int bits = type.bits;
  // Redis computes these bounds with wrapping 64-bit arithmetic; unsigned math keeps the same
  // results (and its quirks) without undefined behaviour.
  int direction = 0;  // 1: above the maximum, -1: below the minimum
  uint64_t max, min = 0;
  if (type.is_signed) {
    max = bits == 64 ? uint64_t{INT64_MAX} : (uint64_t{1} << (bits - 1)) - 1;
    min = ~max;
    auto smax = static_cast<int64_t>(max), smin = static_cast<int64_t>(min);
    auto max_incr = static_cast<int64_t>(max - static_cast<uint64_t>(value));
    auto min_incr = static_cast<int64_t>(min - static_cast<uint64_t>(value));
    if (value > smax || (bits != 64 && incr > max_incr) ||
        (value >= 0 && incr > 0 && incr > max_incr)) {
      direction = 1;
    } else if (value < smin || (bits != 64 && incr < min_incr) ||
               (value < 0 && incr < 0 && incr < min_incr)) {
      direction = -1;
    }
  } else {
    max = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
    auto uvalue = static_cast<uint64_t>(value);
    auto max_incr = static_cast<int64_t>(max - uvalue);
    auto min_incr = static_cast<int64_t>(uint64_t{0} - uvalue);
    if (uvalue > max || (incr > 0 && incr > max_incr)) {
      direction = 1;
    } else if (incr < 0 && incr < min_incr) {
      direction = -1;
    }
  }
  uint64_t sum = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
  if (direction == 0) return static_cast<int64_t>(sum);
  switch (overflow) {
    case BitfieldOverflow::kFail:
      return std::nullopt;
    case BitfieldOverflow::kSat:
      return static_cast<int64_t>(direction > 0 ? max : min);
    case BitfieldOverflow::kWrap:
      break;
  }
  if (bits == 64) return static_cast<int64_t>(sum);
  uint64_t high = ~uint64_t{0} << bits;
  bool negative = type.is_signed && ((sum >> (bits - 1)) & 1);
  return static_cast<int64_t>(negative ? sum | high : sum & ~high);
}

OpResult<bool> SetBit(Database& db, std::string_view key, uint64_t offset, bool value) {
  OpResult<BitWriteTarget> target = StringForBitWrite(db, key, offset);
  if (!target.ok()) return target.status();
  Entry* entry = target->entry;
  bool old = GetBit(entry->str(), offset);
  if (old != value) {
    auto& byte = reinterpret_cast<uint8_t&>(entry->mutable_str()[offset / 8]);
    byte ^= static_cast<uint8_t>(1u << (7 - offset % 8));
  }
  if (target->grown || old != value) {
    target->notified ? db.Notify(key, kSetBitEvent) : db.Touch(key, kSetBitEvent);
    db.AddDirty();
  }
  return old;
}

OpResult<std::vector<std::optional<int64_t>>> Bitfield(Database& db, std::string_view key,
                                                       std::span<const BitfieldOp> ops) {
  std::vector<std::optional<int64_t>> results;
  results.reserve(ops.size());
  uint64_t max_bit = 0;
  bool writes = false;
  for (const BitfieldOp& op : ops) {
    if (op.code == BitfieldOpCode::kGet) continue;
    writes = true;
    max_bit = std::max(max_bit, op.offset + op.type.bits - 1);
  }
  if (!writes) {
    OpResult<Entry*> found = db.FindReadTyped(key, ValueType::kString);
    if (!found.ok() && found.status() != OpStatus::kKeyNotFound) return found.status();
    std::string_view bytes = found.ok() ? (*found)->str() : std::string_view();
    for (const BitfieldOp& op : ops) results.push_back(GetBitfield(bytes, op.offset, op.type));
    return results;
  }
  OpResult<BitWriteTarget> target = StringForBitWrite(db, key, max_bit);
  if (!target.ok()) return target.status();
  Entry* entry = target->entry;
  // As in Redis, a write counts as a change when the key grew or the field's value changed; a
  // write refused under OVERFLOW FAIL never does.
  uint64_t changes = 0;
  for (const BitfieldOp& op : ops) {
    int64_t old = GetBitfield(entry->str(), op.offset, op.type);
    if (op.code == BitfieldOpCode::kGet) {
      results.push_back(old);
      continue;
    }
    bool is_set = op.code == BitfieldOpCode::kSet;
    std::optional<int64_t> next = is_set ? BitfieldResult(op.type, op.argument, 0, op.overflow)
                                         : BitfieldResult(op.type, old, op.argument, op.overflow);
    if (!next) {
      results.emplace_back();
      continue;
    }
    results.push_back(is_set ? old : *next);
    SetBitfield(entry->mutable_str(), op.offset, op.type, *next);
    if (target->grown || old != *next) ++changes;
  }
  if (changes > 0) {
    target->notified ? db.Notify(key, kSetBitEvent) : db.Touch(key, kSetBitEvent);
    db.AddDirty(changes);
  }
  return results;
}

OpResult<size_t> BitOp(Database& db, BitOpKind op, std::string_view dest,
                       std::span<const std::string_view> sources) {
  std::vector<std::string_view> values;
  values.reserve(sources.size());
  for (std::string_view key : sources) {
    OpResult<Entry*> found = db.FindReadTyped(key, ValueType::kString);
    if (found.ok()) {
      values.push_back((*found)->str());
    } else if (found.status() == OpStatus::kKeyNotFound) {
      values.emplace_back();
    } else {
      return found.status();
    }
  }
  std::string result = BitOperation(op, values);
  if (result.empty()) {
    if (db.Delete(dest)) {
      db.Notify(dest, kDelEvent);
      db.AddDirty();
    }
  } else {
    Database::Slot slot = db.FindSlot(dest, /*read=*/false);
    db.SetString(slot, dest, result, Entry::kNoExpire, false, StringEncoding::kRaw);
    db.Notify(dest, kSetEvent);
    db.AddDirty();
  }
  return result.size();
}

}  // namespace respd::storage
