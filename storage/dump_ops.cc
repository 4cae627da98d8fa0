// DUMP and RESTORE on the keyspace (see dump_ops.h).
#include "storage/dump_ops.h"

#include <utility>

#include "storage/clock.h"

namespace respd::storage {

void WriteEntryValue(const Entry& entry, rdb::Writer& w) {
  if (entry.type() == ValueType::kString) {
    rdb::WriteStringValue(entry.str(), w);
  } else {
    rdb::WriteObjectValue(*entry.object(), w);
  }
}

namespace {

constexpr KeyEvent kRestoreEvent{kEventGeneric, "restore"};

std::string EncodeEntry(const Entry& entry, bool compress) {
  rdb::Writer w(compress);
  WriteEntryValue(entry, w);
  return rdb::FinishPayload(w.Take());
}

}  // namespace

Entry* NewEntry(std::string_view key, rdb::Value value, int64_t expire_at_ms) {
  if (value.object == nullptr) return Entry::NewString(key, value.str, expire_at_ms);
  return Entry::NewObject(key, std::move(value.object), expire_at_ms);
}

void SetAccessClock(Entry* entry, bool lfu_policy, int64_t idle_seconds, int64_t freq,
                    int64_t now_ms) {
  if (lfu_policy) {
    if (freq < 0) return;
    constexpr uint32_t kMinutesMask = 0xffff;
    const uint32_t minutes = static_cast<uint32_t>(now_ms / 60000) & kMinutesMask;
    entry->set_lru((minutes << 8) | static_cast<uint32_t>(freq));
    return;
  }
  if (idle_seconds < 0) return;
  int64_t at = static_cast<int64_t>(LruClock(now_ms)) - idle_seconds;
  if (at < 0) at += kLruClockMax;
  entry->set_lru(static_cast<uint32_t>(at) & kLruClockMax);
}

OpResult<std::string> Dump(Database& db, std::string_view key, bool compress) {
  const Entry* e = db.FindRead(key);
  if (e == nullptr) return OpStatus::kKeyNotFound;
  return EncodeEntry(*e, compress);
}

RestoreStatus Restore(Database& db, std::string_view key, std::string_view payload,
                      const RestoreOptions& options, const rdb::LoadLimits& limits) {
  if (!rdb::PayloadTrailerValid(payload)) return RestoreStatus::kBadTrailer;
  std::optional<rdb::Value> value = rdb::ReadPayload(payload, limits);
  if (!value) return RestoreStatus::kBadData;

  const bool deleted = options.replace && db.Delete(key);
  const int64_t now = CommandTimeMs();
  int64_t expire_at = Entry::kNoExpire;
  if (options.ttl_ms != 0) {
    expire_at = options.absttl ? options.ttl_ms : options.ttl_ms + now;
    if (expire_at <= now) {
      if (deleted) {
        db.Notify(key, kDelEvent);
        db.AddDirty();
      }
      return RestoreStatus::kOk;
    }
  }
  Entry* entry = NewEntry(key, std::move(*value), expire_at);
  entry->set_lru(db.NewKeyClock());
  SetAccessClock(entry, options.lfu_policy, options.idle_seconds, options.freq, now);
  db.Put(entry);
  db.Notify(key, kRestoreEvent);
  db.AddDirty();
  return RestoreStatus::kOk;
}

}  // namespace respd::storage
