// List value as a deque of packed nodes (see list_object.h).
#include "storage/list_object.h"

#include <algorithm>
#include <utility>

namespace respd::storage {
namespace {

// Node byte limits for fill -1 .. -5, as Redis's quicklist optimization_level.
constexpr size_t kNodeBytes[] = {4096, 8192, 16384, 32768, 65536};
// A count-limited node still stops at this many bytes (Redis's SIZE_SAFETY_LIMIT).
constexpr size_t kSafetyBytes = 8192;
// Redis clamps a count fill to this (quicklist FILL_MAX).
constexpr int kMaxCountFill = 1 << 15;
// Per-entry overhead of ListPack beyond the bytes (length and back-length varints), a bound used
// only to decide whether an element fits a node.
constexpr size_t kEntryOverhead = 8;

}  // namespace

size_t List::MemoryUsage() const {
  return sizeof(List) + nodes_.size() * sizeof(ListPack) + node_bytes_;
}

void List::RecountNodeBytes() {
  node_bytes_ = 0;
  for (const ListPack& node : nodes_) node_bytes_ += node.MemoryUsage();
}

std::unique_ptr<Object> List::Clone() const {
  auto copy = std::make_unique<List>(*this);
  copy->RecountNodeBytes();  // copied buffers need not have the originals' capacity
  return copy;
}

bool List::NodeHasRoom(const ListPack& node, size_t value_len, int fill) const {
  size_t new_bytes = node.bytes() + value_len + kEntryOverhead;
  if (fill < 0) {
    int level = std::min(-fill, 5) - 1;
    return new_bytes <= kNodeBytes[level];
  }
  size_t max_count = static_cast<size_t>(std::clamp(fill, 1, kMaxCountFill));
  return node.size() < max_count && new_bytes <= kSafetyBytes;
}

void List::Push(ListEnd end, std::string_view value, int fill) {
  ListPack* node;
  if (end == ListEnd::kHead) {
    if (nodes_.empty() || !NodeHasRoom(nodes_.front(), value.size(), fill)) nodes_.emplace_front();
    node = &nodes_.front();
  } else {
    if (nodes_.empty() || !NodeHasRoom(nodes_.back(), value.size(), fill)) nodes_.emplace_back();
    node = &nodes_.back();
  }
  node_bytes_ -= node->MemoryUsage();
  if (end == ListEnd::kHead) {
    node->PushFront(value);
  } else {
    node->PushBack(value);
  }
  node_bytes_ += node->MemoryUsage();
  ++length_;
}

std::string List::Pop(ListEnd end) {
  std::string value;
  ListPack& node = end == ListEnd::kHead ? nodes_.front() : nodes_.back();
  node_bytes_ -= node.MemoryUsage();
  size_t at = end == ListEnd::kHead ? node.Begin() : node.Prev(node.End());
  value = node.Get(at);
  node.Erase(at);
  if (!node.empty()) {
    node_bytes_ += node.MemoryUsage();
  } else if (end == ListEnd::kHead) {
    nodes_.pop_front();
  } else {
    nodes_.pop_back();
  }
  --length_;
  return value;
}

List::Location List::Locate(size_t index) const {
  if (index < length_ / 2) {
    for (size_t n = 0;; ++n) {
      if (index < nodes_[n].size()) return {n, nodes_[n].Seek(index)};
      index -= nodes_[n].size();
    }
  }
  size_t from_tail = length_ - 1 - index;
  for (size_t n = nodes_.size() - 1;; --n) {
    size_t count = nodes_[n].size();
    if (from_tail < count) return {n, nodes_[n].Seek(count - 1 - from_tail)};
    from_tail -= count;
  }
}

std::string_view List::At(size_t index) const {
  Location at = Locate(index);
  return nodes_[at.node].Get(at.pos);
}

void List::Set(size_t index, std::string_view value, int fill) {
  Location at = Locate(index);
  nodes_[at.node].Replace(at.pos, value);
  SplitIfFull(at.node, fill);
  RecountNodeBytes();
}

bool List::Insert(std::string_view pivot, std::string_view value, bool after, int fill) {
  for (size_t n = 0; n < nodes_.size(); ++n) {
    ListPack& node = nodes_[n];
    for (size_t pos = node.Begin(); pos < node.End(); pos = node.Next(pos)) {
      if (node.Get(pos) != pivot) continue;
      node.Insert(after ? node.Next(pos) : pos, value);
      ++length_;
      SplitIfFull(n, fill);
      RecountNodeBytes();
      return true;
    }
  }
  return false;
}

void List::SplitIfFull(size_t n, int fill) {
  ListPack& node = nodes_[n];
  if (node.size() < 2 || NodeHasRoom(node, 0, fill)) return;
  ListPack tail = node.SplitAt(node.Seek(node.size() / 2));
  nodes_.insert(nodes_.begin() + static_cast<ptrdiff_t>(n) + 1, std::move(tail));
}

void List::DropNodeIfEmpty(size_t n) {
  if (nodes_[n].empty()) nodes_.erase(nodes_.begin() + static_cast<ptrdiff_t>(n));
}

size_t List::Remove(std::string_view value, size_t limit, bool from_tail) {
  size_t removed = 0;
  auto done = [&] { return limit != 0 && removed == limit; };
  if (!from_tail) {
    for (size_t n = 0; n < nodes_.size() && !done();) {
      ListPack& node = nodes_[n];
      for (size_t pos = node.Begin(); pos < node.End() && !done();) {
        if (node.Get(pos) == value) {
          node.Erase(pos);
          ++removed;
        } else {
          pos = node.Next(pos);
        }
      }
      if (node.empty()) {
        DropNodeIfEmpty(n);
      } else {
        ++n;
      }
    }
  } else {
    for (size_t n = nodes_.size(); n-- > 0 && !done();) {
      ListPack& node = nodes_[n];
      for (size_t pos = node.End(); pos > node.Begin() && !done();) {
        pos = node.Prev(pos);
        if (node.Get(pos) == value) {
          node.Erase(pos);
          ++removed;
        }
      }
      DropNodeIfEmpty(n);
    }
  }
  length_ -= removed;
  RecountNodeBytes();
  return removed;
}

void List::Trim(size_t start, size_t stop) {
  size_t drop_head = start;
  size_t drop_tail = length_ - 1 - stop;
  while (drop_head > 0) {
    ListPack& node = nodes_.front();
    node_bytes_ -= node.MemoryUsage();
    if (node.size() <= drop_head) {
      drop_head -= node.size();
      length_ -= node.size();
      nodes_.pop_front();
      continue;
    }
    size_t to = node.Seek(drop_head);
    node.EraseRange(node.Begin(), to, drop_head);
    node_bytes_ += node.MemoryUsage();
    length_ -= drop_head;
    drop_head = 0;
  }
  while (drop_tail > 0) {
    ListPack& node = nodes_.back();
    node_bytes_ -= node.MemoryUsage();
    if (node.size() <= drop_tail) {
      drop_tail -= node.size();
      length_ -= node.size();
      nodes_.pop_back();
      continue;
    }
    size_t from = node.Seek(node.size() - drop_tail);
    node.EraseRange(from, node.End(), drop_tail);
    node_bytes_ += node.MemoryUsage();
    length_ -= drop_tail;
    drop_tail = 0;
  }
}

void List::AppendNode(ListPack node) {
  length_ += node.size();
  node_bytes_ += node.MemoryUsage();
  nodes_.push_back(std::move(node));
}

size_t List::PackedBytes() const {
  size_t bytes = 0;
  for (const ListPack& node : nodes_) bytes += node.bytes();
  return bytes;
}

}  // namespace respd::storage
