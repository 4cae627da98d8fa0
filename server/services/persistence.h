// RDB persistence as Redis 7.0 keeps it: SAVE, BGSAVE and the save points of `save`, the file
// loaded at start-up, the save before a shutdown, DEBUG RELOAD's round trip, BGREWRITEAOF's base
// file and DEBUG LOADAOF, and what INFO persistence and LASTSAVE report. The file is
// `dir`/`dbfilename` (storage/rdb_file.h), written to a temporary file in that directory and
// renamed over it, as Redis does.
//
// Redis forks a child for BGSAVE and BGREWRITEAOF; respd encodes the dataset on the calling thread
// (a copy that later writes cannot change, as a fork's) and writes it to disk on a background
// thread, one job at a time as Redis runs one child. A job that comes due (a save point, a
// scheduled one) while the shard locks are taken elsewhere waits for a later cron tick.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "server/config/config.h"
#include "storage/rdb_file.h"
#include "storage/rdb_value.h"

namespace respd::server {

class ServerContext;

// The options that decide how values are encoded and decoded (DUMP, RESTORE and RDB files):
// rdbcompression, and the *-max-* limits that pick a loaded value's encoding.
bool RdbCompression(Config& config);
storage::rdb::LoadLimits RdbLoadLimits(Config& config);

// Writes `bytes` to `temp` (in `dir`) and renames it over `path`, as Redis's rdbSave does (fsync
// before the rename, so the file is either the old one or the complete new one). Logs Redis's
// messages; stops early, removing `temp`, once `cancel` (when given) is set.
bool WriteWholeFile(const std::string& bytes, const std::string& temp, const std::string& path,
                    const std::string& dir, const std::atomic<bool>* cancel);

// What an RDB payload holds: a replica may ask for less (REPLCONF rdb-filter-only).
struct RdbParts {
  bool keys = true;
  bool libraries = true;
};

class Persistence {
 public:
  Persistence();
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;
  ~Persistence();

  // Start-up: the last save counts from now, and the file is loaded if there is one (with
  // appendonly yes the AOF instead, aof.h). False when it exists and cannot be loaded (Redis exits
  // then); the reason is logged.
  bool LoadAtStartup(ServerContext& server);

  // SAVE counts in INFO's rdb_saves; the saves FLUSHALL, DEBUG RELOAD and a shutdown make do not.
  enum SaveKind { kSaveCommand, kInternalSave };
  // Encodes and writes the file now. Call with every shard locked, and say whether this thread
  // holds the script engine's mutex (a command called from a script). False on failure (logged).
  bool Save(ServerContext& server, SaveKind kind, bool engine_held);
  // The background job running (Redis's child_type).
  enum class Job : uint8_t { kNone, kSave, kAofRewrite };
  Job background_job() const;
  // BGSAVE, or with kAofRewrite BGREWRITEAOF (a new AOF base file, aof.h): encodes now and writes
  // on a background thread. Call with every shard locked. False if a job is running already.
  bool StartBackgroundJob(ServerContext& server, Job job);
  // BGSAVE SCHEDULE, or either command while a job runs or inside MULTI: the cron starts it.
  void ScheduleBackgroundJob(Job job);
  // CONFIG SET appendonly no drops the rewrite that was to turn AOF on.
  void UnscheduleAofRewrite();
  // Stops the running job if it is `job`, or whichever runs for kNone (FLUSHALL stops a background
  // save, a shutdown any job); its temporary file is removed.
  void CancelBackgroundJob(Job job);

  // DEBUG RELOAD's load: the file into the (flushed or not) databases; false if it cannot be read,
  // a key is already present without `merge` or a library without `replace_libraries`.
  bool LoadForReload(ServerContext& server, bool merge, bool replace_libraries, bool engine_held);
  // The dataset and function libraries as an AOF base file: an RDB file marked aof-base, or
  // commands without aof-use-rdb-preamble (aof_rewrite.h). Call with every shard locked.
  std::string EncodeAofBase(ServerContext& server, bool engine_held);
  // An AOF base file in RDB form into the databases (which hold no key of it) and libraries.
  bool LoadRdbBytes(ServerContext& server, std::string_view bytes, bool engine_held,
                    std::string* error);

  // Before a shutdown: saves when Redis does (save points set or SAVE given, NOSAVE not given),
  // stopping a background save first. Takes the shard locks. False if the save failed.
  bool SaveBeforeShutdown(ServerContext& server, bool save_flag, bool nosave_flag);

  // On the first I/O thread's cron: reaps a finished background job, starts a scheduled one, and
  // starts a save when a save point is due.
  void Cron(ServerContext& server);

  // INFO persistence and LASTSAVE.
  struct JobStatus {
    bool running;
    bool scheduled;
    bool last_ok;
    int64_t last_seconds;     // -1 before the first
    int64_t current_seconds;  // -1 when none runs
    uint64_t count;
  };
  struct Status {
    int64_t last_save_s;
    JobStatus save;
    JobStatus aof_rewrite;
    uint64_t aof_rewrite_failures;  // in a row
    uint64_t keys_loaded;
    uint64_t keys_expired_at_load;
  };
  Status status() const;
  // Redis forks for a background save, an AOF rewrite and a replica's full sync. respd takes the
  // snapshot in place instead, and reports that pause as the fork: INFO's total_forks and
  // latest_fork_usec, and the "fork" latency event.
  void RecordFork(ServerContext& server, std::chrono::steady_clock::duration pause);
  struct ForkStats {
    uint64_t total;
    int64_t latest_usec;
  };
  ForkStats fork_stats() const;
  void ResetForkStats();
  int64_t last_save_s() const;
  // The dataset and function libraries as RDB file bytes (a save, a replica's full sync). Call
  // with every shard locked.
  std::string Encode(ServerContext& server, bool engine_held, RdbParts parts = {});

 private:
  struct Writer;

  std::string FilePath(Config& config) const;
  // Encode's file, marked as an AOF base file when `aof_base`.
  std::string EncodeRdb(ServerContext& server, bool engine_held, bool aof_base,
                        RdbParts parts = {});
  // Reads and decodes the RDB file at `path`; nullopt and `error` set if it cannot.
  std::optional<storage::rdb::FileContents> ReadFile(ServerContext& server,
                                                     const std::string& path, std::string* error);
  // Loads read contents: the libraries, then the keys (see storage::rdb::LoadKeys).
  bool Apply(ServerContext& server, storage::rdb::FileContents& contents, bool merge,
             bool replace_libraries, bool engine_held, std::string* error);
  // ReadFile then Apply.
  bool LoadFile(ServerContext& server, const std::string& path, bool merge,
                bool replace_libraries, bool engine_held, std::string* error);
  bool StartBackgroundJobLocked(ServerContext& server, Job job);
  void RecordForkLocked(ServerContext& server, std::chrono::steady_clock::duration pause);
  void CancelBackgroundJobLocked(Job job);
  void FinishBackgroundJob(ServerContext& server);
  bool SavePointDue(ServerContext& server, int64_t now_s) const;
  // Which job the cron should start now, if any.
  Job DueJob(ServerContext& server, int64_t now_s) const;

  // Guards what follows: commands on any I/O thread and the first thread's cron use it. Taken
  // after the shard locks, before the script engine's mutex.
  mutable std::mutex mutex_;
  int64_t last_save_s_ = 0;
  uint64_t saves_ = 0;
  bool last_background_ok_ = true;
  int64_t last_background_seconds_ = -1;
  int64_t last_background_try_s_ = 0;
  bool save_scheduled_ = false;
  bool aof_rewrite_scheduled_ = false;
  bool last_aof_rewrite_ok_ = true;
  int64_t last_aof_rewrite_seconds_ = -1;
  uint64_t aof_rewrites_ = 0;
  uint64_t aof_rewrite_failures_ = 0;
  uint64_t forks_ = 0;
  int64_t latest_fork_usec_ = 0;
  uint64_t keys_loaded_ = 0;
  uint64_t keys_expired_at_load_ = 0;
  std::unique_ptr<Writer> writer_;
};

}  // namespace respd::server
