// The hash value: Redis 7.0's "listpack" form (field and value side by side in one ListPack, in
// insertion order) while it has at most hash-max-listpack-entries fields and every field and value
// is at most hash-max-listpack-value bytes, then "hashtable" (a MemberTable of field nodes) for
// good, as Redis never converts back. The limits are parameters: storage never reads server
// configuration. Knows nothing of RESP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string_view>

#include "storage/list_pack.h"
#include "storage/object.h"
#include "storage/set_hash_table.h"

namespace respd::storage {

struct HashLimits {
  size_t max_listpack_entries = 512;
  size_t max_listpack_value = 64;
};

class Hash final : public Object {
 public:
  Hash() = default;
  Hash(const Hash&) = delete;
  Hash& operator=(const Hash&) = delete;
  ~Hash() override;

  ValueType type() const override { return ValueType::kHash; }
  std::string_view Encoding() const override { return listpack_ ? "listpack" : "hashtable"; }
  std::optional<HashTableStats> TableStats() const override {
    if (listpack_) return std::nullopt;
    return table_.Stats();
  }
  size_t MemoryUsage() const override;
  std::unique_ptr<Object> Clone() const override;
  size_t Length() const override { return listpack_ ? pack_.size() / 2 : table_.size(); }

  std::optional<std::string_view> Get(std::string_view field) const;
  // Sets a field; true if it is new.
  bool Set(std::string_view field, std::string_view value, const HashLimits& limits);
  bool Delete(std::string_view field);

  // Calls fn(field, value) for every field (listpack: insertion order). fn must not modify the
  // hash.
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // One HSCAN step: calls fn(field, value) and returns the next cursor. A listpack hash returns
  // everything at once with cursor 0, as Redis does.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const;
  // A uniformly random field and its value; the hash must not be empty.
  std::pair<std::string_view, std::string_view> Random(std::mt19937_64& rng) const;

 private:
  struct Node {
    Node* hash_next;
    uint32_t field_len;
    uint32_t value_len;
    const char* data() const { return reinterpret_cast<const char*>(this + 1); }
    std::string_view member() const { return {data(), field_len}; }
    std::string_view value() const { return {data() + field_len, value_len}; }
  };

  // Position of `field` in the listpack (End() if absent).
  size_t FindInPack(std::string_view field) const;
  void ConvertToHashtable();
  void InsertNode(std::string_view field, std::string_view value);
  void FreeNode(Node* node);

  bool listpack_ = true;
  ListPack pack_;
  MemberTable<Node> table_;
  size_t node_bytes_ = 0;
};

template <typename Fn>
void Hash::ForEach(Fn&& fn) const {
  if (listpack_) {
    for (size_t pos = pack_.Begin(); pos < pack_.End();) {
      size_t value_pos = pack_.Next(pos);
      fn(pack_.Get(pos), pack_.Get(value_pos));
      pos = pack_.Next(value_pos);
    }
    return;
  }
  table_.ForEach([&](const Node* n) { fn(n->member(), n->value()); });
}

template <typename Fn>
uint64_t Hash::Scan(uint64_t cursor, size_t count, Fn&& fn) const {
  if (listpack_) {
    ForEach(fn);
    return 0;
  }
  return table_.ScanSteps(cursor, count, [&](const Node* n) { fn(n->member(), n->value()); });
}

}  // namespace respd::storage
