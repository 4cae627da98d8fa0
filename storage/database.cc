// Databases, shards, lazy and active expiry, SCAN over shards, and shard locking.
#include "storage/database.h"

#include <algorithm>
#include <chrono>

#include "storage/clock.h"
#include "storage/memory.h"

namespace respd::storage {
namespace {

thread_local int64_t command_time_ms = 0;
thread_local int command_time_holds = 0;
// ShardLocks::All objects alive on this thread (a script or EXEC, and anything nested in it).
thread_local int all_shards_held = 0;

// Redis's dictScan: at most ten empty buckets per requested key before a SCAN call returns.
constexpr size_t kScanEmptyBucketFactor = 10;
// A uniform draw in [0, 1) for LFU counters, which Redis takes from rand(): a splitmix64 stream
// per thread, since a lookup cannot afford a lock or a big generator state.
double UniformDraw() {
  thread_local uint64_t state = reinterpret_cast<uintptr_t>(&state);
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

// RandomEntry gives up on a database that is all expired keys after this many draws.
constexpr int kRandomKeyMaxTries = 100;

}  // namespace

int64_t CommandTimeMs() { return command_time_ms; }
void SetCommandTimeMs(int64_t now_ms) { command_time_ms = now_ms; }
bool CommandTimeHeld() { return command_time_holds > 0; }

ScopedCommandTime::ScopedCommandTime(int64_t now_ms) : previous_ms_(command_time_ms) {
  SetCommandTimeMs(now_ms);
  ++command_time_holds;
}

ScopedCommandTime::~ScopedCommandTime() {
  --command_time_holds;
  SetCommandTimeMs(previous_ms_);
}

Database::Database(Store* store, int index) : store_(store), index_(index) {
  for (size_t i = 0; i < kShardCount; ++i) {
    shards_[i].footprint = store->shard_footprint(i);
    shards_[i].table.set_footprint(store->shard_footprint(i));
  }
}

Entry* Database::Lookup(std::string_view key, uint64_t hash, Expired expired) {
  Shard& shard = shards_[ShardOfHash(hash)];
  Entry* e = shard.table.Find(key, hash);
  if (e != nullptr && e->IsExpired(CommandTimeMs())) {
    if (expired == Expired::kDelete || ReadsMayExpire()) ExpireEntry(shard, e, hash);
    return nullptr;
  }
  return e;
}

bool Database::ReadsMayExpire() const { return !store_->expiry_held(); }

void Database::RecordAccess(Entry* e) const {
  if (!store_->lfu_clock()) [[likely]] {
    e->set_lru(LruClock(CommandTimeMs()));
    return;
  }
  e->set_lru(AccessedClock(e, store_->access_clock_policy(), CommandTimeMs(), UniformDraw()));
}

uint32_t Database::NewKeyClock() const {
  return storage::NewKeyClock(store_->access_clock_policy(), CommandTimeMs());
}

Entry* Database::FindRead(std::string_view key, bool touch) {
  Entry* e = FindReadQuiet(key);
  if (e == nullptr) {
    Notify(key, kKeyMissEvent);
    return nullptr;
  }
  if (touch) RecordAccess(e);
  return e;
}

Entry* Database::FindReadQuiet(std::string_view key) {
  Entry* e = Lookup(key, HashBytes(key), Expired::kHideIfHeld);
  if (e == nullptr) {
    store_->Count(store_->stats().keyspace_misses);
    return nullptr;
  }
  store_->Count(store_->stats().keyspace_hits);
  return e;
}

Entry* Database::FindWrite(std::string_view key) {
  Entry* e = Lookup(key, HashBytes(key));
  if (e != nullptr) RecordAccess(e);
  return e;
}

OpResult<Entry*> Database::FindReadTyped(std::string_view key, ValueType type) {
  Entry* e = FindRead(key);
  if (e == nullptr) return OpStatus::kKeyNotFound;
  if (e->type() != type) return OpStatus::kWrongType;
  return e;
}

OpResult<Entry*> Database::FindWriteTyped(std::string_view key, ValueType type) {
  Entry* e = FindWrite(key);
  if (e == nullptr) return OpStatus::kKeyNotFound;
  if (e->type() != type) return OpStatus::kWrongType;
  return e;
}

void Database::Prefetch(std::span<const std::string_view> keys) const {
  std::array<uint64_t, kPrefetchBatch> hashes;
  size_t count = std::min(keys.size(), kPrefetchBatch);
  for (size_t i = 0; i < count; ++i) {
    hashes[i] = HashBytes(keys[i]);
    shards_[ShardOfHash(hashes[i])].table.PrefetchBucket(hashes[i]);
  }
  // The first key is looked up next: reading its slot here would only move the wait.
  for (size_t i = 1; i < count; ++i) {
    shards_[ShardOfHash(hashes[i])].table.PrefetchChainHead(hashes[i]);
  }
  for (size_t i = 1; i < count; ++i) {
    shards_[ShardOfHash(hashes[i])].table.PrefetchChainSecond(hashes[i]);
  }
}

Database::Slot Database::FindSlot(std::string_view key, bool read) {
  uint64_t hash = HashBytes(key);
  Entry* e = Lookup(key, hash);
  if (read) {
    store_->Count(e == nullptr ? store_->stats().keyspace_misses : store_->stats().keyspace_hits);
    if (e == nullptr) Notify(key, kKeyMissEvent);
  }
  if (e != nullptr) RecordAccess(e);
  return {e, hash};
}

Entry* Database::SetString(std::string_view key, std::string_view value, int64_t expire_at_ms,
                           bool keep_ttl, StringEncoding encoding) {
  uint64_t hash = HashBytes(key);
  Entry* old = Lookup(key, hash);
  // Redis's SET looks the key up for writing first, which counts as an access.
  if (old != nullptr) RecordAccess(old);
  return SetString({old, hash}, key, value, expire_at_ms, keep_ttl, encoding);
}

Entry* Database::SetString(const Slot& slot, std::string_view key, std::string_view value,
                           int64_t expire_at_ms, bool keep_ttl, StringEncoding encoding) {
  Shard& shard = shards_[ShardOfHash(slot.hash)];
  Entry* old = slot.entry;
  if (old != nullptr && keep_ttl) expire_at_ms = old->expire_at();
  // Overwrite in place when the layout fits: the common SET of a same-sized value allocates
  // nothing.
  if (old != nullptr && old->type() == ValueType::kString && old->str().size() == value.size() &&
      old->has_expire() == (expire_at_ms != Entry::kNoExpire) &&
      old->string_encoding() == encoding) {
    if (!value.empty()) std::memcpy(old->mutable_str(), value.data(), value.size());
    if (old->has_expire()) old->set_expire_at(expire_at_ms);
    MarkModified(key);
    return old;
  }
  Entry* e = Entry::NewString(key, value, expire_at_ms, encoding);
  // Redis's dbOverwrite keeps an LFU counter across the new value.
  e->set_lru(old != nullptr && store_->lfu_clock() ? old->lru() : NewKeyClock());
  if (old != nullptr) {
    shard.table.Replace(old, e, slot.hash);
    FreeEntry(shard, old, Freeing::kServerDel);
  } else {
    shard.table.Insert(e, slot.hash);
  }
  if (e->has_expire()) ++shard.volatile_keys;
  shard.Charge(static_cast<int64_t>(e->BlockBytes()));
  MarkModified(key);
  if (old == nullptr) Notify(key, kNewKeyEvent);
  return e;
}

Entry* Database::AddObject(std::string_view key, std::unique_ptr<Object> object,
                           int64_t expire_at_ms) {
  uint64_t hash = HashBytes(key);
  Shard& shard = shards_[ShardOfHash(hash)];
  // A write that looked its key up as a read while expiry was held found it missing, but the
  // expired key is still stored: it goes now, as a write lookup would have made it go.
  if (store_->expiry_held()) [[unlikely]] {
    if (Entry* stale = shard.table.Find(key, hash)) ExpireEntry(shard, stale, hash);
  }
  Entry* e = Entry::NewObject(key, std::move(object), expire_at_ms);
  e->set_lru(NewKeyClock());
  shard.table.Insert(e, hash);
  if (e->has_expire()) ++shard.volatile_keys;
  ChargeLinked(shard, e);
  MarkModified(key);
  Notify(key, kNewKeyEvent);
  SignalIfServable(e);
  return e;
}

void Database::Put(Entry* entry) {
  uint64_t hash = HashBytes(entry->key());
  Shard& shard = shards_[ShardOfHash(hash)];
  Entry* old = Lookup(entry->key(), hash);
  if (old != nullptr) {
    shard.table.Replace(old, entry, hash);
    FreeEntry(shard, old, Freeing::kServerDel);
  } else {
    shard.table.Insert(entry, hash);
  }
  if (entry->has_expire()) ++shard.volatile_keys;
  ChargeLinked(shard, entry);
  MarkModified(entry->key());
  if (old == nullptr) {
    Notify(entry->key(), kNewKeyEvent);
    SignalIfServable(entry);
  }
}

bool Database::Delete(std::string_view key, Freeing freeing) {
  Entry* e = Detach(key);
  if (e == nullptr) return false;
  Dispose(e, freeing);
  return true;
}

Entry* Database::Detach(std::string_view key) {
  uint64_t hash = HashBytes(key);
  Shard& shard = shards_[ShardOfHash(hash)];
  Entry* e = Lookup(key, hash);
  if (e == nullptr) return nullptr;
  MarkModified(key);
  shard.table.Remove(key, hash);
  if (e->has_expire()) --shard.volatile_keys;
  shard.Charge(-static_cast<int64_t>(memory::ChargedBytes(e)));
  return e;
}

Entry* Database::SetExpire(Entry* entry, int64_t expire_at_ms) {
  uint64_t hash = HashBytes(entry->key());
  Shard& shard = shards_[ShardOfHash(hash)];
  bool had = entry->has_expire();
  bool relayout = had != (expire_at_ms != Entry::kNoExpire);
  // Unlink first when the layout changes: WithExpire frees the old entry, whose chain link
  // Replace would have to read.
  if (relayout) shard.table.Remove(entry->key(), hash);
  int64_t old_bytes = static_cast<int64_t>(entry->BlockBytes());
  Entry* e = Entry::WithExpire(entry, expire_at_ms);
  if (relayout) shard.table.Insert(e, hash);
  shard.Charge(static_cast<int64_t>(e->BlockBytes()) - old_bytes);
  if (had && !e->has_expire()) --shard.volatile_keys;
  if (!had && e->has_expire()) ++shard.volatile_keys;
  MarkModified(e->key());
  return e;
}

Entry* Database::ResizeString(Entry* entry, size_t new_len) {
  uint64_t hash = HashBytes(entry->key());
  Shard& shard = shards_[ShardOfHash(hash)];
  // Unlink first: realloc may move the entry, leaving its old address dangling in the chain.
  shard.table.Remove(entry->key(), hash);
  int64_t old_bytes = static_cast<int64_t>(entry->BlockBytes());
  Entry* e = Entry::ResizeString(entry, new_len);
  shard.table.Insert(e, hash);
  shard.Charge(static_cast<int64_t>(e->BlockBytes()) - old_bytes);
  MarkModified(e->key());
  return e;
}

void Database::MarkModified(std::string_view key) {
  for (KeyspaceObserver* observer : store_->change_observers()) {
    observer->OnKeyModified(index_, key);
  }
}

void Database::Touch(std::string_view key, KeyEvent event) {
  MarkModified(key);
  // Strings change size only through the calls above, which charge them; a container changed in
  // place is re-measured here. One predictable branch for string events.
  constexpr uint32_t kContainerEvents =
      kEventList | kEventSet | kEventHash | kEventZset | kEventStream;
  if (event.event_class & kContainerEvents) {
    uint64_t hash = HashBytes(key);
    Shard& shard = shards_[ShardOfHash(hash)];
    Entry* e = shard.table.Find(key, hash);
    if (e != nullptr && e->type() != ValueType::kString) {
      Object* object = e->object();
      size_t now = object->MemoryUsage();
      shard.Charge(static_cast<int64_t>(now) - static_cast<int64_t>(object->accounted_bytes()));
      object->set_accounted_bytes(now);
    }
  }
  Notify(key, event);
}

void Database::Notify(std::string_view key, KeyEvent event) {
  for (KeyspaceObserver* observer : store_->event_observers()) {
    observer->OnKeyEvent(index_, key, event);
  }
}

void Database::TouchOrDelete(std::string_view key, const Object& value, KeyEvent event) {
  if (value.Length() != 0) return Touch(key, event);
  Notify(key, event);
  Delete(key);  // frees `value`
  Notify(key, kDelEvent);
}

void Database::AddDirty(uint64_t changes) { store_->AddDirty(changes); }

void Database::SignalIfServable(const Entry* added) {
  // Redis's signalKeyAsReady from dbAdd: only a key that did not exist wakes waiters, and only if
  // it holds a type some blocking command pops from.
  ValueType type = added->type();
  if (type != ValueType::kList && type != ValueType::kZSet) return;
  for (KeyspaceObserver* observer : store_->change_observers()) {
    observer->OnKeyReady(index_, added->key());
  }
}

void Database::ExpireEntry(Shard& shard, Entry* entry, uint64_t hash) {
  MarkModified(entry->key());
  Notify(entry->key(), kExpiredEvent);
  shard.table.Remove(entry->key(), hash);
  FreeEntry(shard, entry, Freeing::kExpire);
  store_->Count(store_->stats().expired_keys);
}

void Database::FreeEntry(Shard& shard, Entry* entry, Freeing freeing) {
  if (entry->has_expire()) --shard.volatile_keys;
  shard.Charge(-static_cast<int64_t>(memory::ChargedBytes(entry)));
  Dispose(entry, freeing);
}

void Database::Dispose(Entry* entry, Freeing freeing) {
  // Strings are one allocation: never worth handing over.
  if (entry->type() != ValueType::kString && store_->FreesLazily(freeing)) {
    store_->lazy_freer().Free(Entry::FreeKeepingObject(entry));
  } else {
    Entry::Free(entry);
  }
}

void Database::ChargeLinked(Shard& shard, Entry* entry) {
  if (entry->type() != ValueType::kString) {
    entry->object()->set_accounted_bytes(entry->object()->MemoryUsage());
  }
  shard.Charge(static_cast<int64_t>(memory::ChargedBytes(entry)));
}

size_t Database::Size() const {
  size_t n = 0;
  for (const Shard& s : shards_) n += s.table.size();
  return n;
}

size_t Database::VolatileCount() const {
  size_t n = 0;
  for (const Shard& s : shards_) n += s.volatile_keys;
  return n;
}

void Database::Clear(Freeing freeing) {
  bool had_keys = false;
  // Redis's emptyDbAsync hands over the tables whatever their size and counts each key.
  bool lazily = store_->FreesLazily(freeing);
  std::vector<std::unique_ptr<KeyTable>> tables;
  size_t keys = 0;
  for (Shard& s : shards_) {
    had_keys |= s.table.size() > 0;
    if (lazily && s.table.size() > 0) {
      keys += s.table.size();
      tables.push_back(s.table.Extract());
    } else {
      s.table.Clear();
    }
    s.volatile_keys = 0;
    s.expire_cursor = 0;
    s.Charge(-s.used_bytes.load(std::memory_order_relaxed));
  }
  if (!tables.empty()) store_->lazy_freer().FreeTables(std::move(tables), keys);
  if (had_keys) {
    for (KeyspaceObserver* observer : store_->change_observers()) observer->OnDbModified(index_);
  }
}

uint64_t Database::Scan(uint64_t cursor, size_t count, const std::function<void(Entry*)>& fn) {
  size_t shard_index = cursor & (kShardCount - 1);
  uint64_t table_cursor = cursor >> kShardBits;
  size_t emitted = 0;
  count = std::max<size_t>(count, 1);
  // COUNT may be as large as a long long: saturate instead of wrapping.
  size_t budget =
      count > SIZE_MAX / kScanEmptyBucketFactor ? SIZE_MAX : count * kScanEmptyBucketFactor;
  std::vector<Entry*> expired;
  int64_t now = CommandTimeMs();
  while (shard_index < kShardCount) {
    Shard& shard = shards_[shard_index];
    do {
      table_cursor = shard.table.ScanBucket(table_cursor, [&](Entry* e) {
        if (e->IsExpired(now)) {
          expired.push_back(e);
        } else {
          fn(e);
          ++emitted;
        }
      });
      if (budget > 0) --budget;
    } while (table_cursor != 0 && emitted < count && budget > 0);
    if (ReadsMayExpire()) {
      for (Entry* e : expired) ExpireEntry(shard, e, HashBytes(e->key()));
    }
    expired.clear();
    if (table_cursor == 0) {
      ++shard_index;
      if (shard_index == kShardCount) return 0;
    }
    if (emitted >= count || budget == 0) break;
  }
  return (table_cursor << kShardBits) | shard_index;
}

void Database::ForEachLive(const std::function<void(Entry*)>& fn) {
  uint64_t cursor = 0;
  do {
    cursor = Scan(cursor, SIZE_MAX / (kScanEmptyBucketFactor * 2), fn);
  } while (cursor != 0);
}

void Database::ForEachStored(const std::function<void(const Entry*)>& fn) const {
  for (const Shard& shard : shards_) {
    uint64_t cursor = 0;
    do {
      cursor = shard.table.ScanBucket(cursor, fn);
    } while (cursor != 0);
  }
}

const Entry* Database::FindStored(std::string_view key) const {
  uint64_t hash = HashBytes(key);
  return shards_[ShardOfHash(hash)].table.Find(key, hash);
}

bool Database::HoldsLive(std::string_view key) const {
  const Entry* e = FindStored(key);
  return e != nullptr && !e->IsExpired(CommandTimeMs());
}

Entry* Database::RandomEntry(std::mt19937_64& rng) {
  size_t total = Size();
  if (total == 0) return nullptr;
  for (int attempt = 0; attempt < kRandomKeyMaxTries; ++attempt) {
    // A shard weighted by its size, then a uniform entry of it: every key has the same chance.
    size_t pick = std::uniform_int_distribution<size_t>(0, total - 1)(rng);
    size_t shard_index = 0;
    while (pick >= shards_[shard_index].table.size()) pick -= shards_[shard_index++].table.size();
    Shard& shard = shards_[shard_index];
    Entry* e = shard.table.Random(rng);
    if (!e->IsExpired(CommandTimeMs())) return e;
    if (!ReadsMayExpire()) continue;
    ExpireEntry(shard, e, HashBytes(e->key()));
    total = Size();
    if (total == 0) return nullptr;
  }
  return nullptr;
}

Database::ExpireStep Database::ActiveExpireShard(size_t shard_index, size_t max_buckets,
                                                 int64_t now_ms) {
  Shard& shard = shards_[shard_index];
  ExpireStep step;
  if (shard.volatile_keys == 0) return step;
  size_t walk = std::min(max_buckets, shard.table.bucket_count());
  std::vector<Entry*> expired;
  uint64_t cursor = shard.expire_cursor;
  // The cursor's order visits every bucket once per bucket_count() steps from wherever it starts,
  // so a caller that keeps stepping until it has walked table_buckets has seen every key.
  for (; step.buckets < walk; ++step.buckets) {
    cursor = shard.table.ScanBucket(cursor, [&](Entry* e) {
      if (e->IsExpired(now_ms)) expired.push_back(e);
    });
  }
  shard.expire_cursor = cursor;
  for (Entry* e : expired) ExpireEntry(shard, e, HashBytes(e->key()));
  step.expired = expired.size();
  step.table_buckets = shard.table.bucket_count();
  return step;
}

void Database::SwapContents(Database& other) {
  for (size_t i = 0; i < kShardCount; ++i) {
    Shard& a = shards_[i];
    Shard& b = other.shards_[i];
    size_t a_volatile = a.volatile_keys;
    a.volatile_keys = static_cast<size_t>(b.volatile_keys);
    b.volatile_keys = a_volatile;
    std::swap(a.expire_cursor, b.expire_cursor);
    int64_t a_bytes = a.used_bytes.load(std::memory_order_relaxed);
    a.used_bytes.store(b.used_bytes.load(std::memory_order_relaxed), std::memory_order_relaxed);
    b.used_bytes.store(a_bytes, std::memory_order_relaxed);
    a.table.Swap(b.table);
  }
  for (KeyspaceObserver* observer : store_->change_observers()) {
    observer->OnDbSwapped(index_, *this);
    observer->OnDbSwapped(other.index_, other);
  }
}

const Database::Shard* Database::DrawShard(bool volatile_only, std::mt19937_64& rng) const {
  auto weight = [volatile_only](const Shard& s) -> size_t {
    return volatile_only ? static_cast<size_t>(s.volatile_keys) : s.table.size();
  };
  size_t total = 0;
  for (const Shard& s : shards_) total += weight(s);
  if (total == 0) return nullptr;
  size_t pick = std::uniform_int_distribution<size_t>(0, total - 1)(rng);
  for (const Shard& s : shards_) {
    if (pick < weight(s)) return &s;
    pick -= weight(s);
  }
  return nullptr;
}

void Database::SampleStored(size_t count, bool volatile_only, std::mt19937_64& rng,
                            const std::function<void(const Entry*)>& fn) const {
  const Shard* first = DrawShard(volatile_only, rng);
  if (first == nullptr || count == 0) return;
  // From the drawn shard on, each shard once, until `count` keys: one shard's region in a big
  // database, every key of a small one (as Redis's dictGetSomeKeys, which wraps round its table).
  size_t found = 0;
  size_t start = static_cast<size_t>(first - shards_.data());
  for (size_t i = 0; i < kShardCount && found < count; ++i) {
    const Shard& shard = shards_[(start + i) % kShardCount];
    if (volatile_only && shard.volatile_keys == 0) continue;
    // Redis walks at most count*10 buckets; keys with a TTL may be sparse in a shard that has
    // some, so those are walked for until found, the whole table at worst.
    size_t max_buckets = volatile_only ? shard.table.bucket_count() : count * 10;
    shard.table.WalkFrom(rng(), max_buckets, [&](const Entry* e) {
      if (volatile_only && !e->has_expire()) return true;
      fn(e);
      return ++found < count;
    });
  }
}

const Entry* Database::RandomStored(bool volatile_only, std::mt19937_64& rng) const {
  const Shard* shard = DrawShard(volatile_only, rng);
  if (shard == nullptr) return nullptr;
  if (!volatile_only) return shard->table.Random(rng);
  const Entry* chosen = nullptr;
  shard->table.WalkFrom(rng(), shard->table.bucket_count(), [&](const Entry* e) {
    if (e->has_expire()) chosen = e;
    return chosen == nullptr;
  });
  return chosen;
}

std::optional<size_t> Database::Evict(std::string_view key, bool volatile_only) {
  uint64_t hash = HashBytes(key);
  Shard& shard = shards_[ShardOfHash(hash)];
  Entry* e = shard.table.Find(key, hash);
  if (e == nullptr || (volatile_only && !e->has_expire())) return std::nullopt;
  size_t bytes = memory::ChargedBytes(e);
  MarkModified(e->key());
  Notify(e->key(), kEvictedEvent);
  shard.table.Remove(e->key(), hash);
  FreeEntry(shard, e, Freeing::kEviction);
  store_->Count(store_->stats().evicted_keys);
  return bytes;
}

size_t Database::OverheadMemory() const {
  size_t n = 0;
  for (const Shard& s : shards_) n += s.table.BucketMemory();
  return n;
}

size_t Database::ShardUsedBytes(size_t shard) const {
  // Never below zero when exact; a read racing a writer may see a passing negative sum.
  return static_cast<size_t>(
      std::max<int64_t>(shards_[shard].used_bytes.load(std::memory_order_relaxed), 0));
}

size_t Database::UsedBytes() const {
  size_t n = 0;
  for (size_t i = 0; i < kShardCount; ++i) n += ShardUsedBytes(i);
  return n;
}

Store::Store(int num_databases, bool locking) : locking_(locking) {
  databases_.reserve(num_databases);
  for (int i = 0; i < num_databases; ++i) databases_.push_back(std::make_unique<Database>(this, i));
}

void Store::AddObserver(KeyspaceObserver* observer, uint32_t calls) {
  if (calls & kChanges) {
    change_observers_.push_back(observer);
    if (calls & kReportsWork) {
      observer->work_ = &work_;
    } else {
      work_.fetch_add(1, std::memory_order_relaxed);  // for good: it hears every change
    }
  }
  if (calls & kEvents) event_observers_.push_back(observer);
}

void Store::SwapDatabases(int a, int b) {
  if (a == b) return;
  databases_[a]->SwapContents(*databases_[b]);
}

void Store::FlushAll(Freeing freeing) {
  for (auto& db : databases_) db->Clear(freeing);
}

void Store::SetLazyFree(Freeing option, bool lazily) {
  uint32_t bit = 1u << static_cast<unsigned>(option);
  if (lazily) {
    lazy_free_.fetch_or(bit, std::memory_order_relaxed);
  } else {
    lazy_free_.fetch_and(~bit, std::memory_order_relaxed);
  }
}

size_t Store::UsedBytes() const {
  size_t n = 0;
  for (const auto& db : databases_) n += db->UsedBytes();
  return n;
}

size_t Store::Footprint() const {
  int64_t n = 0;
  for (const ShardFootprint& shard : footprint_) n += shard.value.load(std::memory_order_relaxed);
  // A read racing writers on other shards may see a passing negative sum.
  return static_cast<size_t>(std::max<int64_t>(n, 0));
}

void Store::SetAccessClockPolicy(const AccessClockPolicy& policy) {
  lfu_log_factor_.store(policy.log_factor, std::memory_order_relaxed);
  lfu_decay_minutes_.store(policy.decay_minutes, std::memory_order_relaxed);
  lfu_clock_.store(policy.lfu, std::memory_order_relaxed);
}

AccessClockPolicy Store::access_clock_policy() const {
  return {.lfu = lfu_clock(),
          .log_factor = lfu_log_factor_.load(std::memory_order_relaxed),
          .decay_minutes = lfu_decay_minutes_.load(std::memory_order_relaxed)};
}

ShardLocks::ShardLocks(Store& store, std::span<const std::string_view> keys) {
  if (!store.locking() || all_shards_held > 0) return;
  uint32_t mask = 0;
  for (std::string_view key : keys) mask |= uint32_t{1} << ShardOf(key);
  LockMask(store, mask);
}

ShardLocks ShardLocks::All(Store& store) {
  ShardLocks locks;
  if (all_shards_held == 0) {
    locks.LockMask(store, static_cast<uint32_t>((uint64_t{1} << kShardCount) - 1));
  }
  locks.counts_as_all_ = true;
  ++all_shards_held;
  return locks;
}

std::optional<ShardLocks> ShardLocks::Unless(Store& store, std::span<const std::string_view> keys,
                                             bool all, const std::function<bool()>& give_up) {
  ShardLocks locks;
  if (!store.locking() || all_shards_held > 0) {
    if (all) locks = All(store);
    return locks;
  }
  uint32_t mask = static_cast<uint32_t>((uint64_t{1} << kShardCount) - 1);
  if (!all) {
    mask = 0;
    for (std::string_view key : keys) mask |= uint32_t{1} << ShardOf(key);
  }
  if (!locks.LockMaskUnless(store, mask, give_up)) return std::nullopt;
  if (all) {
    locks.counts_as_all_ = true;
    ++all_shards_held;
  }
  return locks;
}

bool ShardLocks::AllHeldByThisThread() { return all_shards_held > 0; }

ShardLocks::ShardLocks(ShardLocks&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      mask_(std::exchange(other.mask_, 0)),
      counts_as_all_(std::exchange(other.counts_as_all_, false)) {}

ShardLocks& ShardLocks::operator=(ShardLocks&& other) noexcept {
  if (this != &other) {
    Release();
    store_ = std::exchange(other.store_, nullptr);
    mask_ = std::exchange(other.mask_, 0);
    counts_as_all_ = std::exchange(other.counts_as_all_, false);
  }
  return *this;
}

void ShardLocks::LockMask(Store& store, uint32_t mask) {
  if (!store.locking()) return;
  store_ = &store;
  mask_ = mask;
  for (size_t i = 0; i < kShardCount; ++i) {
    if (mask & (uint32_t{1} << i)) store.shard_mutex(i).lock();
  }
}

bool ShardLocks::LockMaskUnless(Store& store, uint32_t mask,
                                const std::function<bool()>& give_up) {
  for (size_t i = 0; i < kShardCount; ++i) {
    if (!(mask & (uint32_t{1} << i))) continue;
    // Wakes as soon as the shard is free; asks again every millisecond while it is not. The first
    // try reads no clock.
    if (store.shard_mutex(i).try_lock()) continue;
    while (!store.shard_mutex(i).try_lock_for(std::chrono::milliseconds(1))) {
      if (give_up()) {
        while (i-- > 0) {
          if (mask & (uint32_t{1} << i)) store.shard_mutex(i).unlock();
        }
        return false;
      }
    }
  }
  store_ = &store;
  mask_ = mask;
  return true;
}

void ShardLocks::Release() {
  if (counts_as_all_) {
    counts_as_all_ = false;
    --all_shards_held;
  }
  if (store_ == nullptr) return;
  for (size_t i = kShardCount; i-- > 0;) {
    if (mask_ & (uint32_t{1} << i)) store_->shard_mutex(i).unlock();
  }
  store_ = nullptr;
  mask_ = 0;
}

}  // namespace respd::storage
