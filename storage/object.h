// Value types and the base of every non-string value (list, hash, set, sorted set, stream). Strings
// live inline in their key's entry; the other types are objects the entry points to.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace respd::storage {

enum class ValueType : uint8_t { kString = 0, kList, kHash, kSet, kZSet, kStream };

// The shape of a chained hash table (DEBUG HTSTATS-KEY): its bucket count, its elements, and how
// many buckets hold chains of each length (the last count takes every longer chain too).
struct HashTableStats {
  static constexpr size_t kLengthsCounted = 50;  // Redis's DICT_STATS_VECTLEN
  size_t buckets = 0;
  size_t elements = 0;
  size_t max_chain = 0;
  std::vector<size_t> buckets_by_length = std::vector<size_t>(kLengthsCounted);
};

// The name TYPE replies ("string", "list", ...).
std::string_view TypeName(ValueType type);

class Object {
 public:
  virtual ~Object() = default;
  virtual ValueType type() const = 0;
  // OBJECT ENCODING's answer ("listpack", "quicklist", "hashtable", "intset", "skiplist"...).
  virtual std::string_view Encoding() const = 0;
  // Bytes owned by this object, for MEMORY USAGE and memory accounting.
  virtual size_t MemoryUsage() const = 0;
  // A deep copy, for COPY.
  virtual std::unique_ptr<Object> Clone() const = 0;
  // Number of elements; a key whose object becomes empty is deleted by the operation that emptied
  // it.
  virtual size_t Length() const = 0;
  // The hash table behind a "hashtable" or "skiplist" encoding; nullopt for other encodings.
  virtual std::optional<HashTableStats> TableStats() const { return std::nullopt; }

  // What the shard byte counter holds for this object: MemoryUsage() as the database last
  // measured it, when the object was linked or an operation reported a change (Database::Touch).
  size_t accounted_bytes() const { return accounted_bytes_; }
  void set_accounted_bytes(size_t bytes) { accounted_bytes_ = bytes; }

 private:
  size_t accounted_bytes_ = 0;
};

}  // namespace respd::storage
