// Hash commands: HSET and friends, counters, whole-hash reads, HRANDFIELD and HSCAN.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/handler_support.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/hash_ops.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

using storage::Hash;
using storage::OpStatus;

constexpr std::string_view kErrHashNotInteger = "ERR hash value is not an integer";
constexpr std::string_view kErrHashNotFloat = "ERR hash value is not a float";
constexpr std::string_view kErrIncrNanOrInfinity = "ERR value is NaN or Infinity";
constexpr std::string_view kErrValueOutOfRange = "ERR value is out of range";

// hash-max-listpack-entries and -value: when a hash leaves the listpack encoding.
storage::HashLimits HashEncodingLimits(CommandContext& ctx) {
  static const size_t kEntries = OptionIndex("hash-max-listpack-entries");
  static const size_t kValue = OptionIndex("hash-max-listpack-value");
  const auto& options = ctx.server.config.options();
  return {static_cast<size_t>(options[kEntries]->number()),
          static_cast<size_t>(options[kValue]->number())};
}

// HSET key field value [field value ...] and HMSET (which replies OK).
void SetGeneric(CommandContext& ctx, bool reply_ok) {
  if (ctx.args.size() % 2 != 0) return ctx.reply.Error(WrongArityError(ctx.spec.name));
  Args field_values = ctx.args.subspan(2);
  auto created = storage::HSet(ctx.db(), ctx.args[1], field_values, /*only_new_fields=*/false,
                               HashEncodingLimits(ctx));
  if (!created.ok()) return ctx.ReplyStatus(created.status());
  ctx.AddDirty(field_values.size() / 2);
  if (reply_ok) return ctx.reply.Ok();
  ctx.reply.Integer(static_cast<int64_t>(*created));
}

void CmdHset(CommandContext& ctx) { SetGeneric(ctx, false); }
void CmdHmset(CommandContext& ctx) { SetGeneric(ctx, true); }

// HSETNX key field value
void CmdHsetnx(CommandContext& ctx) {
  auto created = storage::HSet(ctx.db(), ctx.args[1], ctx.args.subspan(2),
                               /*only_new_fields=*/true, HashEncodingLimits(ctx));
  if (!created.ok()) return ctx.ReplyStatus(created.status());
  ctx.AddDirty(*created);
  ctx.reply.Integer(static_cast<int64_t>(*created));
}

// HGET key field
void CmdHget(CommandContext& ctx) {
  auto found = storage::FindHash(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Null(); });
  auto value = (*found)->Get(ctx.args[2]);
  if (!value) return ctx.reply.Null();
  ctx.reply.Bulk(*value);
}

// HMGET key field [field ...]
void CmdHmget(CommandContext& ctx) {
  auto found = storage::FindHash(ctx.db(), ctx.args[1]);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
    return ctx.ReplyStatus(found.status());
  }
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto value = found.ok() ? (*found)->Get(ctx.args[i]) : std::nullopt;
    if (value) {
      ctx.reply.Bulk(*value);
    } else {
      ctx.reply.Null();
    }
  }
}

// HDEL key field [field ...]
void CmdHdel(CommandContext& ctx) {
  auto deleted = storage::HDel(ctx.db(), ctx.args[1], ctx.args.subspan(2));
  if (!deleted.ok()) return ReplyMissingKey(ctx, deleted.status(), [&] { ctx.reply.Integer(0); });
  ctx.AddDirty(*deleted);
  ctx.reply.Integer(static_cast<int64_t>(*deleted));
}

// HEXISTS key field
void CmdHexists(CommandContext& ctx) {
  auto found = storage::FindHash(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  ctx.reply.Integer((*found)->Get(ctx.args[2]) ? 1 : 0);
}

// HLEN key
void CmdHlen(CommandContext& ctx) {
  auto found = storage::FindHash(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  ctx.reply.Integer(static_cast<int64_t>((*found)->Length()));
}

// HSTRLEN key field
void CmdHstrlen(CommandContext& ctx) {
  auto found = storage::FindHash(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  auto value = (*found)->Get(ctx.args[2]);
  ctx.reply.Integer(value ? static_cast<int64_t>(value->size()) : 0);
}

// HKEYS, HVALS, HGETALL: the whole hash as fields, values or a map.
void GetAllGeneric(CommandContext& ctx, bool fields, bool values) {
  auto found = storage::FindHash(ctx.db(), ctx.args[1]);
  bool map = fields && values;
  if (!found.ok()) {
    return ReplyMissingKey(ctx, found.status(), [&] {
      if (map) {
        ctx.reply.MapHeader(0);
      } else {
        ctx.reply.ArrayHeader(0);
      }
    });
  }
  const Hash* hash = *found;
  if (map) {
    ctx.reply.MapHeader(hash->Length());
  } else {
    ctx.reply.ArrayHeader(hash->Length());
  }
  hash->ForEach([&](std::string_view field, std::string_view value) {
    if (fields) ctx.reply.Bulk(field);
    if (values) ctx.reply.Bulk(value);
  });
}

void CmdHkeys(CommandContext& ctx) { GetAllGeneric(ctx, true, false); }
void CmdHvals(CommandContext& ctx) { GetAllGeneric(ctx, false, true); }
void CmdHgetall(CommandContext& ctx) { GetAllGeneric(ctx, true, true); }

// HINCRBY key field increment
void CmdHincrby(CommandContext& ctx) {
  auto increment = storage::ParseInt64(ctx.args[3]);
  if (!increment) return ctx.reply.Error(kErrNotInteger);
  auto result =
      storage::HIncrBy(ctx.db(), ctx.args[1], ctx.args[2], *increment, HashEncodingLimits(ctx));
  if (result.status() == OpStatus::kNotInteger) return ctx.reply.Error(kErrHashNotInteger);
  if (!result.ok()) return ctx.ReplyStatus(result.status());
  ctx.AddDirty();
  ctx.reply.Integer(*result);
}

// HINCRBYFLOAT key field increment
void CmdHincrbyfloat(CommandContext& ctx) {
  auto increment = storage::ParseLongDouble(ctx.args[3]);
  if (!increment) return ctx.reply.Error(kErrNotFloat);
  if (std::isnan(*increment) || std::isinf(*increment)) {
    return ctx.reply.Error(kErrIncrNanOrInfinity);
  }
  auto text = storage::HIncrByFloat(ctx.db(), ctx.args[1], ctx.args[2], *increment,
                                    HashEncodingLimits(ctx));
  if (text.status() == OpStatus::kNotFloat) return ctx.reply.Error(kErrHashNotFloat);
  if (!text.ok()) return ctx.ReplyStatus(text.status());
  ctx.AddDirty();
  ctx.reply.Bulk(*text);
  // Redis propagates the result, not the increment: float formatting must not make a replica or
  // a reload differ.
  if (ctx.propagating()) {
    ctx.PropagateAs({"HSET", std::string(ctx.args[1]), std::string(ctx.args[2]), *text});
  }
}

// One HRANDFIELD pick in the reply: a field, or field and value (a pair array in RESP3).
void ReplyPick(CommandContext& ctx, std::pair<std::string_view, std::string_view> pick,
               bool with_values) {
  if (with_values && ctx.reply.resp3()) ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(pick.first);
  if (with_values) ctx.reply.Bulk(pick.second);
}

// HRANDFIELD key [count [WITHVALUES]]
void CmdHrandfield(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    auto found = storage::FindHash(ctx.db(), ctx.args[1]);
    if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Null(); });
    return ctx.reply.Bulk((*found)->Random(ServerContext::Rng()).first);
  }
  ArgParser parser(ctx.args, 2);
  int64_t count = parser.NextInt64InRange(-INT64_MAX, INT64_MAX);
  bool with_values = parser.Accept("withvalues");
  if (!parser.Finalize(ctx)) return;
  // The reply would hold 2 * count entries: Redis refuses what could overflow that, either sign.
  if (with_values && (count < -INT64_MAX / 2 || count > INT64_MAX / 2)) {
    return ctx.reply.Error(kErrValueOutOfRange);
  }
  auto found = storage::FindHash(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.ArrayHeader(0); });
  const Hash* hash = *found;
  std::mt19937_64& rng = ServerContext::Rng();
  size_t entries = with_values && !ctx.reply.resp3() ? 2 : 1;
  if (count < 0) {
    // With repetition: every pick independent.
    auto n = static_cast<size_t>(-count);
    ctx.reply.ArrayHeader(n * entries);
    for (size_t i = 0; i < n; ++i) ReplyPick(ctx, hash->Random(rng), with_values);
    return;
  }
  size_t size = hash->Length();
  size_t n = std::min(size, static_cast<size_t>(count));
  ctx.reply.ArrayHeader(n * entries);
  if (n == size) {
    return hash->ForEach([&](std::string_view f, std::string_view v) {
      ReplyPick(ctx, {f, v}, with_values);
    });
  }
  if (n * kRandSubStrategyMul <= size) {
    // Few of many: draw until n distinct fields came up; the work stays O(n), as in Redis.
    std::unordered_set<std::string_view> seen;
    while (seen.size() < n) {
      auto pick = hash->Random(rng);
      if (seen.insert(pick.first).second) ReplyPick(ctx, pick, with_values);
    }
    return;
  }
  // Most of them: a partial Fisher-Yates shuffle of a copy.
  std::vector<std::pair<std::string_view, std::string_view>> all;
  all.reserve(size);
  hash->ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  for (size_t i = 0; i < n; ++i) {
    std::swap(all[i], all[std::uniform_int_distribution<size_t>(i, size - 1)(rng)]);
    ReplyPick(ctx, all[i], with_values);
  }
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void CmdHscan(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  uint64_t cursor = parser.NextScanCursor();
  if (!parser.Check(ctx)) return;
  auto found = storage::FindHash(ctx.db(), ctx.args[1]);
  if (!found.ok()) {
    return ReplyMissingKey(ctx, found.status(), [&] {
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk("0");
      ctx.reply.ArrayHeader(0);
    });
  }
  ScanOptions options = ReadScanOptions(parser);
  if (!parser.Check(ctx)) return;
  std::vector<std::string> batch;
  uint64_t next =
      (*found)->Scan(cursor, options.count, [&](std::string_view field, std::string_view value) {
        if (!options.Matches(field)) return;
        batch.emplace_back(field);
        batch.emplace_back(value);
      });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(storage::FormatInt64(static_cast<int64_t>(next)));
  ctx.reply.ArrayHeader(batch.size());
  for (const std::string& item : batch) ctx.reply.Bulk(item);
}

constexpr CommandSpec kRows[] = {
    {.name = "hset",
     .arity = -4,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHset},
    {.name = "hsetnx",
     .arity = 4,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHsetnx},
    {.name = "hget",
     .arity = 3,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHget},
    {.name = "hmset",
     .arity = -4,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHmset},
    {.name = "hmget",
     .arity = -3,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHmget},
    {.name = "hdel",
     .arity = -3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHdel},
    {.name = "hexists",
     .arity = 3,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHexists},
    {.name = "hlen",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHlen},
    {.name = "hstrlen",
     .arity = 3,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHstrlen},
    {.name = "hkeys",
     .arity = 2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHkeys},
    {.name = "hvals",
     .arity = 2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHvals},
    {.name = "hgetall",
     .arity = 2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHgetall},
    {.name = "hincrby",
     .arity = 4,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHincrby},
    {.name = "hincrbyfloat",
     .arity = 4,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHincrbyfloat},
    {.name = "hrandfield",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHrandfield},
    {.name = "hscan",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdHscan},
};

}  // namespace

void RegisterHashFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
