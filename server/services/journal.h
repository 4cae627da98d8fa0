// The command journal for tests (RESPD JOURNAL): while on, every command that left the pipeline
// (after hook, every entry path) is recorded, and tests query it by client name, library, command
// name, key or sequence number. A blocked command is recorded when it is answered (served, timed
// out, unblocked), by its connection.
//
// Concurrency: each thread that records has its own ring with its own mutex, so the command path
// takes no lock another I/O thread's commands take; only a global atomic hands out sequence
// numbers. A reader (GET, COUNT, WAIT) locks every ring, copies what matches and orders it by
// sequence number. Sequence numbers are taken under the recording ring's lock, so a reader
// holding every ring's lock sees every number handed out so far: no gap closes later.
//
// Bound: journal-max-len entries in all (the newest; older ones are dropped). Each ring keeps at
// most that many, so memory is at most threads x journal-max-len entries; readers see the newest
// journal-max-len of them, exactly what one global ring would hold. Arguments are cut to
// journal-max-arg-len bytes. Both options are read at each recording (CONFIG SET applies at once).
//
// While off it costs the after hook one relaxed load.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/config/config.h"
#include "server/dispatch/dispatcher.h"

namespace respd::server {

struct JournalEntry {
  uint64_t seq = 0;  // 1, 2, ... since start-up or RESPD RESET (JOURNAL RESET goes on counting)
  int64_t unix_ms = 0;  // the server Clock's time of the command (a blocked one: when it was sent)
  uint64_t client_id = 0;
  std::string client_name;
  std::string lib_name;
  std::string lib_ver;
  int db = 0;
  std::vector<std::string> argv;  // each argument truncated to journal-max-arg-len
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
  // Reads journal-max-len and journal-max-arg-len from `config`.
  explicit Journal(Config& config);
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  void SetEnabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  // The pipeline's switch for Record.
  const std::atomic<bool>* enabled_switch() const { return &enabled_; }
  // Drops every entry; numbering goes on, so a SINCE taken before still selects what follows
  // (JOURNAL RESET).
  void Reset() { Drop(/*restart_numbering=*/false); }
  // Drops every entry and numbers from 1 again, as after start-up (RESPD RESET).
  void Restart() { Drop(/*restart_numbering=*/true); }

  // The after hook.
  void Record(const Completion& done, int64_t unix_ms);
  // A blocked command of `client_id` got `reply`: its entry, kept since it blocked, is recorded.
  // Called by the client's connection, on the thread that ran the command first.
  void RecordUnblocked(uint64_t client_id, std::string_view reply);
  // The blocked client disconnected unanswered: its entry is dropped.
  void DropBlocked(uint64_t client_id);

  // The first `count` matching entries (0: all), oldest first.
  std::vector<JournalEntry> Get(const JournalFilter& filter, size_t count) const;
  uint64_t Count(const JournalFilter& filter) const;

 private:
  struct Ring {
    std::mutex mutex;
    std::deque<JournalEntry> entries;
    // Entries of this thread's blocked clients, waiting for their answer, by client id.
    std::unordered_map<uint64_t, JournalEntry> blocked;
  };

  // Empties every ring at one instant (every ring locked), so no number is handed out meanwhile.
  void Drop(bool restart_numbering);
  // This thread's ring, created at its first recording.
  Ring& LocalRing();
  // Numbers `entry` and appends it to `ring`, dropping what is past the bound (under ring.mutex).
  void AppendLocked(Ring& ring, JournalEntry entry);
  // Calls `fn` on every entry inside the bound, every ring locked.
  template <class Fn>
  void ForEachLocked(Fn fn) const;

  const Option& max_len_;
  const Option& max_arg_len_;
  const uint64_t instance_;  // tells this journal's rings from another's in a thread's cache
  std::atomic<bool> enabled_{false};
  std::atomic<uint64_t> next_seq_{0};
  // Blocked entries kept in rings: while 0, a connection ending a block skips the journal.
  std::atomic<int64_t> blocked_count_{0};
  // Guards the two below; taken by a thread's first recording, by readers and by Reset.
  mutable std::mutex rings_mutex_;
  std::vector<std::unique_ptr<Ring>> rings_;
  std::unordered_map<std::thread::id, Ring*> ring_of_thread_;
};

}  // namespace respd::server
