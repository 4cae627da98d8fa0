// An intrusive chained hash table of members with power-of-two buckets, the "hashtable" encoding of
// sets and the member index of skiplist sorted sets. Nodes are owned by the caller; a node type
// provides `Node* hash_next` and `std::string_view member() const`.
//
// SSCAN/ZSCAN keep the SCAN guarantee the same way KeyTable does (see storage/key_table.h): the
// cursor walks bucket indexes in reversed-bit order and resizing happens all at once between two
// calls, so growing never skips a bucket and shrinking only repeats some.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "storage/hash.h"
#include "storage/key_table.h"

namespace respd::storage {

template <typename Node>
class MemberTable {
 public:
  MemberTable() = default;
  MemberTable(const MemberTable&) = delete;
  MemberTable& operator=(const MemberTable&) = delete;
  MemberTable(MemberTable&&) noexcept = default;
  MemberTable& operator=(MemberTable&&) noexcept = default;

  size_t size() const { return size_; }
  size_t BucketMemory() const { return buckets_.capacity() * sizeof(Node*); }

  Node* Find(std::string_view member) const {
    if (buckets_.empty()) return nullptr;
    for (Node* n = buckets_[IndexOf(member)]; n != nullptr; n = n->hash_next) {
      if (n->member() == member) return n;
    }
    return nullptr;
  }

  // Links `node`, whose member must not be in the table yet.
  void Insert(Node* node) {
    if (size_ >= buckets_.size()) Resize(std::max(kMinBuckets, buckets_.size() * 2));
    Node*& head = buckets_[IndexOf(node->member())];
    node->hash_next = head;
    head = node;
    ++size_;
  }

  // Unlinks the node holding `member` and returns it (nullptr if absent).
  Node* Remove(std::string_view member) {
    if (buckets_.empty()) return nullptr;
    for (Node** link = &buckets_[IndexOf(member)]; *link != nullptr; link = &(*link)->hash_next) {
      Node* n = *link;
      if (n->member() != member) continue;
      *link = n->hash_next;
      --size_;
      if (buckets_.size() > kMinBuckets && size_ * kShrinkFillDivisor < buckets_.size()) {
        Resize(std::max(kMinBuckets, std::bit_ceil(std::max<size_t>(size_, 1))));
      }
      return n;
    }
    return nullptr;
  }

  // Calls fn(node) for every node; fn may free the node it is given but not touch the table.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (Node* head : buckets_) {
      while (head != nullptr) {
        Node* next = head->hash_next;
        fn(head);
        head = next;
      }
    }
  }

  // Drops every link without freeing nodes (the owner frees them first with ForEach).
  void Reset() {
    buckets_.clear();
    buckets_.shrink_to_fit();
    size_ = 0;
  }

  // Calls fn(node) for the nodes of the bucket at `cursor`; returns the next cursor, 0 at the end.
  template <typename Fn>
  uint64_t ScanBucket(uint64_t cursor, Fn&& fn) const {
    if (buckets_.empty()) return 0;
    uint64_t mask = buckets_.size() - 1;
    for (Node* n = buckets_[cursor & mask]; n != nullptr; n = n->hash_next) fn(n);
    return KeyTable::NextCursor(cursor, mask);
  }

  // One SSCAN/HSCAN/ZSCAN call as Redis makes it: buckets from `cursor` until `count` nodes were
  // seen or count*10 buckets were walked (saturating: COUNT may be as large as a long long). Calls
  // fn(node) for each node; returns the next cursor, 0 at the end.
  template <typename Fn>
  uint64_t ScanSteps(uint64_t cursor, size_t count, Fn&& fn) const {
    constexpr size_t kBucketsPerCount = 10;
    size_t budget = count > SIZE_MAX / kBucketsPerCount ? SIZE_MAX : count * kBucketsPerCount;
    size_t seen = 0;
    do {
      cursor = ScanBucket(cursor, [&](const Node* n) {
        fn(n);
        ++seen;
      });
    } while (cursor != 0 && budget-- > 0 && seen < count);
    return cursor;
  }

  // A random node (nullptr when empty): a random non-empty bucket, then a random node of its chain.
  Node* Random(std::mt19937_64& rng) const {
    if (size_ == 0) return nullptr;
    std::uniform_int_distribution<size_t> pick(0, buckets_.size() - 1);
    Node* head;
    do {
      head = buckets_[pick(rng)];
    } while (head == nullptr);
    size_t len = 0;
    for (Node* n = head; n != nullptr; n = n->hash_next) ++len;
    size_t skip = std::uniform_int_distribution<size_t>(0, len - 1)(rng);
    while (skip-- > 0) head = head->hash_next;
    return head;
  }

 private:
  static constexpr size_t kMinBuckets = 4;
  // Shrink when fewer than one member per this many buckets.
  static constexpr size_t kShrinkFillDivisor = 8;

  size_t IndexOf(std::string_view member) const {
    return HashBytes(member) & (buckets_.size() - 1);
  }

  void Resize(size_t new_buckets) {
    std::vector<Node*> old(new_buckets, nullptr);
    old.swap(buckets_);
    for (Node* head : old) {
      while (head != nullptr) {
        Node* next = head->hash_next;
        Node*& slot = buckets_[IndexOf(head->member())];
        head->hash_next = slot;
        slot = head;
        head = next;
      }
    }
  }

  std::vector<Node*> buckets_;
  size_t size_ = 0;
};

}  // namespace respd::storage
