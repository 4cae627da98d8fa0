// RDB persistence as Redis 7.0 keeps it: SAVE, BGSAVE and the save points of `save`, the file
// loaded at start-up, the save before a shutdown, DEBUG RELOAD's round trip, and what INFO
// persistence and LASTSAVE report. The file is `dir`/`dbfilename` (storage/rdb_file.h), written to
// a temporary file in that directory and renamed over it, as Redis does.
//
// Redis forks for BGSAVE; respd encodes the dataset on the calling thread (a copy that later
// writes cannot change, as a fork's) and writes it to disk on a background thread. A save point
// or BGSAVE SCHEDULE that comes due while the shard locks are taken elsewhere waits for a later
// cron tick.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/config/config.h"
#include "storage/rdb_value.h"

namespace respd::server {

class ServerContext;

// The options that decide how values are encoded and decoded (DUMP, RESTORE and RDB files):
// rdbcompression, and the *-max-* limits that pick a loaded value's encoding.
bool RdbCompression(Config& config);
storage::rdb::LoadLimits RdbLoadLimits(Config& config);

class Persistence {
 public:
  Persistence();
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;
  ~Persistence();

  // Start-up: the last save counts from now, and the file is loaded if there is one. False when it
  // exists and cannot be loaded (Redis exits then); the reason is logged.
  bool LoadAtStartup(ServerContext& server);

  // SAVE counts in INFO's rdb_saves; the saves FLUSHALL, DEBUG RELOAD and a shutdown make do not.
  enum SaveKind { kSaveCommand, kInternalSave };
  // Encodes and writes the file now. Call with every shard locked, and say whether this thread
  // holds the script engine's mutex (a command called from a script). False on failure (logged).
  bool Save(ServerContext& server, SaveKind kind, bool engine_held);
  // BGSAVE: encodes now and writes on a background thread. Call with every shard locked. False
  // if one is running already.
  bool StartBackgroundSave(ServerContext& server);
  bool background_save_running() const;
  // BGSAVE SCHEDULE, or BGSAVE inside MULTI: the cron starts it.
  void ScheduleBackgroundSave();
  // FLUSHALL and SHUTDOWN stop a background save; its temporary file is removed.
  void CancelBackgroundSave();

  // DEBUG RELOAD's load: the file into the (flushed or not) databases; false if it cannot be read,
  // a key is already present without `merge` or a library without `replace_libraries`.
  bool LoadForReload(ServerContext& server, bool merge, bool replace_libraries, bool engine_held);

  // Before a shutdown: saves when Redis does (save points set or SAVE given, NOSAVE not given),
  // stopping a background save first. Takes the shard locks. False if the save failed.
  bool SaveBeforeShutdown(ServerContext& server, bool save_flag, bool nosave_flag);

  // On the first I/O thread's cron: reaps a finished background save, starts a scheduled one,
  // and starts one when a save point is due.
  void Cron(ServerContext& server);

  // INFO persistence and LASTSAVE.
  struct Status {
    int64_t last_save_s;
    bool background_running;
    bool last_background_ok;
    int64_t last_background_seconds;     // -1 before the first
    int64_t current_background_seconds;  // -1 when none runs
    uint64_t saves;
    uint64_t keys_loaded;
    uint64_t keys_expired_at_load;
  };
  Status status() const;
  int64_t last_save_s() const;

 private:
  struct Writer;

  std::string FilePath(Config& config) const;
  // The dataset and function libraries as file bytes.
  std::string Encode(ServerContext& server, bool engine_held);
  // Loads the file at `path` into the store; false and `error` set if it cannot.
  bool LoadFile(ServerContext& server, const std::string& path, bool merge,
                bool replace_libraries, bool engine_held, std::string* error);
  bool StartBackgroundSaveLocked(ServerContext& server);
  void CancelBackgroundSaveLocked();
  void FinishBackgroundSave(ServerContext& server);
  bool SavePointDue(ServerContext& server, int64_t now_s) const;

  // Guards what follows: commands on any I/O thread and the first thread's cron use it. Taken
  // after the shard locks, before the script engine's mutex.
  mutable std::mutex mutex_;
  int64_t last_save_s_ = 0;
  uint64_t saves_ = 0;
  bool last_background_ok_ = true;
  int64_t last_background_seconds_ = -1;
  int64_t last_background_try_s_ = 0;
  bool scheduled_ = false;
  uint64_t keys_loaded_ = 0;
  uint64_t keys_expired_at_load_ = 0;
  std::unique_ptr<Writer> writer_;
};

}  // namespace respd::server
