// The list value, shaped like Redis 7.0's quicklist: a deque of ListPack nodes, each capped by
// list-max-listpack-size (negative: a byte limit of 4 KB * 2^(-fill-1), positive: an entry count),
// so pushes and pops at both ends touch one small node and indexing walks nodes, then entries.
// Redis 7.0 reports every list as "quicklist". The fill is a parameter of each write: storage never
// reads server configuration. Knows nothing of RESP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "storage/list_pack.h"
#include "storage/object.h"

namespace respd::storage {

enum class ListEnd : uint8_t { kHead, kTail };

class List final : public Object {
 public:
  // Redis's list-max-listpack-size default (-2: 8 KB nodes).
  static constexpr int kDefaultFill = -2;

  ValueType type() const override { return ValueType::kList; }
  std::string_view Encoding() const override { return "quicklist"; }
  size_t MemoryUsage() const override;
  std::unique_ptr<Object> Clone() const override;
  size_t Length() const override { return length_; }

  void Push(ListEnd end, std::string_view value, int fill);
  // Removes and returns the element at `end`; the list must not be empty.
  std::string Pop(ListEnd end);
  // The element at a 0-based index < Length().
  std::string_view At(size_t index) const;
  void Set(size_t index, std::string_view value, int fill);
  // Inserts `value` before or after the first `pivot` from the head; false if there is none.
  bool Insert(std::string_view pivot, std::string_view value, bool after, int fill);
  // LREM: removes up to `limit` (0: all) elements equal to `value`, from the tail when
  // `from_tail`. Returns how many were removed.
  size_t Remove(std::string_view value, size_t limit, bool from_tail);
  // Keeps only the elements [start, stop] (valid indexes, start <= stop).
  void Trim(size_t start, size_t stop);

  // Calls fn(index, element) from index `start` toward the tail (or toward the head when
  // `backward`) while fn returns true. fn must not modify the list.
  template <typename Fn>
  void Walk(size_t start, bool backward, Fn&& fn) const;

  // The node layout, for DEBUG OBJECT's ql_* fields and DUMP, which writes node by node.
  size_t NodeCount() const { return nodes_.size(); }
  const ListPack& NodeAt(size_t node) const { return nodes_[node]; }
  size_t PackedBytes() const;
  // Appends a whole non-empty node at the tail, as RESTORE rebuilds a list node by node (Redis
  // keeps a loaded quicklist's nodes as they were dumped).
  void AppendNode(ListPack node);

 private:
  // Where index `index` lives: node number and byte position in it.
  struct Location {
    size_t node;
    size_t pos;
  };
  Location Locate(size_t index) const;
  bool NodeHasRoom(const ListPack& node, size_t value_len, int fill) const;
  // Splits a node that grew past its limit (LSET, LINSERT) in two.
  void SplitIfFull(size_t node, int fill);
  void DropNodeIfEmpty(size_t node);
  // Recomputes node_bytes_ after an operation that walks the nodes anyway (LSET, LINSERT, LREM).
  void RecountNodeBytes();

  std::deque<ListPack> nodes_;
  size_t length_ = 0;
  // The nodes' buffers, kept as they change so MemoryUsage (read after every write for memory
  // accounting) costs nothing on a long list.
  size_t node_bytes_ = 0;
};

template <typename Fn>
void List::Walk(size_t start, bool backward, Fn&& fn) const {
  if (start >= length_) return;
  Location at = Locate(start);
  size_t index = start;
  if (!backward) {
    for (size_t n = at.node; n < nodes_.size(); ++n) {
      const ListPack& node = nodes_[n];
      size_t next = 0;
      for (size_t pos = n == at.node ? at.pos : node.Begin(); pos < node.End(); pos = next) {
        if (!fn(index++, node.GetNext(pos, &next))) return;
      }
    }
    return;
  }
  for (size_t n = at.node + 1; n-- > 0;) {
    const ListPack& node = nodes_[n];
    size_t pos = n == at.node ? at.pos : node.Prev(node.End());
    for (;;) {
      if (!fn(index, node.Get(pos))) return;
      if (index == 0) return;
      --index;
      if (pos == node.Begin()) break;
      pos = node.Prev(pos);
    }
  }
}

}  // namespace respd::storage
