// The stream value in Redis 7.0's RDB format, as DUMP, RESTORE and DEBUG RELOAD carry it: the
// nodes as listpacks keyed by their master ID, the stream's bookkeeping, and the consumer groups
// with their pending entries and consumers. Reading checks all Redis's deep sanitization does and
// more (rdb_stream.cc lists it), so a malformed payload is an error, never a crash or a stream
// that breaks the invariants the stream code relies on. Depends on rdb_format.h and the stream
// value only.
#pragma once

#include <cstdint>
#include <memory>

#include "storage/rdb_format.h"
#include "storage/stream.h"

namespace respd::storage::rdb {

// Writes `stream` as Redis 7.0 does: the type byte RDB_TYPE_STREAM_LISTPACKS_2 and the value.
void WriteStream(const Stream& stream, Writer& out);

// Reads the value (after its type byte) of a stream of `type`: kTypeStreamListpacks (Redis 6.x, whose missing fields
// are derived as Redis 7.0 derives them) or kTypeStreamListpacks2. nullptr if it is malformed.
std::unique_ptr<Stream> ReadStream(Reader& in, uint8_t type);

}  // namespace respd::storage::rdb
