// notify-keyspace-events and client-output-buffer-limit, as Redis 7.0's config.c reads and shows
// them.
#include "server/config/custom_options.h"

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <vector>

#include "server/config/config.h"
#include "storage/keyspace_event.h"

namespace respd::server {
namespace {

struct EventLetter {
  char letter;
  int64_t flag;
};

// Redis's keyspaceEventsFlagsToString order for the classes A stands for (and n, which A does
// not include).
constexpr EventLetter kClassLetters[] = {
    {'g', storage::kEventGeneric}, {'$', storage::kEventString},  {'l', storage::kEventList},
    {'s', storage::kEventSet},     {'h', storage::kEventHash},    {'z', storage::kEventZset},
    {'x', storage::kEventExpired}, {'e', storage::kEventEvicted}, {'t', storage::kEventStream},
    {'d', storage::kEventModule},  {'n', storage::kEventNew},
};

// Redis's NOTIFY_ALL: every class but key misses and new keys.
constexpr int64_t kNotifyAll =
    storage::kEventGeneric | storage::kEventString | storage::kEventList | storage::kEventSet |
    storage::kEventHash | storage::kEventZset | storage::kEventExpired | storage::kEventEvicted |
    storage::kEventStream | storage::kEventModule;

// Redis's client classes for client-output-buffer-limit, in CONFIG GET order.
enum ClientClass : size_t { kNormal, kReplica, kPubsub, kClassCount };
constexpr std::string_view kClassNames[kClassCount] = {"normal", "slave", "pubsub"};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Redis splits multi-argument options on single spaces (sdssplitlen): doubled spaces make empty
// words.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  if (text.empty()) return words;
  size_t start = 0;
  while (true) {
    size_t space = text.find(' ', start);
    words.emplace_back(text.substr(start, space - start));
    if (space == std::string_view::npos) return words;
    start = space + 1;
  }
}

using Limits = std::array<OutputBufferLimit, kClassCount>;

// Parses `<class> <hard> <soft> <seconds>...` over `limits`; Redis's reason on failure.
std::string ApplyLimits(std::string_view value, Limits* limits) {
  std::vector<std::string> words = Words(value);
  if (words.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
  Limits updated = *limits;
  for (size_t i = 0; i < words.size(); i += 4) {
    size_t cls = kClassCount;
    if (EqualsNoCase(words[i], "normal")) cls = kNormal;
    if (EqualsNoCase(words[i], "slave") || EqualsNoCase(words[i], "replica")) cls = kReplica;
    if (EqualsNoCase(words[i], "pubsub")) cls = kPubsub;
    if (cls == kClassCount) return "Invalid client class specified in buffer limit configuration.";
    OutputBufferLimit limit;
    const char* seconds = words[i + 3].c_str();
    char* end = nullptr;
    errno = 0;
    limit.soft_seconds = std::strtoll(seconds, &end, 10);
    if (!ParseMemory(words[i + 1], &limit.hard_bytes) ||
        !ParseMemory(words[i + 2], &limit.soft_bytes) || errno != 0 || *end != '\0' ||
        limit.soft_seconds < 0) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
    updated[cls] = limit;
  }
  *limits = updated;
  return {};
}

std::string FormatLimits(const Limits& limits) {
  std::string text;
  for (size_t cls = 0; cls < kClassCount; ++cls) {
    if (cls > 0) text += ' ';
    text += std::string(kClassNames[cls]) + " " + std::to_string(limits[cls].hard_bytes) + " " +
            std::to_string(limits[cls].soft_bytes) + " " + std::to_string(limits[cls].soft_seconds);
  }
  return text;
}

// Redis's keyspaceEventsFlagsToString.
std::string FormatKeyspaceEvents(int64_t flags) {
  std::string text;
  // Like Redis 7.0, A hides n (which A does not stand for) too.
  if ((flags & kNotifyAll) == kNotifyAll) {
    text += 'A';
  } else {
    for (const EventLetter& entry : kClassLetters) {
      if (flags & entry.flag) text += entry.letter;
    }
  }
  if (flags & kNotifyKeyspace) text += 'K';
  if (flags & kNotifyKeyevent) text += 'E';
  if (flags & storage::kEventKeyMiss) text += 'm';
  return text;
}

}  // namespace

bool ParseKeyspaceEvents(std::string_view letters, int64_t* flags) {
  int64_t result = 0;
  for (char c : letters) {
    if (c == 'A') {
      result |= kNotifyAll;
    } else if (c == 'K') {
      result |= kNotifyKeyspace;
    } else if (c == 'E') {
      result |= kNotifyKeyevent;
    } else if (c == 'm') {
      result |= storage::kEventKeyMiss;
    } else {
      bool known = false;
      for (const EventLetter& entry : kClassLetters) {
        if (entry.letter == c) {
          result |= entry.flag;
          known = true;
        }
      }
      if (!known) return false;
    }
  }
  *flags = result;
  return true;
}

std::string NormalizeKeyspaceEvents(std::string_view value, std::string* canonical) {
  int64_t flags = 0;
  if (!ParseKeyspaceEvents(value, &flags)) {
    return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
  }
  *canonical = FormatKeyspaceEvents(flags);
  return {};
}

std::string NormalizeOutputBufferLimits(std::string_view value, std::string_view current,
                                        std::string* canonical) {
  Limits limits;
  ApplyLimits(current, &limits);
  std::string error = ApplyLimits(value, &limits);
  if (!error.empty()) return error;
  *canonical = FormatLimits(limits);
  return {};
}

OutputBufferLimit PubsubOutputBufferLimit(std::string_view text) {
  Limits limits;
  ApplyLimits(text, &limits);
  return limits[kPubsub];
}

OutputBufferLimit NormalOutputBufferLimit(std::string_view text) {
  Limits limits;
  ApplyLimits(text, &limits);
  return limits[kNormal];
}

OutputBufferLimit ReplicaOutputBufferLimit(std::string_view text) {
  Limits limits;
  ApplyLimits(text, &limits);
  return limits[kReplica];
}

}  // namespace respd::server
