// Set operations: membership writes, random pops and the set algebra, with Redis 7.0's events.
#include "storage/set_ops.h"

#include <algorithm>
#include <unordered_set>

namespace respd::storage {
namespace {

constexpr KeyEvent kSAddEvent{kEventSet, "sadd"};
constexpr KeyEvent kSRemEvent{kEventSet, "srem"};
constexpr KeyEvent kSPopEvent{kEventSet, "spop"};

// SPOP with a count shuffles a copy instead of drawing when fewer than count / this members stay
// (Redis's SPOP_MOVE_STRATEGY_MUL).
constexpr size_t kSPopMoveStrategyMul = 5;

OpResult<Set*> FindSetForWrite(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindWriteTyped(key, ValueType::kSet);
  if (!found.ok()) return found.status();
  return static_cast<Set*>((*found)->object());
}

// The set at `key` for a write that may create it: nullptr when absent.
OpResult<Set*> FindSetOrNull(Database& db, std::string_view key) {
  OpResult<Set*> found = FindSetForWrite(db, key);
  if (found.status() == OpStatus::kKeyNotFound) return static_cast<Set*>(nullptr);
  return found;
}

Set* CreateSet(Database& db, std::string_view key, std::string_view first_member) {
  return static_cast<Set*>(db.AddObject(key, Set::New(first_member))->object());
}

KeyEvent StoreEvent(SetOpKind op) {
  switch (op) {
    case SetOpKind::kInter:
      return {kEventSet, "sinterstore"};
    case SetOpKind::kUnion:
      return {kEventSet, "sunionstore"};
    case SetOpKind::kDiff:
      return {kEventSet, "sdiffstore"};
  }
  return {kEventSet, "sinterstore"};
}

// Looks every key up (missing keys are nullptr); kWrongType for a key of another type.
OpStatus LookupSets(Database& db, std::span<const std::string_view> keys,
                    std::vector<const Set*>* sets) {
  sets->clear();
  for (std::string_view key : keys) {
    OpResult<const Set*> found = FindSet(db, key);
    if (!found.ok() && found.status() != OpStatus::kKeyNotFound) return found.status();
    sets->push_back(found.ok() ? *found : nullptr);
  }
  return OpStatus::kOk;
}

std::vector<std::string> Intersect(std::vector<const Set*> sets, size_t limit) {
  std::vector<std::string> out;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return out;
  std::sort(sets.begin(), sets.end(),
            [](const Set* a, const Set* b) { return a->Length() < b->Length(); });
  sets[0]->ForEach([&](std::string_view m) {
    if (limit != 0 && out.size() >= limit) return;
    for (size_t i = 1; i < sets.size(); ++i) {
      if (sets[i] != sets[0] && !sets[i]->Contains(m)) return;
    }
    out.emplace_back(m);
  });
  return out;
}

std::vector<std::string> Subtract(const std::vector<const Set*>& sets) {
  std::vector<std::string> out;
  if (sets[0] == nullptr) return out;
  sets[0]->ForEach([&](std::string_view m) {
    for (size_t i = 1; i < sets.size(); ++i) {
      if (sets[i] != nullptr && sets[i]->Contains(m)) return;
    }
    out.emplace_back(m);
  });
  return out;
}

std::vector<std::string> Unite(const std::vector<const Set*>& sets) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const Set* s : sets) {
    if (s == nullptr) continue;
    s->ForEach([&](std::string_view m) {
      if (seen.emplace(m).second) out.emplace_back(m);
    });
  }
  return out;
}

}  // namespace

OpResult<const Set*> FindSet(Database& db, std::string_view key) {
  OpResult<Entry*> found = db.FindReadTyped(key, ValueType::kSet);
  if (!found.ok()) return found.status();
  return static_cast<const Set*>((*found)->object());
}

OpResult<size_t> SAdd(Database& db, std::string_view key, std::span<const std::string_view> members,
                      size_t max_intset_entries) {
  OpResult<Set*> found = FindSetOrNull(db, key);
  if (!found.ok()) return found.status();
  if (members.empty()) return size_t{0};
  Set* s = *found != nullptr ? *found : CreateSet(db, key, members.front());
  size_t added = 0;
  for (std::string_view member : members) added += s->Add(member, max_intset_entries);
  if (added > 0) {
    db.AddDirty(added);
    db.Touch(key, kSAddEvent);
  }
  return added;
}

OpResult<size_t> SRem(Database& db, std::string_view key,
                      std::span<const std::string_view> members) {
  OpResult<Set*> found = FindSetOrNull(db, key);
  if (!found.ok()) return found.status();
  Set* s = *found;
  if (s == nullptr) return size_t{0};
  size_t removed = 0;
  for (size_t i = 0; i < members.size() && s->Length() > 0; ++i) removed += s->Remove(members[i]);
  if (removed > 0) {
    db.AddDirty(removed);
    db.TouchOrDelete(key, *s, kSRemEvent);
  }
  return removed;
}

OpResult<bool> SMove(Database& db, std::string_view src, std::string_view dst,
                     std::string_view member, size_t max_intset_entries) {
  OpResult<Set*> from = FindSetForWrite(db, src);
  OpResult<Set*> to = FindSetOrNull(db, dst);
  if (from.status() == OpStatus::kKeyNotFound) return false;
  if (!from.ok()) return from.status();
  if (!to.ok()) return to.status();
  if (*to == *from) return (*from)->Contains(member);
  if (!(*from)->Remove(member)) return false;
  db.AddDirty();
  db.TouchOrDelete(src, **from, kSRemEvent);
  Set* d = *to != nullptr ? *to : CreateSet(db, dst, member);
  if (d->Add(member, max_intset_entries)) {
    db.AddDirty();
    db.Touch(dst, kSAddEvent);
  }
  return true;
}

OpResult<std::vector<std::string>> SPop(Database& db, std::string_view key, size_t count,
                                        size_t max_intset_entries, std::mt19937_64& rng) {
  OpResult<Set*> found = FindSetForWrite(db, key);
  if (!found.ok()) return found.status();
  Set* s = *found;
  std::vector<std::string> popped;
  if (count == 0) return popped;
  if (count >= s->Length()) {
    // Redis answers this case by running SUNION on the key, whose read lookup counts a keyspace
    // hit (INFO's keyspace_hits) that the other SPOPs do not.
    db.FindRead(key);
    popped.reserve(s->Length());
    s->ForEach([&](std::string_view m) { popped.emplace_back(m); });
    db.AddDirty(popped.size());
    db.Delete(key);
    db.Notify(key, kSPopEvent);
    db.Notify(key, kDelEvent);
    return popped;
  }
  popped.reserve(count);
  if ((s->Length() - count) * kSPopMoveStrategyMul <= count) {
    // Nearly all of it: choose by shuffling a copy, as random draws would mostly miss in a table
    // that empties under them. Redis builds a new set of the members that stay, which is an
    // intset again when they all are integers (OBJECT ENCODING shows it).
    std::vector<std::string> all;
    all.reserve(s->Length());
    s->ForEach([&](std::string_view m) { all.emplace_back(m); });
    for (size_t i = 0; i < count; ++i) {
      std::swap(all[i], all[std::uniform_int_distribution<size_t>(i, all.size() - 1)(rng)]);
      s->Remove(all[i]);
      popped.push_back(std::move(all[i]));
    }
    s->ReencodeAsBuilt(max_intset_entries);
  } else {
    for (size_t i = 0; i < count; ++i) {
      popped.push_back(s->Random(rng));
      s->Remove(popped.back());
    }
  }
  db.AddDirty(count);
  db.TouchOrDelete(key, *s, kSPopEvent);
  return popped;
}

OpResult<std::vector<std::string>> SCombine(Database& db, SetOpKind op,
                                            std::span<const std::string_view> keys, size_t limit) {
  std::vector<const Set*> sets;
  if (OpStatus status = LookupSets(db, keys, &sets); status != OpStatus::kOk) return status;
  switch (op) {
    case SetOpKind::kInter:
      return Intersect(std::move(sets), limit);
    case SetOpKind::kUnion:
      return Unite(sets);
    case SetOpKind::kDiff:
      return Subtract(sets);
  }
  return std::vector<std::string>{};
}

OpResult<size_t> SCombineStore(Database& db, SetOpKind op, std::string_view dst,
                               std::span<const std::string_view> keys, size_t max_intset_entries) {
  OpResult<std::vector<std::string>> result = SCombine(db, op, keys);
  if (!result.ok()) return result.status();
  if (result->empty()) {
    if (db.Delete(dst)) {
      db.AddDirty();
      db.Notify(dst, kDelEvent);
    }
    return size_t{0};
  }
  std::unique_ptr<Set> stored = Set::NewIntset();
  for (const std::string& m : *result) stored->Add(m, max_intset_entries);
  db.Put(Entry::NewObject(dst, std::move(stored), Entry::kNoExpire));
  db.AddDirty();
  db.Notify(dst, StoreEvent(op));
  return result->size();
}

}  // namespace respd::storage
