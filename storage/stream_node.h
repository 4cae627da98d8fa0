// One node of a stream: a run of entries in ID order packed in one contiguous byte buffer, in the
// spirit of Redis's listpack nodes (t_stream.c). The node starts with a master entry, the field
// names of its first entry; an entry whose fields are the master's stores only its values.
// Knows nothing of Redis's own byte sizes (the stream models those) nor of RESP.
//
// Buffer layout (varint: LEB128, 7 bits a byte, low bits first):
//   master:  varint field count N, then N fields, each a varint length and its bytes
//   entry:   flags byte (kDeleted, kSameFields)
//            varint (ms - master ms), varint zigzag(seq - master seq), both modulo 2^64
//            kSameFields: the N values, each a varint length and its bytes
//            otherwise:   varint pair count P, then 2P elements (field, value, ...) as above
// There are no back-links: a reverse walk decodes the node forward into entry offsets first, as
// a node holds at most stream-node-max-entries entries (100 by default).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace respd::storage {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
  auto operator<=>(const StreamId&) const = default;
  bool IsZero() const { return ms == 0 && seq == 0; }
  // Redis's streamIncrID/streamDecrID: the next (previous) ID; false at the end of the space.
  bool Incr();
  bool Decr();
  std::string ToString() const;
};

namespace stream_codec {

// Reads a varint at *p and moves *p past it.
inline uint64_t ReadVarint(const uint8_t** p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t byte = *(*p)++;
    v |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return v;
  }
}

// Reads a length-prefixed element at *p and moves *p past it.
inline std::string_view ReadElement(const uint8_t** p) {
  uint64_t len = ReadVarint(p);
  std::string_view s(reinterpret_cast<const char*>(*p), len);
  *p += len;
  return s;
}

}  // namespace stream_codec

// An entry as reads return it: its ID and a view of its field-value pairs inside its node. A
// view is valid until the stream is next changed. found() is false for an ID with no entry (a
// pending entry deleted from the stream).
class StreamEntryRef {
 public:
  StreamEntryRef() = default;
  explicit StreamEntryRef(StreamId entry_id) : id(entry_id) {}

  StreamId id;

  bool found() const { return values_ != nullptr; }
  // Whether the entry stores only values, its fields being the node's master fields.
  bool same_fields() const { return same_fields_; }
  // Elements: twice the number of pairs.
  size_t size() const {
    const uint8_t* p = same_fields_ ? master_ : values_;
    return 2 * stream_codec::ReadVarint(&p);
  }
  // Calls fn(element) for field, value, field, value...
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    const uint8_t* v = values_;
    if (!same_fields_) {
      for (uint64_t n = 2 * stream_codec::ReadVarint(&v); n > 0; --n) {
        fn(stream_codec::ReadElement(&v));
      }
      return;
    }
    const uint8_t* f = master_;
    for (uint64_t n = stream_codec::ReadVarint(&f); n > 0; --n) {
      fn(stream_codec::ReadElement(&f));
      fn(stream_codec::ReadElement(&v));
    }
  }

 private:
  friend class StreamNode;

  const uint8_t* master_ = nullptr;  // the node's master field count
  const uint8_t* values_ = nullptr;  // the entry's payload, after its ID deltas
  bool same_fields_ = false;
};

class StreamNode {
 public:
  // One decoded entry of the node: where it starts, whether it is marked deleted, and its view.
  struct Item {
    size_t offset = 0;
    bool deleted = false;
    StreamEntryRef entry;
  };

  // A node holding one entry, `id`, whose fields become the master fields. `field_values`
  // alternate field, value.
  StreamNode(StreamId id, std::span<const std::string_view> field_values);
  // A node of no entries yet whose master fields are `fields`: a node read back from a dump,
  // filled with AppendAsStored.
  static StreamNode WithMasterFields(StreamId master_id, std::span<const std::string_view> fields);
  StreamNode(const StreamNode& other);
  StreamNode& operator=(const StreamNode&) = delete;
  StreamNode(StreamNode&& other) noexcept;
  StreamNode& operator=(StreamNode&&) = delete;
  ~StreamNode();

  StreamId master_id() const { return master_id_; }
  StreamId last_id() const { return last_id_; }  // of the last entry, deleted or not
  uint32_t live() const { return live_; }
  uint32_t deleted() const { return deleted_; }

  // Whether an entry of these field-value pairs would store only its values.
  bool SameFieldsAsMaster(std::span<const std::string_view> field_values) const;
  // Appends an entry; `id` must be above last_id(). Returns whether it shares the master's fields.
  bool Append(StreamId id, std::span<const std::string_view> field_values);
  // Appends an entry with the flags it was stored with rather than derived ones; with
  // `same_fields`, the fields of `field_values` must be the master's.
  void AppendAsStored(StreamId id, std::span<const std::string_view> field_values,
                      bool same_fields, bool deleted);
  // Calls fn(field) for each master field, in order.
  template <typename Fn>
  void ForEachMasterField(Fn&& fn) const {
    const uint8_t* p = data_;
    for (uint64_t n = stream_codec::ReadVarint(&p); n > 0; --n) fn(stream_codec::ReadElement(&p));
  }
  size_t MasterFieldCount() const {
    const uint8_t* p = data_;
    return stream_codec::ReadVarint(&p);
  }

  // The first entry's offset, and the end: Decode walks [FirstOffset(), end_offset()).
  size_t FirstOffset() const;
  size_t end_offset() const { return size_; }
  // Decodes the entry at `offset` into *out; returns the next entry's offset.
  size_t Decode(size_t offset, Item* out) const;
  // Every entry's offset in order, for walking the node backwards.
  std::vector<size_t> Offsets() const;
  // Marks the live entry at `offset` deleted.
  void MarkDeleted(size_t offset);

  // Bytes this node's buffer takes from the allocator: exactly its contents.
  size_t BufferBytes() const { return size_; }

  // Redis's byte size of this node as a listpack: the stream models it, the node only keeps it.
  uint64_t listpack_bytes() const { return listpack_bytes_; }
  void AddListpackBytes(uint64_t bytes) { listpack_bytes_ += bytes; }

 private:
  struct NoEntries {};
  StreamNode(NoEntries, StreamId master_id) : master_id_(master_id) {}
  // Writes the master entry: every `stride`th element of `elements`, from the first.
  void PutMaster(std::span<const std::string_view> elements, size_t stride);
  // Writes a live entry: its values only with `same`, else its fields and values.
  void PutEntry(StreamId id, std::span<const std::string_view> field_values, bool same);
  // Grows the buffer by `extra` bytes that the Put calls then fill.
  void Reserve(size_t extra);
  void Put(uint8_t byte);
  void PutVarint(uint64_t v);
  void PutElement(std::string_view s);

  uint64_t listpack_bytes_ = 0;
  StreamId master_id_;
  StreamId last_id_;
  uint32_t live_ = 0;
  uint32_t deleted_ = 0;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;  // the buffer's allocated and used bytes
};

}  // namespace respd::storage
