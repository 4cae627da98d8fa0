// Leased databases (see db_leases.h).
#include "server/services/db_leases.h"

#include <algorithm>

namespace respd::server {

int DbLeases::Lease(uint64_t client) {
  std::lock_guard lock(mutex_);
  for (int db = 1; db < store_.num_databases(); ++db) {
    if (owners_.contains(db) || store_.db(db).Size() != 0) continue;
    owners_[db] = client;
    return db;
  }
  return -1;
}

DbLeases::ReleaseStatus DbLeases::Release(int db, uint64_t client) {
  std::lock_guard lock(mutex_);
  auto it = owners_.find(db);
  if (it == owners_.end()) return ReleaseStatus::kNotLeased;
  if (it->second != client) return ReleaseStatus::kNotOwner;
  owners_.erase(it);
  store_.db(db).Clear();
  return ReleaseStatus::kReleased;
}

void DbLeases::ReleaseAll(uint64_t client) {
  {
    // Most clients never lease: they must not take every shard lock on their way out.
    std::lock_guard lock(mutex_);
    if (std::none_of(owners_.begin(), owners_.end(),
                     [client](const auto& lease) { return lease.second == client; })) {
      return;
    }
  }
  storage::ShardLocks shards = storage::ShardLocks::All(store_);
  std::lock_guard lock(mutex_);
  std::erase_if(owners_, [&](const auto& lease) {
    if (lease.second != client) return false;
    store_.db(lease.first).Clear();
    return true;
  });
}

void DbLeases::Clear() {
  std::lock_guard lock(mutex_);
  for (const auto& [db, client] : owners_) store_.db(db).Clear();
  owners_.clear();
}

std::vector<std::pair<int, uint64_t>> DbLeases::List() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<int, uint64_t>> out(owners_.begin(), owners_.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace respd::server
