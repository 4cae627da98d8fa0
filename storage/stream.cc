// The stream value: its nodes, where Redis would split them, and Redis 7.0's bookkeeping.
#include "storage/stream.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "storage/numbers.h"

namespace respd::storage {
namespace {

// Redis refuses IDs longer than its 128-byte parse buffer.
constexpr size_t kMaxIdTextLen = 127;
// A listpack never grows past 1 GB (STREAM_LISTPACK_MAX_SIZE); a node limit above it is this.
constexpr uint64_t kListpackMaxSize = uint64_t{1} << 30;
// A listpack's header (total bytes, element count) and end marker.
constexpr size_t kListpackOverhead = 6 + 1;

// Redis's string2ull: string2ll's strict form, else strtoull's lenient one (leading spaces, a
// sign, leading zeros), on a C string.
bool ParseUll(const std::string& text, uint64_t* out) {
  if (auto ll = ParseInt64(text)) {
    if (*ll < 0) return false;
    *out = static_cast<uint64_t>(*ll);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || text.empty() || *end != '\0') return false;
  *out = v;
  return true;
}

// Bytes of a backlen field for an element of `encoded` bytes.
size_t BacklenSize(size_t encoded) {
  if (encoded <= 127) return 1;
  if (encoded < 16383) return 2;
  if (encoded < 2097151) return 3;
  if (encoded < 268435455) return 4;
  return 5;
}

size_t ListpackIntSize(int64_t v) {
  size_t encoded;
  if (v >= 0 && v <= 127) {
    encoded = 1;
  } else if (v >= -4096 && v <= 4095) {
    encoded = 2;
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    encoded = 3;
  } else if (v >= -(1 << 23) && v <= (1 << 23) - 1) {
    encoded = 4;
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    encoded = 5;
  } else {
    encoded = 9;
  }
  return encoded + BacklenSize(encoded);
}

// Bytes a listpack element takes: integers in integer form, other strings with their length.
size_t ListpackElementSize(std::string_view s) {
  if (s.size() <= 20) {
    if (auto v = ParseInt64(s)) return ListpackIntSize(*v);
  }
  size_t encoded = s.size() + (s.size() < 64 ? 1 : s.size() < 4096 ? 2 : 5);
  return encoded + BacklenSize(encoded);
}

}  // namespace

bool StreamId::Incr() {
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) {
      ms = seq = 0;
      return false;
    }
    ++ms;
    seq = 0;
  } else {
    ++seq;
  }
  return true;
}

bool StreamId::Decr() {
  if (seq == 0) {
    if (ms == 0) {
      ms = seq = UINT64_MAX;
      return false;
    }
    --ms;
    seq = UINT64_MAX;
  } else {
    --seq;
  }
  return true;
}

std::string StreamId::ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

std::optional<StreamId> ParseStreamId(std::string_view text, uint64_t missing_seq, bool strict,
                                      bool* seq_given) {
  if (text.size() > kMaxIdTextLen) return std::nullopt;
  std::string buf(text.substr(0, text.find('\0')));
  if (strict && (buf == "-" || buf == "+")) return std::nullopt;
  if (seq_given != nullptr) *seq_given = true;
  if (buf == "-") return StreamId{0, 0};
  if (buf == "+") return StreamId::Max();
  StreamId id;
  size_t dash = buf.find('-');
  if (!ParseUll(buf.substr(0, dash), &id.ms)) return std::nullopt;
  if (dash == std::string::npos) {
    id.seq = missing_seq;
  } else if (seq_given != nullptr && buf.compare(dash + 1, std::string::npos, "*") == 0) {
    id.seq = 0;
    *seq_given = false;
  } else if (!ParseUll(buf.substr(dash + 1), &id.seq)) {
    return std::nullopt;
  }
  return id;
}

StreamConsumer* StreamGroup::FindConsumer(std::string_view name) {
  auto it = consumers.find(name);
  return it == consumers.end() ? nullptr : &it->second;
}

StreamConsumer* StreamGroup::CreateConsumer(std::string_view name, int64_t now_ms) {
  auto [it, inserted] = consumers.try_emplace(std::string(name));
  if (!inserted) return nullptr;
  it->second.name = it->first;
  it->second.seen_time = now_ms;
  return &it->second;
}

size_t StreamGroup::DeleteConsumer(StreamConsumer* consumer) {
  size_t pending = consumer->pel.size();
  for (StreamId id : consumer->pel) pel.erase(id);
  consumers.erase(consumer->name);
  return pending;
}

void StreamGroup::Acknowledge(std::map<StreamId, StreamNack>::iterator nack) {
  if (nack->second.consumer != nullptr) nack->second.consumer->pel.erase(nack->first);
  pel.erase(nack);
}

size_t Stream::NodeBytes(const StreamNode& node) {
  // A map node as allocated (a red-black node header before the key and value), and the node's
  // buffer with malloc's chunk header.
  constexpr size_t kMapNodeHeader = 32;
  constexpr size_t kMallocHeader = 8;
  return kMapNodeHeader + sizeof(StreamId) + sizeof(StreamNode) + node.BufferBytes() +
         kMallocHeader;
}

size_t Stream::MemoryUsage() const {
  // Called after every change (Database::Touch), so it adds running totals: no walk of nodes
  // or pending entries.
  constexpr size_t kMapNodeHeader = 32;
  size_t bytes = sizeof(Stream) + node_bytes_;
  for (const auto& [name, group] : groups_) {
    bytes += kMapNodeHeader + sizeof(name) + sizeof(StreamGroup) + name.size();
    // Each pending entry sits in the group's PEL and in its consumer's.
    bytes += group.pel.size() * (2 * kMapNodeHeader + 2 * sizeof(StreamId) + sizeof(StreamNack));
    bytes += group.consumers.size() * (kMapNodeHeader + sizeof(std::string) + sizeof(StreamConsumer));
  }
  return bytes;
}

std::unique_ptr<Object> Stream::Clone() const {
  auto copy = std::make_unique<Stream>();
  copy->nodes_ = nodes_;
  for (const auto& [id, node] : copy->nodes_) copy->node_bytes_ += NodeBytes(node);
  copy->length_ = length_;
  copy->last_id_ = last_id_;
  copy->first_id_ = first_id_;
  copy->max_deleted_id_ = max_deleted_id_;
  copy->entries_added_ = entries_added_;
  for (const auto& [name, group] : groups_) {
    StreamGroup& g = copy->groups_[name];
    g.last_id = group.last_id;
    g.entries_read = group.entries_read;
    for (const auto& [cname, consumer] : group.consumers) {
      StreamConsumer* c = g.CreateConsumer(cname, consumer.seen_time);
      c->pel = consumer.pel;
    }
    for (const auto& [id, nack] : group.pel) {
      StreamNack& n = g.pel[id];
      n = nack;
      n.consumer = nack.consumer ? g.FindConsumer(nack.consumer->name) : nullptr;
    }
  }
  return copy;
}

template <typename Fn>
void Stream::Walk(StreamId start, StreamId end, bool rev, Fn&& fn) const {
  if (start > end) return;
  StreamNode::Item item;
  if (!rev) {
    // The node that may hold `start`: the last one whose master ID is not above it.
    auto it = nodes_.upper_bound(start);
    if (it != nodes_.begin()) --it;
    for (; it != nodes_.end() && it->first <= end; ++it) {
      const StreamNode& node = it->second;
      if (node.last_id() < start || node.live() == 0) continue;
      for (size_t off = node.FirstOffset(); off < node.end_offset();) {
        off = node.Decode(off, &item);
        if (item.entry.id > end) return;
        if (item.deleted || item.entry.id < start) continue;
        if (!fn(item.entry)) return;
      }
    }
    return;
  }
  for (auto it = nodes_.upper_bound(end); it != nodes_.begin();) {
    const StreamNode& node = (--it)->second;
    if (node.last_id() < start) return;
    if (node.live() == 0) continue;
    std::vector<size_t> offsets = node.Offsets();
    for (auto off = offsets.rbegin(); off != offsets.rend(); ++off) {
      node.Decode(*off, &item);
      if (item.entry.id < start) return;
      if (item.deleted || item.entry.id > end) continue;
      if (!fn(item.entry)) return;
    }
  }
}

std::vector<StreamEntryRef> Stream::Range(StreamId start, StreamId end, size_t count,
                                          bool rev) const {
  std::vector<StreamEntryRef> out;
  if (count != 0) out.reserve(std::min(count, length_));
  Walk(start, end, rev, [&](const StreamEntryRef& entry) {
    out.push_back(entry);
    return out.size() != count;
  });
  return out;
}

StreamEntryRef Stream::Find(StreamId id) const {
  StreamEntryRef found(id);
  Walk(id, id, false, [&](const StreamEntryRef& entry) {
    found = entry;
    return false;
  });
  return found;
}

StreamId Stream::LastValidId() const {
  StreamId last;
  Walk({}, StreamId::Max(), true, [&](const StreamEntryRef& entry) {
    last = entry.id;
    return false;
  });
  return last;
}

void Stream::Append(StreamId id, std::span<const std::string_view> field_values,
                    const StreamNodeLimits& limits) {
  size_t numfields = field_values.size() / 2;
  size_t element_bytes = 0;
  for (std::string_view s : field_values) element_bytes += s.size();

  // Redis's streamAppendItem: a new node once the tail's bytes plus the new elements reach the
  // byte limit, or the tail holds max-entries entries (deleted ones included). The bytes are
  // Redis's listpack bytes, so that nodes split where Redis's do.
  StreamNode* tail = nodes_.empty() ? nullptr : &nodes_.rbegin()->second;
  if (tail != nullptr) {
    uint64_t max_bytes = limits.max_bytes;
    if (max_bytes == 0 || max_bytes > kListpackMaxSize) max_bytes = kListpackMaxSize;
    bool full = tail->listpack_bytes() + element_bytes >= max_bytes ||
                (limits.max_entries > 0 &&
                 static_cast<int64_t>(tail->live()) + tail->deleted() >= limits.max_entries);
    if (full) tail = nullptr;
  }
  bool same_fields = true;
  uint64_t bytes = 0;
  if (tail == nullptr) {
    tail = &nodes_.emplace_hint(nodes_.end(), id, StreamNode(id, field_values))->second;
    bytes = kListpackOverhead + ListpackIntSize(1) + ListpackIntSize(0) +
            ListpackIntSize(static_cast<int64_t>(numfields)) + ListpackIntSize(0);
    for (size_t i = 0; i < numfields; ++i) bytes += ListpackElementSize(field_values[2 * i]);
  } else {
    // The master entry's live count grows by one.
    bytes = ListpackIntSize(tail->live() + 1) - ListpackIntSize(tail->live());
    node_bytes_ -= NodeBytes(*tail);
    same_fields = tail->Append(id, field_values);
  }
  node_bytes_ += NodeBytes(*tail);
  StreamId master_id = tail->master_id();
  bytes += ListpackIntSize(same_fields ? 2 : 0) +
           ListpackIntSize(static_cast<int64_t>(id.ms - master_id.ms)) +
           ListpackIntSize(static_cast<int64_t>(id.seq - master_id.seq));
  if (!same_fields) bytes += ListpackIntSize(static_cast<int64_t>(numfields));
  for (size_t i = 0; i < numfields; ++i) {
    if (!same_fields) bytes += ListpackElementSize(field_values[2 * i]);
    bytes += ListpackElementSize(field_values[2 * i + 1]);
  }
  bytes += ListpackIntSize(static_cast<int64_t>(same_fields ? numfields + 3 : 2 * numfields + 4));
  tail->AddListpackBytes(bytes);

  ++length_;
  ++entries_added_;
  last_id_ = id;
  if (length_ == 1) first_id_ = id;
}

void Stream::AddStoredNode(StreamNode node) {
  StreamId master_id = node.master_id();
  length_ += node.live();
  auto it = nodes_.emplace_hint(nodes_.end(), master_id, std::move(node));
  node_bytes_ += NodeBytes(it->second);
}

Stream::Nodes::iterator Stream::NodeOf(StreamId id) {
  auto it = nodes_.upper_bound(id);
  return it == nodes_.begin() ? nodes_.end() : std::prev(it);
}

StreamId Stream::FirstIdWithTombstones() const {
  if (nodes_.empty()) return StreamId::Max();
  const StreamNode& node = nodes_.begin()->second;
  StreamNode::Item item;
  node.Decode(node.FirstOffset(), &item);
  return item.entry.id;
}

void Stream::UpdateFirstId() {
  first_id_ = {};
  Walk({}, StreamId::Max(), false, [&](const StreamEntryRef& entry) {
    first_id_ = entry.id;
    return false;
  });
}

bool Stream::Delete(StreamId id) {
  auto it = NodeOf(id);
  if (it == nodes_.end() || it->second.last_id() < id) return false;
  StreamNode& node = it->second;
  StreamNode::Item item;
  for (size_t off = node.FirstOffset(); off < node.end_offset();) {
    off = node.Decode(off, &item);
    if (item.entry.id < id) continue;
    if (item.entry.id > id || item.deleted) return false;
    // Redis frees a node whose last live entry goes.
    if (node.live() == 1) {
      node_bytes_ -= NodeBytes(node);
      nodes_.erase(it);
    } else {
      node.MarkDeleted(item.offset);
    }
    --length_;
    if (id > max_deleted_id_) max_deleted_id_ = id;
    if (id == first_id_ || length_ == 0) UpdateFirstId();
    return true;
  }
  return false;
}

int64_t Stream::Trim(const StreamTrim& trim) {
  using Strategy = StreamTrim::Strategy;
  if (trim.strategy == Strategy::kNone) return 0;
  int64_t deleted = 0;
  while (!nodes_.empty()) {
    if (trim.strategy == Strategy::kMaxLen && length_ <= trim.maxlen) break;
    auto first = nodes_.begin();
    StreamNode& node = first->second;
    int64_t live = node.live();
    if (trim.limit && deleted + live > trim.limit) break;
    bool remove_node = trim.strategy == Strategy::kMaxLen ? length_ - live >= trim.maxlen
                                                          : node.last_id() < trim.minid;
    if (remove_node) {
      node_bytes_ -= NodeBytes(node);
      nodes_.erase(first);
      length_ -= live;
      deleted += live;
      continue;
    }
    if (trim.approx) break;
    // Mark entries deleted inside the first node; the node stays.
    StreamNode::Item item;
    for (size_t off = node.FirstOffset(); off < node.end_offset();) {
      off = node.Decode(off, &item);
      if (item.deleted) continue;
      bool stop = trim.strategy == Strategy::kMaxLen ? length_ <= trim.maxlen
                                                     : item.entry.id >= trim.minid;
      if (stop) break;
      node.MarkDeleted(item.offset);
      --length_;
      ++deleted;
    }
    break;
  }
  UpdateFirstId();
  return deleted;
}

bool Stream::RangeHasTombstones(StreamId start, StreamId end) const {
  if (length_ == 0 || max_deleted_id_.IsZero()) return false;
  if (first_id_ > max_deleted_id_) return false;
  return start <= max_deleted_id_ && max_deleted_id_ <= end;
}

int64_t Stream::EstimateEntriesRead(StreamId id) const {
  if (entries_added_ == 0) return 0;
  auto added = static_cast<int64_t>(entries_added_);
  if (length_ == 0 && id <= last_id_) return added;
  if (id == last_id_) return added;
  if (id > last_id_) return StreamGroup::kInvalidEntriesRead;
  if (max_deleted_id_.IsZero() || max_deleted_id_ < first_id_) {
    if (id < first_id_) return added - static_cast<int64_t>(length_);
    if (id == first_id_) return added - static_cast<int64_t>(length_) + 1;
  }
  return StreamGroup::kInvalidEntriesRead;
}

std::optional<int64_t> Stream::Lag(const StreamGroup& group) const {
  auto added = static_cast<int64_t>(entries_added_);
  if (entries_added_ == 0) return 0;
  if (group.entries_read != StreamGroup::kInvalidEntriesRead &&
      !RangeHasTombstones(group.last_id)) {
    return added - group.entries_read;
  }
  int64_t read = EstimateEntriesRead(group.last_id);
  if (read == StreamGroup::kInvalidEntriesRead) return std::nullopt;
  return added - read;
}

void Stream::AdvanceGroup(StreamGroup& group, StreamId id) const {
  if (id <= group.last_id) return;
  if (group.entries_read != StreamGroup::kInvalidEntriesRead && !RangeHasTombstones(id)) {
    ++group.entries_read;
  } else if (entries_added_ != 0) {
    group.entries_read = EstimateEntriesRead(id);
  }
  group.last_id = id;
}

size_t Stream::RadixTreeNodes() const {
  // Redis's rax over the nodes' 16-byte big-endian master IDs. A rax node starts at the root, at
  // every child of a branching prefix, and wherever a chain of single-child prefixes ends (a key,
  // or a branch). Keys all have the same length, so none is a prefix of another.
  std::vector<std::array<uint8_t, 16>> keys;
  keys.reserve(nodes_.size());
  for (const auto& [id, node] : nodes_) {
    std::array<uint8_t, 16> k{};
    for (int i = 0; i < 8; ++i) {
      k[i] = static_cast<uint8_t>(id.ms >> (56 - 8 * i));
      k[8 + i] = static_cast<uint8_t>(id.seq >> (56 - 8 * i));
    }
    keys.push_back(k);
  }
  size_t count = 1;
  // Groups of keys sharing a prefix of length `depth`: [begin, end) ranges of the sorted keys.
  struct Range {
    size_t begin, end;
    bool parent_branches;
  };
  std::vector<Range> level = {{0, keys.size(), false}};
  for (size_t depth = 0; depth <= 16 && !level.empty(); ++depth) {
    std::vector<Range> next;
    for (const Range& r : level) {
      if (r.begin == r.end) continue;
      if (depth == 16) {
        // A key: always a node of its own (the root aside, handled by count's start).
        if (depth > 0) ++count;
        continue;
      }
      // Children of this prefix: runs of equal byte at `depth`.
      std::vector<Range> children;
      size_t start = r.begin;
      for (size_t i = r.begin + 1; i <= r.end; ++i) {
        if (i == r.end || keys[i][depth] != keys[start][depth]) {
          children.push_back({start, i, false});
          start = i;
        }
      }
      bool branching = children.size() >= 2;
      // This prefix starts a node unless it is the root (counted) or continues a chain.
      if (depth > 0 && (r.parent_branches || branching)) ++count;
      for (Range& c : children) {
        c.parent_branches = branching;
        next.push_back(c);
      }
    }
    level = std::move(next);
  }
  return count;
}

StreamGroup* Stream::FindGroup(std::string_view name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

StreamGroup* Stream::CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read) {
  auto [it, inserted] = groups_.try_emplace(std::string(name));
  if (!inserted) return nullptr;
  it->second.last_id = last_id;
  it->second.entries_read = entries_read;
  return &it->second;
}

bool Stream::DestroyGroup(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return false;
  groups_.erase(it);
  return true;
}

}  // namespace respd::storage
