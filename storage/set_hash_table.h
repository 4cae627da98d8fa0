// An intrusive chained hash table of members with power-of-two buckets, the "hashtable" encoding of
// sets and the member index of skiplist sorted sets. Nodes are owned by the caller; a node type
// provides `Node* hash_next` and `std::string_view member() const`.
//
// SSCAN/ZSCAN keep the SCAN guarantee the same way KeyTable does (see storage/key_table.h): the
// cursor walks bucket indexes in reversed-bit order and resizing happens all at once between two
// calls, so growing never skips a bucket and shrinking only repeats some.
//
// Random gives every member the same chance (KeyTable::PickUniform's rejection draws). SRANDMEMBER
// -N and SPOP N make many draws, most of them rejected, so each bucket's chain length is kept in
// one byte beside it: a rejected draw reads that byte instead of walking the chain.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "storage/hash.h"
#include "storage/key_table.h"
#include "storage/object.h"

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

  HashTableStats Stats() const {
    HashTableStats stats{.buckets = buckets_.size(), .elements = size_};
    for (size_t i = 0; i < buckets_.size(); ++i) {
      size_t length = ChainLength(i);
      stats.max_chain = std::max(stats.max_chain, length);
      ++stats.buckets_by_length[std::min(length, HashTableStats::kLengthsCounted - 1)];
    }
    return stats;
  }
  size_t BucketMemory() const { return buckets_.capacity() * (sizeof(Node*) + sizeof(uint8_t)); }

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
    size_t index = IndexOf(node->member());
    node->hash_next = buckets_[index];
    buckets_[index] = node;
    ++size_;
    if (lengths_[index] < kLengthSaturated) ++lengths_[index];
    chain_bound_ = std::max(chain_bound_, ChainLength(index));
  }

  // Unlinks the node holding `member` and returns it (nullptr if absent).
  Node* Remove(std::string_view member) {
    if (buckets_.empty()) return nullptr;
    size_t index = IndexOf(member);
    for (Node** link = &buckets_[index]; *link != nullptr; link = &(*link)->hash_next) {
      Node* n = *link;
      if (n->member() != member) continue;
      *link = n->hash_next;
      --size_;
      if (lengths_[index] < kLengthSaturated) {
        --lengths_[index];
      } else {
        lengths_[index] = SaturatedLength(KeyTable::ChainLength(buckets_[index], NextOf));
      }
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
    lengths_.reset();
    size_ = 0;
    chain_bound_ = 0;
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

  // A uniformly random node (nullptr when empty).
  Node* Random(std::mt19937_64& rng) const {
    if (size_ == 0) return nullptr;
    return KeyTable::PickUniform(
        buckets_.size(), chain_bound_, rng, [this](size_t bucket, size_t position) -> Node* {
          if (position >= lengths_[bucket] && lengths_[bucket] < kLengthSaturated) return nullptr;
          Node* n = buckets_[bucket];
          for (; n != nullptr && position > 0; --position) n = n->hash_next;
          return n;
        });
  }

 private:
  static constexpr size_t kMinBuckets = 4;
  // Shrink when fewer than one member per this many buckets.
  static constexpr size_t kShrinkFillDivisor = 8;
  // A chain length byte at this value means "this or longer": walk the chain for the truth.
  static constexpr uint8_t kLengthSaturated = UINT8_MAX;

  static Node* NextOf(const Node* n) { return n->hash_next; }
  static uint8_t SaturatedLength(size_t length) {
    return static_cast<uint8_t>(std::min<size_t>(length, kLengthSaturated));
  }
  size_t ChainLength(size_t index) const {
    return lengths_[index] < kLengthSaturated ? lengths_[index]
                                              : KeyTable::ChainLength(buckets_[index], NextOf);
  }

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
    lengths_ = std::make_unique<uint8_t[]>(new_buckets);
    chain_bound_ = 0;
    for (size_t i = 0; i < new_buckets; ++i) {
      size_t length = KeyTable::ChainLength(buckets_[i], NextOf);
      lengths_[i] = SaturatedLength(length);
      chain_bound_ = std::max(chain_bound_, length);
    }
  }

  std::vector<Node*> buckets_;
  std::unique_ptr<uint8_t[]> lengths_;  // chain length of each bucket, saturating
  size_t size_ = 0;
  size_t chain_bound_ = 0;  // at least the longest chain: Remove leaves it high
};

}  // namespace respd::storage
