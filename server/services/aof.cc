// The append-only file (see aof.h).
#include "server/services/aof.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

// appendfsync everysec syncs at most this often.
constexpr auto kSyncInterval = std::chrono::seconds(1);

std::string ErrnoText(int error) { return std::strerror(error); }

enum class FsyncPolicy : uint8_t { kEverysec, kAlways, kNo };  // appendfsync's choices, in order

// Read on every write: by position, not by a walk of the option table.
FsyncPolicy AppendFsync(Config& config) {
  static const size_t kIndex = OptionIndex("appendfsync");
  return static_cast<FsyncPolicy>(config.options()[kIndex]->number());
}

bool TimestampsEnabled(Config& config) {
  static const size_t kIndex = OptionIndex("aof-timestamp-enabled");
  return config.options()[kIndex]->enabled();
}

std::string TempIncrName(const std::string& appendfilename) {
  return "temp-" + appendfilename + ".incr";
}

// The next incremental file Redis names: `appendfilename`.<seq>.incr.aof, its seq one past the
// last incremental file's.
AofManifest::File NextIncr(const AofManifest& manifest, const std::string& appendfilename) {
  int64_t seq = 0;
  for (const AofManifest::File& file : manifest.files) {
    if (file.type == 'i') seq = std::max(seq, file.seq);
  }
  AofManifest::File next;
  next.seq = seq + 1;
  next.name = appendfilename + "." + std::to_string(next.seq) + ".incr.aof";
  next.type = 'i';
  return next;
}

int64_t FileSize(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_size) : -1;
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// How reading one file ended (loadSingleAppendOnlyFile's results).
enum class LoadResult : uint8_t { kOk, kEmpty, kTruncated, kFailed };

// Runs a file's commands as Redis's AOF client: each through its handler, MULTI ... EXEC applied
// at EXEC, replies dropped. Call with every shard locked.
class CommandFileLoader {
 public:
  CommandFileLoader(ServerContext& server, const std::string& name, std::string_view bytes)
      : server_(server), name_(name), bytes_(bytes), reply_(&out_) {
    client_.authenticated = true;
  }

  LoadResult Run(bool load_truncated, int64_t* valid_up_to) {
    size_t valid = 0, valid_before_multi = 0;
    std::vector<std::string> argv;
    while (pos_ < bytes_.size()) {
      std::optional<std::string_view> line = Line();
      if (!line) return ShortRead(load_truncated, valid, valid_up_to);
      if (line->starts_with('#')) continue;  // annotations
      int64_t argc = line->starts_with('*') ? Number(line->substr(1)) : 0;
      if (argc < 1) return BadFormat();
      argv.clear();
      for (int64_t j = 0; j < argc; ++j) {
        std::optional<std::string_view> length_line = Line();
        if (!length_line) return ShortRead(load_truncated, valid, valid_up_to);
        if (!length_line->starts_with('$')) return BadFormat();
        int64_t length = std::max<int64_t>(Number(length_line->substr(1)), 0);
        if (bytes_.size() - pos_ < static_cast<size_t>(length) + 2) {
          return ShortRead(load_truncated, valid, valid_up_to);
        }
        argv.emplace_back(bytes_.substr(pos_, static_cast<size_t>(length)));
        pos_ += static_cast<size_t>(length) + 2;
      }
      std::vector<std::string_view> args(argv.begin(), argv.end());
      Resolution resolved = server_.dispatcher.Resolve(args);
      if (resolved.spec == nullptr) {
        spdlog::warn("Unknown command '{}' reading the append only file {}", argv[0], name_);
        return LoadResult::kFailed;
      }
      const bool top_level = !resolved.subcommand;
      if (top_level && resolved.spec->name == "multi") {
        valid_before_multi = valid;
        in_multi_ = true;
        queued_.clear();
      } else if (top_level && resolved.spec->name == "exec" && in_multi_) {
        for (const std::vector<std::string>& queued : queued_) Execute(queued);
        in_multi_ = false;
        queued_.clear();
      } else if (in_multi_) {
        queued_.push_back(argv);
      } else {
        Execute(argv);
      }
      valid = pos_;
    }
    // A transaction without its EXEC is cut off as a short read would be.
    if (in_multi_) {
      spdlog::warn("Revert incomplete MULTI/EXEC transaction in AOF file {}", name_);
      return ShortRead(load_truncated, valid_before_multi, valid_up_to);
    }
    return LoadResult::kOk;
  }

 private:
  // The next line without its CRLF; nullopt when the file ends first.
  std::optional<std::string_view> Line() {
    size_t end = bytes_.find('\n', pos_);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view line = bytes_.substr(pos_, end - pos_);
    pos_ = end + 1;
    if (line.ends_with('\r')) line.remove_suffix(1);
    return line;
  }

  // atoi / strtol: the leading digits, 0 when none.
  static int64_t Number(std::string_view text) {
    int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }

  LoadResult ShortRead(bool load_truncated, size_t valid, int64_t* valid_up_to) {
    if (!load_truncated) {
      spdlog::warn(
          "Unexpected end of file reading the append only file {}. You can: 1) Make a backup of "
          "your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) "
          "Alternatively you can set the 'aof-load-truncated' configuration option to yes and "
          "restart the server.",
          name_);
      return LoadResult::kFailed;
    }
    spdlog::warn("!!! Warning: short read while loading the AOF file {}!!!", name_);
    spdlog::warn("!!! Truncating the AOF {} at offset {} !!!", name_, valid);
    *valid_up_to = static_cast<int64_t>(valid);
    return LoadResult::kTruncated;
  }

  LoadResult BadFormat() {
    spdlog::warn(
        "Bad file format reading the append only file {}: make a backup of your AOF file, then "
        "use ./redis-check-aof --fix <filename.manifest>",
        name_);
    return LoadResult::kFailed;
  }

  // The command through its handler, as Redis's loader calls cmd->proc: no admission, no
  // statistics. One with the wrong number of arguments is skipped, as its handler would refuse
  // it. Runs as a queued command, so a blocking one never waits.
  void Execute(const std::vector<std::string>& argv) {
    std::vector<std::string_view> args(argv.begin(), argv.end());
    Resolution resolved = server_.dispatcher.Resolve(args);
    if (!resolved.ok()) return;
    CommandContext ctx{args, reply_, client_, server_, *resolved.spec, ExecutionMode::kTransaction};
    resolved.spec->handler(ctx);
    out_.clear();
  }

  ServerContext& server_;
  const std::string& name_;
  std::string_view bytes_;
  size_t pos_ = 0;
  ClientState client_{kAofClientId};
  std::string out_;
  protocol::ReplyWriter reply_;
  bool in_multi_ = false;
  std::vector<std::vector<std::string>> queued_;
};

}  // namespace

AppendOnlyFile::AppendOnlyFile(ServerContext& server) : server_(server) {}

AppendOnlyFile::~AppendOnlyFile() {
  // The rewrite's work refers to this object.
  server_.persistence.CancelBackgroundJob(Persistence::Job::kAofRewrite);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  sync_wake_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  std::lock_guard lock(mutex_);
  CloseFile();
}

std::string AppendOnlyFile::DirPath() const {
  return server_.config.Get("dir").text() + "/" + server_.config.Get("appenddirname").text();
}

std::string AppendOnlyFile::PathOf(const std::string& name) const { return DirPath() + "/" + name; }

std::string AppendOnlyFile::ManifestPath() const {
  return PathOf(server_.config.Get("appendfilename").text() + ".manifest");
}

std::optional<AofManifest> AppendOnlyFile::ReadManifest() const {
  std::ifstream in(ManifestPath(), std::ios::binary);
  if (!in) return AofManifest{};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::optional<AofManifest> manifest = AofManifest::Parse(text);
  if (!manifest) spdlog::warn("Invalid AOF manifest file format");
  return manifest;
}

bool AppendOnlyFile::WriteManifest(const AofManifest& manifest) const {
  const std::string temp =
      PathOf("temp-" + server_.config.Get("appendfilename").text() + ".manifest");
  return WriteWholeFile(manifest.Format(), temp, ManifestPath(), DirPath(), nullptr);
}

bool AppendOnlyFile::LoadAtStartup() {
  std::optional<AofManifest> manifest = ReadManifest();
  if (!manifest) return false;
  const auto start = std::chrono::steady_clock::now();
  std::string error;
  {
    auto locks = storage::ShardLocks::All(server_.store);
    if (!LoadFiles(*manifest, /*engine_held=*/false, &error)) {
      if (!error.empty()) spdlog::warn("{}", error);
      return false;
    }
    server_.store.ResetDirty();
  }
  const std::string appendfilename = server_.config.Get("appendfilename").text();
  const bool has_incr = NextIncr(*manifest, appendfilename).seq > 1;
  if (manifest->Base() != nullptr || has_incr) {
    spdlog::info("DB loaded from append only file: {:.3f} seconds",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const std::string dir = DirPath();
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    spdlog::warn("Can't open or create append-only dir {}: {}", dir, ErrnoText(errno));
    return false;
  }
  // A start with no AOF at all writes the (empty) dataset as the first base file.
  if (manifest->Base() == nullptr && !has_incr) {
    const bool preamble = server_.config.Get("aof-use-rdb-preamble").enabled();
    AofManifest::File base = manifest->NextBase(appendfilename, preamble);
    std::string bytes;
    {
      auto locks = storage::ShardLocks::All(server_.store);
      bytes = server_.persistence.EncodeAofBase(server_, /*engine_held=*/false);
    }
    const std::string temp = server_.config.Get("dir").text() + "/temp-rewriteaof-" +
                             std::to_string(::getpid()) + ".aof";
    if (!WriteWholeFile(bytes, temp, PathOf(base.name), dir, nullptr)) return false;
    manifest->files.insert(manifest->files.begin(), base);
    spdlog::info("Creating AOF base file {} on server start", base.name);
  }
  std::lock_guard lock(mutex_);
  std::string incr_name;
  for (const AofManifest::File& file : manifest->files) {
    if (file.type == 'i') incr_name = file.name;
  }
  if (incr_name.empty()) {
    AofManifest::File incr = NextIncr(*manifest, appendfilename);
    manifest->files.push_back(incr);
    incr_name = incr.name;
  }
  if (!SwitchFile(incr_name, /*truncate=*/false) || !WriteManifest(*manifest)) return false;
  spdlog::info("{} AOF incr file {} on server start", has_incr ? "Opening" : "Creating", incr_name);
  manifest_ = std::move(*manifest);
  const AofManifest::File* base = manifest_.Base();
  base_size_ = base != nullptr ? std::max<int64_t>(FileSize(PathOf(base->name)), 0) : 0;
  current_size_ = 0;
  for (const AofManifest::File& file : manifest_.files) {
    current_size_ += std::max<int64_t>(FileSize(PathOf(file.name)), 0);
  }
  state_.store(State::kOn, std::memory_order_relaxed);
  server_.propagation.SetTargetOn(kPropagateAof, true);
  return true;
}

bool AppendOnlyFile::LoadFiles(const AofManifest& manifest, bool engine_held, std::string* error) {
  std::vector<const AofManifest::File*> files;
  if (const AofManifest::File* base = manifest.Base()) files.push_back(base);
  for (const AofManifest::File& file : manifest.files) {
    if (file.type == 'i') files.push_back(&file);
  }
  int64_t total = 0;
  for (const AofManifest::File* file : files) {
    int64_t size = FileSize(PathOf(file->name));
    if (size < 0) {
      *error = "The append log file " + file->name + " doesn't exist: " + ErrnoText(errno);
      return false;
    }
    total += size;
  }
  if (total == 0) return true;
  const bool load_truncated = server_.config.Get("aof-load-truncated").enabled();
  storage::ScopedCommandTime load_time(server_.clock.NowMs());
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& name = files[i]->name;
    const std::string path = PathOf(name);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      *error = "Fatal error: can't open the append log file " + name +
               " for reading: " + ErrnoText(errno);
      return false;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty()) continue;
    const auto start = std::chrono::steady_clock::now();
    LoadResult result = LoadResult::kOk;
    if (bytes.starts_with("REDIS")) {
      spdlog::info("Reading RDB base file on AOF loading...");
      if (!server_.persistence.LoadRdbBytes(server_, bytes, engine_held, error)) {
        spdlog::warn("{}", *error);
        *error = "Error reading the RDB base file " + name + ", AOF loading aborted";
        return false;
      }
    } else {
      int64_t valid_up_to = -1;
      result = CommandFileLoader(server_, name, bytes).Run(load_truncated, &valid_up_to);
      if (result == LoadResult::kFailed) return false;
      if (result == LoadResult::kTruncated) {
        if (i + 1 != files.size()) {
          *error = "Fatal error: the truncated file is not the last file";
          return false;
        }
        if (::truncate(path.c_str(), valid_up_to) != 0) {
          *error = "Error truncating the AOF file " + name + ": " + ErrnoText(errno);
          return false;
        }
        spdlog::warn("AOF {} loaded anyway because aof-load-truncated is enabled", name);
      }
    }
    spdlog::info("DB loaded from {} file {}: {:.3f} seconds",
                 files[i] == manifest.Base() ? "base" : "incr", name,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return true;
}

bool AppendOnlyFile::Reload(bool engine_held) {
  const bool on = enabled();
  if (on) {
    std::lock_guard lock(mutex_);
    if (fd_ >= 0 && ::fsync(fd_) == 0) synced_size_ = incr_size_;
  }
  std::optional<AofManifest> manifest = ReadManifest();
  if (!manifest) return false;
  // Redis exits when there is nothing to load or a file is missing; respd refuses before the
  // dataset is emptied.
  bool any = false;
  for (const AofManifest::File& file : manifest->files) {
    if (file.type == 'h') continue;
    any = true;
    if (FileSize(PathOf(file.name)) < 0) {
      spdlog::warn("The append log file {} doesn't exist: {}", file.name, ErrnoText(errno));
      return false;
    }
  }
  if (!any) {
    spdlog::warn("The AOF manifest {} is missing or names no file", ManifestPath());
    return false;
  }
  // Redis's emptyData: the databases and the function libraries.
  for (int i = 0; i < server_.store.num_databases(); ++i) server_.store.db(i).Clear();
  server_.tracking.InvalidateAll();
  {
    std::unique_lock<std::timed_mutex> engine_lock;
    if (!engine_held) engine_lock = std::unique_lock(server_.scripting.mutex());
    server_.scripting.FlushLibraries();
  }
  // What the files replay is already in them.
  server_.propagation.SetTargetOn(kPropagateAof, false);
  std::string error;
  const bool ok = LoadFiles(*manifest, engine_held, &error);
  if (on) server_.propagation.SetTargetOn(kPropagateAof, true);
  if (!ok) {
    if (!error.empty()) spdlog::warn("{}", error);
    return false;
  }
  server_.store.ResetDirty();
  spdlog::warn("Append Only File loaded by DEBUG LOADAOF");
  return true;
}

std::string AppendOnlyFile::Start() {
  if (enabled()) return {};
  state_.store(State::kWaitRewrite, std::memory_order_relaxed);
  Persistence& persistence = server_.persistence;
  const Persistence::Job running = persistence.background_job();
  if (running == Persistence::Job::kSave) {
    persistence.ScheduleBackgroundJob(Persistence::Job::kAofRewrite);
    spdlog::warn(
        "AOF was enabled but there is already another background operation. An AOF background "
        "was scheduled to start when possible.");
    return {};
  }
  if (storage::ShardLocks::AllHeldByThisThread()) {
    persistence.ScheduleBackgroundJob(Persistence::Job::kAofRewrite);
    spdlog::warn(
        "AOF was enabled during a transaction. An AOF background was scheduled to start when "
        "possible.");
    return {};
  }
  if (running == Persistence::Job::kAofRewrite) {
    spdlog::warn(
        "AOF was enabled but there is already an AOF rewriting in background. Stopping "
        "background AOF and starting a rewrite now.");
    persistence.CancelBackgroundJob(Persistence::Job::kAofRewrite);
  }
  auto locks = storage::ShardLocks::All(server_.store);
  if (!persistence.StartBackgroundJob(server_, Persistence::Job::kAofRewrite)) {
    state_.store(State::kOff, std::memory_order_relaxed);
    spdlog::warn(
        "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. "
        "Check the above logs for more info about the error.");
    return "Unable to turn on AOF. Check server logs.";
  }
  return {};
}

void AppendOnlyFile::Stop() {
  if (!enabled()) return;
  server_.propagation.SetTargetOn(kPropagateAof, false);
  server_.persistence.UnscheduleAofRewrite();
  server_.persistence.CancelBackgroundJob(Persistence::Job::kAofRewrite);
  std::lock_guard lock(mutex_);
  if (fd_ >= 0 && ::fsync(fd_) != 0) {
    spdlog::warn("Fail to fsync the AOF file: {}", ErrnoText(errno));
  }
  CloseFile();
  if (state_.load(std::memory_order_relaxed) == State::kWaitRewrite) {
    ::unlink(PathOf(TempIncrName(server_.config.Get("appendfilename").text())).c_str());
  }
  state_.store(State::kOff, std::memory_order_relaxed);
}

std::function<bool(const std::atomic<bool>& cancel)> AppendOnlyFile::PrepareRewrite(
    std::string base_bytes) {
  const std::string dir = server_.config.Get("dir").text();
  const std::string aof_dir = DirPath();
  const std::string appendfilename = server_.config.Get("appendfilename").text();
  const bool preamble = server_.config.Get("aof-use-rdb-preamble").enabled();
  const std::string temp = dir + "/temp-rewriteaof-bg-" + std::to_string(::getpid()) + ".aof";
  std::unique_lock lock(mutex_);
  const State state = state_.load(std::memory_order_relaxed);
  // With AOF off the manifest on disk is the one to replace; with it on, ours is.
  AofManifest manifest = state == State::kOn ? manifest_ : ReadManifest().value_or(AofManifest{});
  AofManifest::File base = manifest.NextBase(appendfilename, preamble);
  AofManifest::File incr = NextIncr(manifest, appendfilename);
  bool opened = true;
  if (state != State::kOff && ::mkdir(aof_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    spdlog::warn("Can't open or create append-only dir {}: {}", aof_dir, ErrnoText(errno));
    opened = false;
  } else if (state == State::kWaitRewrite) {
    opened = SwitchFile(TempIncrName(appendfilename), /*truncate=*/true);
    if (opened) server_.propagation.SetTargetOn(kPropagateAof, true);
  } else if (state == State::kOn) {
    // The new file is named in the manifest before anything is written to it, so a restart
    // meanwhile loads the old base, the old incremental files and it.
    AofManifest with_incr = manifest;
    with_incr.files.push_back(incr);
    opened = WriteManifest(with_incr) && SwitchFile(incr.name, /*truncate=*/true);
    if (opened) manifest_ = std::move(with_incr);
  }
  if (opened && state != State::kOff) {
    spdlog::info("Creating AOF incr file {} on background rewrite",
                 state == State::kWaitRewrite ? TempIncrName(appendfilename) : incr.name);
  }
  lock.unlock();
  return [=, this, bytes = std::move(base_bytes)](const std::atomic<bool>& cancel) {
    if (!opened) return false;
    if (::mkdir(aof_dir.c_str(), 0755) != 0 && errno != EEXIST) {
      spdlog::warn("Can't open or create append-only dir {}: {}", aof_dir, ErrnoText(errno));
      return false;
    }
    if (!WriteWholeFile(bytes, temp, aof_dir + "/" + base.name, dir, &cancel)) return false;
    spdlog::info("Successfully renamed the temporary AOF base file {} into {}", temp, base.name);
    std::unique_lock guard(mutex_);
    AofManifest next;
    next.files.push_back(base);
    if (state == State::kWaitRewrite) {
      const std::string temp_incr = TempIncrName(appendfilename);
      if (::rename(PathOf(temp_incr).c_str(), PathOf(incr.name).c_str()) != 0) {
        spdlog::warn("Error trying to rename the temporary AOF incr file {} into {}: {}", temp_incr,
                     incr.name, ErrnoText(errno));
        return false;
      }
      spdlog::info("Successfully renamed the temporary AOF incr file {} into {}", temp_incr,
                   incr.name);
    }
    if (state != State::kOff) next.files.push_back(incr);
    if (!WriteManifest(next)) return false;
    if (state != State::kOff) {
      manifest_ = next;
      state_.store(State::kOn, std::memory_order_relaxed);
      base_size_ = static_cast<int64_t>(bytes.size());
      current_size_ = base_size_ + incr_size_;
    }
    guard.unlock();
    // The files the new base replaces become history, removed once the manifest no longer names
    // them.
    for (const AofManifest::File& file : manifest.files) {
      if (file.name == base.name || (state != State::kOff && file.name == incr.name)) continue;
      spdlog::info("Removing the history file {} in the background", file.name);
      ::unlink((aof_dir + "/" + file.name).c_str());
    }
    return true;
  };
}

bool AppendOnlyFile::SwitchFile(const std::string& name, bool truncate) {
  const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  int fd = ::open(PathOf(name).c_str(), flags, 0644);
  if (fd < 0) {
    spdlog::warn("Can't open the append-only file {}: {}", name, ErrnoText(errno));
    return false;
  }
  CloseFile();
  fd_ = fd;
  ++file_generation_;
  selected_db_ = -1;
  incr_size_ = truncate ? 0 : std::max<int64_t>(FileSize(PathOf(name)), 0);
  synced_size_ = incr_size_;
  if (!sync_thread_.joinable()) sync_thread_ = std::thread([this] { SyncLoop(); });
  return true;
}

void AppendOnlyFile::CloseFile() {
  if (fd_ < 0) return;
  if (incr_size_ != synced_size_) ::fsync(fd_);
  ::close(fd_);
  fd_ = -1;
  selected_db_ = -1;
  incr_size_ = synced_size_ = 0;
}

void AppendOnlyFile::Feed(std::span<const PropagatedCommand* const> unit) {
  std::lock_guard lock(mutex_);
  if (fd_ < 0) return;
  buffer_.clear();
  // aof-timestamp-enabled: a "#TS:<unix seconds>" annotation when the second changed since the
  // last one (genAofTimestampAnnotationIfNeeded).
  if (TimestampsEnabled(server_.config)) {
    const int64_t now_s = server_.clock.NowMs() / 1000;
    if (last_timestamp_s_ < now_s) {
      last_timestamp_s_ = now_s;
      buffer_ += "#TS:" + std::to_string(now_s) + "\r\n";
    }
  }
  AppendUnit(&buffer_, unit, &selected_db_);
  Write(buffer_);
}

void AppendOnlyFile::Write(std::string_view bytes) {
  if (!WriteAll(fd_, bytes)) {
    const int error = errno;
    spdlog::warn("Error writing to the AOF file: {}", ErrnoText(error));
    // Nothing of a failed write stays behind, so the file still ends on a whole command.
    if (::ftruncate(fd_, incr_size_) != 0) {
      spdlog::warn(
          "Could not remove short write from the append-only file.  Redis may refuse to load the "
          "AOF the next time it starts.  ftruncate: {}",
          ErrnoText(errno));
    }
    last_write_ok_ = false;
    return;
  }
  if (!last_write_ok_) {
    spdlog::warn("AOF write error looks solved, Redis can write again.");
    last_write_ok_ = true;
  }
  incr_size_ += static_cast<int64_t>(bytes.size());
  current_size_ += static_cast<int64_t>(bytes.size());
  if (AppendFsync(server_.config) == FsyncPolicy::kAlways) {
    if (::fsync(fd_) != 0) {
      spdlog::warn(
          "Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. "
          "Exiting...",
          ErrnoText(errno));
      std::_Exit(1);
    }
    synced_size_ = incr_size_;
  }
}

void AppendOnlyFile::SyncLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    sync_wake_.wait_for(lock, kSyncInterval);
    if (stopping_ || fd_ < 0 || synced_size_ == incr_size_) continue;
    if (AppendFsync(server_.config) != FsyncPolicy::kEverysec) continue;
    // The sync runs without the lock, so commands go on appending meanwhile.
    const int fd = ::dup(fd_);
    const int64_t size = incr_size_;
    const uint64_t generation = file_generation_;
    lock.unlock();
    const bool synced = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    lock.lock();
    if (synced && generation == file_generation_) synced_size_ = std::max(synced_size_, size);
  }
}

AppendOnlyFile::Status AppendOnlyFile::status() const {
  std::lock_guard lock(mutex_);
  return {.last_write_ok = last_write_ok_, .current_size = current_size_, .base_size = base_size_};
}

}  // namespace respd::server
