// Option definitions and redis-server compatible command line / config file parsing.
#include "server/config/config.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "protocol/resp_parser.h"
#include "server/config/custom_options.h"
#include "server/config/logging.h"
#include "storage/glob.h"
#include "storage/numbers.h"

namespace respd::server {
namespace po = boost::program_options;
namespace {

constexpr int64_t kMaxInt = INT32_MAX;
// Redis accepts any hz and runs its cron at a rate clamped to these bounds.
constexpr int64_t kMinHz = 1;
constexpr int64_t kMaxHz = 500;
// Redis refuses include chains deeper than this (they are almost always loops).
constexpr int kMaxIncludeDepth = 16;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out += values[i];
  }
  return out;
}

po::options_description BuildDescription() {
  po::options_description description("respd options (also accepted in the config file)");
  for (const OptionSpec& spec : OptionSpecs()) {
    std::string help(spec.help);
    if (!spec.default_value.empty()) help += " (default: " + std::string(spec.default_value) + ")";
    description.add_options()(std::string(spec.name).c_str(),
                              po::value<std::vector<std::string>>()->multitoken()->zero_tokens(),
                              help.c_str());
    if (!spec.alias.empty()) {
      description.add_options()(std::string(spec.alias).c_str(),
                                po::value<std::vector<std::string>>()->multitoken()->zero_tokens(),
                                ("alias of " + std::string(spec.name)).c_str());
    }
  }
  description.add_options()("include", po::value<std::vector<std::string>>()->multitoken(),
                            "read another config file at this point");
  return description;
}

}  // namespace

const std::vector<OptionSpec>& OptionSpecs() {
  static const std::vector<OptionSpec> specs = {
      {"bind", "", OptionKind::kString, "* -::*",
       "addresses to listen on; a leading '-' makes an address optional"},
      {"port", "", OptionKind::kInt, "6379", "TCP port; 0 picks a free one and logs it", false, 0,
       65535},
      {"threads", "", OptionKind::kInt, "0",
       "I/O threads, each with its own event loop; 0 means one per core", false, 0, 1024},
      {"databases", "", OptionKind::kInt, "16", "number of databases", false, 1, kMaxInt},
      {"hz",
       "",
       OptionKind::kInt,
       "10",
       "background tasks (active expiry) per second; stored clamped to 1..500",
       true,
       0,
       kMaxInt,
       {},
       kMinHz,
       kMaxHz},
      {"maxclients", "", OptionKind::kInt, "10000", "maximum simultaneous clients", true, 1,
       UINT32_MAX},
      {"timeout", "", OptionKind::kInt, "0", "close clients idle this many seconds (0: never)",
       true, 0, kMaxInt},
      {"tcp-keepalive", "", OptionKind::kInt, "300", "TCP keepalive period in seconds (0: off)",
       true, 0, kMaxInt},
      {"tcp-backlog", "", OptionKind::kInt, "511", "listen backlog", false, 0, kMaxInt},
      {"loglevel",
       "",
       OptionKind::kEnum,
       "notice",
       "log verbosity",
       true,
       0,
       0,
       {"debug", "verbose", "notice", "warning"},
       INT64_MIN,
       INT64_MAX,
       [](const Option& option) { SetLogLevel(option.text()); }},
      {"logfile", "", OptionKind::kString, "", "log file; empty logs to standard output", false},
      {"enable-debug-command",
       "",
       OptionKind::kEnum,
       "no",
       "who may run DEBUG: no one, everyone (yes), or clients on a loopback address (local)",
       false,
       0,
       0,
       {"no", "yes", "local"}},
      {"pidfile", "", OptionKind::kString, "", "write the process id to this file", false},
      {"proto-max-bulk-len", "", OptionKind::kMemory, "536870912",
       "largest bulk string a client may send", true, 1024 * 1024, INT64_MAX},
      {"client-query-buffer-limit", "", OptionKind::kMemory, "1073741824",
       "largest query buffer of one client", true, 1024 * 1024, INT64_MAX},
      {"requirepass", "", OptionKind::kString, "", "password of the default user (empty: none)"},
      {"maxmemory", "", OptionKind::kMemory, "0", "memory limit in bytes (0: none)", true, 0,
       INT64_MAX},
      {"maxmemory-policy",
       "",
       OptionKind::kEnum,
       "noeviction",
       "what to do at maxmemory",
       true,
       0,
       0,
       {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
        "allkeys-lfu", "allkeys-random", "noeviction"}},
      {"maxmemory-samples", "", OptionKind::kInt, "5", "keys sampled per eviction", true, 1, 64},
      {"set-max-intset-entries", "", OptionKind::kInt, "512",
       "sets of at most this many integers use the compact intset encoding", true, 0, INT64_MAX},
      {"zset-max-listpack-entries", "zset-max-ziplist-entries", OptionKind::kInt, "128",
       "sorted sets of at most this many members use the compact listpack encoding", true, 0,
       INT64_MAX},
      {"zset-max-listpack-value", "zset-max-ziplist-value", OptionKind::kMemory, "64",
       "sorted sets whose members are all at most this many bytes may use listpack", true, 0,
       INT64_MAX},
      {"list-max-listpack-size", "list-max-ziplist-size", OptionKind::kInt, "-2",
       "list node limit: negative -1..-5 for 4/8/16/32/64 KB nodes, positive for an element count",
       true, INT32_MIN, INT32_MAX},
      {"list-compress-depth", "", OptionKind::kInt, "0",
       "accepted for compatibility: respd does not compress list nodes", true, 0, INT32_MAX},
      {"hash-max-listpack-entries", "hash-max-ziplist-entries", OptionKind::kInt, "512",
       "hashes of at most this many fields use the compact listpack encoding", true, 0,
       INT64_MAX},
      {"hash-max-listpack-value", "hash-max-ziplist-value", OptionKind::kMemory, "64",
       "hashes whose fields and values are all at most this many bytes may use listpack", true, 0,
       INT64_MAX},
      {"busy-reply-threshold", "lua-time-limit", OptionKind::kInt, "5000",
       "milliseconds a script runs before other clients get BUSY", true, 0, INT64_MAX},
      {.name = "notify-keyspace-events",
       .alias = "",
       .kind = OptionKind::kCustom,
       .default_value = "",
       .help = "keyspace notification classes, Redis's letters (K E g $ l s h z x e t m d n A)",
       .parse = ParseNotifyKeyspaceEventsOption},
      {.name = "client-output-buffer-limit",
       .alias = "",
       .kind = OptionKind::kCustom,
       .default_value = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
       .help = "<class> <hard> <soft> <soft seconds>: a client whose unsent output passes the hard "
               "limit, or the soft one for that long, is disconnected (respd enforces pubsub)",
       .parse = ParseOutputBufferLimitOption},
      // redis-server directives that have no meaning for an in-memory test double.
      {"save", "", OptionKind::kIgnored, "3600 1 300 100 60 10000", "ignored: no persistence"},
      {"appendonly", "", OptionKind::kIgnored, "no", "ignored: no persistence"},
      {"appendfsync", "", OptionKind::kIgnored, "everysec", "ignored: no persistence"},
      {"appendfilename", "", OptionKind::kIgnored, "appendonly.aof", "ignored: no persistence"},
      {"dir", "", OptionKind::kIgnored, "", "ignored: no persistence"},
      {"dbfilename", "", OptionKind::kIgnored, "dump.rdb", "ignored: no persistence"},
      {"daemonize", "", OptionKind::kIgnored, "no", "ignored: respd runs in the foreground"},
      {"supervised", "", OptionKind::kIgnored, "no", "ignored"},
      {"protected-mode", "", OptionKind::kIgnored, "yes", "ignored"},
      {"io-threads", "", OptionKind::kIgnored, "1", "ignored: see threads"},
      {"io-threads-do-reads", "", OptionKind::kIgnored, "no", "ignored: see threads"},
      {"unixsocket", "", OptionKind::kIgnored, "", "ignored: TCP only"},
      {"unixsocketperm", "", OptionKind::kIgnored, "0", "ignored: TCP only"},
      {"always-show-logo", "", OptionKind::kIgnored, "no", "ignored"},
      {"set-proc-title", "", OptionKind::kIgnored, "yes", "ignored"},
      {"stop-writes-on-bgsave-error", "", OptionKind::kIgnored, "yes", "ignored"},
      {"rdbcompression", "", OptionKind::kIgnored, "yes", "ignored"},
      {"rdbchecksum", "", OptionKind::kIgnored, "yes", "ignored"},
      {"lazyfree-lazy-eviction", "", OptionKind::kIgnored, "no", "ignored"},
      {"lazyfree-lazy-expire", "", OptionKind::kIgnored, "no", "ignored"},
      {"lazyfree-lazy-server-del", "", OptionKind::kIgnored, "no", "ignored"},
      {"lazyfree-lazy-user-del", "", OptionKind::kIgnored, "no", "ignored"},
      {"lazyfree-lazy-user-flush", "", OptionKind::kIgnored, "no", "ignored"},
      {"latency-monitor-threshold", "", OptionKind::kIgnored, "0", "ignored"},
      {"slowlog-log-slower-than", "", OptionKind::kIgnored, "10000", "ignored"},
      {"slowlog-max-len", "", OptionKind::kIgnored, "128", "ignored"},
      {"activerehashing", "", OptionKind::kIgnored, "yes", "ignored"},
      {"jemalloc-bg-thread", "", OptionKind::kIgnored, "yes", "ignored"},
      {"syslog-enabled", "", OptionKind::kIgnored, "no", "ignored"},
      {"crash-log-enabled", "", OptionKind::kIgnored, "yes", "ignored"},
      {"oom-score-adj", "", OptionKind::kIgnored, "no", "ignored"},
  };
  return specs;
}

std::string Option::text() const {
  switch (spec_->kind) {
    case OptionKind::kInt:
    case OptionKind::kMemory:
      return storage::FormatInt64(number());
    case OptionKind::kBool:
      return enabled() ? "yes" : "no";
    case OptionKind::kEnum:
      return std::string(spec_->choices[static_cast<size_t>(number())]);
    case OptionKind::kString:
    case OptionKind::kIgnored:
    case OptionKind::kCustom: {
      std::lock_guard lock(text_mutex_);
      return text_;
    }
  }
  return {};
}

std::string Option::Set(const std::vector<std::string>& values) {
  std::string value = Join(values);
  switch (spec_->kind) {
    case OptionKind::kInt: {
      auto n = storage::ParseInt64(value);
      if (!n) return "argument couldn't be parsed into an integer";
      if (*n < spec_->min || *n > spec_->max) {
        return "argument must be between " + storage::FormatInt64(spec_->min) + " and " +
               storage::FormatInt64(spec_->max) + " inclusive";
      }
      number_.store(std::clamp(*n, spec_->clamp_min, spec_->clamp_max));
      return {};
    }
    case OptionKind::kMemory: {
      uint64_t bytes;
      if (!ParseMemory(value, &bytes)) return "argument must be a memory value";
      if (bytes > static_cast<uint64_t>(INT64_MAX) || static_cast<int64_t>(bytes) < spec_->min ||
          static_cast<int64_t>(bytes) > spec_->max) {
        return "argument must be between " + storage::FormatInt64(spec_->min) + " and " +
               storage::FormatInt64(spec_->max) + " inclusive";
      }
      number_.store(static_cast<int64_t>(bytes));
      return {};
    }
    case OptionKind::kBool: {
      std::string lower = Lower(value);
      if (lower != "yes" && lower != "no") return "argument must be 'yes' or 'no'";
      number_.store(lower == "yes");
      return {};
    }
    case OptionKind::kEnum: {
      std::string lower = Lower(value);
      for (size_t i = 0; i < spec_->choices.size(); ++i) {
        if (spec_->choices[i] == lower) {
          number_.store(static_cast<int64_t>(i));
          return {};
        }
      }
      return "argument(s) must be one of the following: " + [&] {
        std::string all;
        for (size_t i = 0; i < spec_->choices.size(); ++i) {
          if (i > 0) all += ", ";
          all += spec_->choices[i];
        }
        return all;
      }();
    }
    case OptionKind::kString:
    case OptionKind::kIgnored: {
      std::lock_guard lock(text_mutex_);
      text_ = value;
      version_.fetch_add(1, std::memory_order_release);
      return {};
    }
    case OptionKind::kCustom: {
      std::string canonical;
      int64_t number = 0;
      std::string error = spec_->parse(value, text(), &canonical, &number);
      if (!error.empty()) return error;
      std::lock_guard lock(text_mutex_);
      text_ = std::move(canonical);
      number_.store(number);
      version_.fetch_add(1, std::memory_order_release);
      return {};
    }
  }
  return {};
}

bool ParseMemory(std::string_view text, uint64_t* bytes) {
  // As Redis's memtoull: digits (none reads as 0), then a unit; a number too large for 64 bits
  // saturates rather than fails, so that the caller reports it out of range.
  constexpr size_t kMaxDigits = 127;
  text = text.substr(0, text.find('\0'));  // memtoull reads a C string
  struct Unit {
    std::string_view suffix;
    uint64_t factor;
  };
  static constexpr Unit kUnits[] = {{"", 1},
                                    {"b", 1},
                                    {"k", 1000},
                                    {"kb", 1024},
                                    {"m", 1000 * 1000},
                                    {"mb", 1024 * 1024},
                                    {"g", 1000ULL * 1000 * 1000},
                                    {"gb", 1024ULL * 1024 * 1024}};
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits > kMaxDigits) return false;
  std::string unit = Lower(text.substr(digits));
  const Unit* found = nullptr;
  for (const Unit& candidate : kUnits) {
    if (candidate.suffix == unit) found = &candidate;
  }
  if (found == nullptr) return false;
  uint64_t n = 0;
  for (size_t i = 0; i < digits; ++i) {
    uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    n = n > (UINT64_MAX - digit) / 10 ? UINT64_MAX : n * 10 + digit;
  }
  *bytes = n > UINT64_MAX / found->factor ? UINT64_MAX : n * found->factor;
  return true;
}

Config::Config() {
  for (const OptionSpec& spec : OptionSpecs()) {
    auto option = std::make_unique<Option>(&spec);
    std::vector<std::string> value;
    if (!spec.default_value.empty()) value.emplace_back(spec.default_value);
    std::string error = option->Set(value);
    if (!error.empty() && spec.kind != OptionKind::kString) {
      throw std::logic_error("bad default for " + std::string(spec.name) + ": " + error);
    }
    options_.push_back(std::move(option));
  }
  port_ = &Get("port");
  threads_ = &Get("threads");
  databases_ = &Get("databases");
  hz_ = &Get("hz");
  maxclients_ = &Get("maxclients");
  timeout_ = &Get("timeout");
  proto_max_bulk_len_ = &Get("proto-max-bulk-len");
  requirepass_ = &Get("requirepass");
}

Option* Config::Find(std::string_view name) {
  std::string lower = Lower(name);
  for (auto& option : options_) {
    if (option->spec().name == lower ||
        (!option->spec().alias.empty() && option->spec().alias == lower)) {
      return option.get();
    }
  }
  return nullptr;
}

std::string Config::SetAtRuntime(const std::vector<std::pair<std::string, std::string>>& pairs) {
  // Redis keeps an alias as a config entry of its own: naming an option and its alias in one
  // CONFIG SET is no duplicate (the later value wins), and a bad value is reported under the
  // entry's name, alias or not. A duplicate or an immutable option is named as written.
  struct Target {
    Option* option;
    std::string_view entry;  // the name or alias the argument matched
  };
  std::vector<Target> targets;
  for (const auto& [arg, value] : pairs) {
    Option* option = Find(arg);
    std::string name = arg.substr(0, arg.find('\0'));  // Redis echoes it with %s
    if (option == nullptr) {
      return "ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'";
    }
    std::string_view entry =
        Lower(arg) == option->spec().name ? option->spec().name : option->spec().alias;
    for (const Target& target : targets) {
      if (target.option == option && target.entry == entry) {
        return "ERR CONFIG SET failed (possibly related to argument '" + name +
               "') - duplicate parameter";
      }
    }
    if (!option->spec().mutable_at_runtime) {
      return "ERR CONFIG SET failed (possibly related to argument '" + name +
             "') - can't set immutable config";
    }
    targets.push_back({option, entry});
  }
  // Redis applies all or none: on the first bad value, earlier ones get their old values back
  // (newest first, since an option and its alias may both be in the list).
  std::vector<std::string> old_values;
  for (size_t i = 0; i < targets.size(); ++i) {
    old_values.push_back(targets[i].option->text());
    std::string reason = targets[i].option->Set({pairs[i].second});
    if (!reason.empty()) {
      for (size_t j = i; j-- > 0;) targets[j].option->Set({old_values[j]});
      return "ERR CONFIG SET failed (possibly related to argument '" +
             std::string(targets[i].entry) + "') - " + reason;
    }
  }
  for (const Target& target : targets) {
    if (target.option->spec().on_change != nullptr) target.option->spec().on_change(*target.option);
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> Config::Matching(
    const std::vector<std::string>& patterns) {
  std::vector<std::pair<std::string, std::string>> matches;
  std::vector<std::string> seen;  // lower-case names already answered
  auto add = [&](std::string_view shown, const Option& option) {
    std::string lower = Lower(shown);
    if (std::find(seen.begin(), seen.end(), lower) != seen.end()) return;
    seen.push_back(std::move(lower));
    matches.emplace_back(shown, option.text());
  };
  for (const std::string& pattern : patterns) {
    if (storage::GlobIsLiteral(pattern)) {
      if (const Option* option = Find(pattern)) add(pattern, *option);
      continue;
    }
    for (const auto& option : options_) {
      for (std::string_view name : {option->spec().name, option->spec().alias}) {
        if (!name.empty() && storage::GlobMatch(pattern, name, /*nocase=*/true)) {
          add(name, *option);
        }
      }
    }
  }
  return matches;
}

Option& Config::Get(std::string_view name) {
  Option* option = Find(name);
  if (option == nullptr) throw std::logic_error("no option " + std::string(name));
  return *option;
}

std::string Config::HelpText() const {
  std::ostringstream out;
  out << "Usage: respd [/path/to/respd.conf] [options] [-]\n"
         "       respd -v or --version\n"
         "       respd -h or --help\n\n"
      << BuildDescription();
  return out.str();
}

void Config::ParseCommandLine(int argc, const char* const* argv) {
  std::vector<std::pair<std::string, std::vector<std::string>>> directives;
  int i = 1;
  if (argc >= 2) {
    std::string_view first = argv[1];
    if (first == "-v" || first == "--version") {
      version_requested_ = true;
      return;
    }
    if (first == "-h" || first == "--help") {
      help_requested_ = true;
      return;
    }
    if (!first.starts_with("--") && first != "-") {
      config_file_ = first;
      i = 2;
    }
  }
  std::string stdin_text;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-") {
      std::ostringstream text;
      text << std::cin.rdbuf();
      stdin_text = text.str();
      continue;
    }
    if (!arg.starts_with("--")) {
      throw ConfigError("Invalid argument '" + std::string(arg) +
                        "': options are written --name value");
    }
    std::pair<std::string, std::vector<std::string>> directive{Lower(arg.substr(2)), {}};
    while (i + 1 < argc && !std::string_view(argv[i + 1]).starts_with("--")) {
      directive.second.emplace_back(argv[++i]);
    }
    directives.push_back(std::move(directive));
  }
  if (!config_file_.empty()) {
    std::ifstream file(config_file_);
    if (!file) throw ConfigError("Fatal error, can't open config file '" + config_file_ + "'");
    std::ostringstream text;
    text << file.rdbuf();
    ApplyConfigText(text.str(), config_file_);
  }
  if (!stdin_text.empty()) ApplyConfigText(stdin_text, "standard input");
  // `--include file` reads the file at its place among the command-line options, as in Redis.
  std::vector<std::pair<std::string, std::vector<std::string>>> pending;
  for (auto& directive : directives) {
    if (directive.first != "include") {
      pending.push_back(std::move(directive));
      continue;
    }
    Apply(pending, "the command line");
    pending.clear();
    if (directive.second.size() != 1) throw ConfigError("include takes one file name");
    ApplyConfigText("include \"" + directive.second.front() + "\"\n", "the command line");
  }
  Apply(pending, "the command line");
}

void Config::ApplyConfigText(const std::string& text, const std::string& origin) {
  std::vector<std::pair<std::string, std::vector<std::string>>> directives;
  std::istringstream lines(text);
  std::string line;
  int line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    std::string_view trimmed = line;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) {
      trimmed.remove_prefix(1);
    }
    if (trimmed.empty() || trimmed.front() == '#') continue;
    std::vector<std::string> words;
    if (!protocol::SplitInlineArgs(trimmed, &words) || words.empty()) {
      throw ConfigError("*** FATAL CONFIG FILE ERROR ***\nReading " + origin + ", at line " +
                        std::to_string(line_number) + "\n>>> '" + std::string(trimmed) +
                        "'\nUnbalanced quotes in configuration line");
    }
    std::string name = Lower(words.front());
    words.erase(words.begin());
    if (name == "include") {
      if (words.size() != 1) throw ConfigError("include takes one file name (" + origin + ")");
      if (++include_depth_ > kMaxIncludeDepth) throw ConfigError("include nested too deep");
      Apply(directives, origin);
      directives.clear();
      std::ifstream file(words.front());
      if (!file) throw ConfigError("Fatal error, can't open config file '" + words.front() + "'");
      std::ostringstream included;
      included << file.rdbuf();
      ApplyConfigText(included.str(), words.front());
      --include_depth_;
      continue;
    }
    directives.emplace_back(std::move(name), std::move(words));
  }
  Apply(directives, origin);
}

void Config::Apply(const std::vector<std::pair<std::string, std::vector<std::string>>>& directives,
                   const std::string& origin) {
  // Program_options validates every name against the one option table; a later directive of the
  // same name wins, as in redis.conf, so each name is stored once with its last values.
  static const po::options_description description = BuildDescription();
  po::parsed_options parsed(&description);
  std::vector<std::string> seen;
  for (auto it = directives.rbegin(); it != directives.rend(); ++it) {
    if (std::find(seen.begin(), seen.end(), it->first) != seen.end()) continue;
    seen.push_back(it->first);
    po::option option(it->first, it->second);
    parsed.options.push_back(option);
  }
  for (const auto& [name, values] : directives) {
    if (Find(name) == nullptr) {
      throw ConfigError("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading " + origin +
                        "\n>>> '" + name + (values.empty() ? "" : " " + Join(values)) +
                        "'\nBad directive or wrong number of arguments");
    }
  }
  po::variables_map values;
  try {
    po::store(parsed, values);
  } catch (const po::error& e) {
    throw ConfigError("*** FATAL CONFIG FILE ERROR ***\nReading " + origin + "\n" + e.what() +
                      "\nBad directive or wrong number of arguments");
  }
  for (auto it = directives.begin(); it != directives.end(); ++it) {
    Option* option = Find(it->first);
    std::string error = option->Set(it->second);
    if (!error.empty()) {
      throw ConfigError("*** FATAL CONFIG FILE ERROR ***\nReading " + origin + "\n>>> '" +
                        it->first + " " + Join(it->second) + "'\n" + error);
    }
    if (option->spec().kind == OptionKind::kIgnored) ignored_.push_back(it->first);
  }
}

}  // namespace respd::server
