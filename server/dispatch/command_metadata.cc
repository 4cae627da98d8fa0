// Lookup in the generated metadata and Redis's key-spec interpreter.
#include "server/dispatch/command_metadata.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <strings.h>

#include "server/dispatch/command_table.h"

namespace respd::server::metadata {
namespace {

constexpr size_t kMaxFullNameLen = 128;

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Redis's string2ll: the whole argument is a decimal integer.
bool ParseInt(std::string_view s, long long* value) {
  if (s.empty() || s[0] == '+' || (s.size() > 1 && s[0] == '0')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *value);
  return ec == std::errc() && end == s.data() + s.size() && !(s == "-0");
}

}  // namespace

std::vector<std::string_view> Words(std::string_view field) {
  std::vector<std::string_view> words;
  while (!field.empty()) {
    size_t end = field.find(' ');
    words.push_back(field.substr(0, end));
    field = end == std::string_view::npos ? std::string_view() : field.substr(end + 1);
  }
  return words;
}

bool HasWord(std::string_view field, std::string_view word) {
  for (std::string_view w : Words(field)) {
    if (w == word) return true;
  }
  return false;
}

std::span<const CommandMetadata> AllCommands() {
  static const std::vector<CommandMetadata> all = [] {
    std::vector<CommandMetadata> merged;
    std::span<const CommandMetadata> redis = RedisCommands();
    std::span<const CommandMetadata> respd = RespdCommands();
    std::merge(redis.begin(), redis.end(), respd.begin(), respd.end(), std::back_inserter(merged),
               [](const CommandMetadata& a, const CommandMetadata& b) { return a.name < b.name; });
    return merged;
  }();
  return all;
}

const CommandMetadata* Find(std::string_view full_name) {
  char buffer[kMaxFullNameLen];
  std::string_view lower = LowerName(full_name, buffer, sizeof(buffer));
  if (lower.empty()) return nullptr;
  size_t bar = lower.find('|');
  std::span<const CommandMetadata> all = AllCommands();
  auto it = std::lower_bound(all.begin(), all.end(), lower.substr(0, bar),
                             [](const CommandMetadata& c, std::string_view n) { return c.name < n; });
  if (it == all.end() || it->name != lower.substr(0, bar)) return nullptr;
  if (bar == std::string_view::npos) return &*it;
  if (const CommandMetadata* sub = FindSubcommand(*it, lower.substr(bar + 1))) return sub;
  std::span<const CommandMetadata> newer = NewerSubcommands();
  auto found = std::lower_bound(newer.begin(), newer.end(), lower,
                                [](const CommandMetadata& c, std::string_view n) { return c.name < n; });
  return found != newer.end() && found->name == lower ? &*found : nullptr;
}

const CommandMetadata* FindSubcommand(const CommandMetadata& container, std::string_view name) {
  for (const CommandMetadata& sub : container.subcommands) {
    std::string_view own = sub.name.substr(sub.name.find('|') + 1);
    if (EqualsNoCase(own, name)) return &sub;
  }
  return nullptr;
}

bool KeysFromSpecs(const CommandMetadata& command, Args args, std::vector<KeyReference>* keys) {
  const int argc = static_cast<int>(args.size());
  for (const KeySpec& spec : command.key_specs) {
    if (HasWord(spec.flags, "not_key")) continue;
    int first = 0;
    switch (spec.begin_search) {
      case BeginSearch::kIndex:
        first = spec.index;
        break;
      case BeginSearch::kKeyword: {
        // Searched towards the end (or the start); the keyword cannot be the last argument
        // (forwards) or the name's neighbour (backwards), a key must follow it.
        int start = spec.startfrom > 0 ? spec.startfrom : argc + spec.startfrom;
        int end = spec.startfrom > 0 ? argc - 1 : 1;
        for (int i = start; i != end; i += start <= end ? 1 : -1) {
          if (i >= argc || i < 1) break;
          if (EqualsNoCase(AsCString(args[i]), spec.keyword)) {
            first = i + 1;
            break;
          }
        }
        if (first == 0) continue;  // an optional keyword that is not there
        break;
      }
      case BeginSearch::kUnknown:
        return false;
    }
    int last = 0;
    int step = spec.keystep;
    switch (spec.find_keys) {
      case FindKeys::kRange:
        if (spec.lastkey >= 0) {
          last = first + spec.lastkey;
        } else if (spec.limit == 0) {
          last = argc + spec.lastkey;
        } else {
          last = first + ((argc - first) / spec.limit + spec.lastkey);
        }
        break;
      case FindKeys::kKeynum: {
        if (first + spec.keynumidx >= argc) return false;
        long long numkeys = 0;
        if (!ParseInt(args[first + spec.keynumidx], &numkeys) || numkeys < 0) return false;
        first += spec.firstkey;
        // As Redis's int arithmetic: a count past INT_MAX wraps (EVAL s 4294967297 k finds k).
        last = static_cast<int>(static_cast<uint32_t>(first + static_cast<uint32_t>(numkeys) - 1));
        break;
      }
      case FindKeys::kUnknown:
        return false;
    }
    if (last >= argc || last < first || first >= argc) return false;
    for (int i = first; i <= last; i += step) keys->push_back({i, spec.flags});
    if (HasWord(spec.flags, "incomplete")) return false;
  }
  return true;
}

}  // namespace respd::server::metadata
