// SORT and SORT_RO (Redis's generic group, kept apart from the key commands for their size): sort
// a list, set or sorted set by its elements or by other keys (BY pattern, GET pattern, "->field"
// of hashes), numerically or ALPHA, with LIMIT and STORE. The patterns name keys the command
// table cannot know, so both commands take every shard lock.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/commands/handler_support.h"
#include "server/dispatch/command_table.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/database.h"
#include "storage/hash_object.h"
#include "storage/list_object.h"
#include "storage/list_ops.h"
#include "storage/partial_sort.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace respd::server {
namespace {

using storage::Entry;
using storage::ValueType;

constexpr std::string_view kErrNotDouble = "ERR One or more scores can't be converted into double";

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<std::string_view> by;
  bool dont_sort = false;  // BY a pattern without '*' ("nosort")
  std::vector<std::string_view> gets;
  std::optional<std::string_view> store;
};

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by
// the element, and "->field" after it reads a hash field. Only strings and hash fields resolve.
std::optional<std::string> LookupByPattern(storage::Database& db, std::string_view pattern,
                                           std::string_view element) {
  pattern = AsCString(pattern);
  if (pattern == "#") return std::string(element);
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t arrow = pattern.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
    pattern = pattern.substr(0, arrow);
  }
  std::string key;
  key.reserve(pattern.size() + element.size());
  key.append(pattern.substr(0, star)).append(element).append(pattern.substr(star + 1));
  Entry* entry = db.FindRead(key);
  if (entry == nullptr) return std::nullopt;
  if (!field.empty()) {
    if (entry->type() != ValueType::kHash) return std::nullopt;
    auto value = static_cast<const storage::Hash*>(entry->object())->Get(field);
    if (!value) return std::nullopt;
    return std::string(*value);
  }
  if (entry->type() != ValueType::kString) return std::nullopt;
  return std::string(entry->str());
}

// Redis's strtod-based score: trailing text, overflow, underflow and NaN are errors; the value is
// read as a C string, so an embedded NUL ends it.
bool ParseSortScore(const std::string& text, double* score) {
  errno = 0;
  char* end = nullptr;
  *score = std::strtod(text.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*score);
}

// strcoll in the C locale, which Redis uses when it does not STORE: a C-string comparison.
int CompareCStrings(std::string_view a, std::string_view b) {
  return AsCString(a).compare(AsCString(b));
}

struct SortItem {
  std::string element;
  double score = 0;
  std::optional<std::string> by_value;  // ALPHA with BY: the value compared, if any
};

// The options after the key, as Redis's sortCommandGeneric reads them.
bool ParseSortOptions(CommandContext& ctx, bool read_only, SortOptions* options) {
  ArgParser parser(ctx.args, 2);
  while (parser.HasNext()) {
    if (parser.Accept("ASC")) {
      options->desc = false;
    } else if (parser.Accept("DESC")) {
      options->desc = true;
    } else if (parser.Accept("ALPHA")) {
      options->alpha = true;
    } else if (parser.Accept("LIMIT", 2)) {
      options->limit_start = parser.NextInt64();
      options->limit_count = parser.NextInt64();
    } else if (!read_only && parser.Accept("STORE", 1)) {
      options->store = parser.Next();
    } else if (parser.Accept("BY", 1)) {
      options->by = parser.Next();
      options->dont_sort = AsCString(*options->by).find('*') == std::string_view::npos;
    } else if (parser.Accept("GET", 1)) {
      options->gets.push_back(parser.Next());
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  return parser.Finalize(ctx);
}

// The elements to sort, in the value's own order; with `range` (a list or sorted set that is not
// sorted) only that many from `first`, counted from the end when descending.
std::vector<SortItem> LoadElements(const Entry* entry, bool desc, size_t first, size_t count) {
  std::vector<SortItem> items;
  if (entry == nullptr) return items;
  auto add = [&](std::string_view element) {
    items.push_back(SortItem{.element = std::string(element), .by_value = std::nullopt});
  };
  switch (entry->type()) {
    case ValueType::kList: {
      const auto* list = static_cast<const storage::List*>(entry->object());
      size_t len = list->Length();
      if (count == 0 || first >= len) return items;
      size_t start = desc ? len - first - 1 : first;
      list->Walk(start, desc, [&](size_t, std::string_view element) {
        add(element);
        return items.size() < count;
      });
      return items;
    }
    case ValueType::kSet:
      static_cast<const storage::Set*>(entry->object())->ForEach(add);
      return items;
    case ValueType::kZSet: {
      const auto* zset = static_cast<const storage::ZSet*>(entry->object());
      size_t len = zset->Length();
      if (count == 0 || first >= len) return items;
      size_t end = std::min(len, first + count);
      if (desc) {
        zset->ForRange(len - end, len - first, true, [&](std::string_view m, double) { add(m); });
      } else {
        zset->ForRange(first, end, false, [&](std::string_view m, double) { add(m); });
      }
      return items;
    }
    default:
      return items;
  }
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE dest]
// and SORT_RO (no STORE). Follows Redis's sortCommandGeneric step by step.
void SortGeneric(CommandContext& ctx, bool read_only) {
  SortOptions options;
  if (!ParseSortOptions(ctx, read_only, &options)) return;
  storage::Database& db = ctx.db();
  Entry* entry = db.FindRead(ctx.args[1]);
  if (entry != nullptr && entry->type() != ValueType::kList && entry->type() != ValueType::kSet &&
      entry->type() != ValueType::kZSet) {
    return ctx.reply.Error(kErrWrongType);
  }
  // An unsorted set would come out in hash order; what is stored, or seen by a script, must not
  // depend on it.
  if (options.dont_sort && entry != nullptr && entry->type() == ValueType::kSet &&
      (options.store || ctx.mode == ExecutionMode::kScript)) {
    options.dont_sort = false;
    options.alpha = true;
    options.by.reset();
  }
  // As Redis does, even for SORT_RO: sorting reads a sorted set through its skiplist.
  if (entry != nullptr && entry->type() == ValueType::kZSet) {
    static_cast<storage::ZSet*>(entry->object())->ConvertToSkiplistIfPacked();
  }

  int64_t length = entry == nullptr ? 0 : static_cast<int64_t>(entry->object()->Length());
  // Both LIMIT numbers are clamped to the length first, as Redis does, so that start + count
  // cannot overflow.
  int64_t start = std::clamp<int64_t>(options.limit_start, 0, length);
  int64_t limit_count = std::clamp<int64_t>(options.limit_count, -1, length);
  int64_t end = limit_count < 0 ? length - 1 : start + limit_count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  // A list or sorted set that is not sorted loads only the range asked for.
  std::vector<SortItem> items;
  bool ranged = entry != nullptr && options.dont_sort && entry->type() != ValueType::kSet;
  if (ranged) {
    size_t count = end >= start ? static_cast<size_t>(end - start + 1) : 0;
    items =
        LoadElements(entry, options.desc, static_cast<size_t>(std::max<int64_t>(start, 0)), count);
    end -= start;
    start = 0;
  } else {
    items = LoadElements(entry, false, 0, static_cast<size_t>(length));
  }

  bool not_double = false;
  if (!options.dont_sort) {
    for (SortItem& item : items) {
      std::optional<std::string> by_value;
      if (options.by) {
        by_value = LookupByPattern(db, *options.by, item.element);
        if (!by_value) continue;
      }
      if (options.alpha) {
        if (options.by) item.by_value = std::move(by_value);
      } else if (!ParseSortScore(by_value ? *by_value : item.element, &item.score)) {
        not_double = true;
      }
    }
    bool storing = options.store.has_value();
    bool by_pattern = options.by.has_value();
    // Redis's sortCompare.
    auto compare = [&](const SortItem& a, const SortItem& b) {
      int cmp;
      if (!options.alpha) {
        // Equal scores fall back to the elements' bytes, so the order is always the same.
        cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : a.element.compare(b.element);
      } else if (by_pattern) {
        if (!a.by_value || !b.by_value) {
          cmp = a.by_value.has_value() == b.by_value.has_value() ? 0 : a.by_value ? 1 : -1;
        } else {
          cmp = storing ? a.by_value->compare(*b.by_value)
                        : CompareCStrings(*a.by_value, *b.by_value);
        }
      } else {
        cmp = storing ? a.element.compare(b.element) : CompareCStrings(a.element, b.element);
      }
      return options.desc ? -cmp : cmp;
    };
    // As Redis: its partial quicksort when BY a pattern only some ranks are returned (ties then
    // land where it puts them), glibc's qsort (a stable merge sort) otherwise.
    if (by_pattern && (start != 0 || end != length - 1)) {
      storage::PartialQuickSort(items, start, end, compare);
    } else {
      std::stable_sort(items.begin(), items.end(),
                       [&](const SortItem& a, const SortItem& b) { return compare(a, b) < 0; });
    }
  }

  int64_t rows = end >= start ? end - start + 1 : 0;
  int64_t output = options.gets.empty() ? rows : rows * static_cast<int64_t>(options.gets.size());
  if (not_double) return ctx.reply.Error(kErrNotDouble);
  if (!options.store) {
    ctx.reply.ArrayHeader(static_cast<size_t>(output));
    for (int64_t j = start; j <= end; ++j) {
      const std::string& element = items[static_cast<size_t>(j)].element;
      if (options.gets.empty()) ctx.reply.Bulk(element);
      for (std::string_view pattern : options.gets) {
        std::optional<std::string> value = LookupByPattern(db, pattern, element);
        if (value) {
          ctx.reply.Bulk(*value);
        } else {
          ctx.reply.Null();
        }
      }
    }
    return;
  }
  auto list = std::make_unique<storage::List>();
  int node_size = ListMaxListpackSize(ctx);
  for (int64_t j = start; j <= end; ++j) {
    const std::string& element = items[static_cast<size_t>(j)].element;
    if (options.gets.empty()) list->Push(storage::ListEnd::kTail, element, node_size);
    for (std::string_view pattern : options.gets) {
      // A missing value is stored as an empty string.
      list->Push(storage::ListEnd::kTail, LookupByPattern(db, pattern, element).value_or(""),
                 node_size);
    }
  }
  if (storage::ListStore(db, *options.store, std::move(list))) {
    // Redis counts every stored element, or the one delete of an empty result.
    ctx.AddDirty(output > 0 ? static_cast<uint64_t>(output) : 1);
  }
  ctx.reply.Integer(output);
}

void CmdSort(CommandContext& ctx) { SortGeneric(ctx, false); }
void CmdSortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

// Redis's sortGetKeys: the sorted key and the last STORE destination; LIMIT, GET and BY skip
// their arguments.
bool SortKeys(Args args, std::vector<int>* positions) {
  positions->push_back(1);
  std::optional<int> store;
  for (size_t i = 2; i < args.size(); ++i) {
    if (IsKeyword(args[i], "limit")) {
      i += 2;
    } else if (IsKeyword(args[i], "get") || IsKeyword(args[i], "by")) {
      i += 1;
    } else if (IsKeyword(args[i], "store") && i + 1 < args.size()) {
      store = static_cast<int>(i + 1);
    }
  }
  if (store) positions->push_back(*store);
  return true;
}


constexpr CommandSpec kRows[] = {
    {.name = "sort",
     .arity = -2,
     .flags = kWrite | kDenyOom | kMovableKeys | kLockAll,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSort,
     .movable_keys = SortKeys},
    {.name = "sort_ro",
     .arity = -2,
     .flags = kReadonly | kMovableKeys | kLockAll,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSortRo,
     .movable_keys = SortKeys},
};

}  // namespace

void RegisterSortFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
