// Named database snapshots (see snapshots.h).
#include "server/services/snapshots.h"

namespace respd::server {

void Snapshots::FreeKeys(Keys& keys) {
  for (storage::Entry* e : keys) storage::Entry::Free(e);
  keys.clear();
}

size_t Snapshots::Save(std::string_view name, storage::Database& db) {
  Keys keys;
  db.ForEachLive([&keys](storage::Entry* e) {
    keys.push_back(storage::Entry::CloneAs(e, e->key(), e->expire_at()));
  });
  size_t count = keys.size();
  std::lock_guard lock(mutex_);
  auto it = snapshots_.find(name);
  if (it == snapshots_.end()) {
    snapshots_.emplace(std::string(name), std::move(keys));
  } else {
    FreeKeys(it->second);
    it->second = std::move(keys);
  }
  return count;
}

bool Snapshots::Restore(std::string_view name, storage::Database& db) {
  std::lock_guard lock(mutex_);
  auto it = snapshots_.find(name);
  if (it == snapshots_.end()) return false;
  db.Clear();
  for (const storage::Entry* e : it->second) {
    db.Put(storage::Entry::CloneAs(e, e->key(), e->expire_at()));
  }
  return true;
}

bool Snapshots::Delete(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = snapshots_.find(name);
  if (it == snapshots_.end()) return false;
  FreeKeys(it->second);
  snapshots_.erase(it);
  return true;
}

void Snapshots::Clear() {
  std::lock_guard lock(mutex_);
  for (auto& [name, keys] : snapshots_) FreeKeys(keys);
  snapshots_.clear();
}

std::vector<Snapshots::Info> Snapshots::List() const {
  std::lock_guard lock(mutex_);
  std::vector<Info> out;
  for (const auto& [name, keys] : snapshots_) out.push_back({name, keys.size()});
  return out;
}

}  // namespace respd::server
