// Databases and the sharded keyspace. Each database splits its keys over kShardCount shards by key
// hash; shard i of every database is guarded by the same mutex, so a command locks the shards of
// its keys once whatever databases it touches (MOVE, COPY ... DB). Lookups are the one choke point
// of lazy expiry: an expired key is deleted before anyone can see it, unless expiry is held
// (Store::HoldExpiry), when read lookups only hide it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "storage/entry.h"
#include "storage/hash.h"
#include "storage/key_table.h"
#include "storage/keyspace_event.h"
#include "storage/lazy_free.h"
#include "storage/op_status.h"

namespace respd::storage {

inline constexpr int kShardBits = 4;
inline constexpr size_t kShardCount = size_t{1} << kShardBits;
inline size_t ShardOfHash(uint64_t hash) { return hash >> (64 - kShardBits); }
inline size_t ShardOf(std::string_view key) { return ShardOfHash(HashBytes(key)); }

class Database;

// How a deletion frees what it deletes: at once, lazily (a big value by the lazy-free thread,
// storage/lazy_free.h; a database whole), or as the option of that name says (Redis's
// lazyfree-lazy-server-del, -user-del, -user-flush, -expire, -eviction and replica-lazy-flush;
// Store::SetLazyFree).
enum class Freeing : uint8_t {
  kSync,
  kLazy,         // UNLINK, FLUSHALL/FLUSHDB ASYNC
  kServerDel,    // a key a command deletes or replaces as a side effect (Redis's dbDelete)
  kUserDel,      // DEL
  kUserFlush,    // FLUSHALL/FLUSHDB without ASYNC or SYNC
  kExpire,       // an expired key, or one given a time already past
  kEviction,     // a key evicted for maxmemory
  kReplicaFlush  // a replica's dataset replaced by its master's
};

// Cross-client effects of keyspace changes, implemented by the server (WATCH, blocked clients).
// Called with the key's shard lock held; implementations must only record and post, never block.
class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  // A key was written, deleted or expired.
  virtual void OnKeyModified(int db, std::string_view key) = 0;
  // Every key of a database may have changed (FLUSHDB, FLUSHALL, SWAPDB).
  virtual void OnDbModified(int db) = 0;
  // SWAPDB gave database `db` other contents, `now` (every shard lock held, so `now` may be read
  // but not changed). By default the same as OnDbModified.
  virtual void OnDbSwapped(int db, const Database& now) { OnDbModified(db); }
  // A list or sorted set was added at a key that had none (Redis's signalKeyAsReady in dbAdd):
  // clients blocked on it may be served.
  virtual void OnKeyReady(int db, std::string_view key) = 0;
  // An operation reported `event` on a key (keyspace notifications, tracking); most observers
  // only need OnKeyModified.
  virtual void OnKeyEvent(int db, std::string_view key, KeyEvent event) {}

 protected:
  // For an observer added with Store::kReportsWork: it adds what it starts watching for (a watched
  // key, a waiter) and takes it away when done, before and after it could care about a change.
  // While the store's sum is zero, no change calls any such observer.
  void ChangeWork(int64_t delta) {
    if (work_ != nullptr) work_->fetch_add(delta, std::memory_order_relaxed);
  }

 private:
  friend class Store;
  std::atomic<int64_t>* work_ = nullptr;
};

struct KeyspaceStats {
  std::atomic<uint64_t> expired_keys{0};
  std::atomic<uint64_t> evicted_keys{0};
  std::atomic<uint64_t> keyspace_hits{0};
  std::atomic<uint64_t> keyspace_misses{0};
};

class Store;

class Database {
 public:
  Database(Store* store, int index);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int index() const { return index_; }

  // Finds a live key (deleting it first if it expired). A read lookup counts keyspace hits and
  // misses and reports a miss as "keymiss", as Redis's lookupKeyRead does; `touch` records the
  // access in the key's clock (RecordAccess; EXISTS, TYPE and TTL do not touch, as in Redis).
  Entry* FindRead(std::string_view key, bool touch = true);
  // A read lookup that neither touches nor reports a miss (OBJECT, MEMORY USAGE).
  Entry* FindReadQuiet(std::string_view key);
  Entry* FindWrite(std::string_view key);
  // A live key without counting a hit or miss or refreshing its LRU clock (KEYS with a literal
  // pattern, which Redis answers without a lookup).
  Entry* Peek(std::string_view key) { return Lookup(key, HashBytes(key), Expired::kHideIfHeld); }
  // The live key if it has `type`: kKeyNotFound or kWrongType otherwise.
  OpResult<Entry*> FindReadTyped(std::string_view key, ValueType type);
  OpResult<Entry*> FindWriteTyped(std::string_view key, ValueType type);

  // Cache hints for the keys a pipelined batch is about to look up (at most kPrefetchBatch of
  // them). Reads bucket slots without a lock, so only for a store that does not lock (one I/O
  // thread).
  static constexpr size_t kPrefetchBatch = 16;
  void Prefetch(std::span<const std::string_view> keys) const;

  // A key looked up once for a write that may replace it (SET with NX, XX or GET): its live entry
  // or nullptr, and the hash that finds its bucket again. Valid until the database changes.
  struct Slot {
    Entry* entry;
    uint64_t hash;
  };
  // Like FindRead (`read`: counts a hit or miss, as Redis's SET ... GET does) or FindWrite.
  Slot FindSlot(std::string_view key, bool read);

  // Stores a string, replacing any value of any type. `expire_at_ms` is the new TTL
  // (Entry::kNoExpire for none) unless `keep_ttl` keeps the old one.
  Entry* SetString(std::string_view key, std::string_view value, int64_t expire_at_ms,
                   bool keep_ttl = false, StringEncoding encoding = StringEncoding::kAuto);
  // The same at a slot FindSlot returned for `key`, without looking the key up again.
  Entry* SetString(const Slot& slot, std::string_view key, std::string_view value,
                   int64_t expire_at_ms, bool keep_ttl = false,
                   StringEncoding encoding = StringEncoding::kAuto);
  // Adds a new key holding `object`; the key must be absent (look it up first). Like Redis's dbAdd,
  // a new list or sorted set signals the clients blocked on its key.
  Entry* AddObject(std::string_view key, std::unique_ptr<Object> object,
                   int64_t expire_at_ms = Entry::kNoExpire);
  // Links an entry built elsewhere (STORE results, RENAME, MOVE, COPY), replacing any live key of
  // the same name. Like Redis's setKey, a new list or sorted set signals the clients blocked on its
  // key and a replaced one does not (dbOverwrite): RENAME and COPY REPLACE, which Redis runs as
  // dbDelete then dbAdd, delete the old key first.
  void Put(Entry* entry);
  // Deletes a live key; false if there was none (an expired key is expired, not deleted).
  bool Delete(std::string_view key, Freeing freeing = Freeing::kServerDel);
  // Unlinks a live key without freeing it (RENAME, MOVE); nullptr if there was none.
  Entry* Detach(std::string_view key);
  // Sets or clears (Entry::kNoExpire) the expire time; may move the entry, so use the result.
  Entry* SetExpire(Entry* entry, int64_t expire_at_ms);
  // Resizes a string value; may move the entry, so use the result.
  Entry* ResizeString(Entry* entry, size_t new_len);

  // A typed operation changed `key` in place: signals the modification (WATCH, tracking) and
  // reports `event` (Redis's signalModifiedKey followed by notifyKeyspaceEvent). After an event of
  // a container class the byte counter re-measures the key's object.
  void Touch(std::string_view key, KeyEvent event);
  // Reports `event` on `key` without signalling a modification: the second event of one change
  // ("del" after an "lpop" emptied a list) or one the modification was signalled for already.
  void Notify(std::string_view key, KeyEvent event);
  // Elements left the collection `value` at `key` in place: reports `event`, then deletes the key
  // and reports "del" if it became empty, as Redis does after LPOP, LREM, LTRIM, HDEL...; the
  // modification is signalled once either way. `key` must outlive the entry (the caller's).
  void TouchOrDelete(std::string_view key, const Object& value, KeyEvent event);
  // Redis's server.dirty, counted by whoever knows how many changes Redis counts: the command
  // for most, the typed operation where only it knows (SETBIT's bit flips, BITFIELD's writes).
  void AddDirty(uint64_t changes = 1);

  size_t Size() const;
  size_t VolatileCount() const;
  // Deletes every key; lazily, the key tables go to the lazy-free thread whole, at once.
  void Clear(Freeing freeing = Freeing::kSync);

  // One step of SCAN over the whole database: calls fn(entry) for live keys and returns the next
  // cursor (0 at the end). The low kShardBits of the cursor pick the shard, the rest walk its
  // table. Visits at least `count` keys' buckets, stopping after count*10 empty buckets, like
  // Redis.
  uint64_t Scan(uint64_t cursor, size_t count, const std::function<void(Entry*)>& fn);
  // Every live key (KEYS). Expired keys met on the way are deleted (hidden while expiry is held).
  void ForEachLive(const std::function<void(Entry*)>& fn);
  // Every stored key, expired or not, left as it is (DEBUG DIGEST reads Redis's dict as is).
  void ForEachStored(const std::function<void(const Entry*)>& fn) const;
  const Entry* FindStored(std::string_view key) const;
  // Whether FindStored finds `key` unexpired: no lookup's effects (an expired key stays, nothing
  // is counted or reported).
  bool HoldsLive(std::string_view key) const;
  // A random live key, or nullptr when the database is empty.
  Entry* RandomEntry(std::mt19937_64& rng);
  // One step of active expiry (storage/expiry.h) in one shard: walks `max_buckets` buckets from
  // the shard's cursor, round the end of the table and on (never more than the table has),
  // deleting the keys expired at `now_ms`. Returns the buckets walked, the keys expired, and the
  // table's bucket count after the step, so the caller knows when it has walked all of it.
  struct ExpireStep {
    size_t buckets = 0;
    size_t expired = 0;
    size_t table_buckets = 0;
  };
  ExpireStep ActiveExpireShard(size_t shard, size_t max_buckets, int64_t now_ms);
  // Readable without the shard's lock (the expiry cycle skips shards without TTLs unlocked: with
  // 10,000 databases most are empty); exact only under it.
  size_t ShardVolatileCount(size_t shard) const { return shards_[shard].volatile_keys; }

  // Swaps all keys with `other` (SWAPDB); the indexes stay.
  void SwapContents(Database& other);
  // Bytes of bucket arrays, for memory reports.
  size_t OverheadMemory() const;
  // The clock bits a key created now starts with (Redis's createObject).
  uint32_t NewKeyClock() const;

  // Eviction's view (storage/eviction.h), every shard lock held: stored keys, expired or not, as
  // Redis's eviction reads its dicts. SampleStored calls fn(entry) for up to `count` keys (with a
  // TTL when `volatile_only`) from consecutive buckets, from a random start in a shard drawn by
  // how many such keys it holds, on to the next shards while more are needed (Redis's
  // dictGetSomeKeys).
  void SampleStored(size_t count, bool volatile_only, std::mt19937_64& rng,
                    const std::function<void(const Entry*)>& fn) const;
  // A random stored key (with a TTL when `volatile_only`), or nullptr when there is none.
  const Entry* RandomStored(bool volatile_only, std::mt19937_64& rng) const;
  // Deletes a stored key (only one with a TTL when `volatile_only`) to free memory: WATCH and
  // tracking are told and "evicted" reported, as Redis's performEvictions does. The bytes the
  // byte counter lost; nothing when no such key is stored.
  std::optional<size_t> Evict(std::string_view key, bool volatile_only);

  // The byte counter: what the keys of this database cost (memory::ChargedBytes), kept up to
  // date on every insert, replacement, resize and free, and for objects changed in place on Touch.
  // Readable from any thread; exact only under the shard locks.
  size_t UsedBytes() const;
  size_t ShardUsedBytes(size_t shard) const;

 private:
  // A count written under the shard lock only, as plain loads and stores (no locked
  // read-modify-write on the write path), and atomic so that an unlocked read is no data race.
  class LockedCount {
   public:
    operator size_t() const { return value_.load(std::memory_order_relaxed); }
    LockedCount& operator=(size_t v) {
      value_.store(v, std::memory_order_relaxed);
      return *this;
    }
    LockedCount& operator++() { return *this = *this + 1; }
    LockedCount& operator--() { return *this = *this - 1; }

   private:
    std::atomic<size_t> value_{0};
  };

  struct Shard {
    KeyTable table;
    LockedCount volatile_keys;
    uint64_t expire_cursor = 0;
    // Written under the shard lock only; atomic so that a total read elsewhere is no data race.
    std::atomic<int64_t> used_bytes{0};
    // The store's footprint for this shard index over every database, under the same lock.
    std::atomic<int64_t>* footprint = nullptr;

    void Charge(int64_t delta) {
      used_bytes.store(used_bytes.load(std::memory_order_relaxed) + delta,
                       std::memory_order_relaxed);
      footprint->store(footprint->load(std::memory_order_relaxed) + delta,
                       std::memory_order_relaxed);
    }
  };
  // A shard drawn at random, each by its weight (keys, or keys with a TTL); nullptr when all
  // weigh nothing.
  const Shard* DrawShard(bool volatile_only, std::mt19937_64& rng) const;

  // What a lookup does with an expired key: a write deletes it whatever happens (it may add the
  // key again); a read only hides it while expiry is held.
  enum class Expired : uint8_t { kDelete, kHideIfHeld };
  Entry* Lookup(std::string_view key, uint64_t hash, Expired expired = Expired::kDelete);
  // Whether read paths may delete the expired keys they meet now.
  bool ReadsMayExpire() const;
  // A lookup's access: the LRU clock, or under an LFU policy the counter (Redis's updateLFU).
  void RecordAccess(Entry* e) const;
  // Redis's signalModifiedKey: every operation above and Touch call it; typed operations outside
  // reach it through Touch, which also reports what they did.
  void MarkModified(std::string_view key);
  // Tells the observers that a key was added that blocked clients may pop from.
  void SignalIfServable(const Entry* added);
  void ExpireEntry(Shard& shard, Entry* entry, uint64_t hash);
  // Uncharges and frees an entry already unlinked from the shard's table.
  void FreeEntry(Shard& shard, Entry* entry, Freeing freeing);
  // Frees an unlinked, uncharged entry: its value by the lazy-free thread when `freeing` says
  // lazily and it is big (LazyFreer::Free).
  void Dispose(Entry* entry, Freeing freeing);
  // Charges a key just linked into `shard`, measuring its object first.
  static void ChargeLinked(Shard& shard, Entry* entry);

  Store* store_;
  int index_;
  std::array<Shard, kShardCount> shards_;
};

class Store {
 public:
  // `locking` false for a single I/O thread: shard locks then cost nothing.
  Store(int num_databases, bool locking);

  int num_databases() const { return static_cast<int>(databases_.size()); }
  Database& db(int index) { return *databases_[index]; }
  bool locking() const { return locking_; }
  std::timed_mutex& shard_mutex(size_t shard) { return shard_mutexes_[shard]; }

  // What an observer is called for: changes (OnKeyModified, OnDbModified, OnKeyReady) and events
  // (OnKeyEvent); with kReportsWork, changes only while some observer has work (ChangeWork), so a
  // write with no WATCH, no blocked client and no tracking makes no call but one load.
  enum ObserverCalls : uint32_t { kChanges = 1, kEvents = 2, kReportsWork = 4 };
  // Observers are added at start-up, before any client connects (WATCH, blocking, notifications).
  void AddObserver(KeyspaceObserver* observer, uint32_t calls = kChanges | kEvents);
  // The observers of changes, empty while none has work; those of events.
  std::span<KeyspaceObserver* const> change_observers() const {
    if (work_.load(std::memory_order_relaxed) == 0) [[likely]] {
      return {};
    }
    return change_observers_;
  }
  std::span<KeyspaceObserver* const> event_observers() const { return event_observers_; }
  KeyspaceStats& stats() { return stats_; }
  // Adds to one of the store's counters. A store that does not lock has one I/O thread, the
  // counters' only writer: a load and a store then do, where a locked add costs about 20 cycles on
  // every command.
  void Count(std::atomic<uint64_t>& counter, uint64_t n = 1) {
    if (locking_) {
      counter.fetch_add(n, std::memory_order_relaxed);
    } else {
      counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
  }
  // Redis's server.dirty (INFO's rdb_changes_since_last_save): commands add the number of changes
  // Redis counts for them. RESETSTAT leaves it; only what stands for a save resets it.
  void AddDirty(uint64_t changes) {
    Count(dirty_, changes);
    thread_dirty_ += changes;
  }
  // The changes this thread has counted: a command's are the difference across its run, whatever
  // other threads count meanwhile (propagation asks whether a command changed anything).
  static uint64_t ThreadDirty() { return thread_dirty_; }
  void ResetDirty() { dirty_.store(0, std::memory_order_relaxed); }
  uint64_t dirty() const { return dirty_.load(std::memory_order_relaxed); }

  // CLIENT PAUSE keeps the dataset still, as Redis 7.0's expireIfNeeded does while clients are
  // paused: read lookups, SCAN, KEYS and RANDOMKEY treat expired keys as missing but leave them
  // stored (no `expired` event, DBSIZE still counts them) until the hold ends. Write lookups still
  // delete them: a write that runs during a pause (inside the EXEC that paused) may add the key.
  void HoldExpiry(bool hold) { expiry_held_.store(hold, std::memory_order_relaxed); }
  bool expiry_held() const { return expiry_held_.load(std::memory_order_relaxed); }

  void SwapDatabases(int a, int b);
  void FlushAll(Freeing freeing = Freeing::kSync);

  // Whether `freeing` frees lazily now: always for kLazy, never for kSync, and for the others as
  // their option was last set. Options are set when they change (any thread).
  bool FreesLazily(Freeing freeing) const {
    return (lazy_free_.load(std::memory_order_relaxed) >> static_cast<unsigned>(freeing)) & 1;
  }
  void SetLazyFree(Freeing option, bool lazily);
  LazyFreer& lazy_freer() { return lazy_freer_; }
  // The byte counters of every database: what the keys cost.
  size_t UsedBytes() const;
  // What the keys and the tables holding them cost, in sixteen loads: what maxmemory's estimate
  // follows between two measures of the process.
  size_t Footprint() const;
  std::atomic<int64_t>* shard_footprint(size_t shard) { return &footprint_[shard].value; }

  // How keys keep their clock bits; set when maxmemory-policy or the lfu-* options change.
  void SetAccessClockPolicy(const AccessClockPolicy& policy);
  AccessClockPolicy access_clock_policy() const;
  bool lfu_clock() const { return lfu_clock_.load(std::memory_order_relaxed); }

 private:
  // Before the databases: their tables charge it until they are gone.
  // One line each: shards are written by different threads.
  struct alignas(64) ShardFootprint {
    std::atomic<int64_t> value{0};
  };
  std::array<ShardFootprint, kShardCount> footprint_;
  std::vector<std::unique_ptr<Database>> databases_;
  bool locking_;
  std::array<std::timed_mutex, kShardCount> shard_mutexes_;
  std::vector<KeyspaceObserver*> change_observers_;
  std::vector<KeyspaceObserver*> event_observers_;
  // The work observers of changes reported, plus one for each that reports none.
  std::atomic<int64_t> work_{0};
  KeyspaceStats stats_;
  std::atomic<uint64_t> dirty_{0};
  static inline thread_local uint64_t thread_dirty_ = 0;
  std::atomic<bool> lfu_clock_{false};
  std::atomic<int64_t> lfu_log_factor_{10};
  std::atomic<int64_t> lfu_decay_minutes_{1};
  std::atomic<bool> expiry_held_{false};
  // Bit i: Freeing(i) frees lazily.
  std::atomic<uint32_t> lazy_free_{1u << static_cast<unsigned>(Freeing::kLazy)};
  // Frees what it was handed before the store is gone.
  LazyFreer lazy_freer_;
};

// Holds the locks of a set of shards, taken in ascending order so two commands never deadlock.
// A thread that holds every shard (a script past busy-reply-threshold serving its thread's other
// clients from its hook) runs the commands nested in it under those locks: locking again would
// deadlock on its own mutexes.
class ShardLocks {
 public:
  ShardLocks() = default;
  // Locks the shards of `keys`.
  ShardLocks(Store& store, std::span<const std::string_view> keys);
  // Locks every shard (commands that touch the whole keyspace, transactions, scripts).
  static ShardLocks All(Store& store);
  // As the constructor (every shard when `all`), but gives up holding nothing when `give_up` says
  // so while a shard is taken: a connection's thread must not wait out a script that never ends.
  static std::optional<ShardLocks> Unless(Store& store, std::span<const std::string_view> keys,
                                          bool all, const std::function<bool()>& give_up);
  // True while an All() lock is alive on this thread: whatever runs now is nested in a script or
  // transaction and must not observe or disturb its middle (no expiry cycle, no serving of
  // blocked clients).
  static bool AllHeldByThisThread();
  ShardLocks(ShardLocks&& other) noexcept;
  ShardLocks& operator=(ShardLocks&& other) noexcept;
  ~ShardLocks() { Release(); }
  void Release();

 private:
  void LockMask(Store& store, uint32_t mask);
  bool LockMaskUnless(Store& store, uint32_t mask, const std::function<bool()>& give_up);

  Store* store_ = nullptr;
  uint32_t mask_ = 0;  // bit i set: shard i locked
  bool counts_as_all_ = false;
  static_assert(kShardCount <= 32);
};

}  // namespace respd::storage
