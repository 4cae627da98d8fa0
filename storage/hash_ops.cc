// Hash operations: find or create the hash, change it, report Redis's events, delete it when empty.
#include "storage/hash_ops.h"

#include <memory>
#include <optional>

#include "storage/numbers.h"

namespace respd::storage {
namespace {

constexpr KeyEvent kHsetEvent{kEventHash, "hset"};
constexpr KeyEvent kHdelEvent{kEventHash, "hdel"};
constexpr KeyEvent kHincrbyEvent{kEventHash, "hincrby"};
constexpr KeyEvent kHincrbyfloatEvent{kEventHash, "hincrbyfloat"};

// The hash at `key` for a write, or nullptr when absent; kWrongType for another type.
OpResult<Hash*> FindHashForWrite(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindWriteTyped(key, ValueType::kHash);
  if (found.ok()) return static_cast<Hash*>((*found)->object());
  if (found.status() == OpStatus::kKeyNotFound) return static_cast<Hash*>(nullptr);
  return found.status();
}

// A new empty hash at the absent `key`; the caller sets a field of it at once.
Hash* CreateHash(Database& db, std::string_view key) {
  return static_cast<Hash*>(db.AddObject(key, std::make_unique<Hash>())->object());
}

// Stores the counter text `value` at `field`, creating the hash if `hash` is null.
void StoreCounter(Database& db, std::string_view key, Hash* hash, std::string_view field,
                  std::string_view value, const HashLimits& limits, KeyEvent event) {
  if (hash == nullptr) hash = CreateHash(db, key);
  hash->Set(field, value, limits);
  db.Touch(key, event);
}

}  // namespace

OpResult<const Hash*> FindHash(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindReadTyped(key, ValueType::kHash);
  if (!found.ok()) return found.status();
  return static_cast<const Hash*>((*found)->object());
}

OpResult<size_t> HSet(Database& db, std::string_view key,
                      std::span<const std::string_view> field_values, bool only_new_fields,
                      const HashLimits& limits) {
  OpResult<Hash*> found = FindHashForWrite(db, key);
  if (!found.ok()) return found.status();
  Hash* hash = *found;
  size_t created = 0;
  bool changed = false;
  for (size_t i = 0; i + 1 < field_values.size(); i += 2) {
    if (only_new_fields && hash != nullptr && hash->Get(field_values[i])) continue;
    if (hash == nullptr) hash = CreateHash(db, key);
    created += hash->Set(field_values[i], field_values[i + 1], limits) ? 1 : 0;
    changed = true;
  }
  if (changed) db.Touch(key, kHsetEvent);
  return created;
}

OpResult<size_t> HDel(Database& db, std::string_view key,
                      std::span<const std::string_view> fields) {
  OpResult<Hash*> found = FindHashForWrite(db, key);
  if (!found.ok()) return found.status();
  Hash* hash = *found;
  if (hash == nullptr) return OpStatus::kKeyNotFound;
  size_t deleted = 0;
  for (size_t i = 0; i < fields.size() && hash->Length() > 0; ++i) {
    deleted += hash->Delete(fields[i]) ? 1 : 0;
  }
  if (deleted > 0) db.TouchOrDelete(key, *hash, kHdelEvent);
  return deleted;
}

OpResult<int64_t> HIncrBy(Database& db, std::string_view key, std::string_view field, int64_t delta,
                          const HashLimits& limits) {
  OpResult<Hash*> found = FindHashForWrite(db, key);
  if (!found.ok()) return found.status();
  int64_t current = 0;
  if (std::optional<std::string_view> value = *found ? (*found)->Get(field) : std::nullopt) {
    std::optional<int64_t> parsed = ParseInt64(*value);
    if (!parsed) return OpStatus::kNotInteger;
    current = *parsed;
  }
  int64_t result;
  if (__builtin_add_overflow(current, delta, &result)) return OpStatus::kOverflow;
  char buf[24];
  size_t len = FormatInt64(result, buf);
  StoreCounter(db, key, *found, field, {buf, len}, limits, kHincrbyEvent);
  return result;
}

OpResult<std::string> HIncrByFloat(Database& db, std::string_view key, std::string_view field,
                                   long double increment, const HashLimits& limits) {
  OpResult<Hash*> found = FindHashForWrite(db, key);
  if (!found.ok()) return found.status();
  long double current = 0;
  if (std::optional<std::string_view> value = *found ? (*found)->Get(field) : std::nullopt) {
    std::optional<long double> parsed = ParseLongDouble(*value);
    if (!parsed) return OpStatus::kNotFloat;
    current = *parsed;
  }
  std::optional<std::string> text = FormatLongDoubleHuman(current + increment);
  if (!text) return OpStatus::kNanOrInfinity;
  StoreCounter(db, key, *found, field, *text, limits, kHincrbyfloatEvent);
  return std::move(*text);
}

}  // namespace respd::storage
