// The option table: every parameter Redis 7.0.15's CONFIG GET * lists, with Redis's type, default,
// range, aliases and mutability, plus respd's own (threads, clock, clock-start,
// enable-test-controls, journal-max-len, journal-max-arg-len). What respd does with each is its
// `effect`; conf/respd.conf documents them in this order.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "server/config/config.h"
#include "server/config/custom_options.h"
#include "server/config/logging.h"

namespace respd::server {
namespace {

constexpr int64_t kMaxInt = INT32_MAX;
// Redis accepts any hz and runs its cron at a rate clamped to these bounds.
constexpr int64_t kMinHz = 1;
constexpr int64_t kMaxHz = 500;

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

}  // namespace

const std::vector<OptionSpec>& OptionSpecs() {
  static const std::vector<OptionSpec> specs = {
      {.name = "bind",
       .kind = OptionKind::kString,
       .default_value = "* -::*",
       .help = "addresses to listen on; a leading '-' makes an address optional"},
      {.name = "port",
       .kind = OptionKind::kInt,
       .default_value = "6379",
       .help = "TCP port; 0 picks a free one and logs it, or with a unixsocket means no TCP",
       .mutable_at_runtime = false,
       .min = 0,
       .max = 65535},
      {.name = "unixsocket",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "also listen on this unix socket path (a stale file there is removed); with port 0, "
               "only on it",
       .mutable_at_runtime = false},
      {.name = "unixsocketperm",
       .kind = OptionKind::kOctal,
       .default_value = "0",
       .help = "the unix socket's permissions, in octal (0: as the umask leaves them)",
       .mutable_at_runtime = false,
       .min = 0,
       .max = 0777},
      {.name = "protected-mode",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "with no password set, refuse TCP clients from other than 127.0.0.1 and ::1"},
      {.name = "threads",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "I/O threads, each with its own event loop; 0 means one per core",
       .mutable_at_runtime = false},
      {.name = "databases",
       .kind = OptionKind::kInt,
       .default_value = "16",
       .help = "number of databases",
       .mutable_at_runtime = false,
       .min = 1,
       .max = kMaxInt},
      {.name = "seed",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "seed of every random choice (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, "
               "RANDOMKEY, fault PROBABILITY, Lua's math.random); empty seeds them from the system "
               "(respd only; RESPD SEED changes it at run time, RESPD RESET goes back to it)",
       .mutable_at_runtime = false,
       .normalize = NormalizeSeed},
      {.name = "hz",
       .kind = OptionKind::kInt,
       .default_value = "10",
       .help = "background tasks (active expiry) per second; stored clamped to 1..500",
       .min = 0,
       .max = kMaxInt,
       .clamp_min = kMinHz,
       .clamp_max = kMaxHz},
      {.name = "maxclients",
       .kind = OptionKind::kInt,
       .default_value = "10000",
       .help = "maximum simultaneous clients",
       .min = 1,
       .max = UINT32_MAX},
      {.name = "timeout",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "close clients idle this many seconds (0: never)",
       .min = 0,
       .max = kMaxInt},
      {.name = "tcp-keepalive",
       .kind = OptionKind::kInt,
       .default_value = "300",
       .help = "TCP keepalive period in seconds (0: off)",
       .min = 0,
       .max = kMaxInt},
      {.name = "tcp-backlog",
       .kind = OptionKind::kInt,
       .default_value = "511",
       .help = "listen backlog",
       .mutable_at_runtime = false,
       .min = 0,
       .max = kMaxInt},
      {.name = "loglevel",
       .kind = OptionKind::kEnum,
       .default_value = "notice",
       .help = "log verbosity",
       .choices = {"debug", "verbose", "notice", "warning"},
       .on_change = [](const Option& option) { SetLogLevel(option.text()); }},
      {.name = "logfile",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "log file; empty logs to standard output",
       .mutable_at_runtime = false},
      {.name = "enable-debug-command",
       .kind = OptionKind::kEnum,
       .default_value = "no",
       .help =
           "who may run DEBUG: no one, everyone (yes), or clients on a loopback address (local)",
       .mutable_at_runtime = false,
       .choices = {"no", "yes", "local"}},
      {.name = "enable-test-controls",
       .kind = OptionKind::kEnum,
       .default_value = "local",
       .help = "who may run the RESPD test controls: no one, everyone (yes), or clients on a "
               "loopback address (local)",
       .mutable_at_runtime = false,
       .choices = {"no", "yes", "local"}},
      {.name = "clock",
       .kind = OptionKind::kEnum,
       .default_value = "real",
       .help = "the server clock at start-up: flowing (real) or frozen (until RESPD TIME RESUME)",
       .mutable_at_runtime = false,
       .choices = {"real", "frozen"}},
      {.name = "clock-start",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "the server clock's instant at start-up, Unix milliseconds or ISO-8601 UTC; "
               "empty: the wall clock",
       .mutable_at_runtime = false,
       .normalize = NormalizeClockStart},
      {.name = "journal-max-len",
       .kind = OptionKind::kInt,
       .default_value = "10000",
       .help = "RESPD JOURNAL keeps the newest this many commands, dropping the oldest",
       .min = 1,
       .max = kMaxInt},
      {.name = "journal-max-arg-len",
       .kind = OptionKind::kMemory,
       .default_value = "128",
       .help = "RESPD JOURNAL keeps at most this many bytes of each command argument",
       .min = 1,
       .max = kMaxInt},
      {.name = "pidfile",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "write the process id to this file",
       .mutable_at_runtime = false},
      {.name = "proto-max-bulk-len",
       .kind = OptionKind::kMemory,
       .default_value = "536870912",
       .help = "largest bulk string a client may send",
       .min = 1048576,
       .max = INT64_MAX},
      {.name = "client-query-buffer-limit",
       .kind = OptionKind::kMemory,
       .default_value = "1073741824",
       .help = "largest query buffer of one client",
       .min = 1048576,
       .max = INT64_MAX},
      {.name = "requirepass",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "password of the default user (empty: none)"},
      {.name = "maxmemory",
       .kind = OptionKind::kUnsignedMemory,
       .default_value = "0",
       .help = "memory limit in bytes (0: none); read by OBJECT FREQ and INFO (no eviction yet)"},
      {.name = "maxmemory-policy",
       .kind = OptionKind::kEnum,
       .default_value = "noeviction",
       .help = "what to do at maxmemory; decides whether OBJECT FREQ or IDLETIME answers",
       .choices = {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                   "allkeys-lfu", "allkeys-random", "noeviction"}},
      {.name = "maxmemory-samples",
       .kind = OptionKind::kInt,
       .default_value = "5",
       .help = "keys sampled per eviction",
       .min = 1,
       .max = kMaxInt},
      {.name = "set-max-intset-entries",
       .kind = OptionKind::kInt,
       .default_value = "512",
       .help = "sets of at most this many integers use the compact intset encoding",
       .min = 0,
       .max = INT64_MAX},
      {.name = "zset-max-listpack-entries",
       .alias = "zset-max-ziplist-entries",
       .kind = OptionKind::kInt,
       .default_value = "128",
       .help = "sorted sets of at most this many members use the compact listpack encoding",
       .min = 0,
       .max = INT64_MAX},
      {.name = "zset-max-listpack-value",
       .alias = "zset-max-ziplist-value",
       .kind = OptionKind::kMemory,
       .default_value = "64",
       .help = "sorted sets whose members are all at most this many bytes may use listpack",
       .min = 0,
       .max = INT64_MAX},
      {.name = "list-max-listpack-size",
       .alias = "list-max-ziplist-size",
       .kind = OptionKind::kInt,
       .default_value = "-2",
       .help = "list node limit: negative -1..-5 for 4/8/16/32/64 KB nodes, positive for an "
               "element count",
       .min = INT32_MIN,
       .max = kMaxInt},
      {.name = "hash-max-listpack-entries",
       .alias = "hash-max-ziplist-entries",
       .kind = OptionKind::kInt,
       .default_value = "512",
       .help = "hashes of at most this many fields use the compact listpack encoding",
       .min = 0,
       .max = INT64_MAX},
      {.name = "hash-max-listpack-value",
       .alias = "hash-max-ziplist-value",
       .kind = OptionKind::kMemory,
       .default_value = "64",
       .help = "hashes whose fields and values are all at most this many bytes may use listpack",
       .min = 0,
       .max = INT64_MAX},
      {.name = "busy-reply-threshold",
       .alias = "lua-time-limit",
       .kind = OptionKind::kInt,
       .default_value = "5000",
       .help = "milliseconds a script runs before other clients get BUSY",
       .min = 0,
       .max = INT64_MAX},
      {.name = "acl-pubsub-default",
       .kind = OptionKind::kEnum,
       .default_value = "resetchannels",
       .help = "channel permissions of a new ACL user or selector",
       .choices = {"allchannels", "resetchannels"}},
      {.name = "acllog-max-len",
       .kind = OptionKind::kInt,
       .default_value = "128",
       .help = "entries ACL LOG keeps",
       .min = 0,
       .max = INT64_MAX},
      {.name = "active-defrag-cycle-max",
       .kind = OptionKind::kInt,
       .default_value = "25",
       .help = "stored only: no active defragmentation",
       .min = 1,
       .max = 99,
       .effect = OptionEffect::kStoredOnly},
      {.name = "active-defrag-cycle-min",
       .kind = OptionKind::kInt,
       .default_value = "1",
       .help = "stored only: no active defragmentation",
       .min = 1,
       .max = 99,
       .effect = OptionEffect::kStoredOnly},
      {.name = "active-defrag-ignore-bytes",
       .kind = OptionKind::kMemory,
       .default_value = "104857600",
       .help = "stored only: no active defragmentation",
       .min = 1,
       .max = INT64_MAX,
       .effect = OptionEffect::kStoredOnly},
      {.name = "active-defrag-max-scan-fields",
       .kind = OptionKind::kInt,
       .default_value = "1000",
       .help = "stored only: no active defragmentation",
       .min = 1,
       .max = INT64_MAX,
       .effect = OptionEffect::kStoredOnly},
      {.name = "active-defrag-threshold-lower",
       .kind = OptionKind::kInt,
       .default_value = "10",
       .help = "stored only: no active defragmentation",
       .min = 0,
       .max = 1000,
       .effect = OptionEffect::kStoredOnly},
      {.name = "active-defrag-threshold-upper",
       .kind = OptionKind::kInt,
       .default_value = "100",
       .help = "stored only: no active defragmentation",
       .min = 0,
       .max = 1000,
       .effect = OptionEffect::kStoredOnly},
      {.name = "active-expire-effort",
       .kind = OptionKind::kInt,
       .default_value = "1",
       .help = "stored only: expiry effort is fixed",
       .min = 1,
       .max = 10,
       .effect = OptionEffect::kStoredOnly},
      {.name = "activedefrag",
       .kind = OptionKind::kString,
       .default_value = "no",
       .help = "stored only: no active defragmentation",
       .normalize = NormalizeActiveDefrag,
       .effect = OptionEffect::kStoredOnly},
      {.name = "activerehashing",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: tables rehash as they grow",
       .effect = OptionEffect::kStoredOnly},
      {.name = "always-show-logo",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no logo",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "aof-disable-auto-gc",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "aof-load-truncated",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "aof-rewrite-incremental-fsync",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "aof-timestamp-enabled",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "aof-use-rdb-preamble",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "aof_rewrite_cpulist",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no persistence",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "appenddirname",
       .kind = OptionKind::kString,
       .default_value = "appendonlydir",
       .help = "stored only: no persistence",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "appendfilename",
       .kind = OptionKind::kString,
       .default_value = "appendonly.aof",
       .help = "stored only: no persistence",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "appendfsync",
       .kind = OptionKind::kEnum,
       .default_value = "everysec",
       .help = "stored only: no persistence",
       .choices = {"everysec", "always", "no"},
       .effect = OptionEffect::kStoredOnly},
      {.name = "appendonly",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "auto-aof-rewrite-min-size",
       .kind = OptionKind::kMemory,
       .default_value = "67108864",
       .help = "stored only: no persistence",
       .min = 0,
       .max = INT64_MAX,
       .effect = OptionEffect::kStoredOnly},
      {.name = "auto-aof-rewrite-percentage",
       .kind = OptionKind::kInt,
       .default_value = "100",
       .help = "stored only: no persistence",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "bgsave_cpulist",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no CPU affinity",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "bind-source-addr",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no outgoing connections",
       .effect = OptionEffect::kStoredOnly},
      {.name = "bio_cpulist",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no CPU affinity",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-allow-pubsubshard-when-down",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no cluster mode",
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-allow-reads-when-down",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no cluster mode",
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-allow-replica-migration",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no cluster mode",
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-announce-bus-port",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "stored only: no cluster mode",
       .min = 0,
       .max = 65535,
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-announce-hostname",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no cluster mode",
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-announce-ip",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no cluster mode",
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-announce-port",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "stored only: no cluster mode",
       .min = 0,
       .max = 65535,
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-announce-tls-port",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "stored only: no cluster mode",
       .min = 0,
       .max = 65535,
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-config-file",
       .kind = OptionKind::kString,
       .default_value = "nodes.conf",
       .help = "stored only: no cluster mode",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-link-sendbuf-limit",
       .kind = OptionKind::kUnsignedMemory,
       .default_value = "0",
       .help = "stored only: no cluster mode",
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-migration-barrier",
       .kind = OptionKind::kInt,
       .default_value = "1",
       .help = "stored only: no cluster mode",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-node-timeout",
       .kind = OptionKind::kInt,
       .default_value = "15000",
       .help = "stored only: no cluster mode",
       .min = 0,
       .max = INT64_MAX,
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-port",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "stored only: no cluster mode",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-preferred-endpoint-type",
       .kind = OptionKind::kEnum,
       .default_value = "ip",
       .help = "stored only: no cluster mode",
       .choices = {"ip", "hostname", "unknown-endpoint"},
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-replica-no-failover",
       .alias = "cluster-slave-no-failover",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no cluster mode",
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-replica-validity-factor",
       .alias = "cluster-slave-validity-factor",
       .kind = OptionKind::kInt,
       .default_value = "10",
       .help = "stored only: no cluster mode",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "cluster-require-full-coverage",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no cluster mode",
       .effect = OptionEffect::kStoredOnly},
      {.name = "crash-log-enabled",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no crash report",
       .effect = OptionEffect::kStoredOnly},
      {.name = "crash-memcheck-enabled",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no crash report",
       .effect = OptionEffect::kStoredOnly},
      {.name = "daemonize",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: respd runs in the foreground",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "dbfilename",
       .kind = OptionKind::kString,
       .default_value = "dump.rdb",
       .help = "stored only: no persistence",
       .protected_config = true,
       .effect = OptionEffect::kStoredOnly},
      {.name = "dir",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: respd does not change directory; shows the working directory",
       .protected_config = true,
       .effect = OptionEffect::kStoredOnly},
      {.name = "disable-thp",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no huge-page handling",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "dynamic-hz",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: the cron runs at hz",
       .effect = OptionEffect::kStoredOnly},
      {.name = "enable-module-command",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no modules",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "enable-protected-configs",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: protected configs stay protected",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "hll-sparse-max-bytes",
       .kind = OptionKind::kMemory,
       .default_value = "3000",
       .help = "stored only: HyperLogLogs keep respd's own encoding",
       .min = 0,
       .max = INT64_MAX,
       .effect = OptionEffect::kStoredOnly},
      {.name = "ignore-warnings",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no start-up warnings",
       .effect = OptionEffect::kStoredOnly},
      {.name = "io-threads",
       .kind = OptionKind::kInt,
       .default_value = "1",
       .help = "stored only: see threads",
       .mutable_at_runtime = false,
       .min = 1,
       .max = 128,
       .effect = OptionEffect::kStoredOnly},
      {.name = "io-threads-do-reads",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: see threads",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "jemalloc-bg-thread",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no jemalloc",
       .effect = OptionEffect::kStoredOnly},
      {.name = "latency-monitor-threshold",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "LATENCY records commands and cycles that took at least this many ms; 0: none",
       .min = 0,
       .max = INT64_MAX},
      {.name = "latency-tracking",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats)"},
      {.name = "latency-tracking-info-percentiles",
       .kind = OptionKind::kString,
       .default_value = "50 99 99.9",
       .help = "the percentiles INFO latencystats reports",
       .normalize = NormalizePercentiles},
      {.name = "lazyfree-lazy-eviction",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: frees at once",
       .effect = OptionEffect::kStoredOnly},
      {.name = "lazyfree-lazy-expire",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: frees at once",
       .effect = OptionEffect::kStoredOnly},
      {.name = "lazyfree-lazy-server-del",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: frees at once",
       .effect = OptionEffect::kStoredOnly},
      {.name = "lazyfree-lazy-user-del",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: frees at once",
       .effect = OptionEffect::kStoredOnly},
      {.name = "lazyfree-lazy-user-flush",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: frees at once",
       .effect = OptionEffect::kStoredOnly},
      {.name = "lfu-decay-time",
       .kind = OptionKind::kInt,
       .default_value = "1",
       .help = "stored only: no eviction yet",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "lfu-log-factor",
       .kind = OptionKind::kInt,
       .default_value = "10",
       .help = "stored only: no eviction yet",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "list-compress-depth",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "stored only: respd does not compress list nodes",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "masterauth",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "masteruser",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "maxmemory-eviction-tenacity",
       .kind = OptionKind::kInt,
       .default_value = "10",
       .help = "stored only: no eviction yet",
       .min = 0,
       .max = 100,
       .effect = OptionEffect::kStoredOnly},
      {.name = "min-replicas-max-lag",
       .alias = "min-slaves-max-lag",
       .kind = OptionKind::kInt,
       .default_value = "10",
       .help = "stored only: no replication",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "no-appendfsync-on-rewrite",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "oom-score-adj",
       .kind = OptionKind::kEnum,
       .default_value = "no",
       .help = "stored only: respd does not set its OOM score",
       .choices = {"no", "yes", "relative", "absolute"},
       .effect = OptionEffect::kStoredOnly},
      {.name = "oom-score-adj-values",
       .kind = OptionKind::kString,
       .default_value = "0 200 800",
       .help = "stored only: respd does not set its OOM score",
       .normalize = NormalizeOomScoreAdjValues,
       .effect = OptionEffect::kStoredOnly},
      {.name = "proc-title-template",
       .kind = OptionKind::kString,
       .default_value = "{title} {listen-addr} {server-mode}",
       .help = "stored only: no process title",
       .normalize = NormalizeProcTitleTemplate,
       .effect = OptionEffect::kStoredOnly},
      {.name = "propagation-error-behavior",
       .kind = OptionKind::kEnum,
       .default_value = "ignore",
       .help = "stored only: no replication",
       .choices = {"ignore", "panic", "panic-on-replicas"},
       .effect = OptionEffect::kStoredOnly},
      {.name = "rdb-del-sync-files",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "rdb-save-incremental-fsync",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "rdbchecksum",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no persistence",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "rdbcompression",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "repl-backlog-size",
       .kind = OptionKind::kMemory,
       .default_value = "1048576",
       .help = "stored only: no replication",
       .min = 1,
       .max = INT64_MAX,
       .effect = OptionEffect::kStoredOnly},
      {.name = "repl-backlog-ttl",
       .kind = OptionKind::kInt,
       .default_value = "3600",
       .help = "stored only: no replication",
       .min = 0,
       .max = INT64_MAX,
       .effect = OptionEffect::kStoredOnly},
      {.name = "repl-disable-tcp-nodelay",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "repl-diskless-load",
       .kind = OptionKind::kEnum,
       .default_value = "disabled",
       .help = "stored only: no replication",
       .choices = {"disabled", "on-empty-db", "swapdb"},
       .effect = OptionEffect::kStoredOnly},
      {.name = "repl-diskless-sync",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "repl-diskless-sync-delay",
       .kind = OptionKind::kInt,
       .default_value = "5",
       .help = "stored only: no replication",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "repl-diskless-sync-max-replicas",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "stored only: no replication",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "repl-ping-replica-period",
       .alias = "repl-ping-slave-period",
       .kind = OptionKind::kInt,
       .default_value = "10",
       .help = "stored only: no replication",
       .min = 1,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "repl-timeout",
       .kind = OptionKind::kInt,
       .default_value = "60",
       .help = "stored only: no replication",
       .min = 1,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "replica-announce-ip",
       .alias = "slave-announce-ip",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "replica-announce-port",
       .alias = "slave-announce-port",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "stored only: no replication",
       .min = 0,
       .max = 65535,
       .effect = OptionEffect::kStoredOnly},
      {.name = "replica-announced",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "replica-ignore-disk-write-errors",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "replica-ignore-maxmemory",
       .alias = "slave-ignore-maxmemory",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "replica-lazy-flush",
       .alias = "slave-lazy-flush",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "replica-priority",
       .alias = "slave-priority",
       .kind = OptionKind::kInt,
       .default_value = "100",
       .help = "stored only: no replication",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "replica-read-only",
       .alias = "slave-read-only",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "replica-serve-stale-data",
       .alias = "slave-serve-stale-data",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "sanitize-dump-payload",
       .kind = OptionKind::kEnum,
       .default_value = "no",
       .help = "stored only: no DUMP/RESTORE",
       .choices = {"no", "yes", "clients"},
       .effect = OptionEffect::kStoredOnly},
      {.name = "save",
       .kind = OptionKind::kString,
       .default_value = "3600 1 300 100 60 10000",
       .help = "stored only: no persistence",
       .normalize = NormalizeSave,
       .effect = OptionEffect::kStoredOnly},
      {.name = "server_cpulist",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: no CPU affinity",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "set-proc-title",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no process title",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "shutdown-on-sigint",
       .kind = OptionKind::kString,
       .default_value = "default",
       .help = "stored only: SIGTERM/SIGINT stop at once",
       .normalize = NormalizeShutdownFlags,
       .effect = OptionEffect::kStoredOnly},
      {.name = "shutdown-on-sigterm",
       .kind = OptionKind::kString,
       .default_value = "default",
       .help = "stored only: SIGTERM/SIGINT stop at once",
       .normalize = NormalizeShutdownFlags,
       .effect = OptionEffect::kStoredOnly},
      {.name = "shutdown-timeout",
       .kind = OptionKind::kInt,
       .default_value = "10",
       .help = "stored only: SIGTERM/SIGINT stop at once",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kStoredOnly},
      {.name = "slowlog-log-slower-than",
       .kind = OptionKind::kInt,
       .default_value = "10000",
       .help = "SLOWLOG logs commands that ran at least this many microseconds; -1: none",
       .min = -1,
       .max = INT64_MAX},
      {.name = "slowlog-max-len",
       .kind = OptionKind::kInt,
       .default_value = "128",
       .help = "SLOWLOG keeps this many entries",
       .min = 0,
       .max = INT64_MAX},
      {.name = "socket-mark-id",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "stored only: no socket marks",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "stop-writes-on-bgsave-error",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "stored only: no persistence",
       .effect = OptionEffect::kStoredOnly},
      {.name = "stream-node-max-bytes",
       .kind = OptionKind::kMemory,
       .default_value = "4096",
       .help = "a stream node of this many bytes starts a new node (0: no limit); trimming with ~ "
               "removes whole nodes only",
       .min = 0,
       .max = INT64_MAX},
      {.name = "stream-node-max-entries",
       .kind = OptionKind::kInt,
       .default_value = "100",
       .help = "a stream node of this many entries starts a new node (0: no limit)",
       .min = 0,
       .max = INT64_MAX},
      {.name = "supervised",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: respd runs in the foreground",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "syslog-enabled",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: logs go to logfile",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "syslog-facility",
       .kind = OptionKind::kString,
       .default_value = "local0",
       .help = "stored only: logs go to logfile",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "syslog-ident",
       .kind = OptionKind::kString,
       .default_value = "redis",
       .help = "stored only: logs go to logfile",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kStoredOnly},
      {.name = "tracking-table-max-keys",
       .kind = OptionKind::kInt,
       .default_value = "1000000",
       .help = "keys the client-side caching table holds before it invalidates some (0: no limit)",
       .min = 0,
       .max = INT64_MAX,
       .effect = OptionEffect::kHonoured},
      {.name = "aclfile",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "file of ACL users (ACL LOAD, ACL SAVE); not with `user` directives",
       .mutable_at_runtime = false},
      {.name = "client-output-buffer-limit",
       .kind = OptionKind::kString,
       .default_value = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
       .help = "<class> <hard> <soft> <soft seconds>: a client whose unsent output passes the hard "
               "limit, or the soft one for longer than that, is disconnected (respd enforces the "
               "normal and pubsub classes; it has no replicas)",
       .normalize_over = NormalizeOutputBufferLimits},
      {.name = "cluster-enabled",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "not built yet: cluster mode",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kNotBuilt},
      {.name = "maxmemory-clients",
       .kind = OptionKind::kString,
       .default_value = "0",
       .help = "not built yet: client eviction",
       .effect = OptionEffect::kNotBuilt},
      {.name = "min-replicas-to-write",
       .alias = "min-slaves-to-write",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "not built yet: replication",
       .min = 0,
       .max = kMaxInt,
       .effect = OptionEffect::kNotBuilt},
      {.name = "notify-keyspace-events",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "keyspace notification classes, Redis's letters (K E g $ l s h z x e t m d n A)",
       .normalize = NormalizeKeyspaceEvents},
      {.name = "replicaof",
       .alias = "slaveof",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "not built yet: replication",
       .mutable_at_runtime = false,
       .effect = OptionEffect::kNotBuilt},
      {.name = "tls-auth-clients",
       .kind = OptionKind::kEnum,
       .default_value = "yes",
       .help = "client certificates on the TLS port: required (yes), not asked for (no), or "
               "checked when given (optional)",
       .choices = {"no", "yes", "optional"}},
      {.name = "tls-ca-cert-dir",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "directory of CA certificates that client certificates are checked against"},
      {.name = "tls-ca-cert-file",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "CA certificates (PEM) that client certificates are checked against"},
      {.name = "tls-cert-file",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "the server's certificate chain (PEM) on the TLS port"},
      {.name = "tls-ciphers",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "OpenSSL cipher list for TLS 1.2 and older"},
      {.name = "tls-ciphersuites",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "OpenSSL cipher suites for TLS 1.3"},
      {.name = "tls-client-cert-file",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: the certificate of outgoing TLS connections, and respd makes none (no "
               "replication, no cluster)",
       .effect = OptionEffect::kStoredOnly},
      {.name = "tls-client-key-file",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: the key of outgoing TLS connections, and respd makes none (no "
               "replication, no cluster)",
       .effect = OptionEffect::kStoredOnly},
      {.name = "tls-client-key-file-pass",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "stored only: the key passphrase of outgoing TLS connections, and respd makes none",
       .effect = OptionEffect::kStoredOnly},
      {.name = "tls-cluster",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: TLS on the cluster bus, and respd has no cluster",
       .effect = OptionEffect::kStoredOnly},
      {.name = "tls-dh-params-file",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "DH parameters (PEM) for DHE ciphers; empty: OpenSSL's built-in ones"},
      {.name = "tls-key-file",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "the server's private key (PEM) on the TLS port"},
      {.name = "tls-key-file-pass",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "passphrase of tls-key-file"},
      {.name = "tls-port",
       .kind = OptionKind::kInt,
       .default_value = "0",
       .help = "TLS port, next to the plain one (0: none); not moved by CONFIG SET",
       .min = 0,
       .max = 65535},
      {.name = "tls-prefer-server-ciphers",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "choose the cipher by the server's order rather than the client's"},
      {.name = "tls-protocols",
       .kind = OptionKind::kString,
       .default_value = "",
       .help = "TLS versions accepted (TLSv1 TLSv1.1 TLSv1.2 TLSv1.3); empty: TLSv1.2 TLSv1.3"},
      {.name = "tls-replication",
       .kind = OptionKind::kBool,
       .default_value = "no",
       .help = "stored only: TLS for replication links, and respd has no replication",
       .effect = OptionEffect::kStoredOnly},
      {.name = "tls-session-cache-size",
       .kind = OptionKind::kInt,
       .default_value = "20480",
       .help = "TLS sessions kept for resumption",
       .min = 0,
       .max = kMaxInt},
      {.name = "tls-session-cache-timeout",
       .kind = OptionKind::kInt,
       .default_value = "300",
       .help = "seconds a cached TLS session may be resumed",
       .min = 0,
       .max = kMaxInt},
      {.name = "tls-session-caching",
       .kind = OptionKind::kBool,
       .default_value = "yes",
       .help = "let TLS clients resume sessions"},
  };
  return specs;
}

}  // namespace respd::server
