// Typed operations of DUMP, RESTORE and DEBUG RELOAD: keys to and from Redis 7.0's DUMP payloads
// (rdb_value.h), with Redis's keyspace events, WATCH signals and dirty counts (cluster.c's
// dumpCommand and restoreCommand, debug.c's DEBUG RELOAD). Must not depend on the server or the
// protocol.
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

// The dataset as DEBUG RELOAD saves it: every key of every database with its expire time.
struct Snapshot {
  struct Key {
    int db;
    std::string key;
    std::string payload;
    int64_t expire_at_ms;
  };
  std::vector<Key> keys;
};

// Every live key of `store`, encoded.
Snapshot SaveSnapshot(Store& store, bool compress);
// Loads `snapshot` into `store` as Redis loads an RDB file: keys already expired are skipped, the
// values take the encodings `limits` give them. `merge`: a key already present is replaced;
// otherwise a duplicate fails the load (false), leaving the keys loaded so far.
bool LoadSnapshot(Store& store, const Snapshot& snapshot, const rdb::LoadLimits& limits,
                  bool merge);

}  // namespace respd::storage
