// A packed sequence of byte strings in one buffer, like Redis's listpack: the node of a list and
// the whole of a small hash. Each entry is [length varint][bytes][back-length], where the
// back-length (the size of the first two parts, 7 bits per byte, read from its last byte backwards)
// lets the walk go both ways. Positions are byte offsets of entries; End() is one past the last.
// Knows nothing of RESP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace respd::storage {

class ListPack {
 public:
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  size_t bytes() const { return buf_.size(); }
  size_t MemoryUsage() const { return buf_.capacity(); }

  size_t Begin() const { return 0; }
  size_t End() const { return buf_.size(); }
  // The entry after (before) the one at `pos`; Prev needs pos > Begin().
  size_t Next(size_t pos) const;
  size_t Prev(size_t pos) const;
  std::string_view Get(size_t pos) const;
  // Get and Next at once: a forward walk reads each entry's header once.
  std::string_view GetNext(size_t pos, size_t* next) const;
  // Position of the index-th entry, walking from the nearer end.
  size_t Seek(size_t index) const;

  // Inserts before the entry at `pos` (End() appends).
  void Insert(size_t pos, std::string_view value);
  void PushBack(std::string_view value) { Insert(End(), value); }
  void PushFront(std::string_view value) { Insert(Begin(), value); }
  void Erase(size_t pos);
  // Removes the `n` entries in bytes [from, to).
  void EraseRange(size_t from, size_t to, size_t n);
  void Replace(size_t pos, std::string_view value);
  // Moves the entries from `pos` to the end into a new pack (splitting a list node).
  ListPack SplitAt(size_t pos);

 private:
  // Bytes the entry at `pos` occupies.
  size_t EntrySize(size_t pos) const;

  std::string buf_;
  uint32_t count_ = 0;
};

}  // namespace respd::storage
