// Option definitions and redis-server compatible command line / config file parsing.
#include "server/config/config.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "protocol/resp_parser.h"
#include "storage/glob.h"
#include "storage/numbers.h"

namespace respd::server {
namespace po = boost::program_options;
namespace {

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

// Redis shows octal options without a leading 0 ("700").
std::string Octal(int64_t n) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), n, 8);
  return std::string(buffer, end);
}

}  // namespace

std::string Option::text() const {
  switch (spec_->kind) {
    case OptionKind::kInt:
    case OptionKind::kMemory:
      return storage::FormatInt64(number());
    case OptionKind::kOctal:
      return Octal(number());
    case OptionKind::kUnsignedMemory:
      return std::to_string(unsigned_number());
    case OptionKind::kBool:
      return enabled() ? "yes" : "no";
    case OptionKind::kEnum:
      return std::string(spec_->choices[static_cast<size_t>(number())]);
    case OptionKind::kString: {
      std::lock_guard lock(text_mutex_);
      return text_;
    }
  }
  return {};
}

std::string Option::set_text() const {
  std::lock_guard lock(text_mutex_);
  return set_text_;
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
    case OptionKind::kOctal: {
      // strtoll as Redis parses it: leading blanks and a sign pass, "" reads as 0.
      char* end = nullptr;
      errno = 0;
      int64_t n = std::strtoll(value.c_str(), &end, 8);
      if (errno == ERANGE || *end != '\0') return "argument couldn't be parsed as an octal number";
      if (n < spec_->min || n > spec_->max) {
        return "argument must be between " + Octal(spec_->min) + " and " + Octal(spec_->max) +
               " inclusive";
      }
      number_.store(n);
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
    case OptionKind::kUnsignedMemory: {
      uint64_t bytes;
      if (!ParseMemory(value, &bytes)) return "argument must be a memory value";
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
    case OptionKind::kString: {
      std::string canonical = value;
      std::string reason;
      if (spec_->normalize != nullptr) reason = spec_->normalize(value, &canonical);
      if (spec_->normalize_over != nullptr) reason = spec_->normalize_over(value, text(), &canonical);
      if (!reason.empty()) return reason;
      std::lock_guard lock(text_mutex_);
      text_ = std::move(canonical);
      set_text_ = std::move(value);
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
  // Redis reports its working directory, absolute.
  std::error_code error;
  std::string cwd = std::filesystem::current_path(error).string();
  if (!error) Get("dir").Set({cwd});
  port_ = &Get("port");
  threads_ = &Get("threads");
  databases_ = &Get("databases");
  hz_ = &Get("hz");
  maxclients_ = &Get("maxclients");
  timeout_ = &Get("timeout");
  proto_max_bulk_len_ = &Get("proto-max-bulk-len");
  requirepass_ = &Get("requirepass");
  min_replicas_to_write_ = &Get("min-replicas-to-write");
  min_replicas_max_lag_ = &Get("min-replicas-max-lag");
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

std::string Config::SetAtRuntime(const std::vector<std::pair<std::string, std::string>>& pairs,
                                 bool allow_protected) {
  // Redis keeps an alias as a config entry of its own: naming an option and its alias in one
  // CONFIG SET is no duplicate (the later value wins), and a bad value is reported under the
  // entry's name, alias or not. A duplicate or an immutable option is named as written.
  struct Target {
    Option* option;
    std::string_view entry;  // the name or alias the argument matched
    const std::string* value;
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
      if (option->spec().accepts_current_value && value == option->text()) continue;
      return "ERR CONFIG SET failed (possibly related to argument '" + name +
             "') - can't set immutable config";
    }
    if (option->spec().protected_config && !allow_protected) {
      return "ERR CONFIG SET failed (possibly related to argument '" + name +
             "') - can't set protected config";
    }
    targets.push_back({option, entry, &value});
  }
  // Redis applies all or none: on the first bad value, earlier ones get their old values back
  // (newest first, since an option and its alias may both be in the list).
  std::vector<std::string> old_values;
  for (size_t i = 0; i < targets.size(); ++i) {
    old_values.push_back(targets[i].option->text());
    std::string reason = targets[i].option->Set({*targets[i].value});
    if (!reason.empty()) {
      for (size_t j = i; j-- > 0;) targets[j].option->Set({old_values[j]});
      return "ERR CONFIG SET failed (possibly related to argument '" +
             std::string(targets[i].entry) + "') - " + reason;
    }
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    std::string reason = Applied(*targets[i].option, old_values[i]);
    if (reason.empty()) continue;
    for (size_t j = targets.size(); j-- > 0;) targets[j].option->Set({old_values[j]});
    // What was applied is left: the earlier options' apply hooks see their old values come back.
    for (size_t j = 0; j < i; ++j) Applied(*targets[j].option, *targets[j].value);
    return "ERR CONFIG SET failed (possibly related to argument '" + std::string(targets[i].entry) +
           "') - " + reason;
  }
  for (const Target& target : targets) Changed(*target.option);
  return {};
}

std::string Config::Applied(const Option& option, const std::string& previous) const {
  for (const ApplyHook& apply : apply_hooks_) {
    std::string reason = apply(option, previous);
    if (!reason.empty()) return reason;
  }
  return {};
}

void Config::Changed(const Option& option) const {
  if (option.spec().on_change != nullptr) option.spec().on_change(option);
  for (const auto& hook : change_hooks_) hook(option);
}

void Config::CaptureStartupValues() {
  startup_values_.clear();
  for (const auto& option : options_) {
    // The port stays where it is: a test harness resetting the server is connected to it.
    if (option.get() == port_) continue;
    if (option->spec().mutable_at_runtime) startup_values_.emplace_back(option.get(), option->text());
  }
}

void Config::RestoreStartupValues() {
  for (const auto& [option, value] : startup_values_) {
    if (option->text() == value) continue;
    // The value was accepted at start-up, so it is accepted again.
    option->Set({value});
    Changed(*option);
  }
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
      if (option->spec().hidden) continue;
      for (std::string_view name : {option->spec().name, option->spec().alias}) {
        if (!name.empty() && storage::GlobMatch(pattern, name, /*nocase=*/true)) {
          add(name, *option);
        }
      }
    }
  }
  return matches;
}

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (std::isprint(c)) {
          out.push_back(static_cast<char>(c));
        } else {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\x%02x", c);
          out += hex;
        }
    }
  }
  return out + "\"";
}

namespace {

constexpr std::string_view kRewriteSignature = "# Generated by CONFIG REWRITE";

// Redis's rewriteConfigFormatMemory: the largest of gb, mb, kb that divides a non-zero value.
std::string FormatMemoryForFile(uint64_t bytes) {
  static constexpr std::pair<uint64_t, std::string_view> kUnits[] = {
      {uint64_t{1} << 30, "gb"}, {uint64_t{1} << 20, "mb"}, {uint64_t{1} << 10, "kb"}};
  for (const auto& [factor, unit] : kUnits) {
    if (bytes != 0 && bytes % factor == 0) return std::to_string(bytes / factor) + std::string(unit);
  }
  return std::to_string(bytes);
}


std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

struct RewriteLine {
  std::string text;
  bool force;  // written even where the file did not name the option
};

// The lines CONFIG REWRITE writes for `option`, as Redis's rewriteConfig*Option do.
std::vector<RewriteLine> LinesFor(const Option& option) {
  const OptionSpec& spec = option.spec();
  std::string name(spec.name);
  std::string value = option.text();
  Option defaults(&spec);
  defaults.Set(spec.default_value.empty() ? std::vector<std::string>{}
                                          : std::vector<std::string>{std::string(spec.default_value)});
  bool is_default = value == defaults.text();
  // Options Redis writes whatever their value, each on its own line.
  if (name == "save") {
    std::vector<std::string> words = Words(value);
    if (words.empty()) return {{"save \"\"", true}};
    std::vector<RewriteLine> lines;
    for (size_t i = 0; i + 1 < words.size(); i += 2) {
      lines.push_back({"save " + words[i] + " " + words[i + 1], true});
    }
    return lines;
  }
  if (name == "dir") return {{"dir " + Quoted(value), true}};
  if (name == "latency-tracking-info-percentiles") return {{name + " " + value, true}};
  if (name == "client-output-buffer-limit") {
    std::vector<std::string> words = Words(value);
    std::vector<std::string> default_words = Words(defaults.text());
    std::vector<RewriteLine> lines;
    for (size_t i = 0; i + 3 < words.size(); i += 4) {
      bool same = i + 3 < default_words.size() &&
                  std::equal(words.begin() + i, words.begin() + i + 4, default_words.begin() + i);
      uint64_t hard = std::stoull(words[i + 1]);
      uint64_t soft = std::stoull(words[i + 2]);
      lines.push_back({name + " " + words[i] + " " + FormatMemoryForFile(hard) + " " +
                           FormatMemoryForFile(soft) + " " + words[i + 3],
                       !same});
    }
    return lines;
  }
  // Multi-word values written as words.
  if (name == "bind" || name == "oom-score-adj-values" || name == "shutdown-on-sigint" ||
      name == "shutdown-on-sigterm") {
    return {{name + " " + value, !is_default}};
  }
  switch (spec.kind) {
    case OptionKind::kMemory:
    case OptionKind::kUnsignedMemory:
      return {{name + " " + FormatMemoryForFile(option.unsigned_number()), !is_default}};
    case OptionKind::kString:
      // A string at its default is dropped from the file, as Redis does.
      if (is_default) return {};
      return {{name + " " + Quoted(value), true}};
    default:
      return {{name + " " + value, !is_default}};
  }
}

// Lines of options whose values respd neither uses nor keeps are the user's: rewriting them from
// respd's value would drop them.
bool KeptOutOfRewrite(const OptionSpec& spec) {
  return spec.effect == OptionEffect::kDefaultOnly;
}

}  // namespace

std::string Config::Rewrite() const {
  if (config_file_.empty()) return "ERR The server is running without a config file";
  std::string error = RewriteFile(/*force_all=*/false);
  return error.empty() ? error : "ERR Rewriting config file: " + error;
}

std::string Config::RewriteForceAll() const {
  if (config_file_.empty()) return std::strerror(EFAULT);
  return RewriteFile(/*force_all=*/true);
}

std::string Config::RewriteFile(bool force_all) const {
  std::vector<std::string> lines;
  {
    std::ifstream in(config_file_);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  // Where each option (by its canonical name) appears in the file.
  std::vector<std::pair<const Option*, std::vector<size_t>>> slots;
  bool has_signature = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == kRewriteSignature) has_signature = true;
    std::vector<std::string> words;
    std::string_view trimmed = lines[i];
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) {
      trimmed.remove_prefix(1);
    }
    if (trimmed.empty() || trimmed.front() == '#') continue;
    if (!protocol::SplitInlineArgs(trimmed, &words) || words.empty()) continue;
    const Option* option = nullptr;
    for (const auto& candidate : options_) {
      const OptionSpec& spec = candidate->spec();
      std::string lower = Lower(words.front());
      if (!KeptOutOfRewrite(spec) && (spec.name == lower || spec.alias == lower)) {
        option = candidate.get();
      }
    }
    if (option == nullptr) continue;  // include, unknown or not-built directives stay as they are
    auto found = std::find_if(slots.begin(), slots.end(),
                              [&](const auto& slot) { return slot.first == option; });
    if (found == slots.end()) {
      slots.push_back({option, {i}});
    } else {
      found->second.push_back(i);
    }
  }
  std::vector<std::string> appended;
  for (const auto& option : options_) {
    if (KeptOutOfRewrite(option->spec())) continue;
    auto found = std::find_if(slots.begin(), slots.end(),
                              [&](const auto& slot) { return slot.first == option.get(); });
    std::vector<size_t> free_slots;
    if (found != slots.end()) free_slots = found->second;
    size_t used = 0;
    for (const RewriteLine& line : LinesFor(*option)) {
      if (used < free_slots.size()) {
        lines[free_slots[used++]] = line.text;
      } else if (line.force || force_all) {
        appended.push_back(line.text);
      }
    }
    // Lines of the option left over (it now takes fewer, or none) are emptied, as Redis does.
    for (; used < free_slots.size(); ++used) lines[free_slots[used]].clear();
  }
  if (!appended.empty() && !has_signature) {
    lines.emplace_back();
    lines.emplace_back(kRewriteSignature);
  }
  lines.insert(lines.end(), appended.begin(), appended.end());
  // Written beside the file and renamed over it, so a failure leaves the old file whole.
  std::string temporary = config_file_ + ".tmp-rewrite";
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (const std::string& line : lines) out << line << "\n";
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      return std::strerror(errno);
    }
  }
  if (std::rename(temporary.c_str(), config_file_.c_str()) != 0) {
    std::string error = std::strerror(errno);
    std::remove(temporary.c_str());
    return error;
  }
  return {};
}

std::string Config::PathInDir(const std::string& path) {
  if (path.empty() || path.starts_with('/')) return path;
  return Get("dir").text() + "/" + path;
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
    if (!first.starts_with('-')) {
      config_file_ = first;
      i = 2;
    }
  }
  // The options become config-file lines as Redis's main() writes them: "--name" starts a line,
  // unless the option before has no value yet (so a value may start with "--"); "--name value"
  // in one argument is a whole line; every other argument is a quoted value. A lone "--save"
  // followed by another option, or last, means save "". The lines are read after the file and
  // standard input, as if appended to them.
  std::string stdin_text;
  std::string options;
  bool last_option_has_value = true;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-" && (i == 1 || i == argc - 1)) {
      std::ostringstream text;
      text << std::cin.rdbuf();
      stdin_text = text.str();
      continue;
    }
    if (!last_option_has_value || !arg.starts_with("--")) {
      options += Quoted(arg) + " ";
      last_option_has_value = true;
      continue;
    }
    if (!options.empty()) options += "\n";
    options += std::string(arg.substr(2)) + " ";
    std::vector<std::string> words;
    if (protocol::SplitInlineArgs(arg, &words) && words.size() > 1) continue;
    last_option_has_value = false;
    if (Lower(arg) == "--save" &&
        (i == argc - 1 || std::string_view(argv[i + 1]).starts_with("--"))) {
      options += "\"\"";
      last_option_has_value = true;
    }
  }
  // Redis reads the file, standard input, a newline and the options as one text, which numbers
  // the lines of its error messages.
  int lines_before = 1;
  if (!config_file_.empty()) {
    std::ifstream file(config_file_);
    if (!file) throw ConfigError("Fatal error, can't open config file '" + config_file_ + "'");
    std::ostringstream text;
    text << file.rdbuf();
    const std::string contents = text.str();
    ApplyConfigText(contents);
    lines_before += static_cast<int>(std::ranges::count(contents, '\n'));
  }
  if (!stdin_text.empty()) ApplyConfigText(stdin_text, lines_before);
  lines_before += static_cast<int>(std::ranges::count(stdin_text, '\n'));
  if (!options.empty()) ApplyConfigText(options + "\n", lines_before + 1);
}

namespace {

// Redis's loadServerConfigFromString message, whatever the text came from.
ConfigError LineError(int line_number, std::string_view line, std::string_view reason) {
  return ConfigError(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration "
      "file, at line " +
      std::to_string(line_number) + "\n>>> '" + std::string(line) + "'\n" + std::string(reason));
}

}  // namespace

void Config::ApplyConfigText(const std::string& text, int first_line) {
  std::vector<Directive> directives;
  std::istringstream lines(text);
  std::string line;
  int line_number = first_line - 1;
  while (std::getline(lines, line)) {
    ++line_number;
    std::string_view trimmed = line;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) {
      trimmed.remove_prefix(1);
    }
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
      trimmed.remove_suffix(1);
    }
    if (trimmed.empty() || trimmed.front() == '#') continue;
    std::vector<std::string> words;
    if (!protocol::SplitInlineArgs(trimmed, &words)) {
      throw LineError(line_number, trimmed, "Unbalanced quotes in configuration line");
    }
    if (words.empty()) continue;
    std::string name = Lower(words.front());
    words.erase(words.begin());
    if (name == "include") {
      if (words.size() != 1) {
        throw LineError(line_number, trimmed, "Bad directive or wrong number of arguments");
      }
      if (++include_depth_ > kMaxIncludeDepth) throw ConfigError("include nested too deep");
      Apply(directives);
      directives.clear();
      std::ifstream file(words.front());
      if (!file) throw ConfigError("Fatal error, can't open config file '" + words.front() + "'");
      std::ostringstream included;
      included << file.rdbuf();
      ApplyConfigText(included.str());
      --include_depth_;
      continue;
    }
    directives.push_back({std::move(name), std::move(words), line_number, std::string(trimmed)});
  }
  Apply(directives);
}

void Config::Apply(const std::vector<Directive>& all_directives) {
  // `user` may repeat and is no option: the ACL reads its lines at start-up. Each line is checked
  // before any is applied, in order, so the first bad line is the one reported, as in Redis.
  std::vector<const Directive*> directives;
  for (const Directive& directive : all_directives) {
    if (directive.name == "user" && !directive.values.empty()) {
      acl_users_.push_back(directive.values);
      continue;
    }
    Option* option = Find(directive.name);
    if (option == nullptr) {
      throw LineError(directive.line_number, directive.line,
                      "Bad directive or wrong number of arguments");
    }
    if (!option->spec().multi_arg && directive.values.size() != 1) {
      throw LineError(directive.line_number, directive.line, "wrong number of arguments");
    }
    // The value alone, on a scratch option; one that amends the current value is checked with it
    // below.
    if (option->spec().normalize_over == nullptr) {
      std::string error = Option(&option->spec()).Set(directive.values);
      if (!error.empty()) throw LineError(directive.line_number, directive.line, error);
    }
    directives.push_back(&directive);
  }
  // Program_options validates every name against the one option table; a later directive of the
  // same name wins, as in redis.conf, so each name is stored once with its last values.
  static const po::options_description description = BuildDescription();
  po::parsed_options parsed(&description);
  std::vector<std::string> seen;
  for (auto it = directives.rbegin(); it != directives.rend(); ++it) {
    if (std::find(seen.begin(), seen.end(), (*it)->name) != seen.end()) continue;
    seen.push_back((*it)->name);
    parsed.options.push_back(po::option((*it)->name, (*it)->values));
  }
  po::variables_map values;
  try {
    po::store(parsed, values);
  } catch (const po::error& e) {
    throw ConfigError(std::string("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n") + e.what());
  }
  for (const Directive* directive : directives) {
    Option* option = Find(directive->name);
    if (option->spec().effect == OptionEffect::kDefaultOnly) {
      ignored_.push_back(directive->name);
      continue;
    }
    std::string error;
    if (directive->name == "save") {
      std::vector<std::string> points = loaded_save_points_.value_or(std::vector<std::string>{});
      if (directive->values.size() == 1 && directive->values.front().empty()) {
        points.clear();
      } else {
        points.insert(points.end(), directive->values.begin(), directive->values.end());
      }
      error = option->Set(points.empty() ? std::vector<std::string>{""} : points);
      loaded_save_points_ = std::move(points);
    } else {
      error = option->Set(directive->values);
    }
    if (!error.empty()) throw LineError(directive->line_number, directive->line, error);
    if (option->spec().effect != OptionEffect::kHonoured) ignored_.push_back(directive->name);
  }
}

}  // namespace respd::server
