// Typed operations of DUMP and RESTORE: keys to and from Redis 7.0's DUMP payloads (rdb_value.h),
// with Redis's keyspace events, WATCH signals and dirty counts (cluster.c's dumpCommand and
// restoreCommand). Must not depend on the server or the protocol.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/op_status.h"
#include "storage/rdb_value.h"

namespace respd::storage {

// A key's value in RDB form (type byte and body), as DUMP's payload and DEBUG OBJECT's
// serializedlength carry it.
void WriteEntryValue(const Entry& entry, rdb::Writer& w);

// DUMP: the payload of `key`'s value (`compress`: rdbcompression); kKeyNotFound for a missing key.
OpResult<std::string> Dump(Database& db, std::string_view key, bool compress);

struct RestoreOptions {
  int64_t ttl_ms = 0;  // 0: no TTL
  bool replace = false;
  bool absttl = false;       // ttl_ms is a Unix time in milliseconds
  int64_t idle_seconds = -1;  // IDLETIME, -1 when not given
  int64_t freq = -1;          // FREQ, -1 when not given
  bool lfu_policy = false;    // maxmemory-policy is an LFU one: FREQ applies, not IDLETIME
};

enum class RestoreStatus : uint8_t {
  kOk,
  kBadTrailer,  // version or checksum wrong
  kBadData,     // the value does not decode
};

// RESTORE after its BUSYKEY and TTL checks: decodes `payload` and stores it at `key` ("restore"),
// replacing a live key when `replace`. A TTL already in the past stores nothing and, if a key was
// replaced, reports its deletion ("del"), as Redis does.
RestoreStatus Restore(Database& db, std::string_view key, std::string_view payload,
                      const RestoreOptions& options, const rdb::LoadLimits& limits);

// A new entry holding a decoded value (RESTORE, loading an RDB file).
Entry* NewEntry(std::string_view key, rdb::Value value, int64_t expire_at_ms);

// Redis's objectSetLRUOrLFU with a resolution of one second: under an LFU policy the counter
// `freq`, otherwise the access `idle_seconds` ago; nothing for a -1.
void SetAccessClock(Entry* entry, bool lfu_policy, int64_t idle_seconds, int64_t freq,
                    int64_t now_ms);

}  // namespace respd::storage
