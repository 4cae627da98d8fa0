// SLOWLOG: the commands that ran longer than slowlog-log-slower-than, newest first, at most
// slowlog-max-len of them, with Redis 7.0's rules (slowlog.c): entries keep at most 32 arguments and
// 128 bytes of each, and a command is logged once it has answered (a blocked command when it is
// served, with the time of its runs, not of its wait; a timed-out one never, as in 7.0.15). The
// pipeline's after hook feeds it (SlowlogHook); SLOWLOG GET/LEN/RESET read it from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/dispatch/dispatcher.h"

namespace respd::server {

class ServerContext;

struct SlowlogEntry {
  uint64_t id = 0;
  int64_t unix_time = 0;  // seconds
  uint64_t usec = 0;
  std::vector<std::string> argv;  // truncated as Redis truncates it
  std::string peer;               // "ip:port"; "?:0" for a script's inner commands
  std::string name;               // client name, "" when none
};

// Hides the arguments Redis redacts (redactClientCommandArgument) from the slowlog and MONITOR:
// passwords of AUTH, HELLO AUTH and MIGRATE's AUTH and AUTH2 (its username too), values of CONFIG
// SET's sensitive parameters.
void Redact(const CommandSpec& spec, std::vector<std::string_view>* args);

class Slowlog {
 public:
  // Redis's slowlogPushEntryIfNeeded with slowlog-log-slower-than >= 0: `entry` (a slow command,
  // or nothing) goes first, then the oldest entries go until at most `max_len` remain.
  void Push(std::optional<SlowlogEntry> entry, uint64_t max_len);
  // Whether Push would change anything for a command that was not slow.
  bool Oversized(uint64_t max_len) const { return size_.load(std::memory_order_relaxed) > max_len; }
  // The newest `count` entries, newest first.
  std::vector<SlowlogEntry> Newest(uint64_t count) const;
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  // SLOWLOG RESET: ids keep counting.
  void Reset();

  // A command's arguments as an entry keeps them: at most 32, the last of which says how many more
  // there were, each cut to 128 bytes plus how many more it had.
  static std::vector<std::string> TruncatedArgv(std::span<const std::string_view> args);

 private:
  mutable std::mutex mutex_;
  std::deque<SlowlogEntry> entries_;  // newest first
  uint64_t next_id_ = 0;
  std::atomic<size_t> size_{0};
};

// The after hook that logs slow commands into `server.slowlog`, reading slowlog-log-slower-than
// and slowlog-max-len at each command.
AfterHook SlowlogHook(ServerContext& server);

}  // namespace respd::server
