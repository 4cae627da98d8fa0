// The command journal for tests (RESPD JOURNAL): while on, every command that left the pipeline
// (after hook, every entry path) is recorded in a bounded ring that tests query by client name,
// library, command name, key or sequence number. While off it costs the after hook one relaxed
// load; while on, one short critical section per command.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "server/dispatch/dispatcher.h"

namespace respd::server {

struct JournalEntry {
  uint64_t seq = 0;  // 1, 2, ... since the server started (RESET does not restart it)
  int64_t unix_ms = 0;  // the server Clock's time of the command
  uint64_t client_id = 0;
  std::string client_name;
  std::string lib_name;
  std::string lib_ver;
  int db = 0;
  std::vector<std::string> argv;  // each argument truncated to the journal's limit
  std::vector<std::string> keys;  // untruncated, for KEY filters
  bool error = false;
  std::string error_text;  // without '-'
  uint64_t usec = 0;
};

// What GET, COUNT and WAIT select; empty fields select everything.
struct JournalFilter {
  std::string client_glob;
  std::string lib;
  std::vector<std::string> commands;  // lower case
  std::string key_glob;
  uint64_t since = 0;  // entries with seq > since

  bool Matches(const JournalEntry& entry) const;
};

class Journal {
 public:
  // Arguments are cut to this many bytes in entries.
  static constexpr size_t kMaxArgBytes = 128;

  void SetEnabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void SetMaxLen(size_t max_len);
  // Drops every entry.
  void Reset();

  // The after hook.
  void Record(const Completion& done, int64_t unix_ms);

  // The first `count` matching entries (0: all), oldest first.
  std::vector<JournalEntry> Get(const JournalFilter& filter, size_t count) const;
  uint64_t Count(const JournalFilter& filter) const;

 private:
  std::atomic<bool> enabled_{false};
  mutable std::mutex mutex_;
  std::deque<JournalEntry> entries_;
  size_t max_len_ = 10000;
  uint64_t next_seq_ = 0;
};

}  // namespace respd::server
