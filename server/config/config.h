// Server options: one table of definitions that feeds Program_options (command line and redis.conf
// syntax config files), CONFIG GET/SET and conf/respd.conf. The only user of Program_options.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace respd::server {

enum class OptionKind : uint8_t {
  kInt,             // a signed integer within [min, max]
  kOctal,           // an integer written in octal (file modes: unixsocketperm) within [min, max]
  kMemory,          // bytes, accepting Redis's units (1k, 5mb, 2gb), within [min, max]
  kUnsignedMemory,  // bytes up to 2^64-1 (Redis's unsigned long long memory options)
  kBool,            // yes / no
  kString,          // text, checked and put in canonical form by `normalize` when it has one
  kEnum,            // one of `choices`
};

// What respd does with an option Redis has.
enum class OptionEffect : uint8_t {
  kHonoured,  // respd acts on it
  // Accepted, validated and stored as Redis does, with nothing a client could observe depending on
  // it (persistence, replication, defragmentation...); a config file setting it gets a warning.
  kStoredOnly,
  // Its feature is not built and Redis cannot change it at run time either (replicaof): CONFIG
  // GET shows its default, which is what respd does, CONFIG SET refuses it as immutable as Redis
  // does, and a config file setting it gets a warning and is otherwise
  // ignored (CONFIG REWRITE leaves its lines alone).
  kDefaultOnly,
};

class Option;

struct OptionSpec {
  std::string_view name;
  std::string_view alias = {};  // an older name Redis still accepts ("" for none)
  OptionKind kind;
  std::string_view default_value;
  std::string_view help;
  bool mutable_at_runtime = true;
  // For an option respd cannot change at run time where Redis can (port) or that Redis lacks
  // (threads, seed...): CONFIG SET to the value CONFIG GET shows is accepted and changes nothing,
  // so a client setting back every value of CONFIG GET * succeeds as it does against Redis.
  bool accepts_current_value = false;
  int64_t min = INT64_MIN;
  int64_t max = INT64_MAX;
  std::vector<std::string_view> choices = {};
  // Accepted values outside [clamp_min, clamp_max] are stored clamped (Redis's hz: 1..500).
  int64_t clamp_min = INT64_MIN;
  int64_t clamp_max = INT64_MAX;
  // Makes a new value take effect at run time beyond storing it (loglevel); nullptr when every
  // reader polls the option.
  void (*on_change)(const Option& option) = nullptr;
  // For kString options with a syntax (save, oom-score-adj-values...): returns Redis's reason for
  // refusing `value`, or "" after writing its canonical form (what CONFIG GET shows).
  std::string (*normalize)(std::string_view value, std::string* canonical) = nullptr;
  // For kString options whose setting replaces part of the current value
  // (client-output-buffer-limit <class> ...): as `normalize`, given the option's current text.
  std::string (*normalize_over)(std::string_view value, std::string_view current,
                                std::string* canonical) = nullptr;
  // Redis's PROTECTED_CONFIG (dir, dbfilename): refused by CONFIG SET.
  bool protected_config = false;
  // Redis's HIDDEN_CONFIG (test and debugging knobs): CONFIG GET answers it when named, never to
  // a pattern.
  bool hidden = false;
  OptionEffect effect = OptionEffect::kHonoured;
  // Redis's MULTI_ARG_CONFIG: a config file line may give it several arguments (save 900 1 300
  // 10); any other option takes exactly one.
  bool multi_arg = false;
};

// Redis's sdscatrepr: `text` double-quoted with C escapes (CONFIG REWRITE, MONITOR).
std::string Quoted(std::string_view text);

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One option's current value. Numbers (ints, memory, bools, enum indexes) are read lock-free on hot
// paths; text is behind a mutex.
class Option {
 public:
  explicit Option(const OptionSpec* spec) : spec_(spec) {}
  const OptionSpec& spec() const { return *spec_; }
  int64_t number() const { return number_.load(std::memory_order_relaxed); }
  // A kUnsignedMemory option's value.
  uint64_t unsigned_number() const { return static_cast<uint64_t>(number()); }
  bool enabled() const { return number() != 0; }
  std::string text() const;
  // A kString option's value as it was set, before `normalize` put it in the form CONFIG GET
  // shows: notify-keyspace-events keeps its n there, which Redis's form hides after an A.
  std::string set_text() const;
  // Changes with every successful Set of a kString option: readers that cache something parsed
  // from text() compare it.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // Validates and stores `value`; returns Redis's reason on failure ("argument must be a memory
  // value").
  std::string Set(const std::vector<std::string>& values);

 private:
  const OptionSpec* spec_;
  std::atomic<int64_t> number_{0};
  std::atomic<uint64_t> version_{0};
  mutable std::mutex text_mutex_;
  std::string text_;
  std::string set_text_;
};

class Config {
 public:
  Config();

  // Parses `respd [configfile] [--name value ...]` (redis-server's rules). Throws ConfigError with
  // a message for the user on unknown options or bad values. Sets version_requested() for
  // --version.
  void ParseCommandLine(int argc, const char* const* argv);
  // Applies redis.conf-syntax text (`name value...` per line, # comments, quotes, include).
  // `first_line` numbers its first line in error messages: Redis reads the file, standard input
  // and the command line as one text.
  void ApplyConfigText(const std::string& text, int first_line = 1);

  Option* Find(std::string_view name);  // by name or alias, case-insensitive
  // CONFIG SET: validates every name/value pair, then applies all or none. Returns Redis's error
  // reply text ("ERR CONFIG SET failed ..."), empty on success. Protected options (dir...) only
  // when `allow_protected` (enable-protected-configs lets the client).
  std::string SetAtRuntime(const std::vector<std::pair<std::string, std::string>>& pairs,
                           bool allow_protected = false);
  // CONFIG GET: the (name, value) pairs matching any of `patterns` (globs over names and aliases,
  // case-insensitive; a literal pattern is answered under the name as written), each name once.
  std::vector<std::pair<std::string, std::string>> Matching(
      const std::vector<std::string>& patterns);
  const std::vector<std::unique_ptr<Option>>& options() const { return options_; }
  // CONFIG REWRITE: rewrites the config file the server started with as Redis does, keeping its
  // comments, unknown lines and order, each option's lines replaced in place, options that differ
  // from their default and were not in the file appended. Returns Redis's error text or "".
  std::string Rewrite() const;
  // DEBUG CONFIG-REWRITE-FORCE-ALL: CONFIG REWRITE writing every option, defaults included.
  // Returns the failure as Redis's strerror text (without a config file: EFAULT's, as Redis).
  std::string RewriteForceAll() const;
  // Records every runtime-mutable option's value, once start-up has parsed the command line and
  // config file; RestoreStartupValues (RESPD RESET) puts back those CONFIG SET changed since.
  void CaptureStartupValues();
  void RestoreStartupValues();
  // The config directives given that respd stores without acting on, for start-up warnings.
  const std::vector<std::string>& ignored() const { return ignored_; }
  bool version_requested() const { return version_requested_; }
  bool help_requested() const { return help_requested_; }
  std::string HelpText() const;
  const std::string& config_file() const { return config_file_; }
  // Where Redis, which changes its working directory to `dir`, finds `path`: respd keeps its own,
  // so a relative path (aclfile, pidfile, logfile, unixsocket...) is taken inside `dir`.
  std::string PathInDir(const std::string& path);
  // The `user <name> <rules...>` directives, in order (ACL users defined in the config file).
  const std::vector<std::vector<std::string>>& acl_users() const { return acl_users_; }

  // Shortcuts for options read on hot paths.
  const Option& port() const { return *port_; }
  const Option& threads() const { return *threads_; }
  const Option& databases() const { return *databases_; }
  const Option& hz() const { return *hz_; }
  const Option& maxclients() const { return *maxclients_; }
  const Option& timeout() const { return *timeout_; }
  const Option& proto_max_bulk_len() const { return *proto_max_bulk_len_; }
  const Option& requirepass() const { return *requirepass_; }
  const Option& min_replicas_to_write() const { return *min_replicas_to_write_; }
  const Option& min_replicas_max_lag() const { return *min_replicas_max_lag_; }
  Option& Get(std::string_view name);  // must exist

  // Called with each option a CONFIG SET or RestoreStartupValues (RESPD RESET) changed, after its
  // spec's on_change, on the changing client's thread: for a service that keeps state derived
  // from options (the memory limit's switch). Added at composition, before any client connects.
  void AddChangeHook(std::function<void(const Option&)> hook) {
    change_hooks_.push_back(std::move(hook));
  }
  // Called for each option a CONFIG SET changes once every value is valid, before the change
  // hooks: what takes effect at once and may fail (listening on a new port). Returns the reason
  // of a failure (Redis's text), "" on success; a failure puts back every value of the CONFIG SET
  // and applies the earlier options' old values again, as Redis's restoreBackupConfig does.
  using ApplyHook = std::function<std::string(const Option& option, const std::string& previous)>;
  void AddApplyHook(ApplyHook hook) { apply_hooks_.push_back(std::move(hook)); }

 private:
  struct Directive {
    std::string name;
    std::vector<std::string> values;
    int line_number;
    std::string line;  // as written, for the error message
  };
  void Apply(const std::vector<Directive>& directives);
  // The option's on_change and every change hook.
  void Changed(const Option& option) const;
  // Every apply hook for `option`: the first failure's reason, "" when none failed.
  std::string Applied(const Option& option, const std::string& previous) const;
  // Rewrite's work: "" or the failure's strerror text.
  std::string RewriteFile(bool force_all) const;

  std::vector<std::unique_ptr<Option>> options_;
  std::vector<std::function<void(const Option&)>> change_hooks_;
  std::vector<ApplyHook> apply_hooks_;
  std::vector<std::pair<Option*, std::string>> startup_values_;
  std::vector<std::string> ignored_;
  std::vector<std::vector<std::string>> acl_users_;
  // The save points read so far at start-up: the first `save` directive replaces the defaults,
  // later ones add to it (`save ""` empties it), across the file and the command line, as Redis.
  std::optional<std::vector<std::string>> loaded_save_points_;
  std::string config_file_;
  bool version_requested_ = false;
  bool help_requested_ = false;
  int include_depth_ = 0;
  Option* port_;
  Option* threads_;
  Option* databases_;
  Option* hz_;
  Option* maxclients_;
  Option* timeout_;
  Option* proto_max_bulk_len_;
  Option* requirepass_;
  Option* min_replicas_to_write_;
  Option* min_replicas_max_lag_;
};

// Parses Redis memory units: "100", "1k" (1000), "1kb" (1024), "5mb", "2gb" (case-insensitive).
// As in Redis, no digits read as 0 ("", "kb") and a value past 2^64 saturates.
bool ParseMemory(std::string_view text, uint64_t* bytes);
// One client class's client-output-buffer-limit (0: no limit).
struct OutputBufferLimit {
  uint64_t hard_bytes = 0;
  uint64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};
// The pubsub class of client-output-buffer-limit's canonical text.
OutputBufferLimit PubsubOutputBufferLimit(std::string_view text);
// The normal class's (every client that is neither a subscriber nor a replica).
OutputBufferLimit NormalOutputBufferLimit(std::string_view text);
// The replica class's (clients attached by SYNC or PSYNC).
OutputBufferLimit ReplicaOutputBufferLimit(std::string_view text);
// notify-keyspace-events: Redis's letters to its NOTIFY_* bits (storage::EventClass, plus K and E
// in bits 0 and 1), false on a letter Redis does not know.
inline constexpr int64_t kNotifyKeyspace = 1 << 0;  // K
inline constexpr int64_t kNotifyKeyevent = 1 << 1;  // E
bool ParseKeyspaceEvents(std::string_view letters, int64_t* flags);
// The option table, in conf/respd.conf order.
const std::vector<OptionSpec>& OptionSpecs();
// Position of an option in OptionSpecs(), which is also its position in Config::options(): hot
// paths read options without a lookup by name.
size_t OptionIndex(std::string_view name);

}  // namespace respd::server
