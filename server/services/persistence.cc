// RDB persistence (see persistence.h).
#include "server/services/persistence.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "server/dispatch/server_context.h"
#include "server/services/aof_rewrite.h"
#include "server/services/latency.h"
#include "storage/memory.h"
#include "storage/rdb_file.h"

namespace respd::server {
namespace {

// Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed background save, save points and scheduled
// saves wait this long before trying again.
constexpr int64_t kRetryDelaySeconds = 5;
// A cancelled background save stops within one such write.
constexpr size_t kWriteChunk = 1 << 20;

std::string ErrnoText(int error) { return std::strerror(error); }

int64_t NowSeconds(const ServerContext& server) { return server.clock.NowMs() / 1000; }

// The libraries are read and loaded under the script engine's mutex, as FUNCTION LOAD changes
// them from any I/O thread; taken after the shard locks, in the order a script takes both, unless
// the caller runs inside a script, which holds it.
std::unique_lock<std::timed_mutex> LockEngine(ServerContext& server, bool engine_held) {
  if (engine_held) return {};
  return std::unique_lock(server.scripting.mutex());
}

}  // namespace

bool WriteWholeFile(const std::string& bytes, const std::string& temp, const std::string& path,
                    const std::string& dir, const std::atomic<bool>* cancel) {
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    spdlog::warn("Failed opening the temp RDB file {} (in server root dir {}) for saving: {}",
                 temp, dir, ErrnoText(errno));
    return false;
  }
  size_t written = 0;
  bool ok = true;
  while (ok && written < bytes.size()) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      ok = false;
      break;
    }
    size_t chunk = std::min(kWriteChunk, bytes.size() - written);
    ssize_t n = ::write(fd, bytes.data() + written, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::warn("Write error saving DB on disk: {}", ErrnoText(errno));
      ok = false;
    } else {
      written += static_cast<size_t>(n);
    }
  }
  if (ok && ::fsync(fd) != 0) {
    spdlog::warn("Write error saving DB on disk: {}", ErrnoText(errno));
    ok = false;
  }
  if (::close(fd) != 0 && ok) {
    spdlog::warn("Write error saving DB on disk: {}", ErrnoText(errno));
    ok = false;
  }
  if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
    spdlog::warn(
        "Error moving temp DB file {} on the final destination {} (in server root dir {}): {}",
        temp, path, dir, ErrnoText(errno));
    ok = false;
  }
  if (!ok) ::unlink(temp.c_str());
  return ok;
}

// DUMP and RESTORE read these on every call: by position, not by a walk of the option table.
bool RdbCompression(Config& config) {
  static const size_t kIndex = OptionIndex("rdbcompression");
  return config.options()[kIndex]->text() == "yes";
}

storage::rdb::LoadLimits RdbLoadLimits(Config& config) {
  static const size_t kHashEntries = OptionIndex("hash-max-listpack-entries");
  static const size_t kHashValue = OptionIndex("hash-max-listpack-value");
  static const size_t kZSetEntries = OptionIndex("zset-max-listpack-entries");
  static const size_t kZSetValue = OptionIndex("zset-max-listpack-value");
  static const size_t kIntsetEntries = OptionIndex("set-max-intset-entries");
  static const size_t kListFill = OptionIndex("list-max-listpack-size");
  const auto number = [&](size_t index) { return config.options()[index]->number(); };
  storage::rdb::LoadLimits limits;
  limits.hash = {static_cast<size_t>(number(kHashEntries)), static_cast<size_t>(number(kHashValue))};
  limits.zset = {static_cast<size_t>(number(kZSetEntries)), static_cast<size_t>(number(kZSetValue))};
  limits.set_max_intset_entries = static_cast<size_t>(number(kIntsetEntries));
  limits.list_fill = static_cast<int>(number(kListFill));
  return limits;
}

struct Persistence::Writer {
  Job job = Job::kNone;
  std::thread thread;
  std::atomic<bool> done{false};
  std::atomic<bool> ok{false};
  std::atomic<bool> cancel{false};
  std::string temp;
  int64_t start_s = 0;
  std::chrono::steady_clock::time_point started;
  uint64_t dirty_at_start = 0;
};

Persistence::Persistence() = default;
Persistence::~Persistence() { CancelBackgroundJobLocked(Job::kNone); }

std::string Persistence::FilePath(Config& config) const {
  // dir is absolute and names an existing directory (NormalizeDir), as the temporary files'
  // paths assume.
  return config.Get("dir").text() + "/" + config.Get("dbfilename").text();
}

std::string Persistence::Encode(ServerContext& server, bool engine_held, RdbParts parts) {
  return EncodeRdb(server, engine_held, /*aof_base=*/false, parts);
}

std::string Persistence::EncodeAofBase(ServerContext& server, bool engine_held) {
  if (!server.config.Get("aof-use-rdb-preamble").enabled()) {
    return aof_rewrite::EncodeCommands(server, engine_held);
  }
  return EncodeRdb(server, engine_held, /*aof_base=*/true);
}

std::string Persistence::EncodeRdb(ServerContext& server, bool engine_held, bool aof_base,
                                   RdbParts parts) {
  std::vector<std::string> libraries;
  if (parts.libraries) {
    auto engine_lock = LockEngine(server, engine_held);
    for (const auto& [name, library] : server.scripting.libraries()) {
      libraries.push_back(library.code);
    }
  }
  storage::rdb::FileInfo info{.redis_version = kRedisVersion,
                              .ctime_s = NowSeconds(server),
                              .used_memory = storage::memory::UsedMemory(),
                              .aof_base = aof_base};
  using KeyClock = storage::rdb::FileOptions::KeyClock;
  std::string policy = server.config.Get("maxmemory-policy").text();
  KeyClock key_clock = policy.ends_with("-lru")   ? KeyClock::kIdle
                       : policy.ends_with("-lfu") ? KeyClock::kFrequency
                                                  : KeyClock::kNone;
  storage::rdb::FileOptions options{
      .compress = RdbCompression(server.config),
      .checksum = server.config.Get("rdbchecksum").text() == "yes",
      .key_clock = key_clock,
      .now_ms = server.clock.NowMs(),
      .lfu_decay_minutes = server.store.access_clock_policy().decay_minutes,
      .keys = parts.keys};
  return storage::rdb::EncodeFile(server.store, libraries, info, options);
}

bool Persistence::Save(ServerContext& server, SaveKind kind, bool engine_held) {
  std::lock_guard lock(mutex_);
  if (kind == kSaveCommand) ++saves_;
  const std::string dir = server.config.Get("dir").text();
  const std::string temp = dir + "/temp-" + std::to_string(::getpid()) + ".rdb";
  bool ok =
      WriteWholeFile(Encode(server, engine_held), temp, FilePath(server.config), dir, nullptr);
  if (ok) {
    spdlog::info("DB saved on disk");
    server.store.ResetDirty();
    last_save_s_ = NowSeconds(server);
  }
  last_background_ok_ = ok;
  return ok;
}

Persistence::Job Persistence::background_job() const {
  std::lock_guard lock(mutex_);
  return writer_ != nullptr ? writer_->job : Job::kNone;
}

bool Persistence::StartBackgroundJob(ServerContext& server, Job job) {
  std::lock_guard lock(mutex_);
  return StartBackgroundJobLocked(server, job);
}

bool Persistence::StartBackgroundJobLocked(ServerContext& server, Job job) {
  if (writer_ != nullptr) return false;
  auto writer = std::make_unique<Writer>();
  writer->job = job;
  writer->start_s = NowSeconds(server);
  writer->started = std::chrono::steady_clock::now();
  writer->dirty_at_start = server.store.dirty();
  const std::string dir = server.config.Get("dir").text();
  std::function<bool(const std::atomic<bool>&)> work;
  if (job == Job::kSave) {
    ++saves_;
    last_background_try_s_ = writer->start_s;
    writer->temp = dir + "/temp-bg-" + std::to_string(::getpid()) + ".rdb";
    std::string bytes = Encode(server, /*engine_held=*/false);
    RecordForkLocked(server, std::chrono::steady_clock::now() - writer->started);
    work = [temp = writer->temp, bytes = std::move(bytes), path = FilePath(server.config),
            dir](const std::atomic<bool>& cancel) {
      return WriteWholeFile(bytes, temp, path, dir, &cancel);
    };
    spdlog::info("Background saving started");
  } else {
    ++aof_rewrites_;
    writer->temp = dir + "/temp-rewriteaof-bg-" + std::to_string(::getpid()) + ".aof";
    std::string base = EncodeAofBase(server, /*engine_held=*/false);
    RecordForkLocked(server, std::chrono::steady_clock::now() - writer->started);
    work = server.aof.PrepareRewrite(std::move(base));
    spdlog::info("Background append only file rewriting started");
  }
  // rdb-key-save-delay: Redis's child waits that long after each key, so tests can see it run
  // (a negative value, nanoseconds in Redis, is no wait here). Capped at a year, which a clock
  // in nanoseconds can still add: the largest delay times millions of keys would overflow it.
  constexpr int64_t kMaxDelayUs = int64_t{365} * 24 * 3600 * 1'000'000;
  const int64_t delay_us = server.config.Get("rdb-key-save-delay").number();
  int64_t keys = 0;
  for (int i = 0; i < server.store.num_databases(); ++i) {
    keys += static_cast<int64_t>(server.store.db(i).Size());
  }
  const auto delay = std::chrono::microseconds(
      delay_us <= 0 || keys == 0 ? 0 : (delay_us > kMaxDelayUs / keys ? kMaxDelayUs : delay_us * keys));
  Writer* w = writer.get();
  w->thread = std::thread([w, work = std::move(work), delay] {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until && !w->cancel.load(std::memory_order_relaxed)) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          until - std::chrono::steady_clock::now(), std::chrono::milliseconds(10)));
    }
    w->ok.store(!w->cancel.load(std::memory_order_relaxed) && work(w->cancel),
                std::memory_order_relaxed);
    w->done.store(true, std::memory_order_release);
  });
  writer_ = std::move(writer);
  return true;
}

void Persistence::ScheduleBackgroundJob(Job job) {
  std::lock_guard lock(mutex_);
  if (job == Job::kSave) {
    save_scheduled_ = true;
  } else {
    aof_rewrite_scheduled_ = true;
    // A rewrite asked for by hand runs at once, whatever failed before (Redis resets the count).
    aof_rewrite_failures_ = 0;
  }
}

void Persistence::UnscheduleAofRewrite() {
  std::lock_guard lock(mutex_);
  aof_rewrite_scheduled_ = false;
}

void Persistence::CancelBackgroundJob(Job job) {
  std::lock_guard lock(mutex_);
  CancelBackgroundJobLocked(job);
}

void Persistence::CancelBackgroundJobLocked(Job job) {
  if (writer_ == nullptr || (job != Job::kNone && writer_->job != job)) return;
  writer_->cancel.store(true, std::memory_order_relaxed);
  writer_->thread.join();
  ::unlink(writer_->temp.c_str());
  spdlog::warn(writer_->job == Job::kSave ? "Background saving stopped"
                                          : "Background append only file rewriting stopped");
  writer_.reset();
}

void Persistence::FinishBackgroundJob(ServerContext& server) {
  writer_->thread.join();
  const bool ok = writer_->ok.load(std::memory_order_relaxed);
  const int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::steady_clock::now() - writer_->started)
                              .count();
  if (writer_->job == Job::kAofRewrite) {
    last_aof_rewrite_ok_ = ok;
    last_aof_rewrite_seconds_ = seconds;
    aof_rewrite_failures_ = ok ? 0 : aof_rewrite_failures_ + 1;
    // The rewrite that turns AOF on is tried again until it succeeds, as Redis's cron does.
    if (!ok && server.aof.waiting_for_rewrite()) aof_rewrite_scheduled_ = true;
    if (ok) {
      spdlog::info("Background AOF rewrite terminated with success");
    } else {
      spdlog::warn("Background AOF rewrite terminated with error");
    }
    writer_.reset();
    return;
  }
  last_background_ok_ = ok;
  last_background_seconds_ = seconds;
  if (ok) {
    spdlog::info("Background saving terminated with success");
    // Changes made while the file was written still count, as Redis subtracts the dirty count
    // its fork started with.
    uint64_t dirty = server.store.dirty();
    server.store.ResetDirty();
    if (dirty > writer_->dirty_at_start) server.store.AddDirty(dirty - writer_->dirty_at_start);
    last_save_s_ = writer_->start_s;
  } else {
    spdlog::warn("Background saving error");
  }
  writer_.reset();
}

void Persistence::RecordFork(ServerContext& server, std::chrono::steady_clock::duration pause) {
  std::lock_guard lock(mutex_);
  RecordForkLocked(server, pause);
}

void Persistence::RecordForkLocked(ServerContext& server,
                                   std::chrono::steady_clock::duration pause) {
  ++forks_;
  latest_fork_usec_ = std::chrono::duration_cast<std::chrono::microseconds>(pause).count();
  AddLatencySampleIfNeeded(server, "fork", latest_fork_usec_ / 1000);
}

Persistence::ForkStats Persistence::fork_stats() const {
  std::lock_guard lock(mutex_);
  return {.total = forks_, .latest_usec = latest_fork_usec_};
}

void Persistence::ResetForkStats() {
  std::lock_guard lock(mutex_);
  forks_ = 0;
  latest_fork_usec_ = 0;
}

Persistence::Status Persistence::status() const {
  std::lock_guard lock(mutex_);
  auto current = [&](Job job) -> int64_t {
    if (writer_ == nullptr || writer_->job != job) return -1;
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                            writer_->started)
        .count();
  };
  const Job running = writer_ != nullptr ? writer_->job : Job::kNone;
  return {.last_save_s = last_save_s_,
          .save = {.running = running == Job::kSave,
                   .scheduled = save_scheduled_,
                   .last_ok = last_background_ok_,
                   .last_seconds = last_background_seconds_,
                   .current_seconds = current(Job::kSave),
                   .count = saves_},
          .aof_rewrite = {.running = running == Job::kAofRewrite,
                          .scheduled = aof_rewrite_scheduled_,
                          .last_ok = last_aof_rewrite_ok_,
                          .last_seconds = last_aof_rewrite_seconds_,
                          .current_seconds = current(Job::kAofRewrite),
                          .count = aof_rewrites_},
          .aof_rewrite_failures = aof_rewrite_failures_,
          .keys_loaded = keys_loaded_,
          .keys_expired_at_load = keys_expired_at_load_};
}

int64_t Persistence::last_save_s() const {
  std::lock_guard lock(mutex_);
  return last_save_s_;
}

bool Persistence::SavePointDue(ServerContext& server, int64_t now_s) const {
  std::istringstream points(server.config.Get("save").text());
  int64_t seconds, changes;
  const bool may_try = last_background_ok_ || now_s - last_background_try_s_ > kRetryDelaySeconds;
  while (points >> seconds >> changes) {
    if (server.store.dirty() >= static_cast<uint64_t>(changes) && now_s - last_save_s_ > seconds &&
        may_try) {
      spdlog::info("{} changes in {} seconds. Saving...", changes, seconds);
      return true;
    }
  }
  return false;
}

Persistence::Job Persistence::DueJob(ServerContext& server, int64_t now_s) const {
  // Redis's serverCron order: a scheduled rewrite, then a scheduled save, then the save points.
  // A rewrite that failed three times in a row waits for BGREWRITEAOF (aofRewriteLimited's
  // back-off, simplified).
  constexpr uint64_t kRewriteFailuresBeforeBackOff = 3;
  if (aof_rewrite_scheduled_ && aof_rewrite_failures_ < kRewriteFailuresBeforeBackOff) {
    return Job::kAofRewrite;
  }
  const bool may_retry = last_background_ok_ || now_s - last_background_try_s_ > kRetryDelaySeconds;
  if (save_scheduled_ && may_retry) return Job::kSave;
  return SavePointDue(server, now_s) ? Job::kSave : Job::kNone;
}

void Persistence::Cron(ServerContext& server) {
  {
    std::lock_guard lock(mutex_);
    if (writer_ != nullptr) {
      if (!writer_->done.load(std::memory_order_acquire)) return;
      FinishBackgroundJob(server);
    }
    if (DueJob(server, NowSeconds(server)) == Job::kNone) return;
  }
  // The shard locks come before this service's mutex. A script or transaction that holds the
  // keyspace on another thread is not waited for: the next tick tries again.
  auto locks = storage::ShardLocks::Unless(server.store, {}, /*all=*/true, [] { return true; });
  if (!locks) return;
  std::lock_guard lock(mutex_);
  const Job job = DueJob(server, NowSeconds(server));
  if (job == Job::kNone || !StartBackgroundJobLocked(server, job)) return;
  (job == Job::kSave ? save_scheduled_ : aof_rewrite_scheduled_) = false;
}

bool Persistence::SaveBeforeShutdown(ServerContext& server, bool save_flag, bool nosave_flag) {
  if (nosave_flag || (!save_flag && server.config.Get("save").text().empty())) return true;
  const Job running = background_job();
  if (running == Job::kSave) spdlog::warn("There is a child saving an .rdb. Killing it!");
  if (running == Job::kAofRewrite) {
    spdlog::warn("There is a child rewriting the AOF. Killing it!");
  }
  CancelBackgroundJob(Job::kNone);
  spdlog::info("Saving the final RDB snapshot before exiting.");
  // A shutdown asked for from inside a busy script's hook already holds every shard.
  std::optional<storage::ShardLocks> locks;
  if (!storage::ShardLocks::AllHeldByThisThread()) locks.emplace(storage::ShardLocks::All(server.store));
  return Save(server, kInternalSave, /*engine_held=*/false);
}

std::optional<storage::rdb::FileContents> Persistence::ReadFile(ServerContext& server,
                                                               const std::string& path,
                                                               std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "Fatal error loading the DB: " + ErrnoText(errno) + ". Exiting.";
    return std::nullopt;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return storage::rdb::DecodeFile(bytes, server.store.num_databases(),
                                  RdbLoadLimits(server.config),
                                  server.config.Get("rdbchecksum").text() == "yes", error);
}

bool Persistence::Apply(ServerContext& server, storage::rdb::FileContents& contents, bool merge,
                        bool replace_libraries, bool engine_held, std::string* error) {
  if (!contents.redis_version.empty()) {
    spdlog::info("Loading RDB produced by version {}", contents.redis_version);
  }
  {
    auto engine_lock = LockEngine(server, engine_held);
    for (const std::string& code : contents.libraries) {
      std::string name;
      std::string failure = server.scripting.LoadLibrary(code, replace_libraries, &name);
      if (!failure.empty()) {
        *error = "Failed loading library: " + failure;
        return false;
      }
    }
  }
  size_t loaded = 0, expired = 0;
  if (!storage::rdb::LoadKeys(server.store, contents, server.clock.NowMs(), merge,
                              server.store.lfu_clock(), &loaded, &expired)) {
    *error = "RDB has a key that is already in the database";
    return false;
  }
  std::lock_guard lock(mutex_);
  keys_loaded_ = loaded;
  keys_expired_at_load_ = expired;
  spdlog::info("Done loading RDB, keys loaded: {}, keys expired: {}.", loaded, expired);
  return true;
}

bool Persistence::LoadFile(ServerContext& server, const std::string& path, bool merge,
                           bool replace_libraries, bool engine_held, std::string* error) {
  std::optional<storage::rdb::FileContents> contents = ReadFile(server, path, error);
  return contents && Apply(server, *contents, merge, replace_libraries, engine_held, error);
}

bool Persistence::LoadAtStartup(ServerContext& server) {
  {
    std::lock_guard lock(mutex_);
    last_save_s_ = NowSeconds(server);
  }
  // With AOF on, Redis loads the AOF and never the RDB file.
  if (server.config.Get("appendonly").enabled()) return server.aof.LoadAtStartup();
  std::string path = FilePath(server.config);
  if (::access(path.c_str(), F_OK) != 0) return true;
  auto start = std::chrono::steady_clock::now();
  std::string error;
  if (!LoadFile(server, path, /*merge=*/false, /*replace_libraries=*/false,
                /*engine_held=*/false, &error)) {
    spdlog::error("{}", error);
    return false;
  }
  // Loading is not a change: what was loaded is what the file holds.
  server.store.ResetDirty();
  spdlog::info("DB loaded from disk: {:.3f} seconds",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return true;
}

bool Persistence::LoadRdbBytes(ServerContext& server, std::string_view bytes, bool engine_held,
                               std::string* error) {
  std::optional<storage::rdb::FileContents> contents =
      storage::rdb::DecodeFile(bytes, server.store.num_databases(), RdbLoadLimits(server.config),
                               server.config.Get("rdbchecksum").text() == "yes", error);
  return contents &&
         Apply(server, *contents, /*merge=*/false, /*replace_libraries=*/false, engine_held, error);
}

bool Persistence::LoadForReload(ServerContext& server, bool merge, bool replace_libraries,
                                bool engine_held) {
  std::string error;
  if (LoadFile(server, FilePath(server.config), merge, replace_libraries, engine_held, &error)) {
    return true;
  }
  spdlog::warn("{}", error);
  return false;
}

}  // namespace respd::server
