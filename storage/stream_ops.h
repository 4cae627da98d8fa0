// Typed stream operations on a database (XADD, XTRIM, XDEL, XSETID, consumer groups, group reads,
// claims). They change streams and report Redis's keyspace events ("xadd", "xtrim", "xdel",
// "xsetid", "xgroup-*") through Database::Touch/Notify; results are statuses and values, never
// RESP. Stream-specific refusals come back as a StreamError beside the value.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/op_status.h"
#include "storage/stream.h"

namespace respd::storage {

enum class StreamError : uint8_t {
  kNone,
  kIdNotGreater,                  // XADD's ID is not above the stream's last ID
  kIdExhausted,                   // the stream's last ID is the largest there is
  kElementsTooLarge,              // an entry past a listpack's 1 GB
  kSetIdBelowTop,                 // XSETID below the last entry
  kSetIdEntriesAddedBelowLength,  // XSETID ENTRIESADDED below the length
  kBusyGroup,                     // XGROUP CREATE of an existing group
};

OpResult<Stream*> FindStreamRead(Database& db, std::string_view key);
OpResult<Stream*> FindStreamWrite(Database& db, std::string_view key);

struct XAddRequest {
  std::optional<StreamId> id;  // nullopt: "*"
  bool seq_given = true;       // false for "<ms>-*"
  bool no_mkstream = false;
  StreamTrim trim;
  std::span<const std::string_view> field_values;
  StreamNodeLimits limits;
  int64_t now_ms = 0;
};
struct XAddResult {
  StreamError error = StreamError::kNone;
  StreamId id;
  const Stream* stream = nullptr;  // once added to: the stream, trimmed
};
// XADD: creates the stream unless no_mkstream (kKeyNotFound then), appends, trims.
OpResult<XAddResult> XAdd(Database& db, std::string_view key, const XAddRequest& request);

struct XTrimResult {
  int64_t deleted = 0;
  const Stream* stream = nullptr;  // the stream trimmed
};
// XTRIM: entries removed.
OpResult<XTrimResult> XTrim(Database& db, std::string_view key, const StreamTrim& trim);

// XDEL: entries deleted (0 for a missing key).
OpResult<int64_t> XDel(Database& db, std::string_view key, std::span<const StreamId> ids);

// XSETID id [ENTRIESADDED n] [MAXDELETEDID id]; kKeyNotFound for a missing key.
OpResult<StreamError> XSetId(Database& db, std::string_view key, StreamId id,
                             std::optional<uint64_t> entries_added,
                             std::optional<StreamId> max_deleted);

// XGROUP subcommands on a stream found (or, for CREATE MKSTREAM, created) by the caller.
StreamError CreateGroup(Database& db, std::string_view key, Stream& stream, std::string_view name,
                        StreamId last_id, int64_t entries_read);
void SetGroupId(Database& db, std::string_view key, StreamGroup& group, StreamId last_id,
                int64_t entries_read);
bool DestroyGroup(Database& db, std::string_view key, Stream& stream, std::string_view name);
// The consumer, created (with its "xgroup-createconsumer" event) if absent; `created` tells.
StreamConsumer* FindOrCreateConsumer(Database& db, std::string_view key, StreamGroup& group,
                                     std::string_view name, int64_t now_ms,
                                     bool* created = nullptr);
// Pending entries the consumer had, or nullopt when there was no such consumer.
std::optional<size_t> DeleteConsumer(Database& db, std::string_view key, StreamGroup& group,
                                     std::string_view name);

// XREADGROUP from one stream: with `history`, the consumer's own pending entries after `after`;
// else new entries after `after`, delivered to the consumer (into the PEL unless `noack`).
// `count` 0: no limit.
std::vector<StreamEntryRef> ReadGroup(Stream& stream, StreamGroup& group, StreamConsumer& consumer,
                                      StreamId after, size_t count, bool noack, bool history,
                                      int64_t now_ms);

// XACK: pending entries acknowledged.
int64_t Acknowledge(StreamGroup& group, std::span<const StreamId> ids);

// A pending entry a claim changed or dropped (its entry gone), with the state Redis propagates
// for it as an XCLAIM (streamPropagateXCLAIM): its owner, delivery time and count after the
// change, or before the drop.
struct ClaimedNack {
  size_t id_index = 0;  // Claim: which of `ids`
  StreamId id;
  std::string consumer;
  int64_t delivery_time = 0;
  uint64_t delivery_count = 0;
};

struct ClaimRequest {
  int64_t min_idle_ms = 0;
  int64_t delivery_time = -1;  // -1: now
  int64_t retry_count = -1;    // -1: increment unless just_id
  bool force = false;
  bool just_id = false;
  std::optional<StreamId> last_id;
};
// XCLAIM: the claimed entries, in argument order. Pending IDs whose entry is gone are dropped
// from the PEL. `changes` counts Redis's dirty increments; `changed`, when given, gets each
// pending entry claimed or dropped, in order.
std::vector<StreamEntryRef> Claim(Database& db, std::string_view key, Stream& stream,
                                  StreamGroup& group, std::string_view consumer,
                                  std::span<const StreamId> ids, const ClaimRequest& request,
                                  int64_t now_ms, uint64_t* changes,
                                  std::vector<ClaimedNack>* changed = nullptr);

struct AutoClaimResult {
  StreamId next;  // cursor, 0-0 at the end
  std::vector<StreamEntryRef> claimed;
  std::vector<StreamId> deleted;
};
// XAUTOCLAIM, with `changes` and `changed` as Claim's.
AutoClaimResult AutoClaim(Database& db, std::string_view key, Stream& stream, StreamGroup& group,
                          std::string_view consumer, int64_t min_idle_ms, StreamId start,
                          int64_t count, bool just_id, int64_t now_ms, uint64_t* changes,
                          std::vector<ClaimedNack>* changed = nullptr);

}  // namespace respd::storage
