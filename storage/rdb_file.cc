// The RDB file (see rdb_file.h).
#include "storage/rdb_file.h"

#include <cstdio>
#include <utility>

#include "storage/dump_ops.h"
#include "storage/entry.h"

namespace respd::storage::rdb {
namespace {

constexpr std::string_view kMagic = "REDIS";
constexpr size_t kHeaderSize = 9;  // "REDIS" and four version digits
constexpr size_t kChecksumSize = 8;
// Redis reads a checksum after the end marker from this version on.
constexpr int kFirstVersionWithChecksum = 5;

void Aux(Writer& w, std::string_view name, std::string_view value) {
  w.Byte(kOpAux);
  w.String(name);
  w.String(value);
}

void Aux(Writer& w, std::string_view name, int64_t value) {
  w.Byte(kOpAux);
  w.String(name);
  w.Integer(value);
}

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string EncodeFile(Store& store, const std::vector<std::string>& libraries,
                       const FileInfo& info, const FileOptions& options) {
  Writer w(options.compress);
  char magic[kHeaderSize + 1];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", kVersion);
  w.Raw(std::string_view(magic, kHeaderSize));
  Aux(w, "redis-ver", info.redis_version);
  Aux(w, "redis-bits", 64);
  Aux(w, "ctime", info.ctime_s);
  Aux(w, "used-mem", static_cast<int64_t>(info.used_memory));
  Aux(w, "aof-base", info.aof_base ? 1 : 0);
  for (const std::string& code : libraries) {
    w.Byte(kOpFunction2);
    w.String(code);
  }
  for (int i = 0; options.keys && i < store.num_databases(); ++i) {
    // RESIZEDB, which precedes the keys, counts them: they are written apart first.
    Writer keys(options.compress);
    uint64_t key_count = 0, volatile_count = 0;
    store.db(i).ForEachStored([&](const Entry* e) {
      ++key_count;
      if (e->expire_at() != Entry::kNoExpire) {
        ++volatile_count;
        keys.Byte(kOpExpireTimeMs);
        keys.Millis(e->expire_at());
      }
      if (options.key_clock == FileOptions::KeyClock::kIdle) {
        keys.Byte(kOpIdle);
        keys.Length(static_cast<uint64_t>(IdleSeconds(e, options.now_ms)));
      } else if (options.key_clock == FileOptions::KeyClock::kFrequency) {
        keys.Byte(kOpFreq);
        keys.Byte(static_cast<uint8_t>(LfuFrequency(e, options.now_ms, options.lfu_decay_minutes)));
      }
      // The type byte comes first in the value's encoding, before the key.
      Writer value(options.compress);
      WriteEntryValue(*e, value);
      const std::string& bytes = value.data();
      keys.Byte(static_cast<uint8_t>(bytes[0]));
      keys.String(e->key());
      keys.Raw(std::string_view(bytes).substr(1));
    });
    if (key_count == 0) continue;
    w.Byte(kOpSelectDb);
    w.Length(static_cast<uint64_t>(i));
    w.Byte(kOpResizeDb);
    w.Length(key_count);
    w.Length(volatile_count);
    w.Raw(keys.data());
  }
  w.Byte(kOpEof);
  // The checksum is 8 bytes little-endian, as an expire time is written.
  w.Millis(options.checksum ? static_cast<int64_t>(Crc64(0, w.data())) : 0);
  return w.Take();
}

std::optional<FileContents> DecodeFile(std::string_view bytes, int num_databases,
                                       const LoadLimits& limits, bool verify_checksum,
                                       std::string* error) {
  auto fail = [&](std::string message) -> std::optional<FileContents> {
    *error = std::move(message);
    return std::nullopt;
  };
  if (bytes.size() < kHeaderSize || bytes.substr(0, kMagic.size()) != kMagic) {
    return fail("Wrong signature trying to load DB from file");
  }
  int version = 0;
  for (char c : bytes.substr(kMagic.size(), 4)) {
    // atoi: the digits up to the first other character.
    if (c < '0' || c > '9') break;
    version = version * 10 + (c - '0');
  }
  if (version < 1 || version > kVersion) {
    return fail("Can't handle RDB format version " + std::to_string(version));
  }
  const auto truncated = [&] {
    return fail("Short read or OOM loading DB. Unrecoverable error, aborting now.");
  };
  Reader r(bytes.substr(kHeaderSize));
  FileContents contents;
  int db = 0;
  int64_t expire_at = Entry::kNoExpire, idle = -1;
  int freq = -1;
  while (true) {
    uint8_t type;
    if (!r.Byte(&type)) return truncated();
    if (type == kOpEof) break;
    switch (type) {
      case kOpExpireTime: {
        std::string_view bytes;
        if (!r.Raw(4, &bytes)) return truncated();
        uint32_t seconds = 0;
        for (int i = 3; i >= 0; --i) seconds = (seconds << 8) | static_cast<uint8_t>(bytes[i]);
        expire_at = static_cast<int64_t>(static_cast<int32_t>(seconds)) * 1000;
        continue;
      }
      case kOpExpireTimeMs:
        if (!r.Millis(&expire_at)) return truncated();
        continue;
      case kOpFreq: {
        uint8_t f;
        if (!r.Byte(&f)) return truncated();
        freq = f;
        continue;
      }
      case kOpIdle: {
        uint64_t seconds;
        if (!r.Length(&seconds)) return truncated();
        idle = static_cast<int64_t>(seconds & 0x7fffffffffffffffULL);
        continue;
      }
      case kOpSelectDb: {
        uint64_t index;
        if (!r.Length(&index)) return truncated();
        if (index >= static_cast<uint64_t>(num_databases)) {
          return fail("FATAL: Data file was created with a Redis server configured to handle more than " +
                      std::to_string(num_databases) + " databases. Exiting");
        }
        db = static_cast<int>(index);
        continue;
      }
      case kOpResizeDb: {
        uint64_t ignored;
        if (!r.Length(&ignored) || !r.Length(&ignored)) return truncated();
        continue;
      }
      case kOpAux: {
        std::string name, value;
        if (!r.String(&name) || !r.String(&value)) return truncated();
        if (name == "redis-ver") contents.redis_version = value;
        continue;
      }
      case kOpModuleAux:
        return fail("The RDB file contains AUX module data I can't load: no matching module");
      case kOpFunctionPreGa:
        return fail("Pre-release function format not supported.");
      case kOpFunction2: {
        std::string code;
        if (!r.String(&code)) return truncated();
        contents.libraries.push_back(std::move(code));
        continue;
      }
      default:
        break;
    }
    std::string key;
    if (!r.String(&key)) return truncated();
    std::optional<Value> value = ReadValue(type, r, limits);
    if (!value) {
      return fail("Bad data format in the value of key '" + key + "' (type " + std::to_string(type) +
                  ")");
    }
    contents.keys.push_back({db, std::move(key), std::move(*value), expire_at, idle, freq});
    expire_at = Entry::kNoExpire;
    idle = -1;
    freq = -1;
  }
  if (version >= kFirstVersionWithChecksum) {
    int64_t trailer;
    if (!r.Millis(&trailer)) return truncated();
    const uint64_t stored = static_cast<uint64_t>(trailer);
    if (verify_checksum && stored != 0) {
      uint64_t expected = Crc64(0, bytes.substr(0, bytes.size() - r.remaining() - kChecksumSize));
      if (stored != expected) {
        return fail("Wrong RDB checksum expected: (" + Hex(stored) + ") got (" + Hex(expected) +
                    "). Aborting now.");
      }
    }
  }
  return contents;
}

bool LoadKeys(Store& store, FileContents& contents, int64_t now_ms, bool merge, bool lfu_policy,
              size_t* loaded, size_t* expired) {
  *loaded = 0;
  *expired = 0;
  for (FileContents::Key& k : contents.keys) {
    if (k.expire_at_ms != Entry::kNoExpire && k.expire_at_ms < now_ms) {
      ++*expired;
      continue;
    }
    Database& db = store.db(k.db);
    if (db.FindWrite(k.key) != nullptr) {
      if (!merge) return false;
      db.Delete(k.key);
    }
    Entry* entry = NewEntry(k.key, std::move(k.value), k.expire_at_ms);
    entry->set_lru(db.NewKeyClock());
    SetAccessClock(entry, lfu_policy, k.idle_seconds, k.freq, now_ms);
    db.Put(entry);
    ++*loaded;
  }
  return true;
}

}  // namespace respd::storage::rdb
