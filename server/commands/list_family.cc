// List commands: pushes, pops, ranges, LPOS, LMOVE/LMPOP and their blocking forms (BLPOP BRPOP
// BLMOVE BRPOPLPUSH BLMPOP), which wait through server/blocking.h.
#include <optional>
#include <string>
#include <vector>

#include "server/services/blocking.h"
#include "server/commands/args.h"
#include "server/commands/handler_support.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/list_ops.h"

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

// Redis's getListPositionFromObjectOrReply: LEFT or RIGHT.
ListEnd NextEnd(ArgParser& parser) {
  return parser.NextOneOf<ListEnd>({{"left", ListEnd::kHead}, {"right", ListEnd::kTail}});
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
  Args values = ctx.args.subspan(2);
  auto length =
      storage::ListPush(ctx.db(), ctx.args[1], values, end, only_existing, ListMaxListpackSize(ctx));
  if (!length.ok()) return ReplyMissingKey(ctx, length.status(), [&] { ctx.reply.Integer(0); });
  ctx.AddDirty(values.size());
  ctx.reply.Integer(static_cast<int64_t>(*length));
}

void CmdLpush(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kHead, false); }
void CmdRpush(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kTail, false); }
void CmdLpushx(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kHead, true); }
void CmdRpushx(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kTail, true); }

void ReplyElements(CommandContext& ctx, const std::vector<std::string>& values) {
  ctx.reply.ArrayHeader(values.size());
  for (const std::string& value : values) ctx.reply.Bulk(value);
}

// LPOP/RPOP key [count]
void PopGeneric(CommandContext& ctx, ListEnd end) {
  if (ctx.args.size() > 3) return ctx.reply.Error(WrongArityError(ctx.spec.name));
  bool has_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (has_count) {
    ArgParser parser(ctx.args, 2);
    count = parser.NextNonNegative();
    if (!parser.Check(ctx)) return;
  }
  auto popped = storage::ListPop(ctx.db(), ctx.args[1], end, static_cast<size_t>(count));
  if (!popped.ok()) {
    return ReplyMissingKey(ctx, popped.status(), [&] {
      if (has_count) {
        ctx.reply.NullArray();
      } else {
        ctx.reply.Null();
      }
    });
  }
  ctx.AddDirty(popped->size());
  if (!has_count) return ctx.reply.Bulk(popped->front());
  ReplyElements(ctx, *popped);
}

void CmdLpop(CommandContext& ctx) { PopGeneric(ctx, ListEnd::kHead); }
void CmdRpop(CommandContext& ctx) { PopGeneric(ctx, ListEnd::kTail); }

// LLEN key
void CmdLlen(CommandContext& ctx) {
  auto found = storage::FindList(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  ctx.reply.Integer(static_cast<int64_t>((*found)->Length()));
}

// LRANGE key start stop
void CmdLrange(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  int64_t start = parser.NextInt64();
  int64_t stop = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  auto found = storage::FindList(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.ArrayHeader(0); });
  const List* list = *found;
  auto range = storage::ResolveListRange(start, stop, list->Length());
  if (!range) return ctx.reply.ArrayHeader(0);
  ctx.reply.ArrayHeader(range->stop - range->start + 1);
  list->Walk(range->start, false, [&](size_t index, std::string_view value) {
    ctx.reply.Bulk(value);
    return index < range->stop;
  });
}

// LINDEX key index
// Redis looks the key up before it parses the index: a missing key answers nil and a wrong type
// WRONGTYPE, whatever the index.
void CmdLindex(CommandContext& ctx) {
  auto found = storage::FindList(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Null(); });
  ArgParser parser(ctx.args, 2);
  int64_t index = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  auto at = storage::ResolveListIndex(index, (*found)->Length());
  if (!at) return ctx.reply.Null();
  ctx.reply.Bulk((*found)->At(*at));
}

// LSET key index element
void CmdLset(CommandContext& ctx) {
  OpStatus status =
      storage::ListSet(ctx.db(), ctx.args[1], ctx.args[2], ctx.args[3], ListMaxListpackSize(ctx));
  if (status != OpStatus::kOk) return ctx.ReplyStatus(status);
  ctx.AddDirty();
  ctx.reply.Ok();
}

// LREM key count element
void CmdLrem(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  int64_t count = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  auto removed = storage::ListRemove(ctx.db(), ctx.args[1], count, ctx.args[3]);
  if (!removed.ok()) return ReplyMissingKey(ctx, removed.status(), [&] { ctx.reply.Integer(0); });
  ctx.AddDirty(*removed);
  ctx.reply.Integer(static_cast<int64_t>(*removed));
}

// LTRIM key start stop
void CmdLtrim(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  int64_t start = parser.NextInt64();
  int64_t stop = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  auto removed = storage::ListTrim(ctx.db(), ctx.args[1], start, stop);
  if (!removed.ok()) return ReplyMissingKey(ctx, removed.status(), [&] { ctx.reply.Ok(); });
  ctx.AddDirty(*removed);
  ctx.reply.Ok();
}

// LINSERT key BEFORE|AFTER pivot element
void CmdLinsert(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  bool after = parser.NextOneOf<bool>({{"after", true}, {"before", false}});
  if (!parser.Check(ctx)) return;
  auto length = storage::ListInsert(ctx.db(), ctx.args[1], ctx.args[3], ctx.args[4], after,
                                    ListMaxListpackSize(ctx));
  if (length.status() == OpStatus::kSkipped) return ctx.reply.Integer(-1);
  if (!length.ok()) return ReplyMissingKey(ctx, length.status(), [&] { ctx.reply.Integer(0); });
  ctx.AddDirty();
  ctx.reply.Integer(static_cast<int64_t>(*length));
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLpos(CommandContext& ctx) {
  int64_t rank = 1;
  int64_t count = -1;  // -1: no COUNT, reply a single index
  int64_t maxlen = 0;
  // Redis reads COUNT and MAXLEN as positive numbers: text that is no number at all gets the
  // same "can't be negative" error.
  ArgParser parser(ctx.args, 3);
  while (parser.HasNext()) {
    if (parser.Accept("rank", 1)) {
      rank = parser.NextInt64();
      if (!parser.failed() && rank == 0) parser.Fail(kErrRankZero);
    } else if (parser.Accept("count", 1)) {
      count = parser.NextInt64InRange(0, INT64_MAX, kErrCountNegative);
    } else if (parser.Accept("maxlen", 1)) {
      maxlen = parser.NextInt64InRange(0, INT64_MAX, kErrMaxlenNegative);
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  auto found = storage::FindList(ctx.db(), ctx.args[1]);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    return count != -1 ? ctx.reply.ArrayHeader(0) : ctx.reply.Null();
  }
  // Redis negates the rank in a long: LLONG_MIN stays negative, so every match qualifies, and its
  // COUNT test (matches - rank + 1 >= count) wraps negative, so COUNT stops nothing either.
  const bool rank_wrapped = rank == INT64_MIN;
  storage::ListSearch search;
  search.from_tail = rank < 0;
  search.skip = rank_wrapped ? 0 : static_cast<uint64_t>(rank < 0 ? -rank : rank) - 1;
  search.max_matches = count == -1 ? 1 : rank_wrapped ? 0 : static_cast<uint64_t>(count);
  search.maxlen = static_cast<uint64_t>(maxlen);
  std::vector<size_t> hits = storage::ListPositions(**found, ctx.args[2], search);
  if (count == -1) {
    if (hits.empty()) return ctx.reply.Null();
    return ctx.reply.Integer(static_cast<int64_t>(hits.front()));
  }
  ctx.reply.ArrayHeader(hits.size());
  for (size_t hit : hits) ctx.reply.Integer(static_cast<int64_t>(hit));
}

// Redis 7.0 counts no change when it serves a blocked BLMOVE, BRPOPLPUSH, BLPOP or BRPOP, but
// propagates what it did all the same.
void CountServedPop(CommandContext& ctx) {
  if (ctx.retry_key) {
    ctx.ForcePropagation(kPropagateBoth);
  } else {
    ctx.AddDirty();
  }
}

// BLMOVE and BRPOPLPUSH propagate as LMOVE and RPOPLPUSH, so that a replica or a reload never
// waits. A served blocked client propagates its ends as Redis names them, whatever it typed.
void PropagateBlockingMove(CommandContext& ctx, ListEnd from, ListEnd to) {
  if (!ctx.propagating()) return;
  if (ctx.spec.name == "brpoplpush") {
    return ctx.PropagateAs({"RPOPLPUSH", std::string(ctx.args[1]), std::string(ctx.args[2])});
  }
  auto end_name = [&](ListEnd end, size_t pos) {
    if (!ctx.retry_key) return std::string(ctx.args[pos]);
    return std::string(end == ListEnd::kHead ? "left" : "right");
  };
  ctx.PropagateAs({"LMOVE", std::string(ctx.args[1]), std::string(ctx.args[2]), end_name(from, 3),
                   end_name(to, 4)});
}

// LMOVE/BLMOVE/RPOPLPUSH/BRPOPLPUSH: `timeout_ms` < 0 for the non-blocking forms.
void MoveGeneric(CommandContext& ctx, ListEnd from, ListEnd to, int64_t timeout_ms) {
  // A re-run after a wake-up ignores a source of another type and keeps waiting, as Redis 7.0.
  bool rerun = ctx.retry_key.has_value();
  auto moved = storage::ListMove(ctx.db(), ctx.args[1], ctx.args[2], from, to, ListMaxListpackSize(ctx),
                                 /*skip_other_types=*/rerun);
  if (moved.ok()) {
    CountServedPop(ctx);
    if (timeout_ms >= 0) PropagateBlockingMove(ctx, from, to);
    return ctx.reply.Bulk(*moved);
  }
  if (moved.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(moved.status());
  if (timeout_ms < 0) return ctx.reply.Null();
  BlockOrGiveUp(ctx, ctx.args.subspan(1, 1), timeout_ms, true);
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
void CmdLmove(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  ListEnd from = NextEnd(parser);
  ListEnd to = NextEnd(parser);
  if (!parser.Check(ctx)) return;
  MoveGeneric(ctx, from, to, -1);
}

// RPOPLPUSH source destination
void CmdRpoplpush(CommandContext& ctx) { MoveGeneric(ctx, ListEnd::kTail, ListEnd::kHead, -1); }

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void CmdBlmove(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  ListEnd from = NextEnd(parser);
  ListEnd to = NextEnd(parser);
  int64_t timeout = parser.NextBlockTimeout();
  if (!parser.Check(ctx)) return;
  MoveGeneric(ctx, from, to, timeout);
}

// BRPOPLPUSH source destination timeout
void CmdBrpoplpush(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  int64_t timeout = parser.NextBlockTimeout();
  if (!parser.Check(ctx)) return;
  MoveGeneric(ctx, ListEnd::kTail, ListEnd::kHead, timeout);
}

// How a pop from several keys replies: BLPOP's [key, element] or LMPOP's [key, [elements]].
enum class PopReply : uint8_t { kKeyElement, kKeyElements };

// Pops from the first non-empty list of `keys` (only the ready key when re-run after a wake-up,
// where a key of another type is skipped). Returns false when none could serve; replies
// WRONGTYPE (and returns true) for a key of another type met first.
bool PopFirst(CommandContext& ctx, Args keys, ListEnd end, PopReply shape, int64_t count) {
  std::optional<std::string_view> retry = ctx.retry_key;
  Args candidates = retry ? Args(&*retry, 1) : keys;
  auto popped = storage::ListPopFirst(ctx.db(), candidates, end, static_cast<size_t>(count),
                                      /*skip_other_types=*/retry.has_value());
  if (!popped.ok()) {
    if (popped.status() == OpStatus::kKeyNotFound) return false;
    ctx.ReplyStatus(popped.status());
    return true;
  }
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(popped->key);
  if (shape == PopReply::kKeyElements) {
    ctx.AddDirty(popped->values.size());
    ReplyElements(ctx, popped->values);
  } else {
    CountServedPop(ctx);
    ctx.reply.Bulk(popped->values.front());
  }
  // Propagated as the pop it was from the key it served: LPOP/RPOP key, and with LMPOP's
  // shape the count popped.
  if (ctx.propagating()) {
    std::vector<std::string> pop{end == ListEnd::kHead ? "LPOP" : "RPOP", std::string(popped->key)};
    if (shape == PopReply::kKeyElements) pop.push_back(std::to_string(popped->values.size()));
    ctx.PropagateAs(std::move(pop));
  }
  return true;
}

// BLPOP/BRPOP key [key ...] timeout
void BlockingPop(CommandContext& ctx, ListEnd end) {
  ArgParser parser(ctx.args, ctx.args.size() - 1);
  int64_t timeout = parser.NextBlockTimeout();
  if (!parser.Check(ctx)) return;
  Args keys = ctx.args.subspan(1, ctx.args.size() - 2);
  if (PopFirst(ctx, keys, end, PopReply::kKeyElement, 1)) return;
  BlockOrGiveUp(ctx, keys, timeout, false);
}

void CmdBlpop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kHead); }
void CmdBrpop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kTail); }

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count], and BLMPOP timeout numkeys ... with
// `numkeys_pos` 2.
void MpopGeneric(CommandContext& ctx, size_t numkeys_pos, bool blocking) {
  ArgParser parser(ctx.args, numkeys_pos);
  int64_t numkeys = parser.NextInt64InRange(1, INT64_MAX, kErrNumKeys);
  // The keys and the LEFT|RIGHT after them must all be there.
  if (!parser.failed() && static_cast<uint64_t>(numkeys) >= parser.Remaining()) {
    parser.Fail(kErrSyntax);
  }
  Args keys = parser.NextSpan(static_cast<size_t>(numkeys));
  ListEnd end = NextEnd(parser);
  int64_t count = -1;
  while (parser.HasNext()) {
    if (count == -1 && parser.Accept("count", 1)) {
      count = parser.NextInt64InRange(1, INT64_MAX, kErrCountPositive);
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  if (count == -1) count = 1;
  int64_t timeout = 0;
  if (blocking) {
    ArgParser timeout_parser(ctx.args, 1);
    timeout = timeout_parser.NextBlockTimeout();
    if (!timeout_parser.Check(ctx)) return;
  }
  if (PopFirst(ctx, keys, end, PopReply::kKeyElements, count)) return;
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
     .handler = CmdLpush},

    {.name = "rpush",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdRpush},

    {.name = "lpushx",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLpushx},

    {.name = "rpushx",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdRpushx},

    {.name = "lpop",
     .arity = -2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLpop},

    {.name = "rpop",
     .arity = -2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdRpop},

    {.name = "llen",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLlen},

    {.name = "lrange",
     .arity = 4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLrange},

    {.name = "lindex",
     .arity = 3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLindex},

    {.name = "lset",
     .arity = 4,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLset},

    {.name = "lrem",
     .arity = 4,
     .flags = kWrite,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLrem},

    {.name = "ltrim",
     .arity = 4,
     .flags = kWrite,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLtrim},

    {.name = "linsert",
     .arity = 5,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLinsert},

    {.name = "lpos",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdLpos},

    {.name = "lmove",
     .arity = 5,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdLmove},

    {.name = "rpoplpush",
     .arity = 3,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdRpoplpush},

    {.name = "lmpop",
     .arity = -4,
     .flags = kWrite | kMovableKeys,
     .handler = CmdLmpop,
     .movable_keys = LmpopKeys},

    {.name = "blpop",
     .arity = -3,
     .flags = kWrite | kNoscript | kBlocking,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .handler = CmdBlpop},

    {.name = "brpop",
     .arity = -3,
     .flags = kWrite | kNoscript | kBlocking,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .handler = CmdBrpop},

    {.name = "blmove",
     .arity = 6,
     .flags = kWrite | kDenyOom | kNoscript | kBlocking,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdBlmove},

    {.name = "brpoplpush",
     .arity = 4,
     .flags = kWrite | kDenyOom | kNoscript | kBlocking,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdBrpoplpush},

    {.name = "blmpop",
     .arity = -5,
     .flags = kWrite | kBlocking | kMovableKeys,
     .handler = CmdBlmpop,
     .movable_keys = BlmpopKeys},
};

}  // namespace

void RegisterListFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
