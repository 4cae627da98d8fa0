// String commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX INCR DECR INCRBY
// DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SUBSTR SETRANGE LCS. Writers parse, call one operation
// of storage/string_ops (which reports the keyspace events and counts the changes) and reply.

#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/commands/handler_support.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/clock.h"
#include "storage/key_ops.h"
#include "storage/numbers.h"
#include "storage/string_ops.h"

namespace respd::server {
namespace {

using storage::Entry;
using storage::OpResult;
using storage::OpStatus;
using storage::SetParams;
using storage::ValueType;

constexpr std::string_view kErrDecrementOverflow = "ERR decrement would overflow";
constexpr std::string_view kErrOffsetOutOfRange = "ERR offset is out of range";
constexpr std::string_view kErrLcsWrongType = "ERR The specified keys must contain string values";
constexpr std::string_view kErrLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
constexpr std::string_view kErrLcsTooLong = "ERR String too long for LCS";
constexpr std::string_view kErrLcsTableTooBig =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
// LCS indexes are 32-bit, as in Redis.
constexpr size_t kLcsMaxLen = UINT32_MAX - 1;

// The options SET and GETEX share, as Redis's parseExtendedStringArgumentsOrReply parses them.
enum SetFlag : uint32_t {
  kNoFlag = 0,
  kNx = 1u << 0,
  kXx = 1u << 1,
  kGet = 1u << 2,
  kKeepTtl = 1u << 3,
  kPersist = 1u << 4,
  kEx = 1u << 5,
  kPx = 1u << 6,
  kExAt = 1u << 7,
  kPxAt = 1u << 8,
};
constexpr uint32_t kAnyExpire = kEx | kPx | kExAt | kPxAt;

struct StringOptions {
  uint32_t flags = 0;
  std::string_view expire;  // the EX/PX/EXAT/PXAT argument
};

// Reads the options left in `parser`. SET accepts NX XX GET KEEPTTL, GETEX accepts PERSIST; both
// take one expire option (repeating the same one is allowed, the last wins); anything else is a
// syntax error. The expire argument is only kept: Redis checks it later.
StringOptions ReadStringOptions(ArgParser& parser, bool is_set) {
  StringOptions out;
  uint32_t& flags = out.flags;
  while (parser.HasNext()) {
    if (is_set && !(flags & kXx) && parser.Accept("nx")) {
      flags |= kNx;
    } else if (is_set && !(flags & kNx) && parser.Accept("xx")) {
      flags |= kXx;
    } else if (is_set && parser.Accept("get")) {
      flags |= kGet;
    } else if (is_set && !(flags & (kPersist | kAnyExpire)) && parser.Accept("keepttl")) {
      flags |= kKeepTtl;
    } else if (!is_set && !(flags & (kKeepTtl | kAnyExpire)) && parser.Accept("persist")) {
      flags |= kPersist;
    } else {
      uint32_t expire_flag = parser.Is("ex")     ? kEx
                             : parser.Is("px")   ? kPx
                             : parser.Is("exat") ? kExAt
                             : parser.Is("pxat") ? kPxAt
                                                 : kNoFlag;
      uint32_t conflicts = kKeepTtl | kPersist | (kAnyExpire & ~expire_flag);
      if (expire_flag == kNoFlag || (flags & conflicts) || parser.Remaining() < 2) {
        parser.Fail(kErrSyntax);
        break;
      }
      parser.Next();
      flags |= expire_flag;
      out.expire = parser.Next();
    }
  }
  return out;
}

// Redis's getExpireMillisecondsOrReply: the absolute expire time in ms of `text` in seconds or
// milliseconds, relative to now unless `absolute`. Replies the error and returns nullopt.
std::optional<int64_t> ExpireAtOrReply(CommandContext& ctx, std::string_view text, bool seconds,
                                       bool absolute) {
  std::optional<int64_t> value = storage::ParseInt64(text);
  if (!value) {
    ctx.reply.Error(kErrNotInteger);
    return std::nullopt;
  }
  int64_t ms = *value;
  if (ms <= 0 || (seconds && ms > INT64_MAX / 1000)) {
    ctx.reply.Error(InvalidExpireError(ctx.spec.name));
    return std::nullopt;
  }
  if (seconds) ms *= 1000;
  // A wrapped sum is negative, as in Redis.
  if (!absolute) ms = static_cast<int64_t>(static_cast<uint64_t>(ms) + storage::CommandTimeMs());
  if (ms <= 0) {
    ctx.reply.Error(InvalidExpireError(ctx.spec.name));
    return std::nullopt;
  }
  return ms;
}

std::optional<int64_t> OptionsExpireAtOrReply(CommandContext& ctx, const StringOptions& options) {
  return ExpireAtOrReply(ctx, options.expire, options.flags & (kEx | kExAt),
                         options.flags & (kExAt | kPxAt));
}

// GET key
void CmdGet(CommandContext& ctx) {
  Entry* entry = ctx.db().FindRead(ctx.args[1]);
  if (entry == nullptr) {
    ctx.reply.Null();
  } else if (entry->type() != ValueType::kString) {
    ctx.reply.Error(kErrWrongType);
  } else {
    ctx.reply.Bulk(entry->str());
  }
}

// Replies the old value SET ... GET and GETSET return, null when there was none.
void ReplyOldValue(CommandContext& ctx, const storage::SetOutcome& outcome) {
  if (outcome.old_value) {
    ctx.reply.Bulk(*outcome.old_value);
  } else {
    ctx.reply.Null();
  }
}

// What a SET that wrote propagates as (Redis's setGenericCommand): with an expire time, SET key
// value PXAT ms-timestamp, so a replica or a reload later keeps the same deadline (every other
// option dropped); without one, the command minus its GET options.
void PropagateSet(CommandContext& ctx, std::string_view value, const SetParams& params) {
  std::string_view key = ctx.args[1];
  if (params.expire_at_ms != Entry::kNoExpire) {
    ctx.PropagateAs(
        {"SET", std::string(key), std::string(value), "PXAT", std::to_string(params.expire_at_ms)});
  } else if (params.get_old) {
    std::vector<std::string> argv(ctx.args.begin(), ctx.args.begin() + 3);
    for (size_t i = 3; i < ctx.args.size(); ++i) {
      if (!IsKeyword(ctx.args[i], "get")) argv.emplace_back(ctx.args[i]);
    }
    ctx.PropagateAs(std::move(argv));
  }
}

// The work of SET, SETEX and PSETEX. With GET the old value is the reply, whether or not NX/XX
// let the write happen.
void SetGeneric(CommandContext& ctx, std::string_view value, const SetParams& params) {
  OpResult<storage::SetOutcome> result = storage::Set(ctx.db(), ctx.args[1], value, params);
  if (!result.ok()) {
    ctx.ReplyStatus(result.status());
    return;
  }
  if (result->written && ctx.propagating()) PropagateSet(ctx, value, params);
  if (params.get_old) {
    ReplyOldValue(ctx, *result);
  } else if (result->written) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Null();
  }
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//   PXAT unix-time-milliseconds | KEEPTTL]
void CmdSet(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  StringOptions options = ReadStringOptions(parser, /*is_set=*/true);
  if (!parser.Check(ctx)) return;
  SetParams params;
  if (options.flags & kAnyExpire) {
    std::optional<int64_t> at = OptionsExpireAtOrReply(ctx, options);
    if (!at) return;
    params.expire_at_ms = *at;
  }
  if (options.flags & kNx) params.condition = SetParams::Condition::kIfAbsent;
  if (options.flags & kXx) params.condition = SetParams::Condition::kIfPresent;
  params.get_old = options.flags & kGet;
  params.keep_ttl = options.flags & kKeepTtl;
  SetGeneric(ctx, ctx.args[2], params);
}

// SETNX key value
void CmdSetnx(CommandContext& ctx) {
  SetParams params{.condition = SetParams::Condition::kIfAbsent};
  OpResult<storage::SetOutcome> result = storage::Set(ctx.db(), ctx.args[1], ctx.args[2], params);
  ctx.reply.Integer(result->written ? 1 : 0);
}

void SetWithExpire(CommandContext& ctx, bool seconds) {
  std::optional<int64_t> at = ExpireAtOrReply(ctx, ctx.args[2], seconds, /*absolute=*/false);
  if (!at) return;
  SetGeneric(ctx, ctx.args[3], {.expire_at_ms = *at});
}

// SETEX key seconds value
void CmdSetex(CommandContext& ctx) { SetWithExpire(ctx, /*seconds=*/true); }

// PSETEX key milliseconds value
void CmdPsetex(CommandContext& ctx) { SetWithExpire(ctx, /*seconds=*/false); }

// GETSET key value
void CmdGetset(CommandContext& ctx) {
  OpResult<storage::SetOutcome> result =
      storage::Set(ctx.db(), ctx.args[1], ctx.args[2], {.get_old = true});
  if (!result.ok()) {
    ctx.ReplyStatus(result.status());
    return;
  }
  ReplyOldValue(ctx, *result);
  if (ctx.propagating()) {
    ctx.PropagateAs({"SET", std::string(ctx.args[1]), std::string(ctx.args[2])});
  }
}

// GETDEL key
void CmdGetdel(CommandContext& ctx) {
  OpResult<std::optional<std::string>> result = storage::GetDel(ctx.db(), ctx.args[1]);
  if (!result.ok()) {
    ctx.ReplyStatus(result.status());
  } else if (*result) {
    ctx.reply.Bulk(**result);
    if (ctx.propagating()) {
      ctx.PropagateAs({DeletionCommand(ctx, "lazyfree-lazy-user-del"), std::string(ctx.args[1])});
    }
  } else {
    ctx.reply.Null();
  }
}

// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds |
//   PERSIST]
void CmdGetex(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  StringOptions options = ReadStringOptions(parser, /*is_set=*/false);
  if (!parser.Check(ctx)) return;
  storage::Database& db = ctx.db();
  OpResult<Entry*> found = db.FindReadTyped(ctx.args[1], ValueType::kString);
  if (!found.ok()) {
    ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Null(); });
    return;
  }
  Entry* entry = *found;
  // The expire time is checked only once the key is known to be a string, as in Redis.
  int64_t expire_at = Entry::kNoExpire;
  if (options.flags & kAnyExpire) {
    std::optional<int64_t> at = OptionsExpireAtOrReply(ctx, options);
    if (!at) return;
    expire_at = *at;
  }
  ctx.reply.Bulk(entry->str());
  // GETEX never propagates as itself (Redis's getexCommand): a relative time would move.
  std::string_view key = ctx.args[1];
  if (options.flags & kAnyExpire) {
    // Only EXAT and PXAT can name a time already past: the key is then deleted.
    bool deletes = expire_at <= storage::CommandTimeMs();
    storage::ExpireEntryAt(db, entry, expire_at);
    if (!ctx.propagating()) return;
    if (deletes) {
      ctx.PropagateAs({DeletionCommand(ctx, "lazyfree-lazy-expire"), std::string(key)});
    } else {
      ctx.PropagateAs({"PEXPIREAT", std::string(key), std::to_string(expire_at)});
    }
  } else if ((options.flags & kPersist) && storage::PersistEntry(db, entry) && ctx.propagating()) {
    ctx.PropagateAs({"PERSIST", std::string(key)});
  }
}

// MGET key [key ...]
void CmdMget(CommandContext& ctx) {
  storage::Database& db = ctx.db();
  ctx.reply.ArrayHeader(ctx.args.size() - 1);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    Entry* entry = db.FindRead(ctx.args[i]);
    if (entry == nullptr || entry->type() != ValueType::kString) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(entry->str());
    }
  }
}

// MSET and MSETNX: pairs of key and value; with `nx` nothing is set if any key exists.
void MsetGeneric(CommandContext& ctx, bool nx) {
  Args args = ctx.args;
  if (args.size() % 2 == 0) {
    ctx.reply.Error(WrongArityError(ctx.spec.name));
    return;
  }
  bool written = storage::MSet(ctx.db(), args.subspan(1), nx);
  if (nx) {
    ctx.reply.Integer(written ? 1 : 0);
  } else {
    ctx.reply.Ok();
  }
}

// MSET key value [key value ...]
void CmdMset(CommandContext& ctx) { MsetGeneric(ctx, /*nx=*/false); }

// MSETNX key value [key value ...]
void CmdMsetnx(CommandContext& ctx) { MsetGeneric(ctx, /*nx=*/true); }

void IncrByReply(CommandContext& ctx, int64_t delta) {
  OpResult<int64_t> result = storage::IncrBy(ctx.db(), ctx.args[1], delta);
  if (!result.ok()) {
    ctx.ReplyStatus(result.status());
    return;
  }
  ctx.reply.Integer(*result);
}


// INCR key
void CmdIncr(CommandContext& ctx) { IncrByReply(ctx, 1); }

// DECR key
void CmdDecr(CommandContext& ctx) { IncrByReply(ctx, -1); }

// INCRBY key increment
void CmdIncrby(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  int64_t amount = parser.NextInt64();
  if (parser.Check(ctx)) IncrByReply(ctx, amount);
}

// DECRBY key decrement
void CmdDecrby(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  int64_t amount = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  if (amount == INT64_MIN) {
    ctx.reply.Error(kErrDecrementOverflow);
    return;
  }
  IncrByReply(ctx, -amount);
}

// INCRBYFLOAT key increment
void CmdIncrbyfloat(CommandContext& ctx) {
  OpResult<std::string> result = storage::IncrByFloat(ctx.db(), ctx.args[1], ctx.args[2]);
  if (!result.ok()) {
    ctx.ReplyStatus(result.status());
    return;
  }
  ctx.reply.Bulk(*result);
  // Redis propagates the result, not the increment: float formatting must not make a replica or
  // a reload differ.
  if (ctx.propagating()) ctx.PropagateAs({"SET", std::string(ctx.args[1]), *result, "KEEPTTL"});
}

void ReplyLength(CommandContext& ctx, const OpResult<size_t>& result) {
  if (!result.ok()) {
    ctx.ReplyStatus(result.status());
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(result.value()));
}

// APPEND key value
void CmdAppend(CommandContext& ctx) {
  ReplyLength(ctx, storage::Append(ctx.db(), ctx.args[1], ctx.args[2], MaxStringLen(ctx)));
}

// STRLEN key
void CmdStrlen(CommandContext& ctx) {
  OpResult<Entry*> found = ctx.db().FindReadTyped(ctx.args[1], ValueType::kString);
  if (found.status() == OpStatus::kKeyNotFound) {
    ctx.reply.Integer(0);
  } else if (!found.ok()) {
    ctx.ReplyStatus(found.status());
  } else {
    ctx.reply.Integer(static_cast<int64_t>((*found)->str().size()));
  }
}

// GETRANGE key start end (and SUBSTR, its old name)
void CmdGetrange(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  int64_t start = parser.NextInt64();
  int64_t end = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  OpResult<Entry*> found = ctx.db().FindReadTyped(ctx.args[1], ValueType::kString);
  if (found.status() == OpStatus::kKeyNotFound) {
    ctx.reply.Bulk({});
  } else if (!found.ok()) {
    ctx.ReplyStatus(found.status());
  } else {
    ctx.reply.Bulk(storage::Substring((*found)->str(), start, end));
  }
}

// SETRANGE key offset value
void CmdSetrange(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  int64_t offset = parser.NextInt64();
  if (!parser.failed() && offset < 0) parser.Fail(kErrOffsetOutOfRange);
  if (!parser.Check(ctx)) return;
  ReplyLength(ctx, storage::SetRange(ctx.db(), ctx.args[1], static_cast<uint64_t>(offset),
                                     ctx.args[3], MaxStringLen(ctx)));
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
void CmdLcs(CommandContext& ctx) {
  Args args = ctx.args;
  storage::Database& db = ctx.db();
  Entry* a = db.FindRead(args[1]);
  Entry* b = db.FindRead(args[2]);
  if ((a != nullptr && a->type() != ValueType::kString) ||
      (b != nullptr && b->type() != ValueType::kString)) {
    ctx.reply.Error(kErrLcsWrongType);
    return;
  }
  bool want_len = false, want_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  ArgParser parser(args, 3);
  while (parser.HasNext()) {
    if (parser.Accept("idx")) {
      want_idx = true;
    } else if (parser.Accept("len")) {
      want_len = true;
    } else if (parser.Accept("withmatchlen")) {
      with_match_len = true;
    } else if (parser.Accept("minmatchlen", 1)) {
      min_match_len = std::max<int64_t>(parser.NextInt64(), 0);
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  if (want_idx && want_len) {
    ctx.reply.Error(kErrLcsLenAndIdx);
    return;
  }
  std::string_view sa = a != nullptr ? a->str() : std::string_view();
  std::string_view sb = b != nullptr ? b->str() : std::string_view();
  if (sa.size() >= kLcsMaxLen || sb.size() >= kLcsMaxLen) {
    ctx.reply.Error(kErrLcsTooLong);
    return;
  }
  if (storage::LcsTableBytes(sa.size(), sb.size()) > MaxStringLen(ctx)) {
    ctx.reply.Error(kErrLcsTableTooBig);
    return;
  }
  storage::LcsResult lcs = storage::Lcs(sa, sb, !want_len && !want_idx, want_idx);
  if (want_len) {
    ctx.reply.Integer(lcs.length);
    return;
  }
  if (!want_idx) {
    ctx.reply.Bulk(lcs.text);
    return;
  }
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("matches");
  size_t shown = 0;
  for (const storage::LcsMatch& m : lcs.matches) shown += m.length() >= min_match_len;
  ctx.reply.ArrayHeader(shown);
  for (const storage::LcsMatch& m : lcs.matches) {
    if (m.length() < min_match_len) continue;
    ctx.reply.ArrayHeader(with_match_len ? 3 : 2);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(m.a_start);
    ctx.reply.Integer(m.a_end);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(m.b_start);
    ctx.reply.Integer(m.b_end);
    if (with_match_len) ctx.reply.Integer(m.length());
  }
  ctx.reply.Bulk("len");
  ctx.reply.Integer(lcs.length);
}

// Every row names one key at position 1, except MGET/MSET/MSETNX (all or every other argument)
// and LCS (two keys).
constexpr CommandSpec kRows[] = {
    {.name = "get",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGet},
    {.name = "set",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSet},
    {.name = "setnx",
     .arity = 3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSetnx},
    {.name = "setex",
     .arity = 4,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSetex},
    {.name = "psetex",
     .arity = 4,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdPsetex},
    {.name = "getset",
     .arity = 3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGetset},
    {.name = "getdel",
     .arity = 2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGetdel},
    {.name = "getex",
     .arity = -2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGetex},
    {.name = "mget",
     .arity = -2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdMget},
    {.name = "mset",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = -1,
     .key_step = 2,
     .handler = CmdMset},
    {.name = "msetnx",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = -1,
     .key_step = 2,
     .handler = CmdMsetnx},
    {.name = "incr",
     .arity = 2,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdIncr},
    {.name = "decr",
     .arity = 2,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdDecr},
    {.name = "incrby",
     .arity = 3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdIncrby},
    {.name = "decrby",
     .arity = 3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdDecrby},
    {.name = "incrbyfloat",
     .arity = 3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdIncrbyfloat},
    {.name = "append",
     .arity = 3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdAppend},
    {.name = "strlen",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdStrlen},
    {.name = "getrange",
     .arity = 4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGetrange},
    {.name = "substr",
     .arity = 4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGetrange},
    {.name = "setrange",
     .arity = 4,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSetrange},
    {.name = "lcs",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdLcs},
};

}  // namespace

void RegisterStringFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
