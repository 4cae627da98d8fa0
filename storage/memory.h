// Memory accounting and the memory of keyspace entries. Three measures live here: the process's
// bytes in use (INFO's used_memory: the allocator's count less idle slab bytes), its resident set,
// and the slab allocator for entries. The per-shard byte counter that Database keeps (and the
// store's footprint, which maxmemory's estimate follows) charges each key with ChargedBytes().
//
// Entries: size classes 8 bytes apart, carved from slabs, with a free list per class and per
// thread. glibc's malloc rounds a chunk to 16 bytes and adds an 8-byte header, so
// the typical 72-byte entry (16-byte key, 32-byte value) cost 80 bytes; here it costs 72, which
// is what DESIGN §9's memory goal needs. A block freed on another thread than the one that made
// it joins the freeing thread's lists (memory is memory); a thread that frees entries but makes
// none (the lazy-free thread) hands its lists on to the threads that allocate
// (ReturnThreadBlocks). Slabs are never given back, as with any slab allocator, and INFO's
// used_memory leaves their idle bytes out. Entries above
// kMaxPooledBytes (long values) and sanitizer builds (so ASan still sees every entry) use malloc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace respd::storage {
class Entry;
}

namespace respd::storage::memory {

inline constexpr size_t kMaxPooledBytes = 256;

// Never null (std::bad_alloc instead).
void* Allocate(size_t size);
// `size` is the size the block was allocated (or last resized) with.
void Free(void* block, size_t size);
// Grows or shrinks a block; keeps the first min(old, new) bytes. May move it.
void* Resize(void* block, size_t old_size, size_t new_size);
// The bytes a block of `size` really takes (MEMORY USAGE).
size_t BlockBytes(const void* block, size_t size);
// Slab bytes not held by any entry, summed over every thread.
size_t IdleBytes();
// Hands the blocks this thread freed to the other threads: Allocate takes them when its own list
// of their size is empty. For a thread that frees entries but never makes any.
void ReturnThreadBlocks();

// Bytes the process's allocator has handed out, whoever holds them.
uint64_t AllocatedBytes();
// INFO's used_memory: allocated bytes less the slab bytes no entry holds.
uint64_t UsedMemory();
// The resident set size of the process.
uint64_t ResidentBytes();

// What a key costs the shard byte counter: its entry's block plus the bytes last measured for
// its object (Object::accounted_bytes), so that unlinking a key takes back exactly what linking
// and later re-measures added.
size_t ChargedBytes(const Entry* entry);

}  // namespace respd::storage::memory
