// The differential command fuzzer's driver: server pair, sessions, comparison, shrinking.
#include "tests/fuzz/command_fuzz_runner.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

#include "tests/fuzz/command_fuzz_generator.h"
#include "tests/fuzz/command_fuzz_spec.h"
#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing::fuzz {
namespace {

using Clock = std::chrono::steady_clock;

// Long enough for a 1 MB reply on a loaded machine; blocking commands get timeouts of at most a
// few milliseconds from the grammar.
constexpr int kReplyTimeoutMs = 10000;
constexpr size_t kShownReplyBytes = 400;
constexpr int kProgressEverySeconds = 30;

enum class Kind { kMatch, kMismatch, kRespdDead, kRespdSilent, kReferenceTrouble };

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kMatch:
      return "match";
    case Kind::kMismatch:
      return "MISMATCH";
    case Kind::kRespdDead:
      return "RESPD DIED";
    case Kind::kRespdSilent:
      return "RESPD DID NOT REPLY";
    case Kind::kReferenceTrouble:
      return "redis-server did not reply";
  }
  return "?";
}

const char* RuleName(Compare compare) {
  switch (compare) {
    case Compare::kExact:
      return "exact";
    case Compare::kUnordered:
      return "unordered";
    case Compare::kTypeOnly:
      return "type only";
    case Compare::kApprox:
      return "approximate";
    case Compare::kScan:
      return "scan";
    case Compare::kSkip:
      return "skip";
  }
  return "?";
}

struct Outcome {
  Kind kind = Kind::kMatch;
  std::string expected;  // redis-server's reply
  std::string actual;    // respd's reply
};

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string Escape(const std::string& raw, size_t max = kShownReplyBytes) {
  std::string out;
  for (size_t i = 0; i < raw.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (raw.size() > max) out += "...(" + std::to_string(raw.size()) + " bytes)";
  return out;
}

bool IsError(const std::string& reply) {
  return !reply.empty() && (reply[0] == '-' || reply[0] == '!');
}

bool IsAggregate(char type) { return type == '*' || type == '~' || type == '%' || type == '>'; }

// The reply's type, with the element count of an aggregate.
std::string Shape(const std::string& reply) {
  if (reply.empty()) return {};
  if (reply.rfind("$-1\r\n", 0) == 0 || reply.rfind("*-1\r\n", 0) == 0) return "null";
  if (!IsAggregate(reply[0])) return reply.substr(0, 1);
  return reply.substr(0, reply.find("\r\n"));
}

std::vector<std::string> SortedElements(const std::string& frame) {
  std::vector<std::string> elements = SplitTopLevelElements(frame);
  std::sort(elements.begin(), elements.end());
  return elements;
}

bool ParseInteger(const std::string& reply, int64_t* out) {
  if (reply.size() < 3 || reply[0] != ':') return false;
  auto [ptr, ec] = std::from_chars(reply.data() + 1, reply.data() + reply.size() - 2, *out);
  return ec == std::errc();
}

// The signature of a failure: repeats of one cause (same command, same reply shapes) share it,
// so a long run shrinks and reports each cause once.
std::string Signature(const FuzzCommand& command, const Outcome& outcome) {
  auto head = [](const std::string& reply) {
    if (IsError(reply)) return reply.substr(0, std::min(reply.find(' '), reply.size()));
    return Shape(reply);
  };
  return std::string(KindName(outcome.kind)) + " " + command.name + " " + head(outcome.expected) +
         " / " + head(outcome.actual);
}

// respd and a reference redis-server with fresh connections.
class ServerPair {
 public:
  bool Start(const std::vector<std::string>& redis_args, std::string* error) {
    redis_args_ = redis_args;
    respd_.emplace(ServerProcess::StartRespd());
    redis_.emplace(ServerProcess::StartRedis(redis_args_));
    if (!respd_->running() || !redis_->running()) {
      *error = "could not start the servers";
      return false;
    }
    return true;
  }

  // Fresh connections in `resp`, everything flushed, safe configs back to their defaults.
  // Restarts a server that died.
  bool Reset(int resp, std::string* error) {
    if (!respd_->running() || respd_->WaitForExit(0) != -1) {
      respd_.emplace(ServerProcess::StartRespd());
    }
    if (!redis_->running() || redis_->WaitForExit(0) != -1) {
      redis_.emplace(ServerProcess::StartRedis(redis_args_));
    }
    if (!ours_.Connect(respd_->port(), kReplyTimeoutMs) ||
        !theirs_.Connect(redis_->port(), kReplyTimeoutMs)) {
      *error = "cannot connect to the servers";
      return false;
    }
    std::vector<std::vector<std::string>> setup = {
        {"FLUSHALL"}, {"SCRIPT", "FLUSH"}, {"FUNCTION", "FLUSH"}};
    // One parameter at a time: the list holds aliases of one another.
    for (size_t i = 0; i + 1 < config_defaults_.size(); i += 2) {
      setup.push_back({"CONFIG", "SET", config_defaults_[i], config_defaults_[i + 1]});
    }
    for (const auto& argv : setup) {
      std::string a = ours_.Command(argv), b = theirs_.Command(argv);
      if (a != "+OK\r\n" || b != "+OK\r\n") {
        *error = "reset " + ScriptLine(argv) + ": respd " + Escape(a) + ", redis " + Escape(b);
        return false;
      }
    }
    if (resp == 3) {
      std::string a = ours_.Command({"HELLO", "3"}), b = theirs_.Command({"HELLO", "3"});
      if (a.empty() || a[0] != '%' || b.empty() || b[0] != '%') {
        *error = "HELLO 3: respd " + Escape(a) + ", redis " + Escape(b);
        return false;
      }
    }
    return true;
  }

  void set_config_defaults(std::vector<std::string> pairs) { config_defaults_ = std::move(pairs); }

  Outcome Exec(const FuzzCommand& command) {
    Outcome outcome;
    std::string wire = ours_.EncodeCommand(command.argv);
    if (command.respd_only) {
      outcome.expected = "-ERR unknown subcommand '...'";
      outcome.actual = ours_.SendRaw(wire) ? ours_.ReadReply(kReplyTimeoutMs) : std::string();
      if (outcome.actual.empty()) {
        outcome.kind = RespdGone();
      } else if (outcome.actual.rfind("-ERR unknown subcommand '", 0) != 0) {
        outcome.kind = Kind::kMismatch;
      }
      return outcome;
    }
    for (const auto& argv : ReferencePreamble(command.name)) theirs_.Command(argv);
    // Both at once: a blocking command's timeout then runs on both servers together.
    bool sent_ours = ours_.SendRaw(wire);
    bool sent_theirs = theirs_.SendRaw(wire);
    outcome.expected = sent_theirs ? theirs_.ReadReply(kReplyTimeoutMs) : std::string();
    outcome.actual = sent_ours ? ours_.ReadReply(kReplyTimeoutMs) : std::string();
    if (RetryReference(command.name, outcome.expected) && !IsError(outcome.actual)) {
      for (const auto& argv : ReferencePreamble(command.name)) theirs_.Command(argv);
      outcome.expected = theirs_.Command(command.argv);
    }
    if (outcome.actual.empty()) {
      outcome.kind = RespdGone();
    } else if (outcome.expected.empty()) {
      outcome.kind = Kind::kReferenceTrouble;
    } else if (!RepliesMatch(command.rule, outcome.expected, outcome.actual)) {
      outcome.kind = Kind::kMismatch;
    }
    return outcome;
  }

  std::string RespdOutputTail() const {
    std::string output = respd_->Output();
    return output.size() > 3000 ? output.substr(output.size() - 3000) : output;
  }

 private:
  Kind RespdGone() { return respd_->WaitForExit(0) != -1 ? Kind::kRespdDead : Kind::kRespdSilent; }

  std::vector<std::string> redis_args_;
  std::vector<std::string> config_defaults_;
  std::optional<ServerProcess> respd_;  // engaged by Start()
  std::optional<ServerProcess> redis_;
  RespClient ours_;
  RespClient theirs_;
};

// The keys of the pool a command names, to delete after a write that leaves data diverged.
std::optional<FuzzCommand> Resync(const FuzzCommand& command) {
  FuzzCommand del;
  del.name = "del";
  del.argv = {"DEL"};
  for (size_t i = 1; i < command.argv.size(); ++i) {
    const auto& pool = KeyPool();
    if (std::find(pool.begin(), pool.end(), command.argv[i]) != pool.end()) {
      del.argv.push_back(command.argv[i]);
    }
  }
  if (del.argv.size() == 1) return std::nullopt;
  return del;
}

class Fuzzer {
 public:
  explicit Fuzzer(const FuzzOptions& options) : options_(options) {}

  FuzzStats Run() {
    start_ = Clock::now();
    if (!Setup()) return stats_;
    uint64_t sessions = options_.session_seed != 0 ? 1 : UINT64_MAX;
    for (uint64_t i = 0; i < sessions && !OutOfBudget() && !Done(); ++i) {
      uint64_t session_seed =
          options_.session_seed != 0 ? options_.session_seed : SplitMix(options_.seed + i);
      RunSession(session_seed);
      if (!stats_.setup_error.empty()) break;
    }
    stats_.seconds = Seconds();
    for (const std::string& spec : fuzzable_names_) {
      if (!stats_.per_command.count(spec)) stats_.never_run.push_back(spec);
    }
    return stats_;
  }

 private:
  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  bool OutOfBudget() const {
    return (options_.max_commands > 0 && stats_.commands >= options_.max_commands) ||
           Seconds() >= options_.max_seconds;
  }
  bool Done() const { return static_cast<int>(stats_.failures.size()) >= options_.max_failures; }
  void Log(const std::string& line) {
    if (options_.log != nullptr) *options_.log << line << std::endl;
  }

  // Reads the command tables from respd and an unmodified redis-server, then starts the reference
  // with every command respd lacks renamed away, so that both answer "unknown command" alike.
  bool Setup() {
    std::vector<std::string> renames;
    {
      ServerProcess respd = ServerProcess::StartRespd();
      ServerProcess redis = ServerProcess::StartRedis();
      RespClient ours, theirs;
      if (!respd.running() || !redis.running() || !ours.Connect(respd.port()) ||
          !theirs.Connect(redis.port())) {
        stats_.setup_error = "could not start respd and redis-server";
        return false;
      }
      specs_ = LoadCommandSpecs(ours, theirs, &stats_.setup_error);
      if (specs_.empty()) return false;
      for (const std::string& script : Scripts()) {
        std::string reply = theirs.Command({"SCRIPT", "LOAD", script});
        if (reply.rfind("$40\r\n", 0) == 0) shas_.push_back(reply.substr(5, 40));
      }
      std::vector<std::string> defaults;
      for (const std::string& parameter : SafeConfigParameters()) {
        std::vector<std::string> pair =
            SplitTopLevelElements(theirs.Command({"CONFIG", "GET", parameter}));
        if (pair.size() != 2) continue;
        defaults.push_back(parameter);
        std::string value = pair[1];
        size_t start = value.find("\r\n") + 2;
        defaults.push_back(value.substr(start, value.size() - start - 2));
      }
      pair_.set_config_defaults(std::move(defaults));
    }
    for (const CommandSpec& spec : specs_) {
      if (!spec.registered && spec.words.size() == 1) {
        renames.insert(renames.end(), {"--rename-command", spec.full_name, ""});
      }
      if (spec.registered && !spec.container && spec.rule.compare != Compare::kSkip &&
          !options_.excluded.count(spec.full_name)) {
        fuzzable_names_.push_back(spec.full_name);
      }
    }
    if (!pair_.Start(renames, &stats_.setup_error)) return false;
    Log("command_fuzz: " + std::to_string(specs_.size()) + " commands in the table, " +
        std::to_string(fuzzable_names_.size()) + " fuzzed; seed " + std::to_string(options_.seed));
    return true;
  }

  int RespFor(uint64_t session_seed) const {
    if (options_.resp == 2 || options_.resp == 3) return options_.resp;
    return (session_seed >> 7) % 2 == 0 ? 2 : 3;
  }

  void RunSession(uint64_t session_seed) {
    int resp = RespFor(session_seed);
    std::string error;
    if (!pair_.Reset(resp, &error)) {
      stats_.setup_error = error;
      return;
    }
    ++stats_.sessions;
    CommandGenerator generator(&specs_, session_seed, options_.excluded, shas_);
    std::vector<FuzzCommand> history;
    bool in_multi = false;
    for (int i = 0; i < options_.session_length && !OutOfBudget(); ++i) {
      FuzzCommand command = generator.Next(in_multi);
      history.push_back(command);
      Outcome outcome = Count(command, pair_.Exec(command));
      if (outcome.kind == Kind::kReferenceTrouble) {
        Log("command_fuzz: redis-server did not answer " + ScriptLine(command.argv, 80) +
            "; starting a new session");
        return;
      }
      if (outcome.kind != Kind::kMatch) {
        Fail(session_seed, resp, history, outcome);
        return;
      }
      const std::string& reply = outcome.expected;
      if (command.name == "multi" && reply == "+OK\r\n") in_multi = true;
      if (command.name == "exec" || command.name == "discard") in_multi = false;
      if (command.diverges && !in_multi) {
        if (std::optional<FuzzCommand> del = Resync(command)) {
          history.push_back(*del);
          Outcome resync = Count(*del, pair_.Exec(*del));
          if (resync.kind != Kind::kMatch) {
            Fail(session_seed, resp, history, resync);
            return;
          }
        }
      }
      MaybeProgress();
    }
  }

  Outcome Count(const FuzzCommand& command, Outcome outcome) {
    ++stats_.commands;
    if (command.respd_only) ++stats_.respd_only;
    ++stats_.per_command[command.name.empty() ? "(unknown)" : command.name];
    return outcome;
  }

  void MaybeProgress() {
    double now = Seconds();
    if (now < next_progress_) return;
    next_progress_ = now + kProgressEverySeconds;
    if (now < 1) return;
    Log("command_fuzz: " + std::to_string(stats_.commands) + " commands, " +
        std::to_string(stats_.sessions) + " sessions, " +
        std::to_string(static_cast<int64_t>(stats_.commands / now)) + "/s, " +
        std::to_string(stats_.failures_seen) + " failures");
  }

  // Replays `commands` on fresh servers; the outcome of the last one, or of an earlier one that
  // killed or silenced respd.
  Outcome Replay(const std::vector<FuzzCommand>& commands, int resp) {
    std::string error;
    if (!pair_.Reset(resp, &error)) return Outcome{Kind::kReferenceTrouble, error, error};
    Outcome outcome;
    for (const FuzzCommand& command : commands) {
      outcome = pair_.Exec(command);
      if (outcome.kind == Kind::kRespdDead || outcome.kind == Kind::kRespdSilent) break;
    }
    return outcome;
  }

  // Drops commands while the failure persists: first everything but the failing command, then
  // ever smaller chunks of what comes before it.
  std::vector<FuzzCommand> Shrink(std::vector<FuzzCommand> commands, int resp, Kind kind) {
    auto deadline = Clock::now() + std::chrono::duration<double>(options_.shrink_seconds);
    auto still_fails = [&](const std::vector<FuzzCommand>& candidate) {
      return Replay(candidate, resp).kind == kind;
    };
    FuzzCommand last = commands.back();
    commands.pop_back();
    if (still_fails({last})) return {last};
    for (size_t chunk = std::max<size_t>(commands.size() / 2, 1); chunk >= 1; chunk /= 2) {
      for (size_t start = 0; start < commands.size() && Clock::now() < deadline;) {
        std::vector<FuzzCommand> candidate(commands.begin(), commands.begin() + start);
        size_t end = std::min(start + chunk, commands.size());
        candidate.insert(candidate.end(), commands.begin() + end, commands.end());
        candidate.push_back(last);
        if (still_fails(candidate)) {
          candidate.pop_back();
          commands = std::move(candidate);
        } else {
          start += chunk;
        }
      }
      if (chunk == 1 || Clock::now() >= deadline) break;
    }
    commands.push_back(last);
    return commands;
  }

  void Fail(uint64_t session_seed, int resp, const std::vector<FuzzCommand>& history,
            const Outcome& outcome) {
    ++stats_.failures_seen;
    const FuzzCommand& command = history.back();
    std::string signature = Signature(command, outcome);
    if (std::find(seen_.begin(), seen_.end(), signature) != seen_.end()) {
      Log("command_fuzz: again: " + signature);
      return;
    }
    seen_.push_back(signature);
    std::string respd_output =
        outcome.kind == Kind::kRespdDead ? pair_.RespdOutputTail() : std::string();
    std::vector<FuzzCommand> minimal = history;
    if (options_.shrink_seconds > 0) minimal = Shrink(history, resp, outcome.kind);

    std::string report = "command_fuzz: " + std::string(KindName(outcome.kind)) + " (seed " +
                         std::to_string(options_.seed) + ", session seed " +
                         std::to_string(session_seed) + ", RESP" + std::to_string(resp) +
                         ", command " + std::to_string(history.size()) + " of the session)\n";
    report += "  command: " + ScriptLine(command.argv, 200) + "\n";
    report += "  compare: " +
              std::string(command.respd_only ? "respd only, must not know it"
                                             : RuleName(command.rule.compare)) +
              "\n";
    report += "  redis:   " + Escape(outcome.expected) + "\n";
    report += "  respd:   " + Escape(outcome.actual) + "\n";
    if (!respd_output.empty()) report += "  respd output (tail):\n" + respd_output + "\n";
    report += "  reproducer (" + std::to_string(minimal.size()) + " commands, shrunk from " +
              std::to_string(history.size()) +
              "; fresh servers; tests/differential script syntax):\n";
    if (resp == 3) report += "    @type HELLO 3\n";
    for (const FuzzCommand& step : minimal) {
      std::string prefix;
      if (step.rule.compare == Compare::kUnordered) prefix = "~ ";
      if (step.rule.compare == Compare::kTypeOnly || step.rule.compare == Compare::kApprox ||
          step.rule.compare == Compare::kScan) {
        prefix = "@type ";
      }
      report += "    " + prefix + ScriptLine(step.argv) + "\n";
    }
    report += "  rerun the session: RESPD_FUZZ_SESSION_SEED=" + std::to_string(session_seed) +
              " RESPD_FUZZ_RESP=" + std::to_string(resp) + "\n";
    Log(report);
    stats_.failures.push_back({signature, report});
  }

  FuzzOptions options_;
  FuzzStats stats_;
  Clock::time_point start_;
  double next_progress_ = 0;
  std::vector<CommandSpec> specs_;
  std::vector<std::string> shas_;
  std::vector<std::string> fuzzable_names_;
  std::vector<std::string> seen_;
  ServerPair pair_;
};

}  // namespace

bool RepliesMatch(const CompareRule& rule, const std::string& expected, const std::string& actual) {
  if (expected == actual) return true;
  if (IsError(expected) || IsError(actual)) return false;
  switch (rule.compare) {
    case Compare::kUnordered:
      return Shape(expected) == Shape(actual) && SortedElements(expected) == SortedElements(actual);
    case Compare::kTypeOnly:
      return Shape(expected) == Shape(actual);
    case Compare::kApprox: {
      int64_t a = 0, b = 0;
      // Negative TTLs (-1 no expiry, -2 no key) are answers, not readings.
      if (!ParseInteger(expected, &a) || !ParseInteger(actual, &b) || a < 0 || b < 0) return false;
      return (a > b ? a - b : b - a) <= rule.tolerance;
    }
    case Compare::kScan: {
      std::vector<std::string> ours = SplitTopLevelElements(actual);
      std::vector<std::string> theirs = SplitTopLevelElements(expected);
      if (Shape(expected) != Shape(actual) || ours.size() != 2 || theirs.size() != 2) return false;
      // A finished scan returned everything: compare it. Otherwise only the shape.
      if (ours[0] == theirs[0] && theirs[0] == "$1\r\n0\r\n") {
        return Shape(ours[1]) == Shape(theirs[1]) &&
               SortedElements(ours[1]) == SortedElements(theirs[1]);
      }
      return Shape(ours[0]) == Shape(theirs[0]) && ours[1][0] == theirs[1][0];
    }
    default:
      return false;
  }
}

FuzzStats RunCommandFuzz(const FuzzOptions& options) { return Fuzzer(options).Run(); }

}  // namespace respd::testing::fuzz
