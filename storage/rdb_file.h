// Redis 7.0's RDB file: the whole dataset as SAVE, BGSAVE and DEBUG RELOAD write it and Redis
// loads it at start-up (rdb.c's rdbSaveRio and rdbLoadRio). A header, auxiliary fields, the
// function libraries, each database's keys with their expire times, an end marker and the CRC-64
// of all that. Values use the DUMP codec (rdb_value.h), so a file holds the encodings Redis
// writes and loads into those Redis picks. Knows nothing of the server: the caller holds the
// shard locks, passes the libraries and loads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/rdb_value.h"

namespace respd::storage::rdb {

// What the file says about the server that wrote it (the "aux" fields Redis writes first).
struct FileInfo {
  std::string_view redis_version;
  int64_t ctime_s = 0;
  uint64_t used_memory = 0;
  bool aof_base = false;
};

struct FileOptions {
  bool compress = true;  // rdbcompression
  bool checksum = true;  // rdbchecksum: without it the trailer is eight zero bytes
  // What Redis writes of each key's clock: its idle seconds under an LRU maxmemory-policy
  // (RDB_OPCODE_IDLE), its LFU counter under an LFU one (RDB_OPCODE_FREQ), as of `now_ms`.
  enum class KeyClock : uint8_t { kNone, kIdle, kFrequency };
  KeyClock key_clock = KeyClock::kNone;
  int64_t now_ms = 0;
  int64_t lfu_decay_minutes = 1;
  // false: no database is written, only the header, aux fields and libraries (a replica's
  // REPLCONF rdb-filter-only).
  bool keys = true;
};

// The file's bytes: every stored key of every database (expired ones too, as Redis's save does;
// loading drops them) and `libraries` (FUNCTION LOAD's code), in Redis 7.0's order.
std::string EncodeFile(Store& store, const std::vector<std::string>& libraries,
                       const FileInfo& info, const FileOptions& options);

// A file's contents once read, before it goes into a store.
struct FileContents {
  struct Key {
    int db;
    std::string key;
    Value value;
    int64_t expire_at_ms;
    int64_t idle_seconds;  // RDB_OPCODE_IDLE, -1 when absent
    int freq;              // RDB_OPCODE_FREQ, -1 when absent
  };
  std::vector<Key> keys;
  std::vector<std::string> libraries;
  std::string redis_version;  // the writer's, "" when the file does not say
};

// Reads a whole file; nullopt with `error` set to what Redis logs when the file is not one it
// would load (bad signature, version, opcode or value, a database index past `num_databases`, a
// wrong checksum when `verify_checksum`).
std::optional<FileContents> DecodeFile(std::string_view bytes, int num_databases,
                                       const LoadLimits& limits, bool verify_checksum,
                                       std::string* error);

// Puts the keys into `store` as Redis's load does: keys whose expire time passed at `now_ms` are
// dropped, loaded keys take `now_ms` as their last access unless the file gave one. A key already
// present is replaced when `merge`; otherwise it fails the load (false), leaving the keys loaded
// so far. Returns the numbers of keys loaded and dropped through `loaded` and `expired`.
bool LoadKeys(Store& store, FileContents& contents, int64_t now_ms, bool merge, bool lfu_policy,
              size_t* loaded, size_t* expired);

}  // namespace respd::storage::rdb
