// The OptionSpec::normalize functions of the options whose values Redis parses its own way (save,
// shutdown flags, percentiles, proc-title-template...) and of respd's clock-start and seed: each
// checks a value as Redis 7.0's config.c does and writes its canonical form.
#include "server/config/option_normalizers.h"

#include <strings.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "server/config/config.h"

namespace respd::server {
namespace {

// Redis splits multi-argument options on single spaces (sdssplitlen), so doubled spaces make empty
// words.
std::vector<std::string_view> SplitOnSpaces(std::string_view value) {
  std::vector<std::string_view> words;
  if (value.empty()) return words;
  size_t start = 0;
  while (true) {
    size_t space = value.find(' ', start);
    words.push_back(value.substr(start, space - start));
    if (space == std::string_view::npos) return words;
    start = space + 1;
  }
}

// strtoll as Redis calls it: leading blanks, a sign, digits to the end of the word ("" reads 0).
bool ParseWholeLong(std::string_view word, int64_t* out) {
  while (!word.empty() && (word.front() == ' ' || word.front() == '\t')) word.remove_prefix(1);
  if (!word.empty() && word.front() == '+') word.remove_prefix(1);
  if (word.empty()) {
    *out = 0;
    return true;
  }
  auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), *out);
  return error == std::errc() && end == word.data() + word.size();
}

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

// The latest clock-start accepted, 9999-12-31T23:59:59.999Z (as RESPD TIME accepts).
constexpr int64_t kMaxClockStartMs = 253402300799999;

// The `count` digits at the front of `text` as a number, consumed; -1 if they are not digits.
int TakeDigits(std::string_view& text, size_t count) {
  if (text.size() < count) return -1;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  text.remove_prefix(count);
  return value;
}

// Whether `text` starts with `c`, consumed if so.
bool TakeChar(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

// An ISO-8601 instant: YYYY-MM-DD, optionally THH:MM:SS with a fraction and Z or +HH:MM / -HH:MM
// (UTC without one). -1 when malformed.
int64_t ParseIso8601Ms(std::string_view text) {
  std::tm tm{};
  tm.tm_year = TakeDigits(text, 4);
  bool ok = tm.tm_year >= 0 && TakeChar(text, '-');
  tm.tm_mon = ok ? TakeDigits(text, 2) : -1;
  ok = ok && tm.tm_mon >= 1 && tm.tm_mon <= 12 && TakeChar(text, '-');
  tm.tm_mday = ok ? TakeDigits(text, 2) : -1;
  ok = ok && tm.tm_mday >= 1 && tm.tm_mday <= 31;
  int millis = 0;
  int offset_minutes = 0;
  if (ok && TakeChar(text, 'T')) {
    tm.tm_hour = TakeDigits(text, 2);
    ok = tm.tm_hour >= 0 && tm.tm_hour <= 23 && TakeChar(text, ':');
    tm.tm_min = ok ? TakeDigits(text, 2) : -1;
    ok = ok && tm.tm_min >= 0 && tm.tm_min <= 59 && TakeChar(text, ':');
    tm.tm_sec = ok ? TakeDigits(text, 2) : -1;
    ok = ok && tm.tm_sec >= 0 && tm.tm_sec <= 59;
    if (ok && TakeChar(text, '.')) {
      int digits = 0;
      for (; !text.empty() && text.front() >= '0' && text.front() <= '9'; ++digits) {
        if (digits < 3) millis = millis * 10 + (text.front() - '0');
        text.remove_prefix(1);
      }
      ok = digits > 0;
      for (; digits < 3; ++digits) millis *= 10;
    }
    if (ok && !TakeChar(text, 'Z') && !text.empty()) {
      int sign = text.front() == '+' ? 1 : text.front() == '-' ? -1 : 0;
      text.remove_prefix(1);
      int hours = sign != 0 ? TakeDigits(text, 2) : -1;
      int minutes = hours >= 0 && TakeChar(text, ':') ? TakeDigits(text, 2) : -1;
      ok = minutes >= 0 && hours <= 23 && minutes <= 59;
      offset_minutes = sign * (hours * 60 + minutes);
    }
  }
  if (!ok || !text.empty()) return -1;
  int day = tm.tm_mday;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t seconds = timegm(&tm);
  if (tm.tm_mday != day) return -1;  // timegm rolled 02-30 into March
  return static_cast<int64_t>(seconds) * 1000 + millis - int64_t{offset_minutes} * 60000;
}

}  // namespace

// clock-start: Unix milliseconds or an ISO-8601 instant (2030-01-01, 2030-01-01T09:30:00Z,
// 2030-01-01T09:30:00.250+02:00), stored as Unix milliseconds; "" starts at the wall clock.
std::string NormalizeClockStart(std::string_view value, std::string* canonical) {
  if (value.empty()) {
    canonical->clear();
    return "";
  }
  int64_t ms = -1;
  if (value.find('-') == std::string_view::npos) {
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc() || end != value.data() + value.size()) ms = -1;
  } else {
    ms = ParseIso8601Ms(value);
  }
  if (ms < 0 || ms > kMaxClockStartMs) {
    return "argument must be Unix milliseconds or an ISO-8601 time (2030-01-01T09:30:00Z) "
           "between 1970 and 9999";
  }
  *canonical = std::to_string(ms);
  return "";
}

// respd's `seed`: empty (random choices seeded from the system) or 0..2^63-1, the range RESPD SEED
// takes; Redis's texts for a numeric parameter.
std::string NormalizeSeed(std::string_view value, std::string* canonical) {
  if (value.empty()) {
    canonical->clear();
    return {};
  }
  int64_t seed = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seed);
  if (error == std::errc::invalid_argument || end != value.data() + value.size()) {
    return "argument couldn't be parsed into an integer";
  }
  if (error != std::errc() || seed < 0) {
    return "argument must be between 0 and 9223372036854775807 inclusive";
  }
  *canonical = std::to_string(seed);
  return {};
}

// Redis built without its modified jemalloc (as Debian's is) refuses to enable active
// defragmentation; respd has none either.
std::string NormalizeActiveDefrag(std::string_view value, std::string* canonical) {
  std::string lower(value);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "yes") {
    return "Active defragmentation cannot be enabled: it requires a Redis server compiled with a "
           "modified Jemalloc like the one shipped by default with the Redis source distribution";
  }
  if (lower != "no") return "argument must be 'yes' or 'no'";
  *canonical = lower;
  return {};
}

// Redis's process title template: {name} variables (title, listen-addr, server-mode, port,
// tls-port, unixsocket, config-file), "{{" and "}}" for braces; it must expand to something other
// than blanks with an empty title, as Redis checks it.
std::string NormalizeProcTitleTemplate(std::string_view value, std::string* canonical) {
  static constexpr std::string_view kInvalid =
      "template format is invalid or contains unknown variables";
  // Sample expansions: only whether they are empty matters.
  static constexpr std::pair<std::string_view, std::string_view> kVariables[] = {
      {"title", ""},     {"listen-addr", "*:6379"}, {"server-mode", ""}, {"port", "6379"},
      {"tls-port", "0"}, {"unixsocket", ""},        {"config-file", ""}};
  std::string expanded;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if ((c == '{' || c == '}') && i + 1 < value.size() && value[i + 1] == c) {
      expanded.push_back(c);
      ++i;
    } else if (c == '{') {
      size_t close = value.find('}', i + 1);
      if (close == std::string_view::npos) return std::string(kInvalid);
      std::string_view name = value.substr(i + 1, close - i - 1);
      auto known = std::find_if(std::begin(kVariables), std::end(kVariables),
                                [&](const auto& variable) { return variable.first == name; });
      if (known == std::end(kVariables)) return std::string(kInvalid);
      expanded += known->second;
      i = close;
    } else {
      expanded.push_back(c);
    }
  }
  if (expanded.find_first_not_of(' ') == std::string::npos) return std::string(kInvalid);
  *canonical = std::string(value);
  return {};
}

// "seconds changes" pairs: seconds >= 1, changes >= 0; "" saves never.
std::string NormalizeSave(std::string_view value, std::string* canonical) {
  std::vector<std::string_view> words = SplitOnSpaces(value);
  if (words.size() % 2 != 0) return "Invalid save parameters";
  std::vector<std::string> numbers;
  for (size_t i = 0; i < words.size(); ++i) {
    int64_t n;
    if (!ParseWholeLong(words[i], &n) || n < (i % 2 == 0 ? 1 : 0)) {
      return "Invalid save parameters";
    }
    numbers.push_back(std::to_string(n));
  }
  *canonical = Joined(numbers);
  return {};
}

// Three OOM score adjustments (primary, replica, background child), each in [-2000, 2000].
std::string NormalizeOomScoreAdjValues(std::string_view value, std::string* canonical) {
  constexpr int64_t kOomScoreAdjLimit = 2000;
  std::vector<std::string_view> words = SplitOnSpaces(value);
  if (words.size() != 3) return "wrong number of arguments";
  std::vector<std::string> numbers;
  for (std::string_view word : words) {
    int64_t n;
    if (!ParseWholeLong(word, &n) || n < -kOomScoreAdjLimit || n > kOomScoreAdjLimit) {
      return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
    }
    numbers.push_back(std::to_string(n));
  }
  *canonical = Joined(numbers);
  return {};
}

// Percentiles INFO latencystats would report, each in [0, 100].
std::string NormalizePercentiles(std::string_view value, std::string* canonical) {
  std::vector<std::string> numbers;
  for (std::string_view word : SplitOnSpaces(value)) {
    double percentile;
    auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), percentile);
    if (word.empty() || error != std::errc() || end != word.data() + word.size()) {
      return "Invalid latency-tracking-info-percentiles parameters";
    }
    if (percentile < 0 || percentile > 100) {
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
    char text[32];
    auto [text_end, text_error] = std::to_chars(text, text + sizeof(text), percentile);
    numbers.emplace_back(text, text_end);
  }
  *canonical = Joined(numbers);
  return {};
}

std::string NormalizeReplicaOf(std::string_view value, std::string* canonical) {
  std::vector<std::string_view> words = SplitOnSpaces(value);
  if (words.size() != 2) return "wrong number of arguments";
  std::string host(words[0]), port(words[1]);
  if (strcasecmp(host.c_str(), "no") == 0 && strcasecmp(port.c_str(), "one") == 0) {
    canonical->clear();
    return {};
  }
  // strtol as Redis reads the port: leading blanks and a sign pass, "" reads as 0.
  char* end = nullptr;
  long number = std::strtol(port.c_str(), &end, 10);
  if (number < 0 || number > 65535 || *end != '\0') return "Invalid master port";
  *canonical = host + " " + std::to_string(number);
  return {};
}

// SHUTDOWN's flags for a signal, any of them, shown in Redis's order; "default" alone is none.
std::string NormalizeShutdownFlags(std::string_view value, std::string* canonical) {
  static constexpr std::string_view kFlags[] = {"save", "nosave", "now", "force"};
  bool set[std::size(kFlags)] = {};
  std::vector<std::string_view> words = SplitOnSpaces(value);
  for (std::string_view word : words) {
    std::string lower(word);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t i = 0;
    while (i < std::size(kFlags) && kFlags[i] != lower) ++i;
    if (i < std::size(kFlags)) {
      set[i] = true;
    } else if (lower != "default") {
      return "argument(s) must be one of the following: default, save, nosave, now, force";
    }
  }
  if (words.empty()) {
    return "argument(s) must be one of the following: default, save, nosave, now, force";
  }
  if (set[0] && set[1]) return "shutdown options SAVE and NOSAVE can't be used simultaneously";
  std::vector<std::string> shown;
  for (size_t i = 0; i < std::size(kFlags); ++i) {
    if (set[i]) shown.emplace_back(kFlags[i]);
  }
  *canonical = shown.empty() ? "default" : Joined(shown);
  return {};
}

// maxmemory-clients: Redis's memory config with PERCENT_CONFIG. "<n>%" (n as string2ll reads it,
// not negative) is kept as -n; anything else is memtoull's bytes, cast to Redis's signed size, so
// values past 2^63 come out negative and are read as percentages too. Negative means a percentage,
// at most 100; CONFIG GET shows it as "<n>%".
std::string NormalizeMemoryOrPercent(std::string_view value, std::string* canonical) {
  constexpr std::string_view kInvalid = "argument must be a memory or percent value";
  value = value.substr(0, value.find('\0'));
  int64_t stored = 0;
  std::string_view digits = value.substr(0, value.empty() ? 0 : value.size() - 1);
  bool strict_digits = !digits.empty() && (digits == "0" || digits.front() != '0') &&
                       std::all_of(digits.begin(), digits.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
  int64_t percent = 0;
  if (!value.empty() && value.back() == '%' && strict_digits &&
      std::from_chars(digits.data(), digits.data() + digits.size(), percent).ec == std::errc{}) {
    stored = -percent;
  } else {
    uint64_t bytes = 0;
    if (!ParseMemory(value, &bytes)) return std::string(kInvalid);
    stored = static_cast<int64_t>(bytes);
  }
  if (stored < -100) return "percentage argument must be less or equal to 100";
  *canonical = stored < 0 ? std::to_string(-stored) + "%" : std::to_string(stored);
  return {};
}

std::string NormalizeDir(std::string_view value, std::string* canonical) {
  std::string path(value);
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return std::strerror(errno);
  *canonical = resolved;
  std::free(resolved);
  struct stat info;
  if (::stat(canonical->c_str(), &info) != 0) return std::strerror(errno);
  if (!S_ISDIR(info.st_mode)) return std::strerror(ENOTDIR);
  return {};
}

std::string NormalizeDbFilename(std::string_view value, std::string* canonical) {
  if (value.find('/') != std::string_view::npos) return "dbfilename can't be a path, just a filename";
  *canonical = std::string(value);
  return {};
}

}  // namespace respd::server
