// A chained hash table of Entry* with power-of-two buckets, the home of one shard's keys.
//
// SCAN guarantee (as Redis's dictScan): the cursor walks bucket indexes with the bits reversed,
// i.e. it increments the high bits first. When the table doubles, bucket i splits into i and
// i+size, which the reversed-bit order visits right after each other, so buckets already visited
// stay visited; when it halves, buckets i and i+size/2 merge into i, which has at most been half
// visited, so some keys may come twice but none is missed. Resizing happens all at once (no
// incremental rehash) between two calls, which keeps that argument simple: within one call the
// table has one size.
//
// Random picks (RANDOMKEY here, SRANDMEMBER/HRANDFIELD/SPOP in MemberTable) must be uniform over
// entries, not over buckets: choosing a bucket and then a node of its chain favours nodes that sit
// alone in their bucket (SRANDMEMBER -1000 on ten members scored a chi-square of ~150 where 40 is
// the 0.001% line). PickUniform rejects draws instead, so every node has the same chance.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/entry.h"

namespace respd::storage {

class KeyTable {
 public:
  KeyTable() = default;
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;
  ~KeyTable();

  Entry* Find(std::string_view key, uint64_t hash) const;
  // Links `entry`, whose key must not be in the table yet. Grows the table first when full.
  void Insert(Entry* entry, uint64_t hash);
  // Unlinks the entry with `key` and returns it (nullptr if absent). Shrinks the table when sparse.
  Entry* Remove(std::string_view key, uint64_t hash);
  // Puts `replacement` (same key) where `old` is linked; `old` is not freed.
  void Replace(Entry* old, Entry* replacement, uint64_t hash);
  // Frees every entry and returns the table to empty.
  void Clear();
  // Moves every entry to a new table with no footprint counter, for freeing elsewhere (FLUSHALL
  // ASYNC); this one is left empty, its footprint no longer charged with the bucket array.
  std::unique_ptr<KeyTable> Extract();
  // A counter the table adds its bucket array's bytes to as it grows and shrinks (written
  // wherever the table is, so under the same lock).
  void set_footprint(std::atomic<int64_t>* footprint) { footprint_ = footprint; }
  void Swap(KeyTable& other) {
    buckets_.swap(other.buckets_);
    std::swap(size_, other.size_);
    std::swap(chain_bound_, other.chain_bound_);
  }

  size_t size() const { return size_; }
  size_t bucket_count() const { return buckets_.size(); }
  size_t BucketMemory() const { return buckets_.capacity() * sizeof(Entry*); }

  // Calls fn(entry) for every entry of the bucket at `cursor` (fn must not modify the table) and
  // returns the next cursor; 0 when the walk is complete.
  template <typename Fn>
  uint64_t ScanBucket(uint64_t cursor, Fn&& fn) const {
    if (buckets_.empty()) return 0;
    uint64_t mask = buckets_.size() - 1;
    for (Entry* e = buckets_[cursor & mask]; e != nullptr; e = e->next()) fn(e);
    return NextCursor(cursor, mask);
  }

  static uint64_t NextCursor(uint64_t cursor, uint64_t mask);

  // Calls fn(entry) for the entries of consecutive buckets from `start` (any number: it wraps) on,
  // round the end, at most `max_buckets` buckets and never more than the table has, until fn
  // returns false.
  template <typename Fn>
  void WalkFrom(uint64_t start, size_t max_buckets, Fn&& fn) const {
    size_t walk = std::min(max_buckets, buckets_.size());
    uint64_t mask = buckets_.size() - 1;
    for (size_t i = 0; i < walk; ++i) {
      for (Entry* e = buckets_[(start + i) & mask]; e != nullptr; e = e->next()) {
        if (!fn(e)) return;
      }
    }
  }

  // Cache hints for lookups to come, in steps so that a batch overlaps its misses: first every
  // key's bucket slot, then (the slots cached by then) the first entry of each chain, whose key
  // and short value span two lines. Always inlined: GCC finds a function that only prefetches free
  // of side effects and drops the calls to it.
  [[gnu::always_inline]] void PrefetchBucket(uint64_t hash) const {
    if (!buckets_.empty()) __builtin_prefetch(buckets_.data() + IndexOf(hash));
  }
  [[gnu::always_inline]] void PrefetchChainHead(uint64_t hash) const {
    if (buckets_.empty()) return;
    PrefetchEntry(buckets_[IndexOf(hash)]);
  }
  // A third step, once the heads are cached: the entry after the head, where a third of lookups
  // (chains are 0.5-1 entries long on average) find their key.
  [[gnu::always_inline]] void PrefetchChainSecond(uint64_t hash) const {
    if (buckets_.empty()) return;
    const Entry* head = buckets_[IndexOf(hash)];
    if (head != nullptr) PrefetchEntry(head->next());
  }

  // A uniformly random entry, or nullptr when the table is empty.
  Entry* Random(std::mt19937_64& rng) const {
    if (size_ == 0) return nullptr;
    return PickUniform(buckets_.size(), chain_bound_, rng, [this](size_t bucket, size_t position) {
      Entry* e = buckets_[bucket];
      for (; e != nullptr && position > 0; --position) e = e->next();
      return e;
    });
  }

  // A uniformly random node of a chained table with at least one node. `bucket_count` is a power
  // of two, `chain_bound` at least the length of the longest chain, and node_at(bucket, position)
  // returns the node at that position of that bucket's chain or nullptr. Each attempt draws a
  // bucket and a position below chain_bound rounded up to a power of two, and keeps it when a node
  // sits there: every node is hit with the same chance, and the expected number of attempts is at
  // most 2 * bucket_count * chain_bound / size. One 64-bit draw serves both (bucket from the low
  // bits, position from the high ones); positions past chain_bound miss without a memory access.
  template <typename NodeAt>
  static auto PickUniform(size_t bucket_count, size_t chain_bound, std::mt19937_64& rng,
                          NodeAt node_at) -> decltype(node_at(size_t{}, size_t{})) {
    uint64_t bucket_mask = bucket_count - 1;
    uint64_t position_mask = std::bit_ceil(chain_bound) - 1;
    bool one_draw = bucket_mask <= UINT32_MAX && position_mask <= UINT32_MAX;
    for (;;) {
      uint64_t low = rng();
      uint64_t position = (one_draw ? low >> 32 : rng()) & position_mask;
      if (position >= chain_bound) continue;
      if (auto* node = node_at(low & bucket_mask, position)) return node;
    }
  }

  template <typename Node, typename NextFn>
  static size_t ChainLength(Node* head, NextFn next) {
    size_t length = 0;
    for (; head != nullptr; head = next(head)) ++length;
    return length;
  }

 private:
  static Entry* NextOf(const Entry* e) { return e->next(); }
  [[gnu::always_inline]] static void PrefetchEntry(const Entry* e) {
    if (e == nullptr) return;
    __builtin_prefetch(e);
    __builtin_prefetch(reinterpret_cast<const char*>(e) + 64);
  }
  void Resize(size_t new_buckets);
  // Makes `buckets` (empty ones, or none) the bucket array and charges the footprint with the
  // difference; returns the array it replaced.
  std::vector<Entry*> SwapBuckets(std::vector<Entry*> buckets);
  size_t IndexOf(uint64_t hash) const { return hash & (buckets_.size() - 1); }

  std::vector<Entry*> buckets_;
  size_t size_ = 0;
  // At least the longest chain (see PickUniform): raised by Insert, recomputed by Resize, left
  // high by Remove, which only costs Random a few more draws.
  size_t chain_bound_ = 0;
  std::atomic<int64_t>* footprint_ = nullptr;
};

}  // namespace respd::storage
