// Typed operations of the generic keyspace commands (DEL UNLINK TOUCH, the EXPIRE family, PERSIST,
// RENAME RENAMENX, MOVE, COPY). Each reports what it did to its keys through Database::Notify
// with Redis 7.0's events (db.c, expire.c), counts Redis's server.dirty, and returns a status or
// a result, never RESP. Must not depend on the server or the protocol.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "storage/database.h"
#include "storage/op_status.h"

namespace respd::storage {

// DEL (Freeing::kUserDel) and UNLINK (Freeing::kLazy): deletes the live keys among `keys` ("del"
// each; a key named twice counts once). Returns how many were deleted.
int64_t Del(Database& db, std::span<const std::string_view> keys, Freeing freeing);

// TOUCH: looks `keys` up as reads (refreshing their LRU clock, counting hits and misses). Returns
// how many exist, a key named twice counting twice.
int64_t TouchKeys(Database& db, std::span<const std::string_view> keys);

// EXPIRE's NX | XX | GT | LT, which may be combined as Redis allows (XX with GT or LT); a key
// without a TTL counts as an infinite TTL for GT and LT.
enum ExpireCondition : unsigned {
  kExpireAlways = 0,
  kExpireIfNoTtl = 1u << 0,    // NX
  kExpireIfTtl = 1u << 1,      // XX
  kExpireIfGreater = 1u << 2,  // GT
  kExpireIfLess = 1u << 3,     // LT
};

// EXPIRE PEXPIRE EXPIREAT PEXPIREAT: gives `key` the absolute expire time `at_ms` if `conditions`
// hold. A time not after the command's time deletes the key ("del", freed as lazyfree-lazy-expire
// says), as Redis's checkAlreadyExpired does; otherwise "expire". False: no such key, or a
// condition failed.
bool Expire(Database& db, std::string_view key, int64_t at_ms, unsigned conditions);

// The write half of Expire on an entry already looked up (GETEX): sets the time or deletes the
// entry when the time has passed, reporting "expire" or "del".
void ExpireEntryAt(Database& db, Entry* entry, int64_t at_ms);

// PERSIST: drops the TTL of `key` ("persist"). False when the key is missing or has no TTL.
bool Persist(Database& db, std::string_view key);
// The same on an entry already looked up (GETEX PERSIST).
bool PersistEntry(Database& db, Entry* entry);

// RENAME (`only_if_absent` false) and RENAMENX: moves the value of `from`, with its TTL and idle
// time, to `to`, replacing any value there ("rename_from" on `from`, "rename_to" on `to`).
// kKeyNotFound when `from` does not exist; false when nothing was done because the names are the
// same or, for RENAMENX, `to` exists.
OpResult<bool> Rename(Database& db, std::string_view from, std::string_view to,
                      bool only_if_absent);

// MOVE: moves `key` from `src` to `dst` ("move_from" in `src`, "move_to" in `dst`). False when the
// key is missing in `src` or present in `dst`. The databases must differ.
bool Move(Database& src, Database& dst, std::string_view key);

// COPY: copies `from` in `src` to `to` in `dst` with its TTL ("copy_to"), replacing a value there
// only when `replace`. False when `from` is missing or `to` exists without `replace`. The keys
// must differ when the databases are the same.
bool Copy(Database& src, std::string_view from, Database& dst, std::string_view to, bool replace);

}  // namespace respd::storage
