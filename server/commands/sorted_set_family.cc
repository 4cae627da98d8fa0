// Sorted set commands: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT, the
// ZRANGE family and ZRANGESTORE, ZREMRANGEBY*, ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER ZSCAN. The set
// algebra (ZUNION...) lives in sorted_set_algebra.cc.
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/commands/sorted_set_common.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/numbers.h"
#include "storage/zset_ops.h"

namespace respd::server {
namespace {

using storage::OpStatus;
using storage::ZSet;

constexpr std::string_view kErrIncrPair =
    "ERR INCR option supports a single increment-element pair";
constexpr std::string_view kErrNxXx = "ERR XX and NX options at the same time are not compatible";
constexpr std::string_view kErrGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
constexpr std::string_view kErrNan = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kErrLimitRank =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
constexpr std::string_view kErrWithscoresLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
constexpr std::string_view kErrValueOutOfRange = "ERR value is out of range";

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]; ZINCRBY is ZADD INCR.
void ZAddGeneric(CommandContext& ctx, int flags) {
  bool ch = false;
  ArgParser parser(ctx.args, 2);
  while (parser.HasNext()) {
    if (parser.Accept("nx")) {
      flags |= storage::kZAddNx;
    } else if (parser.Accept("xx")) {
      flags |= storage::kZAddXx;
    } else if (parser.Accept("ch")) {
      ch = true;
    } else if (parser.Accept("incr")) {
      flags |= storage::kZAddIncr;
    } else if (parser.Accept("gt")) {
      flags |= storage::kZAddGt;
    } else if (parser.Accept("lt")) {
      flags |= storage::kZAddLt;
    } else {
      break;
    }
  }
  size_t elements = parser.Remaining();
  if (elements % 2 != 0 || elements == 0) return ctx.ReplySyntaxError();
  elements /= 2;
  bool incr = flags & storage::kZAddIncr;
  bool nx = flags & storage::kZAddNx;
  bool gt = flags & storage::kZAddGt;
  bool lt = flags & storage::kZAddLt;
  if (nx && (flags & storage::kZAddXx)) return ctx.reply.Error(kErrNxXx);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return ctx.reply.Error(kErrGtLtNx);
  if (incr && elements > 1) return ctx.reply.Error(kErrIncrPair);

  thread_local std::vector<storage::ScoredMember> members;
  members.clear();
  while (parser.HasNext()) {
    double score = parser.NextDouble();
    if (!parser.Check(ctx)) return;
    members.push_back({score, parser.Next()});
  }

  auto result = storage::ZAdd(ctx.db(), ctx.args[1], members, flags, ZSetLimitsOf(ctx.server));
  if (!result.ok()) return ctx.ReplyStatus(result.status());
  if (result->nan) return ctx.reply.Error(kErrNan);
  if (!incr)
    return ctx.reply.Integer(static_cast<int64_t>(result->added + (ch ? result->updated : 0)));
  if (result->processed == 0) return ctx.reply.Null();
  ctx.reply.Double(result->score);
}

void CmdZAdd(CommandContext& ctx) { ZAddGeneric(ctx, 0); }

// ZINCRBY key increment member
void CmdZIncrBy(CommandContext& ctx) { ZAddGeneric(ctx, storage::kZAddIncr); }

// ZREM key member [member ...]
void CmdZRem(CommandContext& ctx) {
  auto removed = storage::ZRem(ctx.db(), ctx.args[1], ctx.args.subspan(2));
  if (!removed.ok()) return ctx.ReplyStatus(removed.status());
  ctx.reply.Integer(static_cast<int64_t>(*removed));
}

// ZCARD key
void CmdZCard(CommandContext& ctx) {
  auto found = storage::FindZSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  ctx.reply.Integer(static_cast<int64_t>((*found)->Length()));
}

// ZSCORE key member
void CmdZScore(CommandContext& ctx) {
  auto found = storage::FindZSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Null(); });
  auto score = (*found)->Score(ctx.args[2]);
  if (score) {
    ctx.reply.Double(*score);
  } else {
    ctx.reply.Null();
  }
}

// ZMSCORE key member [member ...]
void CmdZMScore(CommandContext& ctx) {
  auto found = storage::FindZSet(ctx.db(), ctx.args[1]);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
    return ctx.ReplyStatus(found.status());
  }
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<double> score;
    if (found.ok()) score = (*found)->Score(ctx.args[i]);
    if (score) {
      ctx.reply.Double(*score);
    } else {
      ctx.reply.Null();
    }
  }
}

// ZRANK / ZREVRANK key member
void RankGeneric(CommandContext& ctx, bool reverse) {
  auto found = storage::FindZSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Null(); });
  auto rank = (*found)->Rank(ctx.args[2]);
  if (!rank) return ctx.reply.Null();
  size_t r = reverse ? (*found)->Length() - 1 - *rank : *rank;
  ctx.reply.Integer(static_cast<int64_t>(r));
}

void CmdZRank(CommandContext& ctx) { RankGeneric(ctx, false); }
void CmdZRevRank(CommandContext& ctx) { RankGeneric(ctx, true); }

// ZCOUNT key min max
void CmdZCount(CommandContext& ctx) {
  storage::ScoreRange range;
  if (!ParseScoreRange(ctx.args[2], ctx.args[3], &range)) return ctx.reply.Error(kErrMinMaxFloat);
  auto found = storage::FindZSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  auto [lo, hi] = storage::RankBounds(**found, range);
  ctx.reply.Integer(static_cast<int64_t>(hi - lo));
}

// ZLEXCOUNT key min max
void CmdZLexCount(CommandContext& ctx) {
  storage::LexRange range;
  if (!ParseLexRange(ctx.args[2], ctx.args[3], &range)) return ctx.reply.Error(kErrMinMaxLex);
  auto found = storage::FindZSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  auto [lo, hi] = storage::RankBounds(**found, range);
  ctx.reply.Integer(static_cast<int64_t>(hi - lo));
}

enum class RangeType : uint8_t { kAuto, kRank, kScore, kLex };
enum class Direction : uint8_t { kAuto, kForward, kReverse };

// The ascending ranks [start, end) a range request selects, and in which order to emit them.
struct RankSpan {
  size_t start = 0;
  size_t end = 0;
  bool reverse = false;
};

// Applies Redis's LIMIT rules to the ranks [lo, hi) of a score or lex range: a negative offset or
// one past the set selects nothing, a negative count means all.
RankSpan LimitSpan(size_t lo, size_t hi, bool reverse, int64_t offset, int64_t count,
                   size_t length) {
  RankSpan span{lo, lo, reverse};
  if (offset < 0 || (offset > 0 && static_cast<size_t>(offset) >= length) || lo >= hi) return span;
  size_t available = hi - lo;
  size_t skip = std::min<size_t>(static_cast<size_t>(offset), available);
  size_t take = available - skip;
  if (count >= 0) take = std::min<size_t>(take, static_cast<size_t>(count));
  if (reverse) {
    span.end = hi - skip;
    span.start = span.end - take;
  } else {
    span.start = lo + skip;
    span.end = span.start + take;
  }
  return span;
}

// Ranks of ZRANGE's rank form with Redis's index clamping; reverse ranks count from the end.
RankSpan RankIndexSpan(int64_t start, int64_t end, bool reverse, size_t length) {
  auto [first, last] = storage::ClampRanks(start, end, length);
  if (!reverse || first == last) return {first, last, reverse};
  return {length - last, length - first, true};
}

// ZRANGESTORE's store of `elements` at args[1].
void ReplyStored(CommandContext& ctx, storage::ScoredMembers elements) {
  size_t stored = storage::ZStore(ctx.db(), ctx.args[1], std::move(elements),
                                  ZSetLimitsOf(ctx.server), storage::ZStoreKind::kRangeStore);
  ctx.reply.Integer(static_cast<int64_t>(stored));
}

// ZRANGE and its older forms; `store` for ZRANGESTORE (args shifted by one).
void RangeGeneric(CommandContext& ctx, bool store, RangeType type, Direction direction) {
  size_t key_pos = store ? 2 : 1;
  std::string_view key = ctx.args[key_pos];
  bool withscores = false;
  int64_t offset = 0;
  int64_t count = -1;
  bool limit_given = false;
  ArgParser parser(ctx.args, key_pos + 3);
  while (parser.HasNext()) {
    if (!store && parser.Accept("withscores")) {
      withscores = true;
    } else if (parser.Accept("limit", 2)) {
      offset = parser.NextInt64();
      count = parser.NextInt64();
      limit_given = true;
    } else if (direction == Direction::kAuto && parser.Accept("rev")) {
      direction = Direction::kReverse;
    } else if (type == RangeType::kAuto && parser.Accept("bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && parser.Accept("byscore")) {
      type = RangeType::kScore;
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  bool reverse = direction == Direction::kReverse;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  // Redis compares the count with its default (-1): "LIMIT 0 -1" passes with a rank range.
  if (limit_given && count != -1 && type == RangeType::kRank) return ctx.reply.Error(kErrLimitRank);
  if (withscores && type == RangeType::kLex) return ctx.reply.Error(kErrWithscoresLex);
  std::string_view min_arg = ctx.args[key_pos + 1];
  std::string_view max_arg = ctx.args[key_pos + 2];
  if (reverse && type != RangeType::kRank) std::swap(min_arg, max_arg);

  int64_t start = 0, end = 0;
  storage::ScoreRange score_range;
  storage::LexRange lex_range;
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank: {
      std::string_view bounds[] = {min_arg, max_arg};
      ArgParser rank_parser(bounds, 0);
      start = rank_parser.NextInt64();
      end = rank_parser.NextInt64();
      if (!rank_parser.Check(ctx)) return;
      break;
    }
    case RangeType::kScore:
      if (!ParseScoreRange(min_arg, max_arg, &score_range)) {
        return ctx.reply.Error(kErrMinMaxFloat);
      }
      break;
    case RangeType::kLex:
      if (!ParseLexRange(min_arg, max_arg, &lex_range)) return ctx.reply.Error(kErrMinMaxLex);
      break;
  }

  auto found = storage::FindZSet(ctx.db(), key);
  if (!found.ok()) {
    if (found.status() != OpStatus::kKeyNotFound) return ctx.ReplyStatus(found.status());
    if (!store) return ctx.reply.ArrayHeader(0);
    return ReplyStored(ctx, {});
  }
  const ZSet& z = **found;
  RankSpan span;
  if (type == RangeType::kRank) {
    span = RankIndexSpan(start, end, reverse, z.Length());
  } else {
    auto [lo, hi] = type == RangeType::kScore ? storage::RankBounds(z, score_range)
                                              : storage::RankBounds(z, lex_range);
    span = LimitSpan(lo, hi, reverse, offset, count, z.Length());
  }
  if (store) {
    storage::ScoredMembers elements;
    elements.reserve(span.end - span.start);
    z.ForRange(span.start, span.end, false,
               [&](std::string_view m, double s) { elements.emplace_back(std::string(m), s); });
    return ReplyStored(ctx, std::move(elements));
  }
  ReplyMembers(ctx, z, span.start, span.end, span.reverse, withscores);
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
void CmdZRange(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeType::kAuto, Direction::kAuto);
}
// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
void CmdZRangeStore(CommandContext& ctx) {
  RangeGeneric(ctx, true, RangeType::kAuto, Direction::kAuto);
}
void CmdZRevRange(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeType::kRank, Direction::kReverse);
}
void CmdZRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeType::kScore, Direction::kForward);
}
void CmdZRevRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeType::kScore, Direction::kReverse);
}
void CmdZRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeType::kLex, Direction::kForward);
}
void CmdZRevRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeType::kLex, Direction::kReverse);
}

// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX key min max
void RemRangeGeneric(CommandContext& ctx, RangeType type) {
  int64_t start = 0, end = 0;
  storage::ScoreRange score_range;
  storage::LexRange lex_range;
  if (type == RangeType::kRank) {
    ArgParser parser(ctx.args, 2);
    start = parser.NextInt64();
    end = parser.NextInt64();
    if (!parser.Check(ctx)) return;
  } else if (type == RangeType::kScore) {
    if (!ParseScoreRange(ctx.args[2], ctx.args[3], &score_range)) {
      return ctx.reply.Error(kErrMinMaxFloat);
    }
  } else if (!ParseLexRange(ctx.args[2], ctx.args[3], &lex_range)) {
    return ctx.reply.Error(kErrMinMaxLex);
  }
  storage::Database& db = ctx.db();
  storage::OpResult<size_t> removed =
      type == RangeType::kRank    ? storage::ZRemRangeByRank(db, ctx.args[1], start, end)
      : type == RangeType::kScore ? storage::ZRemRangeByScore(db, ctx.args[1], score_range)
                                  : storage::ZRemRangeByLex(db, ctx.args[1], lex_range);
  if (!removed.ok()) return ctx.ReplyStatus(removed.status());
  ctx.reply.Integer(static_cast<int64_t>(*removed));
}

void CmdZRemRangeByRank(CommandContext& ctx) { RemRangeGeneric(ctx, RangeType::kRank); }
void CmdZRemRangeByScore(CommandContext& ctx) { RemRangeGeneric(ctx, RangeType::kScore); }
void CmdZRemRangeByLex(CommandContext& ctx) { RemRangeGeneric(ctx, RangeType::kLex); }

// ZPOPMIN / ZPOPMAX key [count]
void PopGeneric(CommandContext& ctx, bool max) {
  if (ctx.args.size() > 3) return ctx.ReplySyntaxError();
  int64_t count = 1;
  bool count_given = ctx.args.size() == 3;
  if (count_given) {
    ArgParser parser(ctx.args, 2);
    count = parser.NextNonNegative();
    if (!parser.Check(ctx)) return;
  }
  auto popped = storage::ZPop(ctx.db(), ctx.args[1], max, static_cast<size_t>(count));
  if (!popped.ok()) {
    return ReplyMissingKey(ctx, popped.status(), [&] { ctx.reply.ArrayHeader(0); });
  }
  if (popped->empty()) return ctx.reply.ArrayHeader(0);
  ReplyPopped(ctx, ctx.args[1], *popped, count_given ? PopReply::kPairs : PopReply::kFlat);
}

void CmdZPopMin(CommandContext& ctx) { PopGeneric(ctx, false); }
void CmdZPopMax(CommandContext& ctx) { PopGeneric(ctx, true); }

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void CmdZMPop(CommandContext& ctx) {
  MPopArgs parsed;
  if (!ParseMPopArgs(ctx, 1, &parsed)) return;
  if (!PopFirst(ctx, parsed.keys, parsed.max, parsed.count, false)) ctx.reply.NullArray();
}

// ZRANDMEMBER key [count [WITHSCORES]]
void CmdZRandMember(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    auto found = storage::FindZSet(ctx.db(), ctx.args[1]);
    if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Null(); });
    const ZSet& z = **found;
    size_t rank = std::uniform_int_distribution<size_t>(0, z.Length() - 1)(ServerContext::Rng());
    z.ForRange(rank, rank + 1, false, [&](std::string_view m, double) { ctx.reply.Bulk(m); });
    return;
  }
  ArgParser parser(ctx.args, 2);
  int64_t count = parser.NextInt64InRange(-INT64_MAX, INT64_MAX);
  bool withscores = parser.Accept("withscores");
  if (!parser.Finalize(ctx)) return;
  // The reply would hold 2 * count entries: Redis refuses what could overflow that, either sign.
  constexpr int64_t kHalf = INT64_MAX / 2;
  if (withscores && (count < -kHalf || count > kHalf)) return ctx.reply.Error(kErrValueOutOfRange);
  auto found = storage::FindZSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.ArrayHeader(0); });
  const ZSet& z = **found;
  if (count == 0) return ctx.reply.ArrayHeader(0);
  auto& rng = ServerContext::Rng();
  std::uniform_int_distribution<size_t> pick(0, z.Length() - 1);
  auto emit = [&](std::string_view m, double s) { ReplyMember(ctx, m, s, withscores); };
  if (count < 0) {
    auto n = static_cast<size_t>(-count);
    ctx.reply.ArrayHeader(withscores && !ctx.reply.resp3() ? n * 2 : n);
    for (size_t i = 0; i < n; ++i) {
      size_t rank = pick(rng);
      z.ForRange(rank, rank + 1, false, emit);
    }
    return;
  }
  if (static_cast<size_t>(count) >= z.Length()) {
    // Redis 7.0 replies the whole set from the highest score down.
    return ReplyMembers(ctx, z, 0, z.Length(), true, withscores);
  }
  // Distinct members, picked by rank: a uniform rank is a uniform member.
  auto n = static_cast<size_t>(count);
  std::vector<size_t> ranks;
  if (n * kRandSubStrategyMul <= z.Length()) {
    // Few of many: draw until n distinct ranks came up; the work stays O(n), as in Redis.
    std::unordered_set<size_t> seen;
    ranks.reserve(n);
    while (ranks.size() < n) {
      size_t rank = pick(rng);
      if (seen.insert(rank).second) ranks.push_back(rank);
    }
  } else {
    // Most of them: a partial Fisher-Yates over all ranks.
    ranks.resize(z.Length());
    for (size_t i = 0; i < ranks.size(); ++i) ranks[i] = i;
    for (size_t i = 0; i < n; ++i) {
      std::swap(ranks[i], ranks[std::uniform_int_distribution<size_t>(i, ranks.size() - 1)(rng)]);
    }
    ranks.resize(n);
  }
  ctx.reply.ArrayHeader(withscores && !ctx.reply.resp3() ? n * 2 : n);
  for (size_t rank : ranks) z.ForRange(rank, rank + 1, false, emit);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void CmdZScan(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  uint64_t cursor = parser.NextScanCursor();
  if (!parser.Check(ctx)) return;
  auto found = storage::FindZSet(ctx.db(), ctx.args[1]);
  if (!found.ok()) {
    return ReplyMissingKey(ctx, found.status(), [&] { ReplyEmptyScan(ctx); });
  }
  ScanOptions options = ReadScanOptions(parser);
  if (!parser.Check(ctx)) return;
  std::vector<std::pair<std::string_view, double>> batch;
  uint64_t next = (*found)->Scan(cursor, options.count, [&](std::string_view m, double s) {
    if (options.Matches(m)) batch.emplace_back(m, s);
  });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(storage::FormatInt64(static_cast<int64_t>(next)));
  // A listpack holds scores as d2string text and Redis replies that text; a skiplist's are doubles.
  const bool listpack = (*found)->Encoding() == "listpack";
  ctx.reply.ArrayHeader(batch.size() * 2);
  for (const auto& [m, s] : batch) {
    ctx.reply.Bulk(m);
    ctx.reply.Bulk(listpack ? storage::FormatDoubleStored(s) : storage::FormatDouble(s));
  }
}

bool ZMPopKeys(Args args, std::vector<int>* positions) {
  return NumKeysPositions(args, 1, 0, positions);
}

constexpr uint32_t kReadFast = kReadonly | kFast;

constexpr CommandSpec kRows[] = {
    {.name = "zadd",
     .arity = -4,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZAdd},
    {.name = "zincrby",
     .arity = 4,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZIncrBy},
    {.name = "zrem",
     .arity = -3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRem},
    {.name = "zcard",
     .arity = 2,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZCard},
    {.name = "zscore",
     .arity = 3,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZScore},
    {.name = "zmscore",
     .arity = -3,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZMScore},
    {.name = "zrank",
     .arity = 3,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRank},
    {.name = "zrevrank",
     .arity = 3,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRevRank},
    {.name = "zcount",
     .arity = 4,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZCount},
    {.name = "zlexcount",
     .arity = 4,
     .flags = kReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZLexCount},
    {.name = "zrange",
     .arity = -4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRange},
    {.name = "zrangestore",
     .arity = -5,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdZRangeStore},
    {.name = "zrevrange",
     .arity = -4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRevRange},
    {.name = "zrangebyscore",
     .arity = -4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRangeByScore},
    {.name = "zrevrangebyscore",
     .arity = -4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRevRangeByScore},
    {.name = "zrangebylex",
     .arity = -4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRangeByLex},
    {.name = "zrevrangebylex",
     .arity = -4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRevRangeByLex},
    {.name = "zremrangebyrank",
     .arity = 4,
     .flags = kWrite,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRemRangeByRank},
    {.name = "zremrangebyscore",
     .arity = 4,
     .flags = kWrite,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRemRangeByScore},
    {.name = "zremrangebylex",
     .arity = 4,
     .flags = kWrite,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRemRangeByLex},
    {.name = "zpopmin",
     .arity = -2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZPopMin},
    {.name = "zpopmax",
     .arity = -2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZPopMax},
    {.name = "zmpop",
     .arity = -4,
     .flags = kWrite | kMovableKeys,
     .handler = CmdZMPop,
     .movable_keys = ZMPopKeys},
    {.name = "zrandmember",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZRandMember},
    {.name = "zscan",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdZScan},
};

}  // namespace

void RegisterSortedSetFamily(CommandTable& table) {
  table.Register(kRows);
  RegisterSortedSetAlgebra(table);
  RegisterSortedSetBlocking(table);
}

}  // namespace respd::server
