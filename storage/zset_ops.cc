// Sorted set operations: score writes, removals by member and by range, pops, the algebra and
// stores, with Redis 7.0's events.
#include "storage/zset_ops.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "storage/set.h"

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
  db.TouchOrDelete(key, *z, event);
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

size_t Length(const ZSource& source) {
  return source.object == nullptr ? 0 : source.object->Length();
}

// Calls fn(member, score) for every member of an input.
template <typename Fn>
void ForEach(const ZSource& source, Fn&& fn) {
  if (source.object == nullptr) return;
  if (source.object->type() == ValueType::kZSet) {
    auto* z = static_cast<const ZSet*>(source.object);
    z->ForRange(0, z->Length(), false, fn);
  } else {
    static_cast<const Set*>(source.object)->ForEach([&](std::string_view m) { fn(m, 1.0); });
  }
}

// An input's score for `member` (unweighted), or nullopt.
std::optional<double> Find(const ZSource& source, std::string_view member) {
  if (source.object == nullptr) return std::nullopt;
  if (source.object->type() == ValueType::kZSet) {
    return static_cast<const ZSet*>(source.object)->Score(member);
  }
  if (static_cast<const Set*>(source.object)->Contains(member)) return 1.0;
  return std::nullopt;
}

void Combine(double* target, double value, ZAggregate aggregate) {
  switch (aggregate) {
    case ZAggregate::kSum:
      *target += value;
      // inf + -inf: Redis keeps 0 rather than NaN.
      if (std::isnan(*target)) *target = 0;
      break;
    case ZAggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case ZAggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

double Weighted(double score, double weight) {
  double v = score * weight;
  return std::isnan(v) ? 0 : v;
}

// Intersection members in the order of the smallest input; stops at `limit` (0: none).
ScoredMembers Intersect(const std::vector<ZSource>& src, ZAggregate aggregate, size_t limit) {
  ScoredMembers out;
  if (Length(src[0]) == 0) return out;
  bool done = false;
  ForEach(src[0], [&](std::string_view m, double s) {
    if (done) return;
    double score = Weighted(s, src[0].weight);
    for (size_t j = 1; j < src.size(); ++j) {
      if (src[j].object == src[0].object) {
        Combine(&score, s * src[j].weight, aggregate);
        continue;
      }
      auto value = Find(src[j], m);
      if (!value) return;
      Combine(&score, *value * src[j].weight, aggregate);
    }
    out.emplace_back(std::string(m), score);
    if (limit != 0 && out.size() >= limit) done = true;
  });
  return out;
}

ScoredMembers Unite(const std::vector<ZSource>& src, ZAggregate aggregate) {
  std::unordered_map<std::string, double> acc;
  for (const ZSource& s : src) {
    ForEach(s, [&](std::string_view m, double score) {
      double v = Weighted(score, s.weight);
      auto [it, inserted] = acc.try_emplace(std::string(m), v);
      if (!inserted) Combine(&it->second, v, aggregate);
    });
  }
  return ScoredMembers(std::make_move_iterator(acc.begin()), std::make_move_iterator(acc.end()));
}

ScoredMembers Subtract(const std::vector<ZSource>& src) {
  ScoredMembers out;
  for (size_t j = 1; j < src.size(); ++j) {
    if (src[j].object != nullptr && src[j].object == src[0].object) return out;
  }
  ForEach(src[0], [&](std::string_view m, double s) {
    for (size_t j = 1; j < src.size(); ++j) {
      if (Find(src[j], m)) return;
    }
    out.emplace_back(std::string(m), s);
  });
  return out;
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
    db.TouchOrDelete(key, *z, kZRemEvent);
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
  db.TouchOrDelete(key, *z, max ? kZPopMaxEvent : kZPopMinEvent);
  return popped;
}

OpResult<std::vector<ZSource>> FindZSources(Database& db, std::span<const std::string_view> keys) {
  std::vector<ZSource> sources(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    Entry* e = db.FindRead(keys[i]);
    if (e == nullptr) continue;
    if (e->type() != ValueType::kZSet && e->type() != ValueType::kSet) return OpStatus::kWrongType;
    sources[i].object = e->object();
  }
  return sources;
}

ScoredMembers ZCombine(ZSetOpKind op, std::vector<ZSource> sources, ZAggregate aggregate,
                       size_t limit) {
  // Smallest inputs first, as Redis orders them (the order of a floating-point sum matters).
  if (op != ZSetOpKind::kDiff) {
    std::stable_sort(sources.begin(), sources.end(),
                     [](const ZSource& a, const ZSource& b) { return Length(a) < Length(b); });
  }
  switch (op) {
    case ZSetOpKind::kInter:
      return Intersect(sources, aggregate, limit);
    case ZSetOpKind::kUnion:
      return Unite(sources, aggregate);
    case ZSetOpKind::kDiff:
      return Subtract(sources);
  }
  return {};
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
