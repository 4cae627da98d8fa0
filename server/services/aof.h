// Redis 7.0's multi-part append-only file (aof.c): in `dir`/`appenddirname`, a base file (the
// dataset as an RDB file, or as commands without aof-use-rdb-preamble), the incremental files
// appended since, and the manifest naming them (aof_manifest.h).
// - While on, every unit the propagator hands over (propagation.h) is appended to the last
//   incremental file as RESP arrays, with a SELECT before a command of another database than the
//   last one written (and first in each new file). appendfsync always syncs before the command's
//   reply leaves, everysec on a background thread once a second, no never.
// - A rewrite (BGREWRITEAOF, CONFIG SET appendonly yes) encodes the dataset under every shard lock
//   and opens the next incremental file at that same instant, so the base and the new file
//   together hold every change without Redis's rewrite buffer; the base is written on
//   Persistence's background thread, then the manifest names it and the files it replaced are
//   deleted. While AOF is being turned on, the changes go to temp-`appendfilename`.incr until that
//   first base is written (Redis's AOF_WAIT_REWRITE).
// - Loading runs the files' commands through each command's handler as a client of its own, as
//   Redis's loadSingleAppendOnlyFile runs them on its fake client: MULTI ... EXEC applied whole or
//   not at all, an incomplete tail cut off under aof-load-truncated.
// Depends on the server context's services; knows nothing of sockets.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "server/services/aof_manifest.h"
#include "server/services/propagation.h"

namespace respd::server {

class ServerContext;

// Redis's CLIENT_ID_AOF: the id of the client the files' commands run as when loaded. A handler
// that relaxes a check for what Redis must obey (mustObeyClient: XADD's LIMIT without ~) compares
// the client's id with it.
inline constexpr uint64_t kAofClientId = UINT64_MAX;

class AppendOnlyFile final : public PropagationSink {
 public:
  // Redis's aof_state: AOF_OFF, AOF_WAIT_REWRITE, AOF_ON.
  enum class State : uint8_t { kOff, kWaitRewrite, kOn };

  explicit AppendOnlyFile(ServerContext& server);
  AppendOnlyFile(const AppendOnlyFile&) = delete;
  AppendOnlyFile& operator=(const AppendOnlyFile&) = delete;
  ~AppendOnlyFile() override;

  // Start-up with appendonly yes, instead of the RDB file: loads the files the manifest names,
  // creates a base file when there is none (and no incremental file), opens the last incremental
  // file (a new one when there is none), writes the manifest and turns the AOF on, as Redis's
  // loadDataFromDisk and aofOpenIfNeededOnServerStart. False when Redis would exit (logged).
  bool LoadAtStartup();
  // DEBUG LOADAOF: writes and syncs what is pending, empties the dataset and loads the files the
  // manifest names. Call with every shard locked; `engine_held` as Persistence's loads. False if
  // they cannot be loaded.
  bool Reload(bool engine_held);

  // CONFIG SET appendonly yes: starts the rewrite that makes the first base file (scheduled when a
  // background job runs or inside a transaction), the changes meanwhile going to a temporary
  // incremental file. Returns Redis's error text, "" on success.
  std::string Start();
  // CONFIG SET appendonly no: stops a rewrite, syncs and closes the file.
  void Stop();
  // aof_enabled: on, or being turned on.
  bool enabled() const { return state_.load(std::memory_order_relaxed) != State::kOff; }

  // Persistence's rewrite job, called with every shard locked and its mutex held: the dataset as
  // the next base file's bytes, and the next incremental file opened now (with AOF on). Returns
  // the job's work, run on the background thread.
  std::function<bool(const std::atomic<bool>& cancel)> PrepareRewrite(std::string base_bytes);
  // AOF is being turned on: a failed rewrite is tried again.
  bool waiting_for_rewrite() const {
    return state_.load(std::memory_order_relaxed) == State::kWaitRewrite;
  }

  void Feed(std::span<const PropagatedCommand* const> unit) override;

  // INFO persistence.
  struct Status {
    bool last_write_ok;
    int64_t current_size;  // the base and incremental files
    int64_t base_size;
  };
  Status status() const;

 private:
  std::string DirPath() const;
  std::string PathOf(const std::string& name) const;
  std::string ManifestPath() const;
  // Reads the manifest; an absent file is an empty manifest, an unreadable one nullopt.
  std::optional<AofManifest> ReadManifest() const;
  bool WriteManifest(const AofManifest& manifest) const;
  // Loads the base and incremental files in order (loadAppendOnlyFiles). Empty files count as
  // nothing to load. `error` says why not.
  bool LoadFiles(const AofManifest& manifest, bool engine_held, std::string* error);
  // Opens `name` in the AOF directory for appending (truncated when `truncate`), instead of the
  // current file, which is synced and closed. Call with mutex_ held.
  bool SwitchFile(const std::string& name, bool truncate);
  // Appends `bytes`, syncing under appendfsync always. Call with mutex_ held.
  void Write(std::string_view bytes);
  void CloseFile();
  // appendfsync everysec's background thread.
  void SyncLoop();

  ServerContext& server_;
  std::atomic<State> state_{State::kOff};
  // Guards what follows: the propagator's Feed, the rewrite's switch on a command's thread, the
  // rewrite job's end on the background thread, the sync thread.
  mutable std::mutex mutex_;
  AofManifest manifest_;
  int fd_ = -1;
  int selected_db_ = -1;
  int64_t last_timestamp_s_ = 0;  // of the last #TS annotation
  bool last_write_ok_ = true;
  int64_t incr_size_ = 0;  // of the open file
  int64_t synced_size_ = 0;
  uint64_t file_generation_ = 0;  // SwitchFile's count: a sync of an older file counts for none
  int64_t current_size_ = 0;      // base and incremental files
  int64_t base_size_ = 0;
  std::string buffer_;  // one unit's bytes, reused
  std::condition_variable sync_wake_;
  bool stopping_ = false;
  std::thread sync_thread_;
};

}  // namespace respd::server
