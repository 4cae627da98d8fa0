// Sorted set algebra: ZUNION ZINTER ZDIFF, ZUNIONSTORE ZINTERSTORE ZDIFFSTORE (WEIGHTS, AGGREGATE)
// and ZINTERCARD. Plain sets are accepted as inputs with every score 1, as in Redis.
#include <algorithm>
#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/sorted_set_common.h"
#include "server/dispatch/errors.h"
#include "storage/zset_ops.h"

namespace respd::server {
namespace {

using storage::ZAggregate;
using Op = storage::ZSetOpKind;

storage::ZStoreKind StoreKind(Op op) {
  switch (op) {
    case Op::kUnion:
      return storage::ZStoreKind::kUnionStore;
    case Op::kInter:
      return storage::ZStoreKind::kInterStore;
    case Op::kDiff:
      return storage::ZStoreKind::kDiffStore;
  }
  return storage::ZStoreKind::kUnionStore;
}

// The shared command: numkeys at args[numkeys_pos], keys, then options. `store` when args[1] is
// the destination; `card_only` for ZINTERCARD.
void AlgebraGeneric(CommandContext& ctx, size_t numkeys_pos, Op op, bool store, bool card_only) {
  ArgParser parser(ctx.args, numkeys_pos);
  int64_t setnum = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  if (setnum < 1) {
    return ctx.reply.Error("ERR at least 1 input key is needed for '" + std::string(ctx.spec.name) +
                           "' command");
  }
  Args keys = parser.NextSpan(static_cast<size_t>(setnum));
  if (!parser.Check(ctx)) return;
  // Redis looks the inputs up before it reads the options: WRONGTYPE comes first.
  auto found = storage::FindZSources(ctx.db(), keys);
  if (!found.ok()) return ctx.ReplyStatus(found.status());
  std::vector<storage::ZSource>& src = *found;

  ZAggregate aggregate = ZAggregate::kSum;
  bool withscores = false;
  size_t limit = 0;
  const bool weighted = op != Op::kDiff && !card_only;
  while (parser.HasNext()) {
    if (weighted && parser.Accept("weights", src.size())) {
      for (storage::ZSource& source : src) {
        source.weight = parser.NextDouble("ERR weight value is not a float");
      }
    } else if (weighted && parser.Accept("aggregate", 1)) {
      aggregate = parser.NextOneOf<ZAggregate>(
          {{"sum", ZAggregate::kSum}, {"min", ZAggregate::kMin}, {"max", ZAggregate::kMax}});
    } else if (!store && !card_only && parser.Accept("withscores")) {
      withscores = true;
    } else if (card_only && parser.Accept("limit", 1)) {
      limit = static_cast<size_t>(
          parser.NextInt64InRange(0, INT64_MAX, "ERR LIMIT can't be negative"));
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;

  storage::ScoredMembers result =
      storage::ZCombine(op, std::move(src), aggregate, card_only ? limit : 0);
  if (card_only) return ctx.reply.Integer(static_cast<int64_t>(result.size()));
  if (store) {
    size_t stored = storage::ZStore(ctx.db(), ctx.args[1], std::move(result),
                                    ZSetLimitsOf(ctx.server), StoreKind(op));
    return ctx.reply.Integer(static_cast<int64_t>(stored));
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  ctx.reply.ArrayHeader(withscores && !ctx.reply.resp3() ? result.size() * 2 : result.size());
  for (const auto& [m, s] : result) ReplyMember(ctx, m, s, withscores);
}

void CmdZUnion(CommandContext& ctx) { AlgebraGeneric(ctx, 1, Op::kUnion, false, false); }
void CmdZInter(CommandContext& ctx) { AlgebraGeneric(ctx, 1, Op::kInter, false, false); }
void CmdZDiff(CommandContext& ctx) { AlgebraGeneric(ctx, 1, Op::kDiff, false, false); }
void CmdZUnionStore(CommandContext& ctx) { AlgebraGeneric(ctx, 2, Op::kUnion, true, false); }
void CmdZInterStore(CommandContext& ctx) { AlgebraGeneric(ctx, 2, Op::kInter, true, false); }
void CmdZDiffStore(CommandContext& ctx) { AlgebraGeneric(ctx, 2, Op::kDiff, true, false); }
void CmdZInterCard(CommandContext& ctx) { AlgebraGeneric(ctx, 1, Op::kInter, false, true); }

bool SourceKeys(Args args, std::vector<int>* positions) {
  return NumKeysPositions(args, 1, 0, positions);
}
bool StoreKeys(Args args, std::vector<int>* positions) {
  return NumKeysPositions(args, 2, 1, positions);
}

constexpr CommandSpec kRows[] = {
    {.name = "zunion",
     .arity = -3,
     .flags = kReadonly | kMovableKeys,
     .handler = CmdZUnion,
     .movable_keys = SourceKeys},
    {.name = "zinter",
     .arity = -3,
     .flags = kReadonly | kMovableKeys,
     .handler = CmdZInter,
     .movable_keys = SourceKeys},
    {.name = "zdiff",
     .arity = -3,
     .flags = kReadonly | kMovableKeys,
     .handler = CmdZDiff,
     .movable_keys = SourceKeys},
    {.name = "zunionstore",
     .arity = -4,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZUnionStore,
     .movable_keys = StoreKeys},
    {.name = "zinterstore",
     .arity = -4,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZInterStore,
     .movable_keys = StoreKeys},
    {.name = "zdiffstore",
     .arity = -4,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZDiffStore,
     .movable_keys = StoreKeys},
    {.name = "zintercard",
     .arity = -3,
     .flags = kReadonly | kMovableKeys,
     .handler = CmdZInterCard,
     .movable_keys = SourceKeys},
};

}  // namespace

void RegisterSortedSetAlgebra(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
