// Streams in the RDB format. A node is one listpack, exactly as t_stream.c lays it out:
//   master entry: live count, deleted count, N, the N master fields, 0
//   each entry:   flags (1 deleted, 2 same fields as the master), ms and seq deltas from the
//                 node's master ID (int64, modulo 2^64), [field count, fields interleaved with]
//                 the values (only the values with the same-fields flag), lp-count (the number of
//                 listpack elements of the entry but itself)
// respd's nodes hold the same entries with the same flags, so writing re-encodes each node and
// a payload's node reads back into a node that writes out to the same bytes.
//
// Reading checks, beyond Redis's deep sanitization (listpack integrity, the master entry, the
// entries' element counts and lp-counts, PEL entries each owned by a consumer): that a node's
// first entry is its master ID, that IDs rise strictly across the whole stream and stay at or
// below the last ID, that the master's live and deleted counts are the entries' and their sum
// the stream's length, that flags hold no unknown bit, that an entry has fields, and that a PEL
// entry belongs to exactly one consumer. Counts read from the payload are only ever compared
// with what is there: every loop consumes input, so nothing allocates by a claimed count.
#include "storage/rdb_stream.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace respd::storage::rdb {
namespace {

constexpr int64_t kFlagDeleted = 1;
constexpr int64_t kFlagSameFields = 2;
// An ID as Redis keys nodes and PEL entries: ms then seq, each 64-bit big-endian.
constexpr size_t kIdBytes = 16;

std::string EncodeId(StreamId id) {
  std::string out(kIdBytes, '\0');
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<char>(id.ms >> (56 - 8 * i));
    out[8 + i] = static_cast<char>(id.seq >> (56 - 8 * i));
  }
  return out;
}

StreamId DecodeId(std::string_view bytes) {
  StreamId id;
  for (int i = 0; i < 8; ++i) {
    id.ms = id.ms << 8 | static_cast<uint8_t>(bytes[i]);
    id.seq = id.seq << 8 | static_cast<uint8_t>(bytes[8 + i]);
  }
  return id;
}

void WriteId(Writer& out, StreamId id) {
  out.Length(id.ms);
  out.Length(id.seq);
}

bool ReadId(Reader& in, StreamId* id) { return in.Length(&id->ms) && in.Length(&id->seq); }

bool ReadRawId(Reader& in, StreamId* id) {
  std::string_view bytes;
  if (!in.Raw(kIdBytes, &bytes)) return false;
  *id = DecodeId(bytes);
  return true;
}

std::string NodeListpack(const StreamNode& node) {
  ListpackWriter lp;
  lp.AppendInteger(node.live());
  lp.AppendInteger(node.deleted());
  lp.AppendInteger(static_cast<int64_t>(node.MasterFieldCount()));
  node.ForEachMasterField([&](std::string_view field) { lp.Append(field); });
  lp.AppendInteger(0);
  StreamId master = node.master_id();
  StreamNode::Item item;
  for (size_t off = node.FirstOffset(); off < node.end_offset();) {
    off = node.Decode(off, &item);
    const StreamEntryRef& entry = item.entry;
    bool same = entry.same_fields();
    auto fields = static_cast<int64_t>(entry.size() / 2);
    lp.AppendInteger((item.deleted ? kFlagDeleted : 0) | (same ? kFlagSameFields : 0));
    lp.AppendInteger(static_cast<int64_t>(entry.id.ms - master.ms));
    lp.AppendInteger(static_cast<int64_t>(entry.id.seq - master.seq));
    if (!same) lp.AppendInteger(fields);
    bool is_field = true;
    entry.ForEach([&](std::string_view element) {
      if (!same || !is_field) lp.Append(element);
      is_field = !is_field;
    });
    lp.AppendInteger(same ? fields + 3 : 2 * fields + 4);
  }
  return lp.Finish();
}

// Walks a parsed listpack's elements; every read fails at the end.
class ListpackCursor {
 public:
  explicit ListpackCursor(const std::vector<PackedEntry>& entries) : entries_(entries) {}

  size_t left() const { return entries_.size() - pos_; }
  bool Int(int64_t* v) {
    if (pos_ == entries_.size()) return false;
    std::optional<int64_t> i = entries_[pos_++].AsInt();
    if (!i) return false;
    *v = *i;
    return true;
  }
  bool Text(std::string* s) {
    if (pos_ == entries_.size()) return false;
    *s = entries_[pos_++].ToString();
    return true;
  }

 private:
  const std::vector<PackedEntry>& entries_;
  size_t pos_ = 0;
};

// Reads the listpack `lp` of the node keyed `key`. `prev`: the last entry ID of the nodes before
// it, which its entries must follow; nullptr for the first node.
std::optional<StreamNode> ReadNode(std::string_view key, std::string_view lp,
                                   const StreamId* prev) {
  if (key.size() != kIdBytes) return std::nullopt;
  StreamId master = DecodeId(key);
  if (prev != nullptr && master <= *prev) return std::nullopt;
  std::optional<std::vector<PackedEntry>> elements = ParseListpack(lp);
  if (!elements) return std::nullopt;
  ListpackCursor cursor(*elements);

  int64_t live = 0;
  int64_t deleted = 0;
  int64_t master_fields = 0;
  if (!cursor.Int(&live) || !cursor.Int(&deleted) || !cursor.Int(&master_fields)) {
    return std::nullopt;
  }
  // An entry takes at least four elements, a field one: bounds that keep sums from overflowing.
  auto left = static_cast<int64_t>(cursor.left());
  if (live < 0 || deleted < 0 || live > left || deleted > left || live + deleted == 0 ||
      master_fields < 1 || master_fields > left) {
    return std::nullopt;
  }
  std::vector<std::string> fields(static_cast<size_t>(master_fields));
  for (std::string& field : fields) {
    if (!cursor.Text(&field)) return std::nullopt;
  }
  int64_t terminator = 0;
  if (!cursor.Int(&terminator) || terminator != 0) return std::nullopt;
  std::vector<std::string_view> field_views(fields.begin(), fields.end());
  StreamNode node = StreamNode::WithMasterFields(master, field_views);

  std::vector<std::string> text;
  std::vector<std::string_view> field_values;
  StreamId last;
  for (int64_t i = 0; i < live + deleted; ++i) {
    int64_t flags = 0;
    int64_t ms_delta = 0;
    int64_t seq_delta = 0;
    if (!cursor.Int(&flags) || (flags & ~(kFlagDeleted | kFlagSameFields)) != 0 ||
        !cursor.Int(&ms_delta) || !cursor.Int(&seq_delta)) {
      return std::nullopt;
    }
    StreamId id{master.ms + static_cast<uint64_t>(ms_delta),
                master.seq + static_cast<uint64_t>(seq_delta)};
    if (i == 0 ? id != master : id <= last) return std::nullopt;
    last = id;
    bool same = (flags & kFlagSameFields) != 0;
    int64_t count = master_fields;
    if (!same &&
        (!cursor.Int(&count) || count < 1 || count > static_cast<int64_t>(cursor.left()))) {
      return std::nullopt;
    }
    text.resize(static_cast<size_t>(same ? count : 2 * count));
    for (std::string& s : text) {
      if (!cursor.Text(&s)) return std::nullopt;
    }
    int64_t lp_count = 0;
    if (!cursor.Int(&lp_count) || lp_count != (same ? count + 3 : 2 * count + 4)) {
      return std::nullopt;
    }
    field_values.clear();
    for (size_t j = 0; j < text.size(); ++j) {
      if (same) field_values.push_back(field_views[j]);
      field_values.push_back(text[j]);
    }
    node.AppendAsStored(id, field_values, same, (flags & kFlagDeleted) != 0);
  }
  if (cursor.left() != 0 || node.live() != live || node.deleted() != deleted) {
    return std::nullopt;
  }
  node.AddListpackBytes(lp.size());
  return node;
}

// Reads a group's PEL and consumers into `group`.
bool ReadGroupMembers(Reader& in, StreamGroup& group) {
  uint64_t pending = 0;
  if (!in.Length(&pending)) return false;
  for (uint64_t i = 0; i < pending; ++i) {
    StreamId id;
    StreamNack nack;
    if (!ReadRawId(in, &id) || !in.Millis(&nack.delivery_time) ||
        !in.Length(&nack.delivery_count)) {
      return false;
    }
    if (!group.pel.try_emplace(id, nack).second) return false;
  }
  uint64_t consumers = 0;
  if (!in.Length(&consumers)) return false;
  for (uint64_t i = 0; i < consumers; ++i) {
    std::string name;
    int64_t seen_time = 0;
    if (!in.String(&name) || !in.Millis(&seen_time)) return false;
    StreamConsumer* consumer = group.CreateConsumer(name, seen_time);
    if (consumer == nullptr || !in.Length(&pending)) return false;
    for (uint64_t j = 0; j < pending; ++j) {
      StreamId id;
      if (!ReadRawId(in, &id)) return false;
      auto nack = group.pel.find(id);
      if (nack == group.pel.end() || nack->second.consumer != nullptr) return false;
      nack->second.consumer = consumer;
      consumer->pel.insert(id);
    }
  }
  for (const auto& [id, nack] : group.pel) {
    if (nack.consumer == nullptr) return false;
  }
  return true;
}

}  // namespace

void WriteStream(const Stream& stream, Writer& out) {
  out.Byte(kTypeStreamListpacks2);
  out.Length(stream.nodes().size());
  for (const auto& [master_id, node] : stream.nodes()) {
    out.String(EncodeId(master_id));
    out.String(NodeListpack(node));
  }
  out.Length(stream.Length());
  WriteId(out, stream.last_id());
  WriteId(out, stream.first_id());
  WriteId(out, stream.max_deleted_id());
  out.Length(stream.entries_added());

  out.Length(stream.groups().size());
  for (const auto& [name, group] : stream.groups()) {
    out.String(name);
    WriteId(out, group.last_id);
    out.Length(static_cast<uint64_t>(group.entries_read));
    out.Length(group.pel.size());
    for (const auto& [id, nack] : group.pel) {
      out.Raw(EncodeId(id));
      out.Millis(nack.delivery_time);
      out.Length(nack.delivery_count);
    }
    out.Length(group.consumers.size());
    for (const auto& [consumer_name, consumer] : group.consumers) {
      out.String(consumer_name);
      out.Millis(consumer.seen_time);
      out.Length(consumer.pel.size());
      for (StreamId id : consumer.pel) out.Raw(EncodeId(id));
    }
  }
}

std::unique_ptr<Stream> ReadStream(Reader& in, uint8_t type) {
  bool v2 = type == kTypeStreamListpacks2;
  if (!v2 && type != kTypeStreamListpacks) return nullptr;
  auto stream = std::make_unique<Stream>();

  uint64_t nodes = 0;
  if (!in.Length(&nodes)) return nullptr;
  std::optional<StreamId> last_entry;
  for (uint64_t i = 0; i < nodes; ++i) {
    std::string key;
    std::string lp;
    if (!in.String(&key) || !in.String(&lp)) return nullptr;
    std::optional<StreamNode> node = ReadNode(key, lp, last_entry ? &*last_entry : nullptr);
    if (!node) return nullptr;
    last_entry = node->last_id();
    stream->AddStoredNode(std::move(*node));
  }

  uint64_t length = 0;
  StreamId last_id;
  if (!in.Length(&length) || !ReadId(in, &last_id)) return nullptr;
  // An ID at or below the last one would let XADD append out of order.
  if (length != stream->Length() || (last_entry && *last_entry > last_id)) return nullptr;
  stream->SetLastId(last_id);
  if (v2) {
    StreamId first_id;
    StreamId max_deleted_id;
    uint64_t entries_added = 0;
    if (!ReadId(in, &first_id) || !ReadId(in, &max_deleted_id) || !in.Length(&entries_added)) {
      return nullptr;
    }
    stream->SetFirstId(first_id);
    stream->SetMaxDeletedId(max_deleted_id);
    stream->SetEntriesAdded(entries_added);
  } else {
    // Redis 7.0 starts the counter at the length, and takes the first live entry (the largest
    // ID when there is none) as the recorded first ID.
    stream->SetEntriesAdded(length);
    std::vector<StreamEntryRef> first = stream->Range({}, StreamId::Max(), 1, false);
    stream->SetFirstId(first.empty() ? StreamId::Max() : first.front().id);
  }

  uint64_t groups = 0;
  if (!in.Length(&groups)) return nullptr;
  for (uint64_t i = 0; i < groups; ++i) {
    std::string name;
    StreamId group_last_id;
    if (!in.String(&name) || !ReadId(in, &group_last_id)) return nullptr;
    int64_t entries_read = 0;
    if (v2) {
      uint64_t stored = 0;
      if (!in.Length(&stored)) return nullptr;
      entries_read = static_cast<int64_t>(stored);
    } else {
      entries_read = stream->EstimateEntriesRead(group_last_id);
    }
    StreamGroup* group = stream->CreateGroup(name, group_last_id, entries_read);
    if (group == nullptr || !ReadGroupMembers(in, *group)) return nullptr;
  }
  return stream;
}

}  // namespace respd::storage::rdb
