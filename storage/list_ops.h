// Typed list operations on a database (the storage half of LPUSH, LPOP, LMOVE, LSET, LTRIM...).
// Each finds the list, creates it when a push needs one, deletes it when it becomes empty and
// reports Redis 7.0's keyspace events for its command through Database::Touch/Notify, in Redis's
// order. Results are statuses and values, never RESP; server dirty counts stay with the commands,
// which know when Redis counts none (a blocked client's re-run). Knows nothing of the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/list_object.h"
#include "storage/op_status.h"

namespace respd::storage {

using ListValues = std::span<const std::string_view>;

// The list at `key` for reading (counts a keyspace hit or miss): kKeyNotFound or kWrongType
// otherwise. The pointer is valid until the next write to the database.
OpResult<const List*> FindList(Database& db, std::string_view key);

// A list index as Redis reads it (negative from the tail); nullopt when out of range.
std::optional<size_t> ResolveListIndex(int64_t index, size_t len);

// An inclusive range of valid indexes.
struct ListRange {
  size_t start;
  size_t stop;
};

// Redis's clamping of a LRANGE/LTRIM start/stop pair (negative from the tail) to a list of `len`
// elements; nullopt when the range is empty.
std::optional<ListRange> ResolveListRange(int64_t start, int64_t stop, size_t len);

// LPOS's search in `list`: the indexes of the elements equal to `element`, walking from the head
// (or from the tail when `from_tail`), ignoring the first `skip` matches, keeping at most
// `max_matches` (0: all) and looking at no more than `maxlen` elements (0: all).
struct ListSearch {
  bool from_tail = false;
  uint64_t skip = 0;
  uint64_t max_matches = 0;
  uint64_t maxlen = 0;
};
std::vector<size_t> ListPositions(const List& list, std::string_view element,
                                  const ListSearch& search);

// LPUSH/RPUSH (LPUSHX/RPUSHX when `only_existing`): pushes `values` in order at `end`, creating
// the list when absent unless `only_existing` (kKeyNotFound then). Returns the new length. Event
// "lpush"/"rpush". `fill` is list-max-listpack-size.
OpResult<size_t> ListPush(Database& db, std::string_view key, ListValues values, ListEnd end,
                          bool only_existing, int fill);

// LPOP/RPOP: pops up to `count` elements from `end`, in pop order (none for 0, with no event).
// Events "lpop"/"rpop", then "del" if the list became empty.
OpResult<std::vector<std::string>> ListPop(Database& db, std::string_view key, ListEnd end,
                                           size_t count);

// What ListPopFirst popped and from which key (a view of the caller's key).
struct ListKeyPop {
  std::string_view key;
  std::vector<std::string> values;
};

// BLPOP/BRPOP/LMPOP/BLMPOP: pops up to `count` elements from the first key of `keys` holding a
// list, with ListPop's events. kKeyNotFound when none does; kWrongType when a key of another type
// comes first, unless `skip_other_types` (a blocked client's re-run, which Redis 7.0 serves from
// lists only and otherwise leaves waiting).
OpResult<ListKeyPop> ListPopFirst(Database& db, ListValues keys, ListEnd end, size_t count,
                                  bool skip_other_types);

// LMOVE/RPOPLPUSH and their blocking forms: pops from `from` of `source` and pushes to `to` of
// `destination` (created when absent; it may be `source`). Returns the element moved.
// kKeyNotFound for a missing source (or one of another type when `skip_other_types`), kWrongType
// for a source or a destination of another type, with nothing moved. Events as Redis: the push
// on the destination ("lpush"/"rpush") first, then "lpop"/"rpop" on the source and "del" if it
// became empty.
OpResult<std::string> ListMove(Database& db, std::string_view source, std::string_view destination,
                               ListEnd from, ListEnd to, int fill, bool skip_other_types);

// LSET: replaces the element at `index_text` (parsed after the lookup, as Redis does: a missing
// key is kKeyNotFound whatever the index). kNotInteger, kOutOfRange. Event "lset".
OpStatus ListSet(Database& db, std::string_view key, std::string_view index_text,
                 std::string_view value, int fill);

// LINSERT: inserts `value` before or after the first `pivot` from the head. Returns the new
// length; kSkipped when there is no pivot, kKeyNotFound when no list. Event "linsert".
OpResult<size_t> ListInsert(Database& db, std::string_view key, std::string_view pivot,
                            std::string_view value, bool after, int fill);

// LREM: removes up to |count| elements equal to `value` (all for 0), from the tail when `count`
// is negative. Returns how many went. Events "lrem" if any did, then "del" if none is left.
OpResult<size_t> ListRemove(Database& db, std::string_view key, int64_t count,
                            std::string_view value);

// LTRIM: keeps the elements in [start, stop] (ResolveListRange's rules). Returns how many were
// removed. Event "ltrim" whatever was removed, then "del" if none is left.
OpResult<size_t> ListTrim(Database& db, std::string_view key, int64_t start, int64_t stop);

// SORT ... STORE: stores `list` at `dst` without TTL, replacing any value (events "new" for a new
// key, then "sortstore"), or, when `list` is empty, deletes `dst` (event "del"). Returns whether
// `dst` changed: false only for an empty result and no `dst` to delete.
bool ListStore(Database& db, std::string_view dst, std::unique_ptr<List> list);

}  // namespace respd::storage
