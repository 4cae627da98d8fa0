// Sorted set operations: score writes, removals by member and by range, pops and stores, with
// Redis 7.0's events.
#include "storage/zset_ops.h"

#include <algorithm>

namespace respd::storage {
namespace {

constexpr KeyEvent kZAddEvent{kEventZset, "zadd"};
constexpr KeyEvent kZIncrEvent{kEventZset, "zincr"};
constexpr KeyEvent kZRemEvent{kEventZset, "zrem"};
constexpr KeyEvent kZPopMinEvent{kEventZset, "zpopmin"};
constexpr KeyEvent kZPopMaxEvent{kEventZset, "zpopmax"};

OpResult<ZSet*> FindZSetForWrite(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindWriteTyped(key, ValueType::kZSet);
  if (!found.ok()) return found.status();
  return static_cast<ZSet*>((*found)->object());
}

// After members left the sorted set at `key`: reports `event`, then deletes the key if it is
// empty and reports "del", in Redis's order.
void FinishRemoval(Database& db, std::string_view key, const ZSet& z, KeyEvent event) {
  if (z.Length() > 0) return db.Touch(key, event);
  db.Delete(key);
  db.Notify(key, event);
  db.Notify(key, kDelEvent);
}

// Removes ascending ranks [first, second) of the sorted set at `key`, as `ranks` picks them.
template <typename RanksFn>
OpResult<size_t> RemoveRanks(Database& db, std::string_view key, KeyEvent event, RanksFn&& ranks) {
  OpResult<ZSet*> found = FindZSetForWrite(db, key);
  if (found.status() == OpStatus::kKeyNotFound) return size_t{0};
  if (!found.ok()) return found.status();
  ZSet* z = *found;
  auto [first, last] = ranks(*z);
  size_t removed = last - first;
  if (removed == 0) return removed;
  z->RemoveRange(first, last);
  db.AddDirty(removed);
  FinishRemoval(db, key, *z, event);
  return removed;
}

KeyEvent StoreEvent(ZStoreKind kind) {
  switch (kind) {
    case ZStoreKind::kRangeStore:
      return {kEventZset, "zrangestore"};
    case ZStoreKind::kUnionStore:
      return {kEventZset, "zunionstore"};
    case ZStoreKind::kInterStore:
      return {kEventZset, "zinterstore"};
    case ZStoreKind::kDiffStore:
      return {kEventZset, "zdiffstore"};
    case ZStoreKind::kGeoRadiusStore:
      return {kEventZset, "georadiusstore"};
    case ZStoreKind::kGeoSearchStore:
      return {kEventZset, "geosearchstore"};
  }
  return {kEventZset, "zunionstore"};
}

}  // namespace

OpResult<const ZSet*> FindZSet(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindReadTyped(key, ValueType::kZSet);
  if (!found.ok()) return found.status();
  return static_cast<const ZSet*>((*found)->object());
}

std::pair<size_t, size_t> RankBounds(const ZSet& z, const ScoreRange& range) {
  if (range.Empty()) return {0, 0};
  size_t lo = z.CountBelowMin(range);
  return {lo, std::max(lo, z.CountUpToMax(range))};
}

std::pair<size_t, size_t> RankBounds(const ZSet& z, const LexRange& range) {
  if (range.Empty() || z.Length() == 0) return {0, 0};
  // As Redis (zzlIsInLexRange), nothing is in range unless the last member reaches min and the
  // first reaches max; with unequal scores, members are not in lex order and this alone decides.
  bool reachable = true;
  z.ForRange(z.Length() - 1, z.Length(), false,
             [&](std::string_view member, double) { reachable &= range.AboveMin(member); });
  z.ForRange(0, 1, false,
             [&](std::string_view member, double) { reachable &= range.BelowMax(member); });
  if (!reachable) return {0, 0};
  size_t lo = z.CountBelowMin(range);
  return {lo, std::max(lo, z.CountUpToMax(range))};
}

std::pair<size_t, size_t> ClampRanks(int64_t start, int64_t end, size_t length) {
  auto len = static_cast<int64_t>(length);
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return {0, 0};
  if (end >= len) end = len - 1;
  return {static_cast<size_t>(start), static_cast<size_t>(end + 1)};
}

OpResult<ZAddResult> ZAdd(Database& db, std::string_view key, std::span<const ScoredMember> members,
                          int flags, const ZSetLimits& limits) {
  OpResult<ZSet*> found = FindZSetForWrite(db, key);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) return found.status();
  ZAddResult result;
  ZSet* z = found.ok() ? *found : nullptr;
  if (z == nullptr) {
    if ((flags & kZAddXx) || members.empty()) return result;
    z = static_cast<ZSet*>(
        db.AddObject(key, ZSet::New(limits, members.front().member.size()))->object());
  }
  for (const ScoredMember& m : members) {
    ZAddOutcome outcome = z->Add(m.score, m.member, flags, limits, &result.score);
    if (outcome == ZAddOutcome::kNan) {
      result.nan = true;
      break;
    }
    result.added += outcome == ZAddOutcome::kAdded;
    result.updated += outcome == ZAddOutcome::kUpdated;
    result.processed += outcome != ZAddOutcome::kSkipped;
  }
  if (result.added + result.updated > 0) {
    db.AddDirty(result.added + result.updated);
    db.Touch(key, (flags & kZAddIncr) ? kZIncrEvent : kZAddEvent);
  }
  // A key created for members that were all refused holds nothing.
  if (z->Length() == 0) db.Delete(key);
  return result;
}

OpResult<size_t> ZRem(Database& db, std::string_view key,
                      std::span<const std::string_view> members) {
  OpResult<ZSet*> found = FindZSetForWrite(db, key);
  if (found.status() == OpStatus::kKeyNotFound) return size_t{0};
  if (!found.ok()) return found.status();
  ZSet* z = *found;
  size_t removed = 0;
  for (size_t i = 0; i < members.size() && z->Length() > 0; ++i) removed += z->Remove(members[i]);
  if (removed > 0) {
    db.AddDirty(removed);
    FinishRemoval(db, key, *z, kZRemEvent);
  }
  return removed;
}

OpResult<size_t> ZRemRangeByRank(Database& db, std::string_view key, int64_t start, int64_t end) {
  return RemoveRanks(db, key, {kEventZset, "zremrangebyrank"},
                     [&](const ZSet& z) { return ClampRanks(start, end, z.Length()); });
}

OpResult<size_t> ZRemRangeByScore(Database& db, std::string_view key, const ScoreRange& range) {
  return RemoveRanks(db, key, {kEventZset, "zremrangebyscore"},
                     [&](const ZSet& z) { return RankBounds(z, range); });
}

OpResult<size_t> ZRemRangeByLex(Database& db, std::string_view key, const LexRange& range) {
  return RemoveRanks(db, key, {kEventZset, "zremrangebylex"},
                     [&](const ZSet& z) { return RankBounds(z, range); });
}

OpResult<ScoredMembers> ZPop(Database& db, std::string_view key, bool max, size_t count) {
  OpResult<ZSet*> found = FindZSetForWrite(db, key);
  if (!found.ok()) return found.status();
  ZSet* z = *found;
  size_t len = z->Length();
  size_t n = std::min(count, len);
  size_t first = max ? len - n : 0;
  size_t last = max ? len : n;
  ScoredMembers popped;
  if (n == 0) return popped;
  popped.reserve(n);
  z->ForRange(first, last, max,
              [&](std::string_view m, double s) { popped.emplace_back(std::string(m), s); });
  z->RemoveRange(first, last);
  db.AddDirty(n);
  FinishRemoval(db, key, *z, max ? kZPopMaxEvent : kZPopMinEvent);
  return popped;
}

size_t ZStore(Database& db, std::string_view dst, ScoredMembers members, const ZSetLimits& limits,
              ZStoreKind kind) {
  if (members.empty()) {
    if (db.Delete(dst)) {
      db.AddDirty();
      db.Notify(dst, kDelEvent);
    }
    return 0;
  }
  size_t n = members.size();
  bool geo = kind == ZStoreKind::kGeoRadiusStore || kind == ZStoreKind::kGeoSearchStore;
  db.AddDirty(geo ? n : 1);  // Redis counts a GEO store per element, the others once
  db.Put(Entry::NewObject(dst, ZSet::Build(std::move(members), limits), Entry::kNoExpire));
  db.Notify(dst, StoreEvent(kind));
  return n;
}

}  // namespace respd::storage
