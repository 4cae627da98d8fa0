// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
// SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
#include <string>
#include <unordered_set>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/commands/handler_support.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/numbers.h"
#include "storage/set_ops.h"

namespace respd::server {
namespace {

using storage::OpStatus;
using storage::Set;
using storage::SetOpKind;

constexpr std::string_view kErrTooManyKeys =
    "ERR Number of keys can't be greater than number of args";
constexpr std::string_view kErrLimitNegative = "ERR LIMIT can't be negative";

size_t MaxIntsetEntries(ServerContext& server) {
  static const size_t kIndex = OptionIndex("set-max-intset-entries");
  return static_cast<size_t>(server.config.options()[kIndex]->number());
}

// SADD key member [member ...]
void CmdSAdd(CommandContext& ctx) {
  auto added =
      storage::SAdd(ctx.db(), ctx.args[1], ctx.args.subspan(2), MaxIntsetEntries(ctx.server));
  if (!added.ok()) return ctx.ReplyStatus(added.status());
  ctx.reply.Integer(static_cast<int64_t>(*added));
}

// SREM key member [member ...]
void CmdSRem(CommandContext& ctx) {
  auto removed = storage::SRem(ctx.db(), ctx.args[1], ctx.args.subspan(2));
  if (!removed.ok()) return ctx.ReplyStatus(removed.status());
  ctx.reply.Integer(static_cast<int64_t>(*removed));
}

// SISMEMBER key member
void CmdSIsMember(CommandContext& ctx) {
  auto found = storage::FindSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  ctx.reply.Integer((*found)->Contains(ctx.args[2]) ? 1 : 0);
}

// SMISMEMBER key member [member ...]
void CmdSMIsMember(CommandContext& ctx) {
  auto found = storage::FindSet(ctx.db(), ctx.args[1]);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
    return ctx.ReplyStatus(found.status());
  }
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Integer(found.ok() && (*found)->Contains(ctx.args[i]) ? 1 : 0);
  }
}

// SCARD key
void CmdSCard(CommandContext& ctx) {
  auto found = storage::FindSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  ctx.reply.Integer(static_cast<int64_t>((*found)->Length()));
}

void ReplyMembers(CommandContext& ctx, const std::vector<std::string>& members, bool as_set) {
  if (as_set) {
    ctx.reply.SetHeader(members.size());
  } else {
    ctx.reply.ArrayHeader(members.size());
  }
  for (const std::string& m : members) ctx.reply.Bulk(m);
}

// What SPOP with a count that popped `popped` propagates as (Redis's spopWithCountCommand): DEL
// when it took the whole set, else one SREM per member in the order they were popped.
void PropagateSPop(CommandContext& ctx, const std::vector<std::string>& popped) {
  std::string key(ctx.args[1]);
  if (ctx.db().Peek(key) == nullptr) {
    ctx.PropagateAs({"DEL", std::move(key)});
    return;
  }
  for (const std::string& member : popped) ctx.AlsoPropagate({"SREM", key, member});
  ctx.PreventPropagation();
}

// SPOP key [count]
void CmdSPop(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.ReplySyntaxError();
  auto& rng = ServerContext::Rng();
  if (ctx.args.size() == 2) {
    auto popped = storage::SPop(ctx.db(), ctx.args[1], 1, MaxIntsetEntries(ctx.server), rng);
    if (!popped.ok()) return ReplyMissingKey(ctx, popped.status(), [&] { ctx.reply.Null(); });
    ctx.reply.Bulk(popped->front());
    // A random pop propagates as the removal of what it drew, as in Redis.
    if (ctx.propagating()) ctx.PropagateAs({"SREM", std::string(ctx.args[1]), popped->front()});
    return;
  }
  ArgParser parser(ctx.args, 2);
  int64_t count = parser.NextNonNegative();
  if (!parser.Check(ctx)) return;
  auto popped = storage::SPop(ctx.db(), ctx.args[1], static_cast<size_t>(count),
                              MaxIntsetEntries(ctx.server), rng);
  if (!popped.ok()) {
    return ReplyMissingKey(ctx, popped.status(), [&] { ctx.reply.SetHeader(0); });
  }
  ReplyMembers(ctx, *popped, true);
  if (!popped->empty() && ctx.propagating()) PropagateSPop(ctx, *popped);
}

// SRANDMEMBER key [count]
void CmdSRandMember(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.ReplySyntaxError();
  auto& rng = ServerContext::Rng();
  if (ctx.args.size() == 2) {
    auto found = storage::FindSet(ctx.db(), ctx.args[1]);
    if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Null(); });
    return ctx.reply.Bulk((*found)->Random(rng));
  }
  ArgParser parser(ctx.args, 2);
  int64_t count = parser.NextInt64InRange(-INT64_MAX, INT64_MAX);
  if (!parser.Check(ctx)) return;
  auto found = storage::FindSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.ArrayHeader(0); });
  const Set& s = **found;
  if (count == 0) return ctx.reply.ArrayHeader(0);
  if (count < 0) {
    auto n = static_cast<size_t>(-count);
    ctx.reply.ArrayHeader(n);
    for (size_t i = 0; i < n; ++i) ctx.reply.Bulk(s.Random(rng));
    return;
  }
  auto n = static_cast<size_t>(count);
  if (n >= s.Length()) {
    ctx.reply.ArrayHeader(s.Length());
    s.ForEach([&](std::string_view m) { ctx.reply.Bulk(m); });
    return;
  }
  std::vector<std::string> picked;
  if (n * kRandSubStrategyMul > s.Length()) {
    // Many of them: a partial shuffle of all members.
    std::vector<std::string> all;
    all.reserve(s.Length());
    s.ForEach([&](std::string_view m) { all.emplace_back(m); });
    for (size_t i = 0; i < n; ++i) {
      std::swap(all[i], all[std::uniform_int_distribution<size_t>(i, all.size() - 1)(rng)]);
    }
    all.resize(n);
    picked = std::move(all);
  } else {
    std::unordered_set<std::string> seen;
    while (picked.size() < n) {
      std::string m = s.Random(rng);
      if (seen.insert(m).second) picked.push_back(std::move(m));
    }
  }
  ctx.reply.ArrayHeader(n);
  for (const std::string& m : picked) ctx.reply.Bulk(m);
}

// SMOVE source destination member
void CmdSMove(CommandContext& ctx) {
  auto moved =
      storage::SMove(ctx.db(), ctx.args[1], ctx.args[2], ctx.args[3], MaxIntsetEntries(ctx.server));
  if (!moved.ok()) return ctx.ReplyStatus(moved.status());
  ctx.reply.Integer(*moved ? 1 : 0);
}

// SINTER / SUNION / SDIFF key [key ...]; SMEMBERS is SINTER of one key.
void SetOpGeneric(CommandContext& ctx, SetOpKind op) {
  auto result = storage::SCombine(ctx.db(), op, ctx.args.subspan(1));
  if (!result.ok()) return ctx.ReplyStatus(result.status());
  ReplyMembers(ctx, *result, true);
}

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]
void SetOpStoreGeneric(CommandContext& ctx, SetOpKind op) {
  auto stored = storage::SCombineStore(ctx.db(), op, ctx.args[1], ctx.args.subspan(2),
                                       MaxIntsetEntries(ctx.server));
  if (!stored.ok()) return ctx.ReplyStatus(stored.status());
  ctx.reply.Integer(static_cast<int64_t>(*stored));
}

void CmdSMembers(CommandContext& ctx) { SetOpGeneric(ctx, SetOpKind::kInter); }
void CmdSInter(CommandContext& ctx) { SetOpGeneric(ctx, SetOpKind::kInter); }
void CmdSUnion(CommandContext& ctx) { SetOpGeneric(ctx, SetOpKind::kUnion); }
void CmdSDiff(CommandContext& ctx) { SetOpGeneric(ctx, SetOpKind::kDiff); }
void CmdSInterStore(CommandContext& ctx) { SetOpStoreGeneric(ctx, SetOpKind::kInter); }
void CmdSUnionStore(CommandContext& ctx) { SetOpStoreGeneric(ctx, SetOpKind::kUnion); }
void CmdSDiffStore(CommandContext& ctx) { SetOpStoreGeneric(ctx, SetOpKind::kDiff); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void CmdSInterCard(CommandContext& ctx) {
  ArgParser parser(ctx.args);
  int64_t numkeys = parser.NextInt64InRange(1, INT64_MAX, kErrNumKeys);
  if (!parser.failed() && static_cast<uint64_t>(numkeys) > parser.Remaining()) {
    parser.Fail(kErrTooManyKeys);
  }
  Args keys = parser.NextSpan(static_cast<size_t>(numkeys));
  int64_t limit = 0;
  while (parser.HasNext()) {
    if (parser.Accept("limit", 1)) {
      limit = parser.NextInt64InRange(0, INT64_MAX, kErrLimitNegative);
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  auto result = storage::SCombine(ctx.db(), SetOpKind::kInter, keys, static_cast<size_t>(limit));
  if (!result.ok()) return ctx.ReplyStatus(result.status());
  ctx.reply.Integer(static_cast<int64_t>(result->size()));
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void CmdSScan(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  uint64_t cursor = parser.NextScanCursor();
  if (!parser.Check(ctx)) return;
  auto found = storage::FindSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) {
    return ReplyMissingKey(ctx, found.status(), [&] { ReplyEmptyScan(ctx); });
  }
  ScanOptions options = ReadScanOptions(parser);
  if (!parser.Check(ctx)) return;
  std::vector<std::string> batch;
  uint64_t next = (*found)->Scan(cursor, options.count, [&](std::string_view m) {
    if (options.Matches(m)) batch.emplace_back(m);
  });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(storage::FormatInt64(static_cast<int64_t>(next)));
  ctx.reply.ArrayHeader(batch.size());
  for (const std::string& m : batch) ctx.reply.Bulk(m);
}

bool SInterCardKeys(Args args, std::vector<int>* positions) {
  return NumKeysPositions(args, 1, 0, positions);
}

constexpr uint32_t kReadFast = kReadonly | kFast;

constexpr CommandSpec kRows[] = {
    {.name = "sadd",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSAdd},
    {.name = "srem",
     .arity = -3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSRem},
    {.name = "smembers",
     .arity = 2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSMembers},
    {.name = "sismember",
     .arity = 3,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSIsMember},
    {.name = "smismember",
     .arity = -3,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSMIsMember},
    {.name = "scard",
     .arity = 2,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSCard},
    {.name = "spop",
     .arity = -2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSPop},
    {.name = "srandmember",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSRandMember},
    {.name = "smove",
     .arity = 4,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdSMove},
    {.name = "sinter",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdSInter},
    {.name = "sintercard",
     .arity = -3,
     .flags = kReadonly | kMovableKeys,
     .handler = CmdSInterCard,
     .movable_keys = SInterCardKeys},
    {.name = "sinterstore",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdSInterStore},
    {.name = "sunion",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdSUnion},
    {.name = "sunionstore",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdSUnionStore},
    {.name = "sdiff",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdSDiff},
    {.name = "sdiffstore",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdSDiffStore},
    {.name = "sscan",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSScan},
};

}  // namespace

void RegisterSetFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
