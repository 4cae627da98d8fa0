// The sorted set value: a compact "listpack" form (one buffer of (score, member) records in order,
// scanned linearly) while small, and a "skiplist" form (ZSkiplist for order and ranks plus a
// member index) once it outgrows zset-max-listpack-entries or zset-max-listpack-value, converting
// at Redis's points so OBJECT ENCODING answers as Redis does. The thresholds are parameters:
// storage never reads server configuration. Knows nothing of RESP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/object.h"
#include "storage/set_hash_table.h"
#include "storage/zset_skiplist.h"

namespace respd::storage {

struct ZSetLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

// ZADD's conditions.
enum ZAddFlag : int {
  kZAddNx = 1 << 0,
  kZAddXx = 1 << 1,
  kZAddGt = 1 << 2,
  kZAddLt = 1 << 3,
  kZAddIncr = 1 << 4,
};

enum class ZAddOutcome : uint8_t {
  kAdded,
  kUpdated,
  kUnchanged,  // processed, same score
  kSkipped,    // a condition (NX, XX, GT, LT) stopped it
  kNan,        // the score (or the incremented score) is NaN
};

class ZSet final : public Object {
 public:
  // An empty set in the form Redis's ZADD creates for a first member of `first_member_len` bytes.
  static std::unique_ptr<ZSet> New(const ZSetLimits& limits, size_t first_member_len);
  // A set holding `elements` (distinct members), in listpack form when it fits the limits, as
  // Redis's store commands leave their destination.
  static std::unique_ptr<ZSet> Build(std::vector<std::pair<std::string, double>> elements,
                                     const ZSetLimits& limits);
  ~ZSet() override;

  ValueType type() const override { return ValueType::kZSet; }
  std::string_view Encoding() const override { return skiplist_ ? "skiplist" : "listpack"; }
  std::optional<HashTableStats> TableStats() const override {
    if (!skiplist_) return std::nullopt;
    return index_.Stats();
  }
  size_t MemoryUsage() const override;
  std::unique_ptr<Object> Clone() const override;
  size_t Length() const override { return skiplist_ ? skiplist_->size() : lp_count_; }

  std::optional<double> Score(std::string_view member) const;
  // SORT reads a sorted set through its skiplist and, as in Redis, leaves it converted.
  void ConvertToSkiplistIfPacked() {
    if (!skiplist_) ConvertToSkiplist();
  }
  // Adds or updates `member` under ZADD's `flags`; *new_score gets the score when processed, as
  // computed: a listpack stores -0 as 0, but Redis replies the -0 of ZINCRBY on a new member.
  ZAddOutcome Add(double score, std::string_view member, int flags, const ZSetLimits& limits,
                  double* new_score);
  bool Remove(std::string_view member);
  // 0-based rank in ascending order.
  std::optional<size_t> Rank(std::string_view member) const;

  // Ascending ranks where a range starts and ends: members inside `range` have ranks in
  // [CountBelowMin, CountUpToMax).
  size_t CountBelowMin(const ScoreRange& range) const;
  size_t CountUpToMax(const ScoreRange& range) const;
  size_t CountBelowMin(const LexRange& range) const;
  size_t CountUpToMax(const LexRange& range) const;

  // Calls fn(member, score) for ascending ranks [start, end), from end-1 down when `reverse`. fn
  // must not modify the set.
  template <typename Fn>
  void ForRange(size_t start, size_t end, bool reverse, Fn&& fn) const;
  // Removes ascending ranks [start, end).
  void RemoveRange(size_t start, size_t end);

  // One SCAN step: calls fn(member, score) and returns the next cursor. The listpack form returns
  // everything at once with cursor 0, as Redis does.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const;

 private:
  using Node = ZSkiplist::Node;
  // A decoded listpack record at byte `offset`; `next` is the offset of the following one.
  struct Record {
    double score;
    std::string_view member;
    size_t next;
  };

  ZSet() = default;
  Record Decode(size_t offset) const;
  // Offset of the record with `member`, or npos.
  size_t LpFind(std::string_view member) const;
  void LpInsert(double score, std::string_view member);
  void LpErase(size_t offset);
  void ConvertToSkiplist();
  void SlInsert(double score, std::string_view member);

  std::string lp_;  // listpack form: records of [score 8 bytes][varint length][member bytes]
  size_t lp_count_ = 0;
  std::unique_ptr<ZSkiplist> skiplist_;  // skiplist form when set
  MemberTable<Node> index_;
};

template <typename Fn>
void ZSet::ForRange(size_t start, size_t end, bool reverse, Fn&& fn) const {
  if (start >= end) return;
  if (skiplist_) {
    if (!reverse) {
      for (Node* n = skiplist_->ByRank(start + 1); n != nullptr && start < end;
           n = n->next(), ++start) {
        fn(n->member(), n->score);
      }
    } else {
      for (Node* n = skiplist_->ByRank(end); n != nullptr && end > start; n = n->prev(), --end) {
        fn(n->member(), n->score);
      }
    }
    return;
  }
  size_t offset = 0;
  for (size_t i = 0; i < start; ++i) offset = Decode(offset).next;
  if (!reverse) {
    for (size_t i = start; i < end && offset < lp_.size(); ++i) {
      Record r = Decode(offset);
      fn(r.member, r.score);
      offset = r.next;
    }
    return;
  }
  std::vector<size_t> offsets;
  for (size_t i = start; i < end && offset < lp_.size(); ++i) {
    offsets.push_back(offset);
    offset = Decode(offset).next;
  }
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    Record r = Decode(*it);
    fn(r.member, r.score);
  }
}

template <typename Fn>
uint64_t ZSet::Scan(uint64_t cursor, size_t count, Fn&& fn) const {
  if (!skiplist_) {
    ForRange(0, lp_count_, false, fn);
    return 0;
  }
  return index_.ScanSteps(cursor, count, [&](const Node* n) { fn(n->member(), n->score); });
}

}  // namespace respd::storage
