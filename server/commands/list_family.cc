// List commands: pushes, pops, ranges, LPOS, LMOVE/LMPOP and their blocking forms (BLPOP BRPOP
// BLMOVE BRPOPLPUSH BLMPOP), which wait through server/blocking.h.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "server/services/blocking.h"
#include "server/commands/collection_args.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/list_object.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

using storage::List;
using storage::ListEnd;
using storage::OpStatus;

constexpr std::string_view kErrCountPositive = "ERR count should be greater than 0";
constexpr std::string_view kErrRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kErrCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kErrMaxlenNegative = "ERR MAXLEN can't be negative";

int Fill(CommandContext& ctx) {
  static const size_t kIndex = OptionIndex("list-max-listpack-size");
  return static_cast<int>(ctx.server.config.options()[kIndex]->number());
}

storage::OpResult<List*> AsList(storage::OpResult<storage::Entry*> found) {
  if (!found.ok()) return found.status();
  return static_cast<List*>((*found)->object());
}

storage::OpResult<List*> FindRead(CommandContext& ctx, std::string_view key) {
  return AsList(ctx.db().FindReadTyped(key, storage::ValueType::kList));
}

storage::OpResult<List*> FindWrite(CommandContext& ctx, std::string_view key) {
  return AsList(ctx.db().FindWriteTyped(key, storage::ValueType::kList));
}

// The list at `key`, created empty if absent (the caller pushes at once).
List* FindOrCreate(CommandContext& ctx, std::string_view key, List* found) {
  if (found != nullptr) return found;
  return static_cast<List*>(ctx.db().AddObject(key, std::make_unique<List>())->object());
}

// After a change in place: deletes a list that became empty, else signals the modification.
void FinishWrite(CommandContext& ctx, std::string_view key, const List* list) {
  if (list->Length() == 0) {
    ctx.db().Delete(key);
  } else {
    ctx.db().MarkModified(key);
  }
}

void Push(CommandContext& ctx, std::string_view key, List* list, ListEnd end,
          std::string_view value) {
  list->Push(end, value, Fill(ctx));
  ctx.db().MarkModified(key);
}

std::optional<ListEnd> ParseEnd(std::string_view text) {
  if (EqualsIgnoreCase(text, "left")) return ListEnd::kHead;
  if (EqualsIgnoreCase(text, "right")) return ListEnd::kTail;
  return std::nullopt;
}

// Parses an integer argument with Redis's generic error.
bool ParseIndex(CommandContext& ctx, std::string_view text, int64_t* value) {
  auto parsed = storage::ParseInt64(text);
  if (!parsed) {
    ctx.reply.Error(kErrNotInteger);
    return false;
  }
  *value = *parsed;
  return true;
}

// Answers a blocking command that cannot wait (inside MULTI or a script, or a client without a
// connection) the way Redis answers its timeout.
void BlockOrGiveUp(CommandContext& ctx, Args keys, int64_t timeout_ms, bool null_bulk) {
  if (ctx.may_block() && ctx.server.blocking.Block(ctx, keys, timeout_ms)) return;
  if (null_bulk) {
    ctx.reply.Null();
  } else {
    ctx.reply.NullArray();
  }
}

// LPUSH/RPUSH key element [element ...], and the X forms that push only onto an existing list.
void PushGeneric(CommandContext& ctx, ListEnd end, bool only_existing) {
  auto found = FindWrite(ctx, ctx.args[1]);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
    return ctx.ReplyStatus(found.status());
  }
  if (!found.ok() && only_existing) return ctx.reply.Integer(0);
  List* list = FindOrCreate(ctx, ctx.args[1], found.ok() ? *found : nullptr);
  int fill = Fill(ctx);
  for (size_t i = 2; i < ctx.args.size(); ++i) list->Push(end, ctx.args[i], fill);
  ctx.AddDirty(ctx.args.size() - 2);
  ctx.db().MarkModified(ctx.args[1]);
  ctx.reply.Integer(static_cast<int64_t>(list->Length()));
}

void CmdLpush(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kHead, false); }
void CmdRpush(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kTail, false); }
void CmdLpushx(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kHead, true); }
void CmdRpushx(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kTail, true); }

// Pops up to `count` elements and replies with them as an array.
void PopRangeReply(CommandContext& ctx, std::string_view key, List* list, ListEnd end,
                   int64_t count) {
  size_t n = std::min<size_t>(static_cast<size_t>(count), list->Length());
  ctx.reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) ctx.reply.Bulk(list->Pop(end));
  ctx.AddDirty(n);
  FinishWrite(ctx, key, list);
}

// LPOP/RPOP key [count]
void PopGeneric(CommandContext& ctx, ListEnd end) {
  if (ctx.args.size() > 3) return ctx.reply.Error(WrongArityError(ctx.spec.name));
  bool has_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (has_count) {
    auto parsed = storage::ParseInt64(ctx.args[2]);
    if (!parsed || *parsed < 0) return ctx.reply.Error(kErrMustBePositive);
    count = *parsed;
  }
  auto found = FindWrite(ctx, ctx.args[1]);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    return has_count ? ctx.reply.NullArray() : ctx.reply.Null();
  }
  List* list = *found;
  if (!has_count) {
    ctx.reply.Bulk(list->Pop(end));
    ctx.AddDirty();
    return FinishWrite(ctx, ctx.args[1], list);
  }
  if (count == 0) return ctx.reply.ArrayHeader(0);
  PopRangeReply(ctx, ctx.args[1], list, end, count);
}

void CmdLpop(CommandContext& ctx) { PopGeneric(ctx, ListEnd::kHead); }
void CmdRpop(CommandContext& ctx) { PopGeneric(ctx, ListEnd::kTail); }

// LLEN key
void CmdLlen(CommandContext& ctx) {
  auto found = FindRead(ctx, ctx.args[1]);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
    return ctx.ReplyStatus(found.status());
  }
  ctx.reply.Integer(found.ok() ? static_cast<int64_t>((*found)->Length()) : 0);
}

// Redis's clamping of a start/stop pair to [0, len); false when the range is empty.
bool ClampRange(int64_t len, int64_t* start, int64_t* stop) {
  if (*start < 0) *start += len;
  if (*stop < 0) *stop += len;
  if (*start < 0) *start = 0;
  if (*start > *stop || *start >= len) return false;
  if (*stop >= len) *stop = len - 1;
  return true;
}

// LRANGE key start stop
void CmdLrange(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseIndex(ctx, ctx.args[2], &start) || !ParseIndex(ctx, ctx.args[3], &stop)) return;
  auto found = FindRead(ctx, ctx.args[1]);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    return ctx.reply.ArrayHeader(0);
  }
  const List* list = *found;
  if (!ClampRange(static_cast<int64_t>(list->Length()), &start, &stop)) {
    return ctx.reply.ArrayHeader(0);
  }
  ctx.reply.ArrayHeader(static_cast<size_t>(stop - start + 1));
  list->Walk(static_cast<size_t>(start), false, [&](size_t index, std::string_view value) {
    ctx.reply.Bulk(value);
    return index < static_cast<size_t>(stop);
  });
}

// A list index as Redis reads it (negative from the tail); nullopt when out of range.
std::optional<size_t> ResolveIndex(int64_t index, size_t len) {
  if (index < 0) index += static_cast<int64_t>(len);
  if (index < 0 || index >= static_cast<int64_t>(len)) return std::nullopt;
  return static_cast<size_t>(index);
}

// LINDEX key index
// Redis looks the key up before it parses the index: a missing key answers nil and a wrong type
// WRONGTYPE, whatever the index.
void CmdLindex(CommandContext& ctx) {
  auto found = FindRead(ctx, ctx.args[1]);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    return ctx.reply.Null();
  }
  int64_t index;
  if (!ParseIndex(ctx, ctx.args[2], &index)) return;
  auto at = ResolveIndex(index, (*found)->Length());
  if (!at) return ctx.reply.Null();
  ctx.reply.Bulk((*found)->At(*at));
}

// LSET key index element
// Like LINDEX, the key comes before the index.
void CmdLset(CommandContext& ctx) {
  auto found = FindWrite(ctx, ctx.args[1]);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    return ctx.reply.Error(kErrNoSuchKey);
  }
  int64_t index;
  if (!ParseIndex(ctx, ctx.args[2], &index)) return;
  auto at = ResolveIndex(index, (*found)->Length());
  if (!at) return ctx.reply.Error(kErrOutOfRange);
  (*found)->Set(*at, ctx.args[3], Fill(ctx));
  ctx.AddDirty();
  ctx.db().MarkModified(ctx.args[1]);
  ctx.reply.Ok();
}

// LREM key count element
void CmdLrem(CommandContext& ctx) {
  int64_t count;
  if (!ParseIndex(ctx, ctx.args[2], &count)) return;
  auto found = FindWrite(ctx, ctx.args[1]);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    return ctx.reply.Integer(0);
  }
  // -INT64_MIN does not exist; as a limit it means "all of them" either way.
  uint64_t limit = count < 0 ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  size_t removed = (*found)->Remove(ctx.args[3], static_cast<size_t>(limit), count < 0);
  ctx.AddDirty(removed);
  if (removed > 0) FinishWrite(ctx, ctx.args[1], *found);
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

// LTRIM key start stop
void CmdLtrim(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseIndex(ctx, ctx.args[2], &start) || !ParseIndex(ctx, ctx.args[3], &stop)) return;
  auto found = FindWrite(ctx, ctx.args[1]);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    return ctx.reply.Ok();
  }
  List* list = *found;
  size_t old_length = list->Length();
  if (ClampRange(static_cast<int64_t>(old_length), &start, &stop)) {
    list->Trim(static_cast<size_t>(start), static_cast<size_t>(stop));
    ctx.AddDirty(old_length - list->Length());
    ctx.db().MarkModified(ctx.args[1]);
  } else {
    ctx.AddDirty(old_length);
    ctx.db().Delete(ctx.args[1]);
  }
  ctx.reply.Ok();
}

// LINSERT key BEFORE|AFTER pivot element
void CmdLinsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.args[2], "after")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "before")) {
    after = false;
  } else {
    return ctx.ReplySyntaxError();
  }
  auto found = FindWrite(ctx, ctx.args[1]);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    return ctx.reply.Integer(0);
  }
  if (!(*found)->Insert(ctx.args[3], ctx.args[4], after, Fill(ctx))) return ctx.reply.Integer(-1);
  ctx.AddDirty();
  ctx.db().MarkModified(ctx.args[1]);
  ctx.reply.Integer(static_cast<int64_t>((*found)->Length()));
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLpos(CommandContext& ctx) {
  int64_t rank = 1;
  int64_t count = -1;  // -1: no COUNT, reply a single index
  int64_t maxlen = 0;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    bool more = i + 1 < ctx.args.size();
    if (!more) return ctx.ReplySyntaxError();
    int64_t* target;
    if (EqualsIgnoreCase(ctx.args[i], "rank")) {
      target = &rank;
    } else if (EqualsIgnoreCase(ctx.args[i], "count")) {
      target = &count;
    } else if (EqualsIgnoreCase(ctx.args[i], "maxlen")) {
      target = &maxlen;
    } else {
      return ctx.ReplySyntaxError();
    }
    std::string_view text = ctx.args[++i];
    // Redis reads COUNT and MAXLEN as positive numbers: text that is no number at all gets the
    // same "can't be negative" error.
    if (target == &count || target == &maxlen) {
      auto parsed = storage::ParseInt64(text);
      if (!parsed || *parsed < 0) {
        return ctx.reply.Error(target == &count ? kErrCountNegative : kErrMaxlenNegative);
      }
      *target = *parsed;
      continue;
    }
    if (!ParseIndex(ctx, text, target)) return;
    if (rank == 0) return ctx.reply.Error(kErrRankZero);
  }
  auto found = FindRead(ctx, ctx.args[1]);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    return count != -1 ? ctx.reply.ArrayHeader(0) : ctx.reply.Null();
  }
  const List* list = *found;
  bool backward = rank < 0;
  // Redis negates the rank in a long: LLONG_MIN stays negative, so every match qualifies, and its
  // COUNT test (matches - rank + 1 >= count) wraps negative, so COUNT stops nothing either.
  const bool rank_wrapped = rank == INT64_MIN;
  uint64_t skip = rank_wrapped ? 0 : static_cast<uint64_t>(backward ? -rank : rank) - 1;
  size_t start = backward ? list->Length() - 1 : 0;
  uint64_t scanned = 0;
  uint64_t matches = 0;
  std::vector<int64_t> hits;
  list->Walk(start, backward, [&](size_t index, std::string_view value) {
    if (maxlen != 0 && scanned++ >= static_cast<uint64_t>(maxlen)) return false;
    if (value != ctx.args[2]) return true;
    if (matches++ < skip) return true;
    hits.push_back(static_cast<int64_t>(index));
    if (count == -1) return false;
    return count == 0 || rank_wrapped || hits.size() < static_cast<size_t>(count);
  });
  if (count == -1) {
    if (hits.empty()) return ctx.reply.Null();
    return ctx.reply.Integer(hits.front());
  }
  ctx.reply.ArrayHeader(hits.size());
  for (int64_t hit : hits) ctx.reply.Integer(hit);
}

// The move of LMOVE, RPOPLPUSH and their blocking forms once the source is known to be a list.
// Replies with the element, or WRONGTYPE if the destination is not a list.
void MoveElement(CommandContext& ctx, List* source, std::string_view source_key,
                 std::string_view dest_key, ListEnd from, ListEnd to) {
  List* dest = source;
  if (dest_key != source_key) {
    auto found = FindWrite(ctx, dest_key);
    if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
      return ctx.ReplyStatus(found.status());
    }
    dest = found.ok() ? *found : nullptr;
  }
  std::string value = source->Pop(from);
  if (dest == nullptr) dest = FindOrCreate(ctx, dest_key, nullptr);
  Push(ctx, dest_key, dest, to, value);
  // Redis 7.0 counts no change when it serves a blocked BLMOVE/BRPOPLPUSH (nor BLPOP below).
  if (!ctx.retry_key) ctx.AddDirty();
  if (dest != source) FinishWrite(ctx, source_key, source);
  ctx.reply.Bulk(value);
}

// LMOVE/BLMOVE/RPOPLPUSH/BRPOPLPUSH: `timeout_ms` < 0 for the non-blocking forms.
void MoveGeneric(CommandContext& ctx, ListEnd from, ListEnd to, int64_t timeout_ms) {
  std::string_view source_key = ctx.args[1];
  auto found = FindWrite(ctx, source_key);
  if (found.ok()) return MoveElement(ctx, *found, source_key, ctx.args[2], from, to);
  if (found.status() != OpStatus::kKeyNotFound) {
    // A re-run after a wake-up ignores a source of another type and keeps waiting, as Redis 7.0.
    if (!ctx.retry_key) return ctx.ReplyStatus(found.status());
  }
  if (timeout_ms < 0) return ctx.reply.Null();
  BlockOrGiveUp(ctx, ctx.args.subspan(1, 1), timeout_ms, true);
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
void CmdLmove(CommandContext& ctx) {
  auto from = ParseEnd(ctx.args[3]);
  auto to = ParseEnd(ctx.args[4]);
  if (!from || !to) return ctx.ReplySyntaxError();
  MoveGeneric(ctx, *from, *to, -1);
}

// RPOPLPUSH source destination
void CmdRpoplpush(CommandContext& ctx) { MoveGeneric(ctx, ListEnd::kTail, ListEnd::kHead, -1); }

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void CmdBlmove(CommandContext& ctx) {
  auto from = ParseEnd(ctx.args[3]);
  auto to = ParseEnd(ctx.args[4]);
  if (!from || !to) return ctx.ReplySyntaxError();
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.args[5], &timeout)) return;
  MoveGeneric(ctx, *from, *to, timeout);
}

// BRPOPLPUSH source destination timeout
void CmdBrpoplpush(CommandContext& ctx) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.args[3], &timeout)) return;
  MoveGeneric(ctx, ListEnd::kTail, ListEnd::kHead, timeout);
}

// How a pop from several keys replies: BLPOP's [key, element] or LMPOP's [key, [elements]].
enum class PopReply : uint8_t { kKeyElement, kKeyElements };

// Pops from the first non-empty list of `keys` (only the ready key when re-run after a wake-up).
// Returns false when none could serve; replies WRONGTYPE (and returns true) for a key of another
// type met first, except on a re-run.
bool PopFirst(CommandContext& ctx, Args keys, ListEnd end, PopReply shape, int64_t count) {
  auto retry = ctx.retry_key;
  for (std::string_view key : keys) {
    if (retry && key != *retry) continue;
    auto found = FindWrite(ctx, key);
    if (!found.ok()) {
      if (found.status() == OpStatus::kKeyNotFound || retry) continue;
      ctx.ReplyStatus(found.status());
      return true;
    }
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    if (shape == PopReply::kKeyElements) {
      PopRangeReply(ctx, key, *found, end, count);
    } else {
      ctx.reply.Bulk((*found)->Pop(end));
      if (!retry) ctx.AddDirty();
      FinishWrite(ctx, key, *found);
    }
    return true;
  }
  return false;
}

// BLPOP/BRPOP key [key ...] timeout
void BlockingPop(CommandContext& ctx, ListEnd end) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.args.back(), &timeout)) return;
  Args keys = ctx.args.subspan(1, ctx.args.size() - 2);
  if (PopFirst(ctx, keys, end, PopReply::kKeyElement, 1)) return;
  BlockOrGiveUp(ctx, keys, timeout, false);
}

void CmdBlpop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kHead); }
void CmdBrpop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kTail); }

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count], and BLMPOP timeout numkeys ... with
// `numkeys_pos` 2.
void MpopGeneric(CommandContext& ctx, size_t numkeys_pos, bool blocking) {
  auto numkeys = storage::ParseInt64(ctx.args[numkeys_pos]);
  if (!numkeys || *numkeys < 1) return ctx.reply.Error(kErrNumKeys);
  size_t where_pos = numkeys_pos + 1;
  if (static_cast<uint64_t>(*numkeys) >= ctx.args.size() - where_pos) {
    return ctx.ReplySyntaxError();
  }
  where_pos += static_cast<size_t>(*numkeys);
  auto end = ParseEnd(ctx.args[where_pos]);
  if (!end) return ctx.ReplySyntaxError();
  int64_t count = -1;
  for (size_t i = where_pos + 1; i < ctx.args.size(); ++i) {
    if (count != -1 || !EqualsIgnoreCase(ctx.args[i], "count") || i + 1 >= ctx.args.size()) {
      return ctx.ReplySyntaxError();
    }
    auto parsed = storage::ParseInt64(ctx.args[++i]);
    if (!parsed || *parsed < 1) return ctx.reply.Error(kErrCountPositive);
    count = *parsed;
  }
  if (count == -1) count = 1;
  int64_t timeout = 0;
  if (blocking && !ParseBlockTimeout(ctx, ctx.args[1], &timeout)) return;
  Args keys = ctx.args.subspan(numkeys_pos + 1, static_cast<size_t>(*numkeys));
  if (PopFirst(ctx, keys, *end, PopReply::kKeyElements, count)) return;
  if (!blocking) return ctx.reply.NullArray();
  BlockOrGiveUp(ctx, keys, timeout, false);
}

void CmdLmpop(CommandContext& ctx) { MpopGeneric(ctx, 1, false); }
void CmdBlmpop(CommandContext& ctx) { MpopGeneric(ctx, 2, true); }

bool LmpopKeys(Args args, std::vector<int>* positions) {
  return NumKeysPositions(args, 1, 0, positions);
}

bool BlmpopKeys(Args args, std::vector<int>* positions) {
  return NumKeysPositions(args, 2, 0, positions);
}

constexpr CommandSpec kRows[] = {
    {.name = "lpush",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLpush,
     .group = "list",
     .since = "1.0.0",
     .summary = "Prepend one or multiple elements to a list",
     .complexity = "O(1) for each element added, so O(N) to add N elements when the command is "
                   "called with multiple arguments."},

    {.name = "rpush",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdRpush,
     .group = "list",
     .since = "1.0.0",
     .summary = "Append one or multiple elements to a list",
     .complexity = "O(1) for each element added, so O(N) to add N elements when the command is "
                   "called with multiple arguments."},

    {.name = "lpushx",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLpushx,
     .group = "list",
     .since = "2.2.0",
     .summary = "Prepend an element to a list, only if the list exists",
     .complexity = "O(1) for each element added, so O(N) to add N elements when the command is "
                   "called with multiple arguments."},

    {.name = "rpushx",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdRpushx,
     .group = "list",
     .since = "2.2.0",
     .summary = "Append an element to a list, only if the list exists",
     .complexity = "O(1) for each element added, so O(N) to add N elements when the command is "
                   "called with multiple arguments."},

    {.name = "lpop",
     .arity = -2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLpop,
     .group = "list",
     .since = "1.0.0",
     .summary = "Remove and get the first elements in a list",
     .complexity = "O(N) where N is the number of elements returned"},

    {.name = "rpop",
     .arity = -2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdRpop,
     .group = "list",
     .since = "1.0.0",
     .summary = "Remove and get the last elements in a list",
     .complexity = "O(N) where N is the number of elements returned"},

    {.name = "llen",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLlen,
     .group = "list",
     .since = "1.0.0",
     .summary = "Get the length of a list",
     .complexity = "O(1)"},

    {.name = "lrange",
     .arity = 4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLrange,
     .group = "list",
     .since = "1.0.0",
     .summary = "Get a range of elements from a list",
     .complexity = "O(S+N) where S is the distance of start offset from HEAD for small lists, from "
                   "nearest end (HEAD or TAIL) for large lists; and N is the number of elements in "
                   "the specified range."},

    {.name = "lindex",
     .arity = 3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLindex,
     .group = "list",
     .since = "1.0.0",
     .summary = "Get an element from a list by its index",
     .complexity = "O(N) where N is the number of elements to traverse to get to the element at "
                   "index. This makes asking for the first or the last element of the list O(1)."},

    {.name = "lset",
     .arity = 4,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLset,
     .group = "list",
     .since = "1.0.0",
     .summary = "Set the value of an element in a list by its index",
     .complexity = "O(N) where N is the length of the list. Setting either the first or the last "
                   "element of the list is O(1)."},

    {.name = "lrem",
     .arity = 4,
     .flags = kWrite,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLrem,
     .group = "list",
     .since = "1.0.0",
     .summary = "Remove elements from a list",
     .complexity =
         "O(N+M) where N is the length of the list and M is the number of elements removed."},

    {.name = "ltrim",
     .arity = 4,
     .flags = kWrite,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLtrim,
     .group = "list",
     .since = "1.0.0",
     .summary = "Trim a list to the specified range",
     .complexity = "O(N) where N is the number of elements to be removed by the operation."},

    {.name = "linsert",
     .arity = 5,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLinsert,
     .group = "list",
     .since = "2.2.0",
     .summary = "Insert an element before or after another element in a list",
     .complexity =
         "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
         "means that inserting somewhere on the left end on the list (head) can be considered O(1) "
         "and inserting somewhere on the right end (tail) is O(N)."},

    {.name = "lpos",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLpos,
     .group = "list",
     .since = "6.0.6",
     .summary = "Return the index of matching elements on a list",
     .complexity = "O(N) where N is the number of elements in the list, for the average case. When "
                   "searching for elements near the head or the tail of the list, or when the "
                   "MAXLEN option is provided, the command may run in constant time."},

    {.name = "lmove",
     .arity = 5,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdLmove,
     .group = "list",
     .since = "6.2.0",
     .summary = "Pop an element from a list, push it to another list and return it",
     .complexity = "O(1)"},

    {.name = "rpoplpush",
     .arity = 3,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdRpoplpush,
     .group = "list",
     .since = "1.2.0",
     .summary = "Remove the last element in a list, prepend it to another list and return it",
     .complexity = "O(1)"},

    {.name = "lmpop",
     .arity = -4,
     .flags = kWrite | kMovableKeys,
     .handler = CmdLmpop,
     .group = "list",
     .since = "7.0.0",
     .summary = "Pop elements from a list",
     .complexity =
         "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
     .movable_keys = LmpopKeys},

    {.name = "blpop",
     .arity = -3,
     .flags = kWrite | kNoscript | kBlocking,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .handler = CmdBlpop,
     .group = "list",
     .since = "2.0.0",
     .summary = "Remove and get the first element in a list, or block until one is available",
     .complexity = "O(N) where N is the number of provided keys."},

    {.name = "brpop",
     .arity = -3,
     .flags = kWrite | kNoscript | kBlocking,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .handler = CmdBrpop,
     .group = "list",
     .since = "2.0.0",
     .summary = "Remove and get the last element in a list, or block until one is available",
     .complexity = "O(N) where N is the number of provided keys."},

    {.name = "blmove",
     .arity = 6,
     .flags = kWrite | kDenyOom | kNoscript | kBlocking,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdBlmove,
     .group = "list",
     .since = "6.2.0",
     .summary = "Pop an element from a list, push it to another list and return it; or block until "
                "one is available",
     .complexity = "O(1)"},

    {.name = "brpoplpush",
     .arity = 4,
     .flags = kWrite | kDenyOom | kNoscript | kBlocking,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdBrpoplpush,
     .group = "list",
     .since = "2.2.0",
     .summary = "Pop an element from a list, push it to another list and return it; or block until "
                "one is available",
     .complexity = "O(1)"},

    {.name = "blmpop",
     .arity = -5,
     .flags = kWrite | kBlocking | kMovableKeys,
     .handler = CmdBlmpop,
     .group = "list",
     .since = "7.0.0",
     .summary = "Pop elements from a list, or block until one is available",
     .complexity =
         "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
     .movable_keys = BlmpopKeys},
};

}  // namespace

void RegisterListFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
