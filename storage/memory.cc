// Process memory measures, the per-key charge of the shard byte counter, and size-class slabs for
// keyspace entries.
#include "storage/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "storage/entry.h"

#if defined(__SANITIZE_ADDRESS__)
// From the sanitizer runtime; GCC ships no header declaring it.
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace respd::storage::memory {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPooling = false;
#else
constexpr bool kPooling = true;
#endif

constexpr size_t kGranularity = 8;
constexpr size_t kClasses = kMaxPooledBytes / kGranularity;
// Small enough that a thread which allocates a few entries and exits strands little.
constexpr size_t kSlabBytes = 64 * 1024;

struct FreeBlock {
  FreeBlock* next;
};

size_t ClassOf(size_t size) { return (std::max<size_t>(size, 1) + kGranularity - 1) / kGranularity - 1; }
size_t ClassBytes(size_t size_class) { return (size_class + 1) * kGranularity; }
bool Pooled(size_t size) { return kPooling && size <= kMaxPooledBytes; }

struct Pool {
  FreeBlock* free[kClasses] = {};
  char* cursor = nullptr;
  char* end = nullptr;
  // Written by the owning thread only, read by INFO on any thread.
  std::atomic<int64_t> idle_bytes{0};

  void AddIdle(int64_t bytes) {
    idle_bytes.store(idle_bytes.load(std::memory_order_relaxed) + bytes,
                     std::memory_order_relaxed);
  }
};

// Every slab and every pool ever made. Neither is freed: a block may hold a live entry in any
// thread's keyspace long after the thread that carved it is gone. The lists also keep the slabs
// reachable, so leak checkers do not report them.
struct Registry {
  std::mutex mutex;
  std::vector<void*> slabs;
  std::vector<Pool*> pools;
};

Registry& TheRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

// Blocks handed on by ReturnThreadBlocks. `count` is written under the mutex and read without it
// first, so that an Allocate with an empty list of its own pays one load when nothing waits here.
struct Returned {
  std::mutex mutex;
  FreeBlock* free[kClasses] = {};
  std::atomic<size_t> count[kClasses] = {};
  std::atomic<int64_t> idle_bytes{0};
};

Returned& TheReturned() {
  static Returned* returned = new Returned();
  return *returned;
}

// Moves the returned blocks of a class, if any, to `pool`'s empty list; false when there were none.
bool TakeReturned(Pool& pool, size_t size_class) {
  Returned& returned = TheReturned();
  if (returned.count[size_class].load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard lock(returned.mutex);
  size_t count = returned.count[size_class].load(std::memory_order_relaxed);
  if (count == 0) return false;
  pool.free[size_class] = std::exchange(returned.free[size_class], nullptr);
  returned.count[size_class].store(0, std::memory_order_relaxed);
  auto bytes = static_cast<int64_t>(count * ClassBytes(size_class));
  returned.idle_bytes.fetch_sub(bytes, std::memory_order_relaxed);
  pool.AddIdle(bytes);
  return true;
}

// A pointer, not a thread_local Pool: it stays valid during static destruction at exit, when
// the main thread may still free entries.
thread_local Pool* this_thread_pool = nullptr;

Pool& ThisThreadPool() {
  if (this_thread_pool == nullptr) {
    auto* pool = new Pool();
    Registry& registry = TheRegistry();
    std::lock_guard lock(registry.mutex);
    registry.pools.push_back(pool);
    this_thread_pool = pool;
  }
  return *this_thread_pool;
}

void* MallocOrThrow(size_t size) {
  void* block = std::malloc(size);
  if (block == nullptr) throw std::bad_alloc();
  return block;
}

void NewSlab(Pool& pool) {
  // The old slab's tail stays counted as idle.
  char* slab = static_cast<char*>(MallocOrThrow(kSlabBytes));
  {
    Registry& registry = TheRegistry();
    std::lock_guard lock(registry.mutex);
    registry.slabs.push_back(slab);
  }
  pool.cursor = slab;
  pool.end = slab + kSlabBytes;
  pool.AddIdle(kSlabBytes);
}

}  // namespace

void* Allocate(size_t size) {
  if (!Pooled(size)) return MallocOrThrow(size);
  Pool& pool = ThisThreadPool();
  size_t size_class = ClassOf(size);
  size_t bytes = ClassBytes(size_class);
  pool.AddIdle(-static_cast<int64_t>(bytes));
  if (pool.free[size_class] != nullptr || TakeReturned(pool, size_class)) {
    FreeBlock* block = pool.free[size_class];
    pool.free[size_class] = block->next;
    return block;
  }
  if (static_cast<size_t>(pool.end - pool.cursor) < bytes) NewSlab(pool);
  void* block = pool.cursor;
  pool.cursor += bytes;
  return block;
}

void Free(void* block, size_t size) {
  if (!Pooled(size)) {
    std::free(block);
    return;
  }
  Pool& pool = ThisThreadPool();
  size_t size_class = ClassOf(size);
  auto* free_block = static_cast<FreeBlock*>(block);
  free_block->next = pool.free[size_class];
  pool.free[size_class] = free_block;
  pool.AddIdle(static_cast<int64_t>(ClassBytes(size_class)));
}

void* Resize(void* block, size_t old_size, size_t new_size) {
  if (Pooled(old_size) && Pooled(new_size) && ClassOf(old_size) == ClassOf(new_size)) {
    return block;
  }
  if (!Pooled(old_size) && !Pooled(new_size)) {
    void* moved = std::realloc(block, new_size);
    if (moved == nullptr) throw std::bad_alloc();
    return moved;
  }
  void* moved = Allocate(new_size);
  std::memcpy(moved, block, std::min(old_size, new_size));
  Free(block, old_size);
  return moved;
}

size_t BlockBytes(const void* block, size_t size) {
  if (!Pooled(size)) return malloc_usable_size(const_cast<void*>(block));
  return ClassBytes(ClassOf(size));
}

size_t IdleBytes() {
  Registry& registry = TheRegistry();
  std::lock_guard lock(registry.mutex);
  int64_t idle = 0;
  for (const Pool* pool : registry.pools) idle += pool->idle_bytes.load(std::memory_order_relaxed);
  idle += TheReturned().idle_bytes.load(std::memory_order_relaxed);
  return static_cast<size_t>(std::max<int64_t>(idle, 0));
}

void ReturnThreadBlocks() {
  if (this_thread_pool == nullptr) return;
  Pool& pool = *this_thread_pool;
  Returned& returned = TheReturned();
  for (size_t size_class = 0; size_class < kClasses; ++size_class) {
    FreeBlock* head = std::exchange(pool.free[size_class], nullptr);
    if (head == nullptr) continue;
    size_t count = 1;
    FreeBlock* tail = head;
    for (; tail->next != nullptr; tail = tail->next) ++count;
    auto bytes = static_cast<int64_t>(count * ClassBytes(size_class));
    pool.AddIdle(-bytes);
    std::lock_guard lock(returned.mutex);
    tail->next = returned.free[size_class];
    returned.free[size_class] = head;
    returned.count[size_class].store(
        returned.count[size_class].load(std::memory_order_relaxed) + count,
        std::memory_order_relaxed);
    returned.idle_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
}

uint64_t AllocatedBytes() {
#if defined(__SANITIZE_ADDRESS__)
  // ASan's allocator replaces glibc's, whose mallinfo2 then counts nothing.
  return __sanitizer_get_current_allocated_bytes();
#else
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

uint64_t UsedMemory() {
  // Entry slabs are malloc'ed whole; their bytes no entry holds are not in use.
  uint64_t allocated = AllocatedBytes();
  return allocated - std::min<uint64_t>(allocated, IdleBytes());
}

uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

size_t ChargedBytes(const Entry* entry) {
  size_t bytes = entry->BlockBytes();
  if (entry->type() != ValueType::kString) bytes += entry->object()->accounted_bytes();
  return bytes;
}

}  // namespace respd::storage::memory
