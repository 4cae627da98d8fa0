// Transaction queue, watched keys and the WATCH registry.
#include "server/services/transaction.h"

#include <algorithm>

namespace respd::server {

TransactionState::~TransactionState() { UnwatchAll(); }

void TransactionState::Queue(const CommandSpec& spec, std::span<const std::string_view> args) {
  QueuedCommand& command = queue_.emplace_back();
  command.spec = &spec;
  command.args.assign(args.begin(), args.end());
}

void TransactionState::Discard() {
  in_multi_ = false;
  queue_error_ = false;
  queue_.clear();
  UnwatchAll();
}

void TransactionState::Watch(int db, std::string_view key, bool exists) {
  for (const WatchedKey& watched : watched_) {
    if (watched.db == db && watched.key == key) return;
  }
  watched_.push_back({db, std::string(key), exists});
  registry_.Add(db, key, this, exists);
}

void TransactionState::UnwatchAll() {
  for (const WatchedKey& watched : watched_) registry_.Remove(watched.db, watched.key, this);
  watched_.clear();
  dirty_.store(false, std::memory_order_relaxed);
  if (published_dirty_ != nullptr) published_dirty_->store(false, std::memory_order_relaxed);
}

bool TransactionState::WatchedKeysChanged(storage::Store& keyspace) {
  for (const WatchedKey& watched : watched_) {
    bool dirty_before = dirty_.load(std::memory_order_acquire);
    // A lookup deletes a key that expired since WATCH, which marks this client dirty.
    storage::Entry* entry = keyspace.db(watched.db).Peek(watched.key);
    if (!watched.existed && entry == nullptr && !dirty_before) {
      // The lookup deleted a stale key that SWAPDB brought in place of one absent or stale at
      // WATCH: logically nothing changed, as with Redis's expired watched keys.
      ClearDirty();
    }
  }
  return dirty_.load(std::memory_order_acquire);
}

void WatchRegistry::Add(int db, std::string_view key, TransactionState* watcher, bool existed) {
  std::lock_guard lock(mutex_);
  KeyMap& keys = dbs_[db];
  auto it = keys.find(key);
  if (it == keys.end()) {
    it = keys.emplace(std::string(key), std::vector<Watcher>{}).first;
    ChangeWork(1);
    watched_keys_.fetch_add(1, std::memory_order_relaxed);
  }
  it->second.push_back({watcher, existed});
}

void WatchRegistry::Remove(int db, std::string_view key, TransactionState* watcher) {
  std::lock_guard lock(mutex_);
  auto db_it = dbs_.find(db);
  if (db_it == dbs_.end()) return;
  auto it = db_it->second.find(key);
  if (it == db_it->second.end()) return;
  std::erase_if(it->second, [&](const Watcher& w) { return w.state == watcher; });
  if (it->second.empty()) {
    db_it->second.erase(it);
    watched_keys_.fetch_sub(1, std::memory_order_relaxed);
    ChangeWork(-1);
  }
}

void WatchRegistry::OnKeyModified(int db, std::string_view key) {
  if (watched_keys_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mutex_);
  auto db_it = dbs_.find(db);
  if (db_it == dbs_.end()) return;
  auto it = db_it->second.find(key);
  if (it == db_it->second.end()) return;
  for (const Watcher& watcher : it->second) watcher.state->MarkDirty();
}

void WatchRegistry::OnDbModified(int db) { OnDbChanged(db, nullptr); }

void WatchRegistry::OnDbSwapped(int db, const storage::Database& now) { OnDbChanged(db, &now); }

void WatchRegistry::OnDbChanged(int db, const storage::Database* now) {
  if (watched_keys_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mutex_);
  auto db_it = dbs_.find(db);
  if (db_it == dbs_.end()) return;
  // A key that existed is gone or replaced. One that did not counts as changed only if SWAPDB
  // brought it in live, and at once, as Redis's touchAllWatchedKeysInDb: swapping back before EXEC
  // does not undo that, and a stale key brought in changes nothing.
  for (auto& [key, watchers] : db_it->second) {
    bool arrived = now != nullptr && now->HoldsLive(key);
    for (const Watcher& watcher : watchers) {
      if (watcher.existed || arrived) watcher.state->MarkDirty();
    }
  }
}

}  // namespace respd::server
