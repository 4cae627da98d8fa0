// One key of the keyspace in a single allocation: chain link, lengths, type, LRU clock, then an
// optional expire time (only keys with a TTL pay its 8 bytes), the key bytes and the value (string
// bytes inline, or a pointer to an Object). Entries are created and freed only through this class.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "storage/object.h"

namespace respd::storage {

// How OBJECT ENCODING reports a string: Redis's encoding follows from how the value was written.
enum class StringEncoding : uint8_t {
  kAuto = 0,  // as SET stores it: "int" when canonical integer text, else "embstr" up to 44 bytes
  kRaw = 1,   // modified in place (APPEND, SETRANGE): "raw"
  kNoInt =
      2,  // written as text that Redis never turns into "int" (INCRBYFLOAT): embstr/raw by size
  // "int" like kAuto, but an object of its own rather than one of Redis's shared integers (COPY's
  // duplicate), so OBJECT REFCOUNT is 1.
  kUnsharedInt = 3,
};

class Entry {
 public:
  static constexpr int64_t kNoExpire = -1;

  static Entry* NewString(std::string_view key, std::string_view value, int64_t expire_at_ms,
                          StringEncoding encoding = StringEncoding::kAuto);
  static Entry* NewObject(std::string_view key, std::unique_ptr<Object> object,
                          int64_t expire_at_ms);
  // A copy with a new expire time (kNoExpire to drop it); frees `entry` and returns the copy.
  static Entry* WithExpire(Entry* entry, int64_t expire_at_ms);
  // Grows or shrinks a string value in place where possible; may move the entry. The bytes of the
  // common prefix are kept; new bytes are zeroed. Marks the encoding raw.
  static Entry* ResizeString(Entry* entry, size_t new_len);
  static void Free(Entry* entry);
  // Frees an object entry's own block and hands back its object, for freeing elsewhere (lazy
  // freeing, storage/lazy_free.h).
  static std::unique_ptr<Object> FreeKeepingObject(Entry* entry);
  // A deep copy under another key (COPY, RENAME keep values but change keys).
  static Entry* CloneAs(const Entry* entry, std::string_view new_key, int64_t expire_at_ms);
  // A new entry under `new_key` that takes the value of `entry`, which is freed (RENAME, MOVE).
  static Entry* Rekey(Entry* entry, std::string_view new_key);

  Entry* next() const { return next_; }
  void set_next(Entry* next) { next_ = next; }
  Entry*& next_link() { return next_; }

  ValueType type() const { return static_cast<ValueType>(type_); }
  std::string_view key() const { return {KeyData(), key_len_}; }

  bool has_expire() const { return has_expire_; }
  int64_t expire_at() const {
    if (!has_expire_) return kNoExpire;
    int64_t at;
    std::memcpy(&at, Payload(), sizeof(at));
    return at;
  }
  // Changes an existing expire time; only for entries that already have one.
  void set_expire_at(int64_t at_ms) { std::memcpy(Payload(), &at_ms, sizeof(at_ms)); }
  bool IsExpired(int64_t now_ms) const { return has_expire_ && expire_at() <= now_ms; }

  // String values.
  std::string_view str() const { return {ValueData(), value_len_}; }
  char* mutable_str() { return ValueData(); }
  StringEncoding string_encoding() const { return static_cast<StringEncoding>(str_encoding_); }
  // Reports the string as "raw" from now on, as Redis's unshared copy is (bit writes).
  void MarkRaw() { str_encoding_ = static_cast<uint8_t>(StringEncoding::kRaw); }
  void MarkUnsharedInt() { str_encoding_ = static_cast<uint8_t>(StringEncoding::kUnsharedInt); }
  std::string_view StringEncodingName() const;

  // Object values (every type but strings).
  Object* object() const {
    Object* obj;
    std::memcpy(&obj, ObjectSlot(), sizeof(obj));
    return obj;
  }

  // 24-bit LRU clock in seconds, as Redis keeps it, for OBJECT IDLETIME and eviction.
  uint32_t lru() const { return lru_[0] | (lru_[1] << 8) | (uint32_t{lru_[2]} << 16); }
  void set_lru(uint32_t v) {
    lru_[0] = v & 0xff;
    lru_[1] = (v >> 8) & 0xff;
    lru_[2] = (v >> 16) & 0xff;
  }

  // Bytes held by this key: the allocation plus the object it owns.
  size_t MemoryUsage() const;
  // Bytes of the allocation alone.
  size_t BlockBytes() const;

 private:
  Entry() = default;
  static Entry* Allocate(ValueType type, std::string_view key, size_t value_len,
                         int64_t expire_at_ms);
  // Frees the entry's memory only (its object, if any, has been freed or moved).
  static void Release(Entry* entry);
  size_t PayloadOffsetOfKey() const { return has_expire_ ? sizeof(int64_t) : 0; }
  char* Payload() const {
    return reinterpret_cast<char*>(const_cast<Entry*>(this)) + sizeof(Entry);
  }
  char* KeyData() const { return Payload() + PayloadOffsetOfKey(); }
  char* ValueData() const { return KeyData() + key_len_; }
  char* ObjectSlot() const { return ValueData(); }
  size_t AllocationSize() const;

  Entry* next_ = nullptr;
  uint32_t key_len_ = 0;
  uint32_t value_len_ = 0;  // string bytes, or sizeof(Object*) for objects
  uint8_t type_ : 3 = 0;
  uint8_t has_expire_ : 1 = 0;
  uint8_t str_encoding_ : 2 = 0;
  uint8_t lru_[3] = {0, 0, 0};
};

// Current LRU clock value for a time in milliseconds (seconds, 24 bits, wrapping like Redis's).
constexpr uint32_t kLruClockMax = (1u << 24) - 1;
inline uint32_t LruClock(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 1000) & kLruClockMax;
}
// Seconds since the entry was last touched.
int64_t IdleSeconds(const Entry* entry, int64_t now_ms);

// Redis's LFUDecrAndReturn: under an LFU policy the 24 clock bits hold the minute of the last
// decrement (16 bits) and a logarithmic access counter (8 bits); the counter, decayed by one per
// `decay_minutes` elapsed (Redis's lfu-decay-time, 0: no decay), is what OBJECT FREQ reports.
int64_t LfuFrequency(const Entry* entry, int64_t now_ms, int64_t decay_minutes = 1);

// How keys keep their 24 clock bits: an LRU clock in seconds, or under an LFU maxmemory-policy
// the minute and counter above, grown as lfu-log-factor says and decayed by lfu-decay-time.
struct AccessClockPolicy {
  bool lfu = false;
  int64_t log_factor = 10;
  int64_t decay_minutes = 1;
};
// Redis's LFU_INIT_VAL: what a new key's counter starts at, so it is not evicted at once.
inline constexpr uint32_t kLfuInitialCounter = 5;
// The clock bits of a key created at `now_ms` (Redis's createObject).
uint32_t NewKeyClock(const AccessClockPolicy& policy, int64_t now_ms);
// The clock bits of `entry` after an access at `now_ms`: the LRU clock, or Redis's updateLFU
// (decay, then a logarithmic increment that happens when `draw`, uniform in [0, 1), falls below
// 1 / ((counter - 5) * log_factor + 1)).
uint32_t AccessedClock(const Entry* entry, const AccessClockPolicy& policy, int64_t now_ms,
                       double draw);

}  // namespace respd::storage
