// List operations: find or create the list, change it, report Redis's events, delete it when empty.
#include "storage/list_ops.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "storage/numbers.h"

namespace respd::storage {
namespace {

constexpr KeyEvent kLsetEvent{kEventList, "lset"};
constexpr KeyEvent kLinsertEvent{kEventList, "linsert"};
constexpr KeyEvent kLremEvent{kEventList, "lrem"};
constexpr KeyEvent kLtrimEvent{kEventList, "ltrim"};
constexpr KeyEvent kSortStoreEvent{kEventList, "sortstore"};

KeyEvent PushEvent(ListEnd end) {
  return end == ListEnd::kHead ? KeyEvent{kEventList, "lpush"} : KeyEvent{kEventList, "rpush"};
}

KeyEvent PopEvent(ListEnd end) {
  return end == ListEnd::kHead ? KeyEvent{kEventList, "lpop"} : KeyEvent{kEventList, "rpop"};
}

// The list at `key` for a write: kKeyNotFound or kWrongType otherwise.
OpResult<List*> FindListForWrite(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindWriteTyped(key, ValueType::kList);
  if (!found.ok()) return found.status();
  return static_cast<List*>((*found)->object());
}

// `found` (a FindListForWrite result that is a list or kKeyNotFound), or a new empty list at
// `key` that the caller pushes onto at once.
List* ListOrCreate(Database& db, std::string_view key, OpResult<List*> found) {
  if (found.ok()) return *found;
  return static_cast<List*>(db.AddObject(key, std::make_unique<List>())->object());
}

// Pops up to `count` elements from a non-empty list, with their events and the delete.
std::vector<std::string> PopFrom(Database& db, std::string_view key, List* list, ListEnd end,
                                 size_t count) {
  std::vector<std::string> values(std::min(count, list->Length()));
  for (std::string& value : values) value = list->Pop(end);
  db.TouchOrDelete(key, *list, PopEvent(end));
  return values;
}

}  // namespace

OpResult<const List*> FindList(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindReadTyped(key, ValueType::kList);
  if (!found.ok()) return found.status();
  return static_cast<const List*>((*found)->object());
}

std::optional<size_t> ResolveListIndex(int64_t index, size_t len) {
  if (index < 0) index += static_cast<int64_t>(len);
  if (index < 0 || index >= static_cast<int64_t>(len)) return std::nullopt;
  return static_cast<size_t>(index);
}

std::optional<ListRange> ResolveListRange(int64_t start, int64_t stop, size_t len) {
  const auto length = static_cast<int64_t>(len);
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return std::nullopt;
  if (stop >= length) stop = length - 1;
  return ListRange{static_cast<size_t>(start), static_cast<size_t>(stop)};
}

std::vector<size_t> ListPositions(const List& list, std::string_view element,
                                  const ListSearch& search) {
  std::vector<size_t> hits;
  uint64_t scanned = 0;
  uint64_t matches = 0;
  size_t start = search.from_tail ? list.Length() - 1 : 0;
  list.Walk(start, search.from_tail, [&](size_t index, std::string_view value) {
    if (search.maxlen != 0 && scanned++ >= search.maxlen) return false;
    if (value != element || matches++ < search.skip) return true;
    hits.push_back(index);
    return search.max_matches == 0 || hits.size() < search.max_matches;
  });
  return hits;
}

OpResult<size_t> ListPush(Database& db, std::string_view key, ListValues values, ListEnd end,
                          bool only_existing, int fill) {
  OpResult<List*> found = FindListForWrite(db, key);
  if (!found.ok() && (found.status() != OpStatus::kKeyNotFound || only_existing)) {
    return found.status();
  }
  List* list = ListOrCreate(db, key, found);
  for (std::string_view value : values) list->Push(end, value, fill);
  db.Touch(key, PushEvent(end));
  return list->Length();
}

OpResult<std::vector<std::string>> ListPop(Database& db, std::string_view key, ListEnd end,
                                           size_t count) {
  OpResult<List*> found = FindListForWrite(db, key);
  if (!found.ok()) return found.status();
  if (count == 0) return std::vector<std::string>{};
  return PopFrom(db, key, *found, end, count);
}

OpResult<ListKeyPop> ListPopFirst(Database& db, ListValues keys, ListEnd end, size_t count,
                                  bool skip_other_types) {
  for (std::string_view key : keys) {
    OpResult<List*> found = FindListForWrite(db, key);
    if (found.ok()) return ListKeyPop{key, PopFrom(db, key, *found, end, count)};
    if (found.status() == OpStatus::kWrongType && !skip_other_types) return found.status();
  }
  return OpStatus::kKeyNotFound;
}

OpResult<std::string> ListMove(Database& db, std::string_view source, std::string_view destination,
                               ListEnd from, ListEnd to, int fill, bool skip_other_types) {
  OpResult<List*> found_source = FindListForWrite(db, source);
  if (!found_source.ok()) {
    if (skip_other_types) return OpStatus::kKeyNotFound;
    return found_source.status();
  }
  List* source_list = *found_source;
  OpResult<List*> found_destination = source_list;
  if (destination != source) {
    found_destination = FindListForWrite(db, destination);
    if (found_destination.status() == OpStatus::kWrongType) return OpStatus::kWrongType;
  }
  std::string value = source_list->Pop(from);
  List* destination_list = ListOrCreate(db, destination, found_destination);
  destination_list->Push(to, value, fill);
  db.Touch(destination, PushEvent(to));
  db.TouchOrDelete(source, *source_list, PopEvent(from));
  return value;
}

OpStatus ListSet(Database& db, std::string_view key, std::string_view index_text,
                 std::string_view value, int fill) {
  OpResult<List*> found = FindListForWrite(db, key);
  if (!found.ok()) return found.status();
  std::optional<int64_t> index = ParseInt64(index_text);
  if (!index) return OpStatus::kNotInteger;
  std::optional<size_t> at = ResolveListIndex(*index, (*found)->Length());
  if (!at) return OpStatus::kOutOfRange;
  (*found)->Set(*at, value, fill);
  db.Touch(key, kLsetEvent);
  return OpStatus::kOk;
}

OpResult<size_t> ListInsert(Database& db, std::string_view key, std::string_view pivot,
                            std::string_view value, bool after, int fill) {
  OpResult<List*> found = FindListForWrite(db, key);
  if (!found.ok()) return found.status();
  if (!(*found)->Insert(pivot, value, after, fill)) return OpStatus::kSkipped;
  db.Touch(key, kLinsertEvent);
  return (*found)->Length();
}

OpResult<size_t> ListRemove(Database& db, std::string_view key, int64_t count,
                            std::string_view value) {
  OpResult<List*> found = FindListForWrite(db, key);
  if (!found.ok()) return found.status();
  // -INT64_MIN does not exist; as a limit it means "all of them" either way.
  uint64_t limit = count < 0 ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  size_t removed = (*found)->Remove(value, static_cast<size_t>(limit), count < 0);
  if (removed > 0) db.TouchOrDelete(key, **found, kLremEvent);
  return removed;
}

OpResult<size_t> ListTrim(Database& db, std::string_view key, int64_t start, int64_t stop) {
  OpResult<List*> found = FindListForWrite(db, key);
  if (!found.ok()) return found.status();
  List* list = *found;
  size_t old_length = list->Length();
  if (std::optional<ListRange> keep = ResolveListRange(start, stop, old_length)) {
    list->Trim(keep->start, keep->stop);
  } else {
    *list = List();
  }
  size_t removed = old_length - list->Length();
  db.TouchOrDelete(key, *list, kLtrimEvent);
  return removed;
}

bool ListStore(Database& db, std::string_view dst, std::unique_ptr<List> list) {
  if (list->Length() == 0) {
    if (!db.Delete(dst)) return false;
    db.Notify(dst, kDelEvent);
    return true;
  }
  db.Put(Entry::NewObject(dst, std::move(list), Entry::kNoExpire));
  db.Notify(dst, kSortStoreEvent);
  return true;
}

}  // namespace respd::storage
