// Chained hash table for the keyspace; see key_table.h for the SCAN argument.
#include "storage/key_table.h"

#include <bit>
#include <utility>

#include "storage/hash.h"

namespace respd::storage {
namespace {

constexpr size_t kInitialBuckets = 4;
// Redis shrinks a dict when under 10% full; a quarter of that keeps growth and shrinking apart.
constexpr size_t kShrinkFillDivisor = 8;

}  // namespace

KeyTable::~KeyTable() { Clear(); }

Entry* KeyTable::Find(std::string_view key, uint64_t hash) const {
  if (size_ == 0) return nullptr;
  for (Entry* e = buckets_[IndexOf(hash)]; e != nullptr; e = e->next()) {
    if (e->key() == key) return e;
  }
  return nullptr;
}

void KeyTable::Insert(Entry* entry, uint64_t hash) {
  if (buckets_.empty()) {
    SwapBuckets(std::vector<Entry*>(kInitialBuckets, nullptr));
  } else if (size_ >= buckets_.size()) {
    Resize(buckets_.size() * 2);
  }
  Entry*& head = buckets_[IndexOf(hash)];
  entry->set_next(head);
  head = entry;
  ++size_;
  chain_bound_ = std::max(chain_bound_, ChainLength(head, NextOf));
}

Entry* KeyTable::Remove(std::string_view key, uint64_t hash) {
  if (size_ == 0) return nullptr;
  Entry** link = &buckets_[IndexOf(hash)];
  while (*link != nullptr) {
    Entry* e = *link;
    if (e->key() == key) {
      *link = e->next();
      e->set_next(nullptr);
      --size_;
      if (buckets_.size() > kInitialBuckets && size_ * kShrinkFillDivisor < buckets_.size()) {
        Resize(std::max(kInitialBuckets, std::bit_ceil(std::max<size_t>(size_, 1))));
      }
      return e;
    }
    link = &e->next_link();
  }
  return nullptr;
}

void KeyTable::Replace(Entry* old, Entry* replacement, uint64_t hash) {
  Entry** link = &buckets_[IndexOf(hash)];
  while (*link != old) link = &(*link)->next_link();
  replacement->set_next(old->next());
  *link = replacement;
}

void KeyTable::Clear() {
  for (Entry* head : buckets_) {
    while (head != nullptr) {
      Entry* next = head->next();
      Entry::Free(head);
      head = next;
    }
  }
  SwapBuckets({});
  size_ = 0;
  chain_bound_ = 0;
}

std::unique_ptr<KeyTable> KeyTable::Extract() {
  auto extracted = std::make_unique<KeyTable>();
  extracted->buckets_ = SwapBuckets({});
  extracted->size_ = std::exchange(size_, 0);
  extracted->chain_bound_ = std::exchange(chain_bound_, 0);
  return extracted;
}

void KeyTable::Resize(size_t new_buckets) {
  std::vector<Entry*> old = SwapBuckets(std::vector<Entry*>(new_buckets, nullptr));
  for (Entry* head : old) {
    while (head != nullptr) {
      Entry* next = head->next();
      Entry*& slot = buckets_[IndexOf(HashBytes(head->key()))];
      head->set_next(slot);
      slot = head;
      head = next;
    }
  }
  chain_bound_ = 0;
  for (Entry* head : buckets_) chain_bound_ = std::max(chain_bound_, ChainLength(head, NextOf));
}

std::vector<Entry*> KeyTable::SwapBuckets(std::vector<Entry*> buckets) {
  buckets.swap(buckets_);
  if (footprint_ != nullptr) {
    int64_t delta = static_cast<int64_t>(BucketMemory()) -
                    static_cast<int64_t>(buckets.capacity() * sizeof(Entry*));
    footprint_->store(footprint_->load(std::memory_order_relaxed) + delta,
                      std::memory_order_relaxed);
  }
  return buckets;
}

namespace {

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

uint64_t KeyTable::NextCursor(uint64_t cursor, uint64_t mask) {
  // Set the unmasked bits so the increment of the reversed cursor carries into the masked ones.
  cursor |= ~mask;
  cursor = ReverseBits(cursor);
  ++cursor;
  return ReverseBits(cursor);
}

}  // namespace respd::storage
