// INFO commandstats and errorstats, counted with Redis 7.0's rules:
// - calls: a command that ran (its handler was called), at the top level, inside EXEC or from a
//   script; a blocked command counts once, when it is answered.
// - rejected_calls: refused before running (arity, NOAUTH, BUSY, not allowed in MULTI, refused
//   inside redis.call...). An unknown command or subcommand has no row.
// - failed_calls: ran and replied an error. EXEC whose body had errors replied an array: not
//   failed; its failing commands are.
// - errorstats and total_error_replies: every error reply a client (or a script's redis.call)
//   received, by code: the first word, "ERR" when it has none within Redis's 32 bytes. An error a
//   script passes on from redis.call was counted when the command replied it and is not counted
//   again (the script's command still fails).
// Knows nothing of sockets; the dispatcher and the connection do the counting.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/dispatch/per_thread_rows.h"

namespace respd::server {

struct CommandSpec;
class CommandTable;

struct CommandCounts {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

class CommandStats {
 public:
  // `total_error_replies`: INFO's counter of every error reply, which this counts into.
  explicit CommandStats(std::atomic<uint64_t>& total_error_replies);
  ~CommandStats();
  CommandStats(const CommandStats&) = delete;
  CommandStats& operator=(const CommandStats&) = delete;

  // A command ran for `usec` microseconds; `failed`: it replied an error.
  void RecordCall(const CommandSpec& spec, uint64_t usec, bool failed);
  void RecordRejected(const CommandSpec& spec);
  // A failure the command's own reply does not show (CLIENT UNBLOCK ERROR); its call is recorded
  // as usual.
  void RecordFailed(const CommandSpec& spec);
  // An error reply: `error` is its text after '-' ("WRONGTYPE Operation...").
  void RecordError(std::string_view error);

  // Rows with any count, named as INFO names them ("get", "client|list"), in name order.
  std::vector<std::pair<std::string, CommandCounts>> CommandRows(const CommandTable& table) const;
  // errorstats rows: code -> count, in Redis's (byte) order.
  std::map<std::string, uint64_t, std::less<>> ErrorRows() const;
  // CONFIG RESETSTAT (total_error_replies is reset with the other server counters).
  void Reset();

 private:
  struct Counters {
    std::atomic<uint64_t> calls{0};
    std::atomic<uint64_t> usec{0};
    std::atomic<uint64_t> rejected_calls{0};
    std::atomic<uint64_t> failed_calls{0};
  };
  // Counts since the last RESETSTAT.
  std::unordered_map<const CommandSpec*, CommandCounts> Sums() const;
  // Counts since start.
  std::unordered_map<const CommandSpec*, CommandCounts> RawSums() const;

  // Written by their own thread only (single-writer increments).
  PerThreadRows<Counters> rows_;
  mutable std::mutex baseline_mutex_;
  // The sums at the last RESETSTAT: INFO shows what was counted since. Counters only grow, so
  // no thread's count is lost to a reset that races with it.
  std::unordered_map<const CommandSpec*, CommandCounts> baseline_;

  mutable std::mutex errors_mutex_;
  std::map<std::string, uint64_t, std::less<>> errors_;
  std::atomic<uint64_t>& total_error_replies_;
};

// The name INFO and CLIENT LIST give `spec`: "get", or "client|list" for a subcommand.
std::string CommandFullName(const CommandTable& table, const CommandSpec& spec);

// Errors a script's redis.call already counted, so the script's own error reply does not count
// them again (Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE). `error` is the error text the script raised
// or returned; the next script reply that starts with it is not counted. Per thread: a script
// runs on one thread. Cleared when the outermost command ends.
void NotePrecountedScriptError(std::string_view error);
// For the dispatcher: whether a script's error reply `error` was counted already, and the end of
// the outermost command.
bool TakePrecountedScriptError(std::string_view error);
void ClearPrecountedScriptErrors();

}  // namespace respd::server
