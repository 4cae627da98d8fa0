// Generic keyspace operations: deletion, expire times, renaming, moving and copying keys.
#include "storage/key_ops.h"

#include "storage/clock.h"

namespace respd::storage {
namespace {

constexpr KeyEvent kRenameFromEvent{kEventGeneric, "rename_from"};
constexpr KeyEvent kRenameToEvent{kEventGeneric, "rename_to"};
constexpr KeyEvent kMoveFromEvent{kEventGeneric, "move_from"};
constexpr KeyEvent kMoveToEvent{kEventGeneric, "move_to"};
constexpr KeyEvent kCopyToEvent{kEventGeneric, "copy_to"};

// Links an entry built by RENAME, MOVE or COPY into `db` as a new key ("new"). Redis deletes the
// key it replaces and then adds the new one (dbDelete then dbAdd), so even a replaced key wakes
// the clients blocked on it (Put alone would not) and reports "new", but not "del".
void LinkAsNew(Database& db, Entry* entry) {
  db.Delete(entry->key());
  db.Put(entry);
}

}  // namespace

int64_t Del(Database& db, std::span<const std::string_view> keys, Freeing freeing) {
  int64_t deleted = 0;
  for (std::string_view key : keys) {
    if (!db.Delete(key, freeing)) continue;
    db.Notify(key, kDelEvent);
    ++deleted;
  }
  db.AddDirty(deleted);
  return deleted;
}

int64_t TouchKeys(Database& db, std::span<const std::string_view> keys) {
  int64_t found = 0;
  for (std::string_view key : keys) found += db.FindRead(key) != nullptr ? 1 : 0;
  return found;
}

bool Expire(Database& db, std::string_view key, int64_t at_ms, unsigned conditions) {
  Entry* e = db.FindWrite(key);
  if (e == nullptr) return false;
  int64_t current = e->expire_at();
  bool has_ttl = current != Entry::kNoExpire;
  if (((conditions & kExpireIfNoTtl) && has_ttl) || ((conditions & kExpireIfTtl) && !has_ttl) ||
      ((conditions & kExpireIfGreater) && (!has_ttl || at_ms <= current)) ||
      ((conditions & kExpireIfLess) && has_ttl && at_ms >= current)) {
    return false;
  }
  ExpireEntryAt(db, e, at_ms);
  return true;
}

void ExpireEntryAt(Database& db, Entry* entry, int64_t at_ms) {
  if (at_ms <= CommandTimeMs()) {
    // Copied first: deleting frees the entry that holds the key's bytes.
    std::string key(entry->key());
    db.Delete(key, Freeing::kExpire);
    db.Notify(key, kDelEvent);
  } else {
    entry = db.SetExpire(entry, at_ms);
    db.Notify(entry->key(), kExpireEvent);
  }
  db.AddDirty();
}

bool Persist(Database& db, std::string_view key) {
  Entry* e = db.FindWrite(key);
  return e != nullptr && PersistEntry(db, e);
}

bool PersistEntry(Database& db, Entry* entry) {
  if (!entry->has_expire()) return false;
  entry = db.SetExpire(entry, Entry::kNoExpire);
  db.Notify(entry->key(), kPersistEvent);
  db.AddDirty();
  return true;
}

OpResult<bool> Rename(Database& db, std::string_view from, std::string_view to,
                      bool only_if_absent) {
  if (db.FindWrite(from) == nullptr) return OpStatus::kKeyNotFound;
  if (from == to) return false;
  if (only_if_absent && db.FindWrite(to) != nullptr) return false;
  Entry* e = db.Detach(from);
  LinkAsNew(db, Entry::Rekey(e, to));
  db.Notify(from, kRenameFromEvent);
  db.Notify(to, kRenameToEvent);
  db.AddDirty();
  return true;
}

bool Move(Database& src, Database& dst, std::string_view key) {
  if (src.FindWrite(key) == nullptr || dst.FindWrite(key) != nullptr) return false;
  LinkAsNew(dst, src.Detach(key));
  src.Notify(key, kMoveFromEvent);
  dst.Notify(key, kMoveToEvent);
  src.AddDirty();
  return true;
}

bool Copy(Database& src, std::string_view from, Database& dst, std::string_view to, bool replace) {
  Entry* e = src.FindRead(from);
  if (e == nullptr || (!replace && dst.FindWrite(to) != nullptr)) return false;
  Entry* copy = Entry::CloneAs(e, to, e->expire_at());
  // Redis duplicates an integer string into a new object instead of sharing it.
  if (copy->type() == ValueType::kString && copy->StringEncodingName() == "int") {
    copy->MarkUnsharedInt();
  }
  copy->set_lru(dst.NewKeyClock());
  LinkAsNew(dst, copy);
  dst.Notify(to, kCopyToEvent);
  dst.AddDirty();
  return true;
}

}  // namespace respd::storage
