// Helpers shared by the sorted set command files.
#include "server/commands/sorted_set_common.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/dispatch/errors.h"
#include "server/services/blocking.h"
#include "storage/numbers.h"

namespace respd::server {

using storage::OpStatus;
using storage::ZSet;

storage::ZSetLimits ZSetLimitsOf(ServerContext& server) {
  static const size_t kEntries = OptionIndex("zset-max-listpack-entries");
  static const size_t kValue = OptionIndex("zset-max-listpack-value");
  const auto& options = server.config.options();
  return {static_cast<size_t>(options[kEntries]->number()),
          static_cast<size_t>(options[kValue]->number())};
}

namespace {

// A C string like Redis's sds argument: strtod stops at the first NUL byte.
bool ParseScoreBound(std::string_view text, double* value, bool* exclusive) {
  std::string copy(text);
  const char* p = copy.c_str();
  *exclusive = p[0] == '(';
  if (*exclusive) ++p;
  char* end = nullptr;
  *value = std::strtod(p, &end);
  return *end == '\0' && !std::isnan(*value);
}

bool ParseLexBound(std::string_view text, std::string_view* value, bool* exclusive, bool* minus,
                   bool* plus) {
  if (text.empty()) return false;
  switch (text[0]) {
    case '+':
    case '-':
      if (text.size() > 1 && text[1] != '\0') return false;
      (text[0] == '+' ? *plus : *minus) = true;
      return true;
    case '(':
      *exclusive = true;
      *value = text.substr(1);
      return true;
    case '[':
      *value = text.substr(1);
      return true;
    default:
      return false;
  }
}

}  // namespace

bool ParseScoreRange(std::string_view min, std::string_view max, storage::ScoreRange* range) {
  return ParseScoreBound(min, &range->min, &range->min_exclusive) &&
         ParseScoreBound(max, &range->max, &range->max_exclusive);
}

bool ParseLexRange(std::string_view min, std::string_view max, storage::LexRange* range) {
  return ParseLexBound(min, &range->min, &range->min_exclusive, &range->min_is_minus_inf,
                       &range->min_is_plus_inf) &&
         ParseLexBound(max, &range->max, &range->max_exclusive, &range->max_is_minus_inf,
                       &range->max_is_plus_inf);
}

void ReplyMember(CommandContext& ctx, std::string_view member, double score, bool withscores) {
  if (withscores && ctx.reply.resp3()) ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(member);
  if (withscores) ctx.reply.Double(score);
}

void ReplyMembers(CommandContext& ctx, const ZSet& z, size_t start, size_t end, bool reverse,
                  bool withscores) {
  size_t n = end > start ? end - start : 0;
  ctx.reply.ArrayHeader(withscores && !ctx.reply.resp3() ? n * 2 : n);
  z.ForRange(start, end, reverse,
             [&](std::string_view m, double s) { ReplyMember(ctx, m, s, withscores); });
}

void ReplyPopped(CommandContext& ctx, std::string_view key, const storage::ScoredMembers& popped,
                 PopReply mode) {
  size_t n = popped.size();
  switch (mode) {
    case PopReply::kKeyed:
      ctx.reply.ArrayHeader(3);
      ctx.reply.Bulk(key);
      break;
    case PopReply::kFlat:
      ctx.reply.ArrayHeader(2);
      break;
    case PopReply::kPairs:
      ctx.reply.ArrayHeader(ctx.reply.resp3() ? n : n * 2);
      break;
    case PopReply::kMulti:
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(key);
      ctx.reply.ArrayHeader(n);
      break;
  }
  bool nested = mode == PopReply::kMulti || (mode == PopReply::kPairs && ctx.reply.resp3());
  for (const auto& [member, score] : popped) {
    if (nested) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(member);
    ctx.reply.Double(score);
  }
}

bool PopFirst(CommandContext& ctx, std::span<const std::string_view> keys, bool max, size_t count,
              bool keyed_single) {
  auto retry = ctx.retry_key;
  for (std::string_view key : keys) {
    if (retry && key != *retry) continue;
    auto popped = storage::ZPop(ctx.db(), key, max, keyed_single ? 1 : count);
    if (!popped.ok()) {
      if (popped.status() == OpStatus::kKeyNotFound || retry) continue;
      ctx.ReplyStatus(popped.status());
      return true;
    }
    ReplyPopped(ctx, key, *popped, keyed_single ? PopReply::kKeyed : PopReply::kMulti);
    // Propagated as the pop it was from the key it served: ZPOPMIN/ZPOPMAX key, with the count
    // popped for ZMPOP's shape.
    if (ctx.propagating()) {
      std::vector<std::string> pop{max ? "ZPOPMAX" : "ZPOPMIN", std::string(key)};
      if (!keyed_single) pop.push_back(std::to_string(popped->size()));
      ctx.PropagateAs(std::move(pop));
    }
    return true;
  }
  return false;
}

bool ParseMPopArgs(CommandContext& ctx, size_t numkeys_pos, MPopArgs* out) {
  ArgParser parser(ctx.args, numkeys_pos);
  int64_t numkeys = parser.NextInt64InRange(1, INT64_MAX, kErrNumKeys);
  // The keys and the MIN|MAX after them must all be there.
  if (!parser.failed() && static_cast<uint64_t>(numkeys) >= parser.Remaining()) {
    parser.Fail(kErrSyntax);
  }
  Args keys = parser.NextSpan(static_cast<size_t>(numkeys));
  out->max = parser.NextOneOf<bool>({{"min", false}, {"max", true}});
  bool count_seen = false;
  while (parser.HasNext()) {
    if (!count_seen && parser.Accept("count", 1)) {
      out->count = static_cast<size_t>(
          parser.NextInt64InRange(1, INT64_MAX, "ERR count should be greater than 0"));
      count_seen = true;
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return false;
  out->keys.assign(keys.begin(), keys.end());
  return true;
}

}  // namespace respd::server
