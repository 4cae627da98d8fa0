// MEMORY STATS, DOCTOR, MALLOC-STATS and PURGE with Redis 7.0's replies (object.c), over respd's
// own numbers: respd runs on glibc malloc, so the allocator fields are what Redis built with libc
// reports (allocated = used memory, active = resident = RSS).
#pragma once

#include <cstdint>
#include <vector>

#include "server/dispatch/command.h"

namespace respd::server {

class ServerContext;

struct DbOverhead {
  int id;
  uint64_t main;
  uint64_t expires;
};

// Redis's struct redisMemOverhead (MEMORY STATS, INFO memory), from respd's counters.
struct MemoryOverhead {
  uint64_t peak_allocated = 0;
  uint64_t total_allocated = 0;
  uint64_t startup_allocated = 0;
  uint64_t clients_normal = 0;
  std::vector<DbOverhead> dbs;
  uint64_t overhead_total = 0;
  uint64_t total_keys = 0;
  uint64_t bytes_per_key = 0;
  uint64_t dataset = 0;
  float dataset_perc = 0;
  float peak_perc = 0;
  uint64_t rss = 0;
  // What Redis reports with a non-jemalloc allocator: allocated is used memory, active and
  // resident are the RSS.
  uint64_t allocator_allocated = 0;
  uint64_t allocator_active = 0;
  uint64_t allocator_resident = 0;
};

MemoryOverhead MeasureMemory(ServerContext& server);

// The highest used memory seen so far, `used` included (INFO used_memory_peak, MEMORY STATS).
uint64_t PeakMemory(uint64_t used);

void CmdMemoryStats(CommandContext& ctx);
void CmdMemoryDoctor(CommandContext& ctx);
void CmdMemoryMallocStats(CommandContext& ctx);
void CmdMemoryPurge(CommandContext& ctx);

}  // namespace respd::server
