// Values <-> Redis 7.0's RDB value encoding and DUMP payloads: a string or object as its type byte
// and body (written in the encoding Redis 7.0 writes for the same OBJECT ENCODING), and back from
// every type Redis 7.0 reads in a payload, into the encoding Redis picks after loading. Streams go
// through rdb_stream.h. Knows nothing of RESP or server configuration: the limits that decide
// encodings are parameters.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/hash_object.h"
#include "storage/list_object.h"
#include "storage/object.h"
#include "storage/rdb_format.h"
#include "storage/zset.h"

namespace respd::storage::rdb {

// The configuration that decides the encoding of a loaded value (Redis's *-max-* options).
struct LoadLimits {
  HashLimits hash;
  ZSetLimits zset;
  size_t set_max_intset_entries = 512;
  int list_fill = List::kDefaultFill;
};

// A value as DUMP reads it or RESTORE makes it: a string (object null) or an object.
struct Value {
  std::string str;
  std::unique_ptr<Object> object;
};

// Writes a string value (type byte and body).
void WriteStringValue(std::string_view s, Writer& w);
// Writes an object value (type byte and body).
void WriteObjectValue(const Object& object, Writer& w);
// Reads a value of RDB type `type` from `r`; nullopt for anything malformed, inconsistent or empty
// (Redis's "Bad data format").
std::optional<Value> ReadValue(uint8_t type, Reader& r, const LoadLimits& limits);

// A DUMP payload's trailer: the RDB version (2 bytes) and CRC-64 (8 bytes).
inline constexpr size_t kTrailerSize = 10;

// The DUMP payload of an encoded value: the value's bytes, the RDB version (2 bytes) and the
// CRC-64 of both (8 bytes), little-endian.
std::string FinishPayload(std::string value_bytes);
// RESTORE's first check (verifyDumpPayload): a version Redis 7.0 reads and a matching CRC.
bool PayloadTrailerValid(std::string_view payload);
// The value of a payload whose trailer is valid. As in Redis, the value is read from the whole
// payload (a value may run into its trailer) and bytes after it are ignored.
std::optional<Value> ReadPayload(std::string_view payload, const LoadLimits& limits);

}  // namespace respd::storage::rdb
