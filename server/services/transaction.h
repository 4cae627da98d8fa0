// MULTI/EXEC state of one client and the server-wide WATCH registry. The registry observes the
// keyspace (storage::KeyspaceObserver) and flags watching clients dirty from whatever thread wrote
// the key; the flag is atomic because the client lives on another thread. Knows nothing of RESP
// or command handlers.
#pragma once

#include <atomic>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/database.h"

namespace respd::server {

struct CommandSpec;
class WatchRegistry;

// A command queued between MULTI and EXEC, with its own copy of the arguments (the connection's
// buffer they came from is reused).
struct QueuedCommand {
  const CommandSpec* spec;
  std::vector<std::string> args;
};

class TransactionState {
 public:
  // `published_dirty` (may be null) mirrors the dirty state for other threads (CLIENT LIST's d).
  explicit TransactionState(WatchRegistry& registry, std::atomic<bool>* published_dirty = nullptr)
      : registry_(registry), published_dirty_(published_dirty) {}
  TransactionState(const TransactionState&) = delete;
  TransactionState& operator=(const TransactionState&) = delete;
  ~TransactionState();

  // MULTI ... EXEC.
  bool in_multi() const { return in_multi_; }
  void BeginMulti() { in_multi_ = true; }
  void Queue(const CommandSpec& spec, std::span<const std::string_view> args);
  // An error while queueing (unknown command, arity...): EXEC answers EXECABORT.
  void FlagError() { queue_error_ = true; }
  bool queue_error() const { return queue_error_; }
  std::vector<QueuedCommand>& queue() { return queue_; }
  // Leaves MULTI, drops the queue and every watched key (EXEC, DISCARD).
  void Discard();

  // WATCH. `exists` says whether the key was live when watched: a FLUSHDB then dirties the
  // client only if the key existed, as in Redis.
  void Watch(int db, std::string_view key, bool exists);
  void UnwatchAll();
  bool watching() const { return !watched_.empty(); }
  // True when EXEC must fail because a watched key changed. `keyspace` is checked under every
  // shard lock: a watched key that expired since WATCH counts.
  bool WatchedKeysChanged(storage::Store& keyspace);

  void MarkDirty() {
    dirty_.store(true, std::memory_order_release);
    if (published_dirty_ != nullptr) published_dirty_->store(true, std::memory_order_relaxed);
  }

 private:
  void ClearDirty() {
    dirty_.store(false, std::memory_order_release);
    if (published_dirty_ != nullptr) published_dirty_->store(false, std::memory_order_relaxed);
  }

  struct WatchedKey {
    int db;
    std::string key;
    bool existed;
  };

  WatchRegistry& registry_;
  std::atomic<bool>* published_dirty_;
  bool in_multi_ = false;
  bool queue_error_ = false;
  std::vector<QueuedCommand> queue_;
  std::vector<WatchedKey> watched_;
  std::atomic<bool> dirty_{false};
};

// Which clients watch which keys. Every keyspace write reaches OnKeyModified with the key's shard
// lock held; the registry's own mutex is taken after shard locks, never before.
class WatchRegistry : public storage::KeyspaceObserver {
 public:
  void Add(int db, std::string_view key, TransactionState* watcher, bool existed);
  void Remove(int db, std::string_view key, TransactionState* watcher);

  void OnKeyModified(int db, std::string_view key) override;
  void OnDbModified(int db) override;
  void OnDbSwapped(int db, const storage::Database& now) override;
  void OnKeyReady(int db, std::string_view key) override {}

 private:
  struct Watcher {
    TransactionState* state;
    bool existed;
  };
  // FLUSHDB and FLUSHALL (`now` null) or SWAPDB (`now` the database's new contents).
  void OnDbChanged(int db, const storage::Database* now);
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using KeyMap = std::unordered_map<std::string, std::vector<Watcher>, Hash, std::equal_to<>>;

  std::mutex mutex_;
  // Number of (db, key) entries: writes skip the mutex while nobody watches anything.
  std::atomic<size_t> watched_keys_{0};
  std::unordered_map<int, KeyMap> dbs_;
};

}  // namespace respd::server
