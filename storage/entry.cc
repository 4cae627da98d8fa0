// Allocation and layout of keyspace entries.
#include "storage/entry.h"

#include <new>

#include "storage/memory.h"
#include "storage/numbers.h"

namespace respd::storage {
namespace {

// Redis stores strings of at most 44 bytes as embstr (one allocation with their object header).
constexpr size_t kEmbstrMaxLen = 44;
// Redis encodes as "int" only values that fit in a long and print back identically.
constexpr size_t kMaxIntTextLen = 20;

}  // namespace

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kHash:
      return "hash";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
    case ValueType::kStream:
      return "stream";
  }
  return "none";
}

Entry* Entry::Allocate(ValueType type, std::string_view key, size_t value_len,
                       int64_t expire_at_ms) {
  bool with_expire = expire_at_ms != kNoExpire;
  size_t size = sizeof(Entry) + (with_expire ? sizeof(int64_t) : 0) + key.size() + value_len;
  Entry* e = new (memory::Allocate(size)) Entry();
  e->key_len_ = static_cast<uint32_t>(key.size());
  e->value_len_ = static_cast<uint32_t>(value_len);
  e->type_ = static_cast<uint8_t>(type);
  e->has_expire_ = with_expire;
  if (with_expire) e->set_expire_at(expire_at_ms);
  std::memcpy(e->KeyData(), key.data(), key.size());
  return e;
}

Entry* Entry::NewString(std::string_view key, std::string_view value, int64_t expire_at_ms,
                        StringEncoding encoding) {
  Entry* e = Allocate(ValueType::kString, key, value.size(), expire_at_ms);
  e->str_encoding_ = static_cast<uint8_t>(encoding);
  if (!value.empty()) std::memcpy(e->ValueData(), value.data(), value.size());
  return e;
}

Entry* Entry::NewObject(std::string_view key, std::unique_ptr<Object> object,
                        int64_t expire_at_ms) {
  Entry* e = Allocate(object->type(), key, sizeof(Object*), expire_at_ms);
  Object* raw = object.release();
  std::memcpy(e->ObjectSlot(), &raw, sizeof(raw));
  return e;
}

size_t Entry::AllocationSize() const {
  return sizeof(Entry) + PayloadOffsetOfKey() + key_len_ + value_len_;
}

Entry* Entry::WithExpire(Entry* entry, int64_t expire_at_ms) {
  if (entry->has_expire_ && expire_at_ms != kNoExpire) {
    entry->set_expire_at(expire_at_ms);
    return entry;
  }
  if (!entry->has_expire_ && expire_at_ms == kNoExpire) return entry;
  Entry* copy = Allocate(entry->type(), entry->key(), entry->value_len_, expire_at_ms);
  copy->str_encoding_ = entry->str_encoding_;
  copy->set_lru(entry->lru());
  std::memcpy(copy->ValueData(), entry->ValueData(), entry->value_len_);
  copy->next_ = entry->next_;
  Release(entry);  // the value bytes (or object pointer) moved to the copy
  return copy;
}

Entry* Entry::ResizeString(Entry* entry, size_t new_len) {
  size_t old_len = entry->value_len_;
  size_t old_size = entry->AllocationSize();
  size_t size = old_size - old_len + new_len;
  Entry* e = static_cast<Entry*>(memory::Resize(entry, old_size, size));
  e->value_len_ = static_cast<uint32_t>(new_len);
  if (new_len > old_len) std::memset(e->ValueData() + old_len, 0, new_len - old_len);
  e->str_encoding_ = static_cast<uint8_t>(StringEncoding::kRaw);
  return e;
}

void Entry::Free(Entry* entry) {
  if (entry->type() != ValueType::kString) delete entry->object();
  Release(entry);
}

std::unique_ptr<Object> Entry::FreeKeepingObject(Entry* entry) {
  std::unique_ptr<Object> object(entry->object());
  Release(entry);
  return object;
}

void Entry::Release(Entry* entry) {
  size_t size = entry->AllocationSize();
  entry->~Entry();
  memory::Free(entry, size);
}

Entry* Entry::CloneAs(const Entry* entry, std::string_view new_key, int64_t expire_at_ms) {
  if (entry->type() == ValueType::kString) {
    Entry* e = NewString(new_key, entry->str(), expire_at_ms, entry->string_encoding());
    return e;
  }
  return NewObject(new_key, entry->object()->Clone(), expire_at_ms);
}

Entry* Entry::Rekey(Entry* entry, std::string_view new_key) {
  Entry* e = Allocate(entry->type(), new_key, entry->value_len_, entry->expire_at());
  e->str_encoding_ = entry->str_encoding_;
  e->set_lru(entry->lru());
  std::memcpy(e->ValueData(), entry->ValueData(), entry->value_len_);
  Release(entry);
  return e;
}

std::string_view Entry::StringEncodingName() const {
  std::string_view value = str();
  switch (string_encoding()) {
    case StringEncoding::kRaw:
      return "raw";
    case StringEncoding::kAuto:
    case StringEncoding::kUnsharedInt:
      if (value.size() <= kMaxIntTextLen && ParseInt64(value).has_value()) return "int";
      [[fallthrough]];
    case StringEncoding::kNoInt:
      return value.size() <= kEmbstrMaxLen ? "embstr" : "raw";
  }
  return "raw";
}

size_t Entry::BlockBytes() const { return memory::BlockBytes(this, AllocationSize()); }

size_t Entry::MemoryUsage() const {
  size_t bytes = BlockBytes();
  if (type() != ValueType::kString) bytes += object()->MemoryUsage();
  return bytes;
}

int64_t IdleSeconds(const Entry* entry, int64_t now_ms) {
  uint32_t now = LruClock(now_ms);
  uint32_t then = entry->lru();
  uint32_t delta = now >= then ? now - then : (kLruClockMax - then) + now;
  return delta;
}

namespace {

constexpr uint32_t kLfuMinutesMask = 0xffff;
constexpr uint32_t kLfuCounterMax = 255;

uint32_t LfuMinutes(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 60000) & kLfuMinutesMask;
}

}  // namespace

int64_t LfuFrequency(const Entry* entry, int64_t now_ms, int64_t decay_minutes) {
  uint32_t then = entry->lru() >> 8;
  int64_t counter = entry->lru() & 0xff;
  uint32_t now = LfuMinutes(now_ms);
  int64_t elapsed = now >= then ? now - then : (kLfuMinutesMask - then) + now;
  int64_t periods = decay_minutes > 0 ? elapsed / decay_minutes : 0;
  return periods > counter ? 0 : counter - periods;
}

uint32_t NewKeyClock(const AccessClockPolicy& policy, int64_t now_ms) {
  if (!policy.lfu) return LruClock(now_ms);
  return (LfuMinutes(now_ms) << 8) | kLfuInitialCounter;
}

uint32_t AccessedClock(const Entry* entry, const AccessClockPolicy& policy, int64_t now_ms,
                       double draw) {
  if (!policy.lfu) return LruClock(now_ms);
  auto counter = static_cast<uint32_t>(LfuFrequency(entry, now_ms, policy.decay_minutes));
  if (counter < kLfuCounterMax) {
    double above_initial = counter > kLfuInitialCounter ? counter - kLfuInitialCounter : 0;
    if (draw < 1.0 / (above_initial * static_cast<double>(policy.log_factor) + 1)) ++counter;
  }
  return (LfuMinutes(now_ms) << 8) | counter;
}

}  // namespace respd::storage
