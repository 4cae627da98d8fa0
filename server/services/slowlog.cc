#include "server/services/slowlog.h"

#include <algorithm>
#include <cctype>

#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

constexpr size_t kMaxArgc = 32;        // Redis's SLOWLOG_ENTRY_MAX_ARGC
constexpr size_t kMaxArgBytes = 128;   // Redis's SLOWLOG_ENTRY_MAX_STRING

// Whether Redis's call() logs `done`: a command that ran (refused and queued ones never reached
// call()), answered (a blocked one is logged when served), and not marked skip-slowlog (EXEC, whose
// body's commands are logged one by one).
bool Loggable(const Completion& done) {
  return done.outcome == Outcome::kRan && done.spec != nullptr &&
         !(done.spec->flags & kSkipSlowlog);
}

constexpr std::string_view kRedacted = "(redacted)";

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

void Redact(const CommandSpec& spec, std::vector<std::string_view>* args) {
  std::vector<std::string_view>& argv = *args;
  std::string_view name = spec.name;
  if (name == "auth") {
    for (size_t i = 1; i < argv.size(); ++i) argv[i] = kRedacted;
  } else if (name == "hello") {
    // HELLO stops at the first option it does not know, before redacting what follows.
    for (size_t i = 2; i < argv.size(); ++i) {
      size_t more = argv.size() - i - 1;
      if (EqualsNoCase(argv[i], "auth") && more >= 2) {
        argv[i + 1] = argv[i + 2] = kRedacted;
        i += 2;
      } else if (EqualsNoCase(argv[i], "setname") && more >= 1) {
        ++i;
      } else {
        break;
      }
    }
  } else if (name == "setuser" && EqualsNoCase(argv[0], "acl")) {
    // Every rule may hold a password.
    for (size_t i = 2; i < argv.size(); ++i) argv[i] = kRedacted;
  } else if (name == "migrate") {
    // As migrateCommand redacts while it parses its options: up to KEYS or a syntax error.
    for (size_t i = 6; i < argv.size(); ++i) {
      size_t more = argv.size() - i - 1;
      if (EqualsNoCase(argv[i], "copy") || EqualsNoCase(argv[i], "replace")) continue;
      if (EqualsNoCase(argv[i], "auth") && more >= 1) {
        argv[++i] = kRedacted;
      } else if (EqualsNoCase(argv[i], "auth2") && more >= 2) {
        argv[i + 1] = argv[i + 2] = kRedacted;
        i += 2;
      } else {
        break;
      }
    }
  } else if (name == "set" && EqualsNoCase(argv[0], "config")) {
    for (size_t i = 2; i + 1 < argv.size(); i += 2) {
      for (std::string_view secret : {"requirepass", "masterauth", "masteruser"}) {
        if (EqualsNoCase(argv[i], secret)) argv[i + 1] = kRedacted;
      }
    }
  }
}

void Slowlog::Push(std::optional<SlowlogEntry> entry, uint64_t max_len) {
  std::lock_guard lock(mutex_);
  if (entry) {
    entry->id = next_id_++;
    entries_.push_front(std::move(*entry));
  }
  while (entries_.size() > max_len) entries_.pop_back();
  size_.store(entries_.size(), std::memory_order_relaxed);
}

std::vector<SlowlogEntry> Slowlog::Newest(uint64_t count) const {
  std::lock_guard lock(mutex_);
  size_t n = std::min<uint64_t>(count, entries_.size());
  return {entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n)};
}

void Slowlog::Reset() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  size_.store(0, std::memory_order_relaxed);
}

std::vector<std::string> Slowlog::TruncatedArgv(std::span<const std::string_view> args) {
  size_t kept = std::min(args.size(), kMaxArgc);
  std::vector<std::string> argv;
  argv.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    if (kept != args.size() && i == kept - 1) {
      argv.push_back("... (" + std::to_string(args.size() - kept + 1) + " more arguments)");
    } else if (args[i].size() > kMaxArgBytes) {
      argv.push_back(std::string(args[i].substr(0, kMaxArgBytes)) + "... (" +
                     std::to_string(args[i].size() - kMaxArgBytes) + " more bytes)");
    } else {
      argv.emplace_back(args[i]);
    }
  }
  return argv;
}

AfterHook SlowlogHook(ServerContext& server) {
  const Option& threshold = server.config.Get("slowlog-log-slower-than");
  const Option& max_len = server.config.Get("slowlog-max-len");
  return [&server, &threshold, &max_len](const Completion& done) {
    if (!Loggable(done)) return;
    int64_t slower_than = threshold.number();
    if (slower_than < 0) return;
    uint64_t limit = max_len.unsigned_number();
    bool slow = done.usec >= static_cast<uint64_t>(slower_than);
    if (!slow && !server.slowlog.Oversized(limit)) return;
    std::optional<SlowlogEntry> entry;
    if (slow) {
      entry.emplace();
      entry->unix_time = server.clock.NowMs() / 1000;
      entry->usec = done.usec;
      std::vector<std::string_view> args(done.args.begin(), done.args.end());
      Redact(*done.spec, &args);
      entry->argv = Slowlog::TruncatedArgv(args);
      // A script's commands run as Redis's Lua client, which has no address and no name.
      if (done.path == ExecutionMode::kScript) {
        entry->peer = "?:0";
      } else {
        ClientState::Info info = done.client.info();
        entry->peer = std::move(info.addr);
        entry->name = std::move(info.name);
      }
    }
    server.slowlog.Push(std::move(entry), limit);
  };
}

}  // namespace respd::server
