// Sorted set algebra: ZUNION ZINTER ZDIFF, ZUNIONSTORE ZINTERSTORE ZDIFFSTORE (WEIGHTS, AGGREGATE)
// and ZINTERCARD. Plain sets are accepted as inputs with every score 1, as in Redis.
#include <algorithm>
#include <string>
#include <vector>

#include "server/commands/collection_args.h"
#include "server/commands/sorted_set_common.h"
#include "server/dispatch/errors.h"
#include "storage/numbers.h"
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
  auto setnum = storage::ParseInt64(ctx.args[numkeys_pos]);
  if (!setnum) return ctx.reply.Error(kErrNotInteger);
  if (*setnum < 1) {
    return ctx.reply.Error("ERR at least 1 input key is needed for '" + std::string(ctx.spec.name) +
                           "' command");
  }
  if (*setnum > static_cast<int64_t>(ctx.args.size() - numkeys_pos - 1)) {
    return ctx.ReplySyntaxError();
  }
  auto n = static_cast<size_t>(*setnum);
  // Redis looks the inputs up before it reads the options: WRONGTYPE comes first.
  auto found = storage::FindZSources(ctx.db(), ctx.args.subspan(numkeys_pos + 1, n));
  if (!found.ok()) return ctx.ReplyStatus(found.status());
  std::vector<storage::ZSource>& src = *found;

  ZAggregate aggregate = ZAggregate::kSum;
  bool withscores = false;
  size_t limit = 0;
  for (size_t j = numkeys_pos + 1 + n; j < ctx.args.size();) {
    size_t remaining = ctx.args.size() - j;
    std::string_view opt = ctx.args[j];
    if (op != Op::kDiff && !card_only && remaining >= n + 1 && EqualsIgnoreCase(opt, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        auto w = storage::ParseDouble(ctx.args[j]);
        if (!w) return ctx.reply.Error("ERR weight value is not a float");
        src[i].weight = *w;
      }
    } else if (op != Op::kDiff && !card_only && remaining >= 2 &&
               EqualsIgnoreCase(opt, "aggregate")) {
      std::string_view how = ctx.args[j + 1];
      if (EqualsIgnoreCase(how, "sum")) {
        aggregate = ZAggregate::kSum;
      } else if (EqualsIgnoreCase(how, "min")) {
        aggregate = ZAggregate::kMin;
      } else if (EqualsIgnoreCase(how, "max")) {
        aggregate = ZAggregate::kMax;
      } else {
        return ctx.ReplySyntaxError();
      }
      j += 2;
    } else if (!store && !card_only && EqualsIgnoreCase(opt, "withscores")) {
      withscores = true;
      ++j;
    } else if (card_only && remaining >= 2 && EqualsIgnoreCase(opt, "limit")) {
      auto parsed = storage::ParseInt64(ctx.args[j + 1]);
      if (!parsed || *parsed < 0) return ctx.reply.Error("ERR LIMIT can't be negative");
      limit = static_cast<size_t>(*parsed);
      j += 2;
    } else {
      return ctx.ReplySyntaxError();
    }
  }

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
     .group = "sorted-set",
     .since = "6.2.0",
     .summary = "Add multiple sorted sets",
     .complexity = "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, "
                   "and M being the number of elements in the resulting sorted set.",
     .movable_keys = SourceKeys},
    {.name = "zinter",
     .arity = -3,
     .flags = kReadonly | kMovableKeys,
     .handler = CmdZInter,
     .group = "sorted-set",
     .since = "6.2.0",
     .summary = "Intersect multiple sorted sets",
     .complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K "
                   "being the number of input sorted sets and M being the number of elements in "
                   "the resulting sorted set.",
     .movable_keys = SourceKeys},
    {.name = "zdiff",
     .arity = -3,
     .flags = kReadonly | kMovableKeys,
     .handler = CmdZDiff,
     .group = "sorted-set",
     .since = "6.2.0",
     .summary = "Subtract multiple sorted sets",
     .complexity = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all "
                   "the sets, N is the size of the first set, and K is the size of the result "
                   "set.",
     .movable_keys = SourceKeys},
    {.name = "zunionstore",
     .arity = -4,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZUnionStore,
     .group = "sorted-set",
     .since = "2.0.0",
     .summary = "Add multiple sorted sets and store the resulting sorted set in a new key",
     .complexity = "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, "
                   "and M being the number of elements in the resulting sorted set.",
     .movable_keys = StoreKeys},
    {.name = "zinterstore",
     .arity = -4,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZInterStore,
     .group = "sorted-set",
     .since = "2.0.0",
     .summary = "Intersect multiple sorted sets and store the resulting sorted set in a new key",
     .complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K "
                   "being the number of input sorted sets and M being the number of elements in "
                   "the resulting sorted set.",
     .movable_keys = StoreKeys},
    {.name = "zdiffstore",
     .arity = -4,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZDiffStore,
     .group = "sorted-set",
     .since = "6.2.0",
     .summary = "Subtract multiple sorted sets and store the resulting sorted set in a new key",
     .complexity = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all "
                   "the sets, N is the size of the first set, and K is the size of the result "
                   "set.",
     .movable_keys = StoreKeys},
    {.name = "zintercard",
     .arity = -3,
     .flags = kReadonly | kMovableKeys,
     .handler = CmdZInterCard,
     .group = "sorted-set",
     .since = "7.0.0",
     .summary = "Intersect multiple sorted sets and return the cardinality of the result",
     .complexity = "O(N*K) worst case with N being the smallest input sorted set, K being the "
                   "number of input sorted sets.",
     .movable_keys = SourceKeys},
};

}  // namespace

void RegisterSortedSetAlgebra(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
