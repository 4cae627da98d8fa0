// Argument parsing shared by the set and sorted set families.
#include "server/commands/collection_args.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <climits>
#include <cstdlib>
#include <string>

#include "server/config/config.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/glob.h"
#include "storage/numbers.h"

namespace respd::server {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

size_t OptionIndex(std::string_view name) {
  const std::vector<OptionSpec>& specs = OptionSpecs();
  size_t i = 0;
  while (specs[i].name != name) ++i;
  return i;
}

std::optional<uint64_t> ParseScanCursor(std::string_view text) {
  std::string copy(text);
  if (!copy.empty() && std::isspace(static_cast<unsigned char>(copy[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long cursor = std::strtoull(copy.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return cursor;
}

uint64_t MaxStringLen(const CommandContext& ctx) {
  return static_cast<uint64_t>(ctx.server.config.proto_max_bulk_len().number());
}

std::optional<int> ParseCIntOrReply(CommandContext& ctx, std::string_view text) {
  auto value = storage::ParseInt64(text);
  if (!value) {
    ctx.reply.Error(kErrNotInteger);
    return std::nullopt;
  }
  if (*value < INT_MIN || *value > INT_MAX) {
    ctx.reply.Error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

void FinishWrite(storage::Database& db, std::string_view key, const storage::Object* value) {
  if (value->Length() == 0) {
    db.Delete(key);
  } else {
    db.MarkModified(key);
  }
}

bool ParseBlockTimeout(CommandContext& ctx, std::string_view text, int64_t* timeout_ms) {
  auto seconds = storage::ParseLongDouble(text);
  if (!seconds) {
    ctx.reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  // Redis 7.0 rounds up: a positive timeout, however small, waits at least 1 ms and never means
  // "forever"; a negative one above -1 ms rounds to 0, which does.
  long double ms = std::ceil(*seconds * 1000.0L);
  // Past a long long's range (infinities included) the conversion gives LLONG_MIN on x86: Redis
  // then calls the timeout negative.
  constexpr long double kLimit = 9223372036854775808.0L;
  if (ms < 0 || ms >= kLimit) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  *timeout_ms = static_cast<int64_t>(ms);
  return true;
}

void ReplyEmptyScan(CommandContext& ctx) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk("0");
  ctx.reply.ArrayHeader(0);
}

bool ScanOptions::Matches(std::string_view member) const {
  return !use_pattern || storage::GlobMatch(pattern, member);
}

bool ParseScanOptions(CommandContext& ctx, size_t first, ScanOptions* options,
                      bool allow_type) {
  for (size_t i = first; i < ctx.args.size(); i += 2) {
    std::string_view option = ctx.args[i];
    bool has_value = i + 1 < ctx.args.size();
    if (has_value && EqualsIgnoreCase(option, "count")) {
      auto parsed = storage::ParseInt64(ctx.args[i + 1]);
      if (!parsed) {
        ctx.reply.Error(kErrNotInteger);
        return false;
      }
      if (*parsed < 1) {
        ctx.ReplySyntaxError();
        return false;
      }
      options->count = static_cast<uint64_t>(*parsed);
    } else if (has_value && EqualsIgnoreCase(option, "match")) {
      options->pattern = ctx.args[i + 1];
      options->use_pattern = options->pattern != "*";
    } else if (allow_type && has_value && EqualsIgnoreCase(option, "type")) {
      options->type = ctx.args[i + 1];
    } else {
      ctx.ReplySyntaxError();
      return false;
    }
  }
  return true;
}

bool NumKeysPositions(Args args, int numkeys_pos, int prefix_keys, std::vector<int>* positions) {
  positions->clear();
  for (int i = 1; i <= prefix_keys; ++i) positions->push_back(i);
  if (static_cast<size_t>(numkeys_pos) >= args.size()) return false;
  auto numkeys = storage::ParseInt64(args[numkeys_pos]);
  if (!numkeys || *numkeys < 1 || *numkeys > static_cast<int64_t>(args.size()) - numkeys_pos - 1) {
    return false;
  }
  for (int i = 0; i < *numkeys; ++i) positions->push_back(numkeys_pos + 1 + i);
  return true;
}

}  // namespace respd::server
