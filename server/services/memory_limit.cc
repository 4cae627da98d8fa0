#include "server/services/memory_limit.h"

#include "storage/memory.h"

namespace respd::server {

void MemoryLimit::Refresh() {
  std::lock_guard lock(mutex_);
  uint64_t limit = maxmemory_.unsigned_number();
  bool applies = limit != 0 && policy_.text() == "noeviction";
  // Redis's getMaxmemoryState, with nothing not counted for eviction (no replicas, no AOF).
  exceeded_.store(applies && storage::memory::UsedMemory() > limit, std::memory_order_relaxed);
}

}  // namespace respd::server
