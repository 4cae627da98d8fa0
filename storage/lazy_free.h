// Lazy freeing, as Redis 7.0's lazyfree.c: a value whose freeing would take many deallocations is
// handed to a background thread instead of being freed by the command that deleted it (UNLINK, the
// lazyfree-lazy-* options), and so are whole databases (FLUSHALL/FLUSHDB ASYNC). INFO's
// lazyfree_pending_objects and lazyfreed_objects count what was handed over.
//
// Why this is safe: a value reaches the freer only after it was unlinked under its shard lock, so
// no other thread can reach it, and values (the Objects of storage/object.h) own only memory from
// malloc, which any thread may free. Key entries come from the per-thread slabs of
// storage/memory.h: a deleted key's entry is freed by the deleting thread and only its value is
// handed over; a database handed over whole has its entries freed on the freer's thread, which
// returns those blocks to the other threads afterwards (memory::ReturnThreadBlocks). The shard byte
// counters forget a value when it is unlinked; INFO's used_memory drops once the thread has freed
// it. Must not depend on the server or the protocol.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/key_table.h"
#include "storage/object.h"

namespace respd::storage {

// Redis's LAZYFREE_THRESHOLD: a value whose free effort is at most this is freed at once, where
// handing it over would cost more than freeing it.
inline constexpr size_t kLazyFreeThreshold = 64;

// Redis's lazyfreeGetFreeEffort: a number proportional to the allocations freeing `value` takes.
// Lists count their quicklist nodes, sets, hashes and sorted sets in a hash table or skiplist
// their elements, streams their radix tree's nodes plus, per consumer group, one and the first
// group's pending entries; compact encodings (intset, listpack) are one allocation. A stream with
// more nodes than kLazyFreeThreshold counts its nodes instead of its tree's (it is past the
// threshold either way, and counting the tree walks it).
size_t FreeEffort(const Object& value);

class LazyFreer {
 public:
  LazyFreer() = default;
  LazyFreer(const LazyFreer&) = delete;
  LazyFreer& operator=(const LazyFreer&) = delete;
  // Frees whatever is still queued, then stops the thread.
  ~LazyFreer();

  // Redis's freeObjAsync: frees `value` here when its FreeEffort is at most kLazyFreeThreshold,
  // else hands it to the thread (one pending object).
  void Free(std::unique_ptr<Object> value);
  // Redis's emptyDbAsync: hands key tables to the thread whole, counting each of their `keys`
  // keys as a pending object. The tables must have no footprint counter (KeyTable::Extract).
  void FreeTables(std::vector<std::unique_ptr<KeyTable>> tables, size_t keys);

  // INFO's lazyfree_pending_objects: handed over and not freed yet.
  uint64_t pending() const { return pending_.load(std::memory_order_relaxed); }
  // INFO's lazyfreed_objects: freed by the thread since start or the last ResetStats.
  uint64_t freed() const { return freed_.load(std::memory_order_relaxed); }
  // CONFIG RESETSTAT.
  void ResetStats() { freed_.store(0, std::memory_order_relaxed); }
  // Returns once everything handed over so far is freed.
  void WaitIdle();

 private:
  struct Job {
    std::unique_ptr<Object> value;
    std::vector<std::unique_ptr<KeyTable>> tables;
    size_t objects = 0;
  };
  void Enqueue(Job job);
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  // Started by the first job: a store that never frees lazily (most tests) has no thread.
  std::thread thread_;
  std::atomic<uint64_t> pending_{0};
  std::atomic<uint64_t> freed_{0};
};

}  // namespace respd::storage
