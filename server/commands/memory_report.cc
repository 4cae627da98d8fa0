#include "server/commands/memory_report.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <string>
#include <vector>

#include "server/dispatch/server_context.h"
#include "storage/memory.h"

namespace respd::server {
namespace {

// Redis's per-key overhead model (getMemoryOverheadData): a dictEntry and a robj per key, a
// bucket pointer per slot of a power-of-two table of at least 4 slots.
constexpr uint64_t kDictEntryBytes = 24;
constexpr uint64_t kObjectHeaderBytes = 16;
constexpr uint64_t kSlotBytes = 8;

uint64_t TableSlots(uint64_t entries) {
  return entries == 0 ? 0 : std::max<uint64_t>(4, std::bit_ceil(entries));
}

// Ratios and differences as Redis computes them: floats, and unsigned differences that may wrap.
float Ratio(uint64_t a, uint64_t b) { return static_cast<float>(a) / static_cast<float>(b); }
int64_t Difference(uint64_t a, uint64_t b) { return static_cast<int64_t>(a - b); }

}  // namespace

MemoryOverhead MeasureMemory(ServerContext& server) {
  MemoryOverhead mh;
  uint64_t used = storage::memory::UsedMemory();
  mh.total_allocated = used;
  mh.peak_allocated = PeakMemory(used);
  mh.startup_allocated = std::min(server.startup_memory, used);
  mh.rss = storage::memory::ResidentBytes();
  mh.allocator_allocated = used;
  mh.allocator_active = mh.allocator_resident = mh.rss;
  uint64_t total = mh.startup_allocated;
  for (const auto& handle : server.clients.Snapshot()) {
    ClientState& client = handle->state();
    mh.clients_normal += client.buffers_allocated.load(std::memory_order_relaxed) +
                         client.argv_bytes.load(std::memory_order_relaxed) +
                         client.multi_bytes.load(std::memory_order_relaxed);
  }
  total += mh.clients_normal;
  for (int i = 0; i < server.store.num_databases(); ++i) {
    storage::Database& db = server.store.db(i);
    uint64_t keys = db.Size();
    if (keys == 0) continue;
    uint64_t volatile_keys = db.VolatileCount();
    DbOverhead overhead{
        .id = i,
        .main = keys * (kDictEntryBytes + kObjectHeaderBytes) + TableSlots(keys) * kSlotBytes,
        .expires = volatile_keys * kDictEntryBytes + TableSlots(volatile_keys) * kSlotBytes,
    };
    total += overhead.main + overhead.expires;
    mh.total_keys += keys;
    mh.dbs.push_back(overhead);
  }
  mh.overhead_total = total;
  mh.dataset = used - total;
  mh.peak_perc = static_cast<float>(used) * 100 / static_cast<float>(mh.peak_allocated);
  uint64_t net_usage = used > mh.startup_allocated ? used - mh.startup_allocated : 1;
  mh.dataset_perc = static_cast<float>(mh.dataset) * 100 / static_cast<float>(net_usage);
  mh.bytes_per_key = mh.total_keys == 0 ? 0 : net_usage / mh.total_keys;
  return mh;
}

namespace {

void Field(CommandContext& ctx, std::string_view name, uint64_t value) {
  ctx.reply.Bulk(name);
  ctx.reply.Integer(static_cast<int64_t>(value));
}

void Field(CommandContext& ctx, std::string_view name, float value) {
  ctx.reply.Bulk(name);
  ctx.reply.Double(value);
}

}  // namespace

uint64_t PeakMemory(uint64_t used) {
  static std::atomic<uint64_t> peak{0};
  uint64_t seen = peak.load();
  while (used > seen && !peak.compare_exchange_weak(seen, used)) {
  }
  return std::max(seen, used);
}

// MEMORY STATS: Redis's fields in Redis's order; one "db.<n>" map per database with keys.
void CmdMemoryStats(CommandContext& ctx) {
  MemoryOverhead mh = MeasureMemory(ctx.server);
  ctx.reply.MapHeader(27 + mh.dbs.size());
  Field(ctx, "peak.allocated", mh.peak_allocated);
  Field(ctx, "total.allocated", mh.total_allocated);
  Field(ctx, "startup.allocated", mh.startup_allocated);
  Field(ctx, "replication.backlog", uint64_t{0});
  Field(ctx, "clients.slaves", uint64_t{0});
  Field(ctx, "clients.normal", mh.clients_normal);
  Field(ctx, "cluster.links", uint64_t{0});
  Field(ctx, "aof.buffer", uint64_t{0});
  Field(ctx, "lua.caches", uint64_t{0});
  Field(ctx, "functions.caches", uint64_t{0});
  for (const DbOverhead& db : mh.dbs) {
    ctx.reply.Bulk("db." + std::to_string(db.id));
    ctx.reply.MapHeader(3);
    Field(ctx, "overhead.hashtable.main", db.main);
    Field(ctx, "overhead.hashtable.expires", db.expires);
    Field(ctx, "overhead.hashtable.slot-to-keys", uint64_t{0});
  }
  Field(ctx, "overhead.total", mh.overhead_total);
  Field(ctx, "keys.count", mh.total_keys);
  Field(ctx, "keys.bytes-per-key", mh.bytes_per_key);
  Field(ctx, "dataset.bytes", mh.dataset);
  Field(ctx, "dataset.percentage", mh.dataset_perc);
  Field(ctx, "peak.percentage", mh.peak_perc);
  Field(ctx, "allocator.allocated", mh.allocator_allocated);
  Field(ctx, "allocator.active", mh.allocator_active);
  Field(ctx, "allocator.resident", mh.allocator_resident);
  Field(ctx, "allocator-fragmentation.ratio", Ratio(mh.allocator_active, mh.allocator_allocated));
  ctx.reply.Bulk("allocator-fragmentation.bytes");
  ctx.reply.Integer(Difference(mh.allocator_active, mh.allocator_allocated));
  Field(ctx, "allocator-rss.ratio", Ratio(mh.allocator_resident, mh.allocator_active));
  ctx.reply.Bulk("allocator-rss.bytes");
  ctx.reply.Integer(Difference(mh.allocator_resident, mh.allocator_active));
  Field(ctx, "rss-overhead.ratio", Ratio(mh.rss, mh.allocator_resident));
  ctx.reply.Bulk("rss-overhead.bytes");
  ctx.reply.Integer(Difference(mh.rss, mh.allocator_resident));
  Field(ctx, "fragmentation", Ratio(mh.rss, mh.total_allocated));
  ctx.reply.Bulk("fragmentation.bytes");
  ctx.reply.Integer(Difference(mh.rss, mh.total_allocated));
}

// MEMORY DOCTOR: Redis's getMemoryDoctorReport over the same numbers. Replicas and the script
// cache's size do not apply.
void CmdMemoryDoctor(CommandContext& ctx) {
  constexpr uint64_t kTenMb = 10 << 20;
  MemoryOverhead mh = MeasureMemory(ctx.server);
  bool empty = false, big_peak = false, high_frag = false, high_alloc_frag = false;
  bool high_alloc_rss = false, high_proc_rss = false, big_client_buf = false;
  int reports = 0;
  if (mh.total_allocated < 5 * 1024 * 1024) {
    empty = true;
    ++reports;
  } else {
    auto flag = [&](bool condition, bool* which) {
      if (!condition) return;
      *which = true;
      ++reports;
    };
    flag(Ratio(mh.peak_allocated, mh.total_allocated) > 1.5, &big_peak);
    flag(Ratio(mh.rss, mh.total_allocated) > 1.4 &&
             Difference(mh.rss, mh.total_allocated) > static_cast<int64_t>(kTenMb),
         &high_frag);
    flag(Ratio(mh.allocator_active, mh.allocator_allocated) > 1.1 &&
             Difference(mh.allocator_active, mh.allocator_allocated) > static_cast<int64_t>(kTenMb),
         &high_alloc_frag);
    flag(Ratio(mh.allocator_resident, mh.allocator_active) > 1.1 &&
             Difference(mh.allocator_resident, mh.allocator_active) > static_cast<int64_t>(kTenMb),
         &high_alloc_rss);
    flag(Ratio(mh.rss, mh.allocator_resident) > 1.1 &&
             Difference(mh.rss, mh.allocator_resident) > static_cast<int64_t>(kTenMb),
         &high_proc_rss);
    uint64_t clients = std::max<uint64_t>(1, ctx.server.clients.size());
    flag(mh.clients_normal / clients > 1024 * 200, &big_client_buf);
  }
  std::string s;
  if (reports == 0) {
    s = "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
        "occurs on this base.\n";
  } else if (empty) {
    s = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't "
        "be used in these conditions. Please, leave for your mission on Earth and fill it with "
        "some data. The new Sam and I will be back to our programming as soon as I finished "
        "rebooting.\n";
  } else {
    s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
    if (big_peak) {
      s += " * Peak memory: In the past this instance used more than 150% the memory that is "
           "currently using. The allocator is normally not able to release memory after a peak, "
           "so you can expect to see a big fragmentation ratio, however this is actually harmless "
           "and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) "
           "is currently bigger than expected, the memory will be used as soon as you fill the "
           "Redis instance with more data. If the memory peak was only occasional and you want to "
           "try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other "
           "option is to shutdown and restart the instance.\n\n";
    }
    if (high_frag) {
      s += " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
           "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
           "than the sum of the logical allocations Redis performed). This problem is usually due "
           "either to a large peak memory (check if there is a peak memory entry above in the "
           "report) or may result from a workload that causes the allocator to fragment memory a "
           "lot. If the problem is a large peak memory, then there is no issue. Otherwise, make "
           "sure you are using the Jemalloc allocator and not the default libc malloc. Note: The "
           "currently used allocator is \"libc\".\n\n";
    }
    if (high_alloc_frag) {
      s += " * High allocator fragmentation: This instance has an allocator external "
           "fragmentation greater than 1.1. This problem is usually due either to a large peak "
           "memory (check if there is a peak memory entry above in the report) or may result "
           "from a workload that causes the allocator to fragment memory a lot. You can try "
           "enabling 'activedefrag' config option.\n\n";
    }
    if (high_alloc_rss) {
      s += " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
           "than 1.1 (this means that the Resident Set Size of the allocator is much larger than "
           "the sum what the allocator actually holds). This problem is usually due to a large "
           "peak memory (check if there is a peak memory entry above in the report), you can try "
           "the MEMORY PURGE command to reclaim it.\n\n";
    }
    if (high_proc_rss) {
      s += " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
           "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
           "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
           "Modules.\n\n";
    }
    if (big_client_buf) {
      s += " * Big client buffers: The clients output buffers in this instance are greater than "
           "200K per client (on average). This may result from different causes, like Pub/Sub "
           "clients subscribed to channels bot not receiving data fast enough, so that data piles "
           "on the Redis instance output buffer, or clients sending commands with large replies "
           "or very large sequences of commands in the same pipeline. Please use the CLIENT LIST "
           "command in order to investigate the issue if it causes problems in your instance, or "
           "to understand better why certain clients are using a big amount of memory.\n\n";
    }
    s += "I'm here to keep you safe, Sam. I want to help you.\n";
  }
  ctx.reply.Verbatim("txt", s);
}

// Redis built without jemalloc has no allocator report to give.
void CmdMemoryMallocStats(CommandContext& ctx) {
  ctx.reply.Bulk("Stats not supported for the current allocator");
}

// glibc's counterpart of jemalloc's purge: give free heap pages back to the system.
void CmdMemoryPurge(CommandContext& ctx) {
  malloc_trim(0);
  ctx.reply.Ok();
}

}  // namespace respd::server
