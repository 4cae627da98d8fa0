// The stream value: entries in ID order with Redis 7.0's bookkeeping (last generated ID, entries
// added, max deleted entry ID, recorded first entry ID) and consumer groups with their pending
// entries lists. Entries live packed in nodes (stream_node.h) kept in an ordered map by master ID,
// as Redis keeps listpacks in a radix tree. Nodes split where Redis's listpacks would, so each
// node also carries Redis's byte size for it: users observe the layout (`~` trimming removes whole
// nodes only, and XINFO STREAM reports the tree's key and node counts). Knows nothing of RESP or
// server configuration.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/object.h"
#include "storage/stream_node.h"

namespace respd::storage {

// Redis's streamGenericParseIDOrReply: "<ms>[-<seq>]" (missing seq: `missing_seq`), "-" and "+"
// unless `strict`, and "<ms>-*" only when `seq_given` is given (it is then set to false).
// Numbers follow Redis's string2ull, C-string semantics included.
std::optional<StreamId> ParseStreamId(std::string_view text, uint64_t missing_seq, bool strict,
                                      bool* seq_given = nullptr);

struct StreamConsumer;

// One delivered, not yet acknowledged entry of a group (Redis's streamNACK).
struct StreamNack {
  int64_t delivery_time = 0;
  uint64_t delivery_count = 1;
  StreamConsumer* consumer = nullptr;
};

struct StreamConsumer {
  std::string name;
  int64_t seen_time = 0;
  std::set<StreamId> pel;  // the group's nacks this consumer owns
};

struct StreamGroup {
  static constexpr int64_t kInvalidEntriesRead = -1;

  StreamId last_id;
  int64_t entries_read = kInvalidEntriesRead;
  std::map<StreamId, StreamNack> pel;
  std::map<std::string, StreamConsumer, std::less<>> consumers;  // byte order, as Redis's rax

  StreamConsumer* FindConsumer(std::string_view name);
  // nullptr when it exists already.
  StreamConsumer* CreateConsumer(std::string_view name, int64_t now_ms);
  // Drops the consumer and its pending entries; returns how many it had.
  size_t DeleteConsumer(StreamConsumer* consumer);
  // Forgets a pending entry, from the group and its consumer.
  void Acknowledge(std::map<StreamId, StreamNack>::iterator nack);
};

// Redis's stream-node-max-bytes and stream-node-max-entries (0: no limit).
struct StreamNodeLimits {
  uint64_t max_bytes = 4096;
  int64_t max_entries = 100;
};

struct StreamTrim {
  enum class Strategy : uint8_t { kNone, kMaxLen, kMinId };
  Strategy strategy = Strategy::kNone;
  uint64_t maxlen = 0;
  StreamId minid;
  bool approx = false;
  int64_t limit = 0;  // at most this many entries removed (approx only); 0: no limit
};

class Stream final : public Object {
 public:
  using Groups = std::map<std::string, StreamGroup, std::less<>>;
  using Nodes = std::map<StreamId, StreamNode>;

  Stream() = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  ValueType type() const override { return ValueType::kStream; }
  std::string_view Encoding() const override { return "stream"; }
  size_t MemoryUsage() const override;
  std::unique_ptr<Object> Clone() const override;
  size_t Length() const override { return length_; }

  // Up to `count` entries (0: all) with start <= ID <= end, in ID order or, with `rev`, reversed.
  std::vector<StreamEntryRef> Range(StreamId start, StreamId end, size_t count, bool rev) const;
  // The entry of that ID, or a ref that is not found().
  StreamEntryRef Find(StreamId id) const;
  StreamId last_id() const { return last_id_; }
  StreamId first_id() const { return first_id_; }  // "recorded-first-entry-id"
  StreamId max_deleted_id() const { return max_deleted_id_; }
  uint64_t entries_added() const { return entries_added_; }
  // The last live entry's ID (0-0 when empty), Redis's streamLastValidID.
  StreamId LastValidId() const;
  // The first entry's ID, a deleted one included (Redis's streamGetEdgeID without skipping
  // tombstones); StreamId::Max() when no node is left.
  StreamId FirstIdWithTombstones() const;

  // Appends an entry; `id` must be greater than last_id(). `field_values` alternate.
  void Append(StreamId id, std::span<const std::string_view> field_values,
              const StreamNodeLimits& limits);
  // XDEL of one ID; false when there is no such entry. Keeps max-deleted-entry-id and the
  // recorded first ID as Redis's XDEL does.
  bool Delete(StreamId id);
  // Redis's streamTrim; returns how many entries it removed.
  int64_t Trim(const StreamTrim& trim);
  // XSETID's writes (checked by the caller).
  void SetLastId(StreamId id) { last_id_ = id; }
  void SetEntriesAdded(uint64_t n) { entries_added_ = n; }
  void SetMaxDeletedId(StreamId id) { max_deleted_id_ = id; }
  // A loaded value's recorded first ID (Redis keeps it in its dumps).
  void SetFirstId(StreamId id) { first_id_ = id; }

  // The nodes by master ID, for writing the stream out in Redis's layout.
  const Nodes& nodes() const { return nodes_; }
  // Adds a node read back from a dump. Its entries must all be above those of the nodes added
  // before it (the reader checks); the length grows by its live entries.
  void AddStoredNode(StreamNode node);

  // Redis's streamRangeHasTombstones over [start, end].
  bool RangeHasTombstones(StreamId start, StreamId end = StreamId::Max()) const;
  // Redis's streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, or
  // StreamGroup::kInvalidEntriesRead when it cannot be known.
  int64_t EstimateEntriesRead(StreamId id) const;
  // XINFO's "lag" of a group, nullopt when it cannot be known.
  std::optional<int64_t> Lag(const StreamGroup& group) const;
  // Records that a group was served `id` (Redis's last_id/entries_read update on delivery).
  void AdvanceGroup(StreamGroup& group, StreamId id) const;

  // XINFO STREAM's radix-tree-keys and radix-tree-nodes of Redis's layout.
  size_t RadixTreeKeys() const { return nodes_.size(); }
  size_t RadixTreeNodes() const;

  Groups& groups() { return groups_; }
  const Groups& groups() const { return groups_; }
  StreamGroup* FindGroup(std::string_view name);
  // nullptr when a group of that name exists.
  StreamGroup* CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);

 private:
  // Calls fn(entry) for live entries with start <= ID <= end, in ID order or reversed, while it
  // returns true.
  template <typename Fn>
  void Walk(StreamId start, StreamId end, bool rev, Fn&& fn) const;
  // What a node costs, map node included (MEMORY USAGE).
  static size_t NodeBytes(const StreamNode& node);
  // The node that would hold `id`, or end.
  Nodes::iterator NodeOf(StreamId id);
  void UpdateFirstId();

  Nodes nodes_;
  size_t length_ = 0;
  size_t node_bytes_ = 0;  // NodeBytes() summed over nodes_
  StreamId last_id_;
  StreamId first_id_;
  StreamId max_deleted_id_;
  uint64_t entries_added_ = 0;
  Groups groups_;
};

}  // namespace respd::storage
