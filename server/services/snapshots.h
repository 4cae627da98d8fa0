// Named snapshots of a database (RESPD SNAPSHOT): a test suite saves its fixture once and puts it
// back between tests in one command. A snapshot holds deep copies of the keys (Object::Clone), so
// later writes to either side never show through; expire times are kept as absolute instants, as
// a key's TTL keeps running whatever the test does. Knows only the store; the shard locks are the
// caller's.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/entry.h"

namespace respd::server {

class Snapshots {
 public:
  Snapshots() = default;
  Snapshots(const Snapshots&) = delete;
  Snapshots& operator=(const Snapshots&) = delete;
  ~Snapshots() { Clear(); }

  // Copies every live key of `db` under `name`, replacing a snapshot of that name. Returns the
  // number of keys. Call with every shard locked.
  size_t Save(std::string_view name, storage::Database& db);
  // Makes `db` hold exactly the keys of snapshot `name` (flushing it first); false if there is no
  // such snapshot. Call with every shard locked.
  bool Restore(std::string_view name, storage::Database& db);
  bool Delete(std::string_view name);
  void Clear();

  struct Info {
    std::string name;
    size_t keys;
  };
  std::vector<Info> List() const;

 private:
  using Keys = std::vector<storage::Entry*>;
  static void FreeKeys(Keys& keys);

  mutable std::mutex mutex_;
  std::map<std::string, Keys, std::less<>> snapshots_;
};

}  // namespace respd::server
