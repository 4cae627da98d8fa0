// Leased databases (RESPD DB LEASE/RELEASE): parallel test workers sharing one server each get a
// database of their own, reserved until they release it or disconnect, and flushed on release so
// the next worker starts empty. Knows only the store; the shard locks are the caller's.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/database.h"

namespace respd::server {

class DbLeases {
 public:
  explicit DbLeases(storage::Store& store) : store_(store) {}

  // Reserves for `client` the lowest-numbered database that is empty and unleased, never 0 (every
  // client starts there). -1 when there is none. Call with every shard locked, so "empty" holds.
  int Lease(uint64_t client);

  enum class ReleaseStatus { kReleased, kNotLeased, kNotOwner };
  // Ends `client`'s lease of `db` and flushes it. Call with every shard locked.
  ReleaseStatus Release(int db, uint64_t client);
  // Ends every lease `client` holds (it disconnected), flushing them. Takes the shard locks.
  void ReleaseAll(uint64_t client);
  // Ends every lease and flushes the leased databases (RESPD RESET). Call with every shard locked.
  void Clear();

  // (database, client) of every lease, by database.
  std::vector<std::pair<int, uint64_t>> List() const;

 private:
  storage::Store& store_;
  mutable std::mutex mutex_;
  std::unordered_map<int, uint64_t> owners_;
};

}  // namespace respd::server
