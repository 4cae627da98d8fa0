// The set value: Redis 7.0's "intset" form (a sorted array of 64-bit integers, for sets of
// canonical integers up to set-max-intset-entries) and "hashtable" form (MemberTable of member
// nodes), converting where Redis converts. The threshold is a parameter: storage never reads
// server configuration. Knows nothing of RESP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "storage/numbers.h"
#include "storage/object.h"
#include "storage/set_hash_table.h"

namespace respd::storage {

class Set final : public Object {
 public:
  // An empty set in the form Redis creates for its first member: intset if `first_member` is a
  // canonical integer, hashtable otherwise.
  static std::unique_ptr<Set> New(std::string_view first_member);
  // An empty intset, as SINTERSTORE/SUNIONSTORE/SDIFFSTORE start their destination.
  static std::unique_ptr<Set> NewIntset();
  ~Set() override;

  ValueType type() const override { return ValueType::kSet; }
  std::string_view Encoding() const override { return is_intset_ ? "intset" : "hashtable"; }
  std::optional<HashTableStats> TableStats() const override {
    if (is_intset_) return std::nullopt;
    return table_.Stats();
  }
  size_t MemoryUsage() const override;
  std::unique_ptr<Object> Clone() const override;
  size_t Length() const override { return is_intset_ ? ints_.size() : table_.size(); }

  // Adds `member`; false if it was there. Converts to hashtable for a non-integer member or when
  // the intset would pass `max_intset_entries`.
  bool Add(std::string_view member, size_t max_intset_entries);
  bool Remove(std::string_view member);
  // Takes the intset form when every member is a canonical integer and there are at most
  // `max_intset_entries`: the form of a set built anew from these members, as Redis builds what
  // stays after an SPOP that takes nearly everything.
  void ReencodeAsBuilt(size_t max_intset_entries);
  bool Contains(std::string_view member) const;

  // Calls fn(member) for every member (intset in ascending order). fn must not modify the set.
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // A uniformly random member; the set must not be empty.
  std::string Random(std::mt19937_64& rng) const;
  // One SSCAN step: calls fn(member), returns the next cursor (intset: everything, cursor 0).
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const;

 private:
  struct Node {
    Node* hash_next;
    uint32_t len;
    std::string_view member() const { return {reinterpret_cast<const char*>(this + 1), len}; }
  };

  Set() = default;
  void ConvertToHashtable();
  void InsertNode(std::string_view member);
  static void FreeNode(Node* node);

  bool is_intset_ = true;
  std::vector<int64_t> ints_;  // intset form, ascending
  MemberTable<Node> table_;    // hashtable form
  size_t node_bytes_ = 0;
};

template <typename Fn>
void Set::ForEach(Fn&& fn) const {
  if (is_intset_) {
    char buf[24];
    for (int64_t v : ints_) fn(std::string_view(buf, FormatInt64(v, buf)));
    return;
  }
  table_.ForEach([&](const Node* n) { fn(n->member()); });
}

template <typename Fn>
uint64_t Set::Scan(uint64_t cursor, size_t count, Fn&& fn) const {
  if (is_intset_) {
    ForEach(fn);
    return 0;
  }
  return table_.ScanSteps(cursor, count, [&](const Node* n) { fn(n->member()); });
}

}  // namespace respd::storage
