// A chained hash table of Entry* with power-of-two buckets, the home of one shard's keys.
//
// SCAN guarantee (as Redis's dictScan): the cursor walks bucket indexes with the bits reversed,
// i.e. it increments the high bits first. When the table doubles, bucket i splits into i and
// i+size, which the reversed-bit order visits right after each other, so buckets already visited
// stay visited; when it halves, buckets i and i+size/2 merge into i, which has at most been half
// visited, so some keys may come twice but none is missed. Resizing happens all at once (no
// incremental rehash) between two calls, which keeps that argument simple: within one call the
// table has one size.
#pragma once

#include <cstddef>
#include <cstdint>
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
  void Swap(KeyTable& other) {
    buckets_.swap(other.buckets_);
    std::swap(size_, other.size_);
  }

  size_t size() const { return size_; }
  size_t bucket_count() const { return buckets_.size(); }
  size_t BucketMemory() const { return buckets_.capacity() * sizeof(Entry*); }
  Entry* bucket(size_t i) const { return buckets_[i]; }

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

 private:
  void Resize(size_t new_buckets);
  size_t IndexOf(uint64_t hash) const { return hash & (buckets_.size() - 1); }

  std::vector<Entry*> buckets_;
  size_t size_ = 0;
};

}  // namespace respd::storage
