// Helpers shared by the sorted set command files.
#include "server/commands/sorted_set_common.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "server/services/blocking.h"
#include "server/commands/collection_args.h"
#include "server/dispatch/errors.h"
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

storage::OpResult<ZSet*> AsZSet(storage::OpResult<storage::Entry*> found) {
  if (!found.ok()) return found.status();
  return static_cast<ZSet*>((*found)->object());
}

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

storage::OpResult<ZSet*> FindZSetRead(CommandContext& ctx, std::string_view key) {
  return AsZSet(ctx.db().FindReadTyped(key, storage::ValueType::kZSet));
}

storage::OpResult<ZSet*> FindZSetWrite(CommandContext& ctx, std::string_view key) {
  return AsZSet(ctx.db().FindWriteTyped(key, storage::ValueType::kZSet));
}

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

std::pair<size_t, size_t> RankBounds(const ZSet& z, const storage::ScoreRange& range) {
  if (range.Empty()) return {0, 0};
  size_t lo = z.CountBelowMin(range);
  return {lo, std::max(lo, z.CountUpToMax(range))};
}

std::pair<size_t, size_t> RankBounds(const ZSet& z, const storage::LexRange& range) {
  if (range.Empty() || z.Length() == 0) return {0, 0};
  // As Redis (zzlIsInLexRange), nothing is in range unless the last member reaches min and the
  // first reaches max; with unequal scores, members are not in lex order and this alone decides.
  bool reachable = true;
  z.ForRange(z.Length() - 1, z.Length(), false,
             [&](std::string_view member, double) { reachable &= range.AboveMin(member); });
  z.ForRange(0, 1, false,
             [&](std::string_view member, double) { reachable &= range.BelowMax(member); });
  if (!reachable) return {0, 0};
  size_t lo = z.CountBelowMin(range);
  return {lo, std::max(lo, z.CountUpToMax(range))};
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

void StoreResult(CommandContext& ctx, std::string_view dst,
                 std::vector<std::pair<std::string, double>> elements, bool dirty_per_element) {
  storage::Database& db = ctx.db();
  if (elements.empty()) {
    if (db.Delete(dst)) ctx.AddDirty();
    ctx.reply.Integer(0);
    return;
  }
  size_t n = elements.size();
  ctx.AddDirty(dirty_per_element ? n : 1);
  db.Put(storage::Entry::NewObject(dst, ZSet::Build(std::move(elements), ZSetLimitsOf(ctx.server)),
                                   storage::Entry::kNoExpire));
  ctx.reply.Integer(static_cast<int64_t>(n));
}

void PopAndReply(CommandContext& ctx, std::string_view key, ZSet* z, bool max, size_t count,
                 PopReply mode) {
  size_t len = z->Length();
  size_t n = std::min(count, len);
  size_t start = max ? len - n : 0;
  size_t end = max ? len : n;
  if (mode == PopReply::kKeyed) {
    ctx.reply.ArrayHeader(3);
    ctx.reply.Bulk(key);
  } else if (mode == PopReply::kFlat) {
    ctx.reply.ArrayHeader(2);
  } else {
    ctx.reply.ArrayHeader(ctx.reply.resp3() ? n : n * 2);
  }
  bool nested = mode == PopReply::kPairs && ctx.reply.resp3();
  z->ForRange(start, end, max, [&](std::string_view m, double s) {
    if (nested) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(m);
    ctx.reply.Double(s);
  });
  z->RemoveRange(start, end);
  ctx.AddDirty(n);
  FinishWrite(ctx.db(), key, z);
}

bool PopFirst(CommandContext& ctx, std::span<const std::string_view> keys, bool max, size_t count,
              bool keyed_single) {
  auto retry = ctx.retry_key;
  for (std::string_view key : keys) {
    if (retry && key != *retry) continue;
    auto found = FindZSetWrite(ctx, key);
    if (!found.ok()) {
      if (found.status() == OpStatus::kKeyNotFound || retry) continue;
      ctx.ReplyStatus(found.status());
      return true;
    }
    if (keyed_single) {
      PopAndReply(ctx, key, *found, max, 1, PopReply::kKeyed);
    } else {
      MPopReply(ctx, key, *found, max, count);
    }
    return true;
  }
  return false;
}

bool ParseMPopArgs(CommandContext& ctx, size_t numkeys_pos, MPopArgs* out) {
  auto numkeys = storage::ParseInt64(ctx.args[numkeys_pos]);
  if (!numkeys || *numkeys < 1) {
    ctx.reply.Error("ERR numkeys should be greater than 0");
    return false;
  }
  size_t where = numkeys_pos + 1;
  if (*numkeys >= static_cast<int64_t>(ctx.args.size())) {
    ctx.ReplySyntaxError();
    return false;
  }
  where += static_cast<size_t>(*numkeys);
  if (where >= ctx.args.size()) {
    ctx.ReplySyntaxError();
    return false;
  }
  if (EqualsIgnoreCase(ctx.args[where], "min")) {
    out->max = false;
  } else if (EqualsIgnoreCase(ctx.args[where], "max")) {
    out->max = true;
  } else {
    ctx.ReplySyntaxError();
    return false;
  }
  bool count_seen = false;
  for (size_t j = where + 1; j < ctx.args.size(); ++j) {
    if (!count_seen && EqualsIgnoreCase(ctx.args[j], "count") && j + 1 < ctx.args.size()) {
      auto count = storage::ParseInt64(ctx.args[++j]);
      if (!count || *count < 1) {
        ctx.reply.Error("ERR count should be greater than 0");
        return false;
      }
      out->count = static_cast<size_t>(*count);
      count_seen = true;
    } else {
      ctx.ReplySyntaxError();
      return false;
    }
  }
  out->keys.assign(ctx.args.begin() + static_cast<std::ptrdiff_t>(numkeys_pos + 1),
                   ctx.args.begin() + static_cast<std::ptrdiff_t>(where));
  return true;
}

void MPopReply(CommandContext& ctx, std::string_view key, ZSet* z, bool max, size_t count) {
  size_t len = z->Length();
  size_t n = std::min(count, len);
  size_t start = max ? len - n : 0;
  size_t end = max ? len : n;
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(key);
  ctx.reply.ArrayHeader(n);
  z->ForRange(start, end, max, [&](std::string_view m, double s) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(m);
    ctx.reply.Double(s);
  });
  z->RemoveRange(start, end);
  ctx.AddDirty(n);
  FinishWrite(ctx.db(), key, z);
}

}  // namespace respd::server
