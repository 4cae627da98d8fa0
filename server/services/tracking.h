// Client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c: the table of keys tracking
// clients read (key -> ids of the clients that may cache it), the BCAST prefixes with the keys
// changed under each since they were last broadcast, and the invalidation messages: a RESP3 push
// `invalidate` to the client, or to the client it redirects to (RESP3 push, or a RESP2 pub/sub
// `message` on __redis__:invalidate when that client is subscribed to anything).
//
// Keys are remembered after read-only commands (the pipeline's after hook), forgotten when they
// are invalidated: on every modification (the keyspace observer, under the key's shard lock:
// commands, EXEC, scripts, lazy and active expiry), on FLUSHDB/FLUSHALL (a null for every
// tracking client) and when the table outgrows tracking-table-max-keys. A message for the client
// whose command made it comes after that command's reply (after EXEC's or EVAL's whole reply), as
// in Redis 7.0; other clients get theirs through their connection's mailbox
// (ClientHandle::Deliver), so a write on one I/O thread invalidates a reader on another. BCAST
// keys go out after each command, and at once when no command runs (the expiry cron).
//
// Lock order: shard locks, then this registry's mutex, then the client registry's; frames are
// delivered after the mutex is released.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/config/config.h"
#include "storage/database.h"

namespace respd::server {

class ClientHandle;
class ClientRegistry;
class ClientState;
struct Admission;
struct CommandSpec;
struct Completion;
class TrackingRegistry;

// Redis's CLIENT_TRACKING_* flags, kept in ClientState::tracking_flags.
enum TrackingFlag : uint32_t {
  kTrackingOn = 1u << 0,
  kTrackingBcast = 1u << 1,
  kTrackingOptin = 1u << 2,
  kTrackingOptout = 1u << 3,
  kTrackingCaching = 1u << 4,  // CLIENT CACHING given for the next command
  kTrackingNoloop = 1u << 5,
  kTrackingBrokenRedirect = 1u << 6,  // the redirect client went away
};

// Forgets its client's tracking when the client goes.
class TrackingMembership {
 public:
  TrackingMembership(TrackingRegistry& registry, ClientState& client)
      : registry_(registry), client_(client) {}
  ~TrackingMembership();
  TrackingMembership(const TrackingMembership&) = delete;
  TrackingMembership& operator=(const TrackingMembership&) = delete;

 private:
  TrackingRegistry& registry_;
  ClientState& client_;
};

class TrackingRegistry : public storage::KeyspaceObserver {
 public:
  TrackingRegistry(Config& config, ClientRegistry& clients);
  TrackingRegistry(const TrackingRegistry&) = delete;
  TrackingRegistry& operator=(const TrackingRegistry&) = delete;

  // CLIENT TRACKING ON, its options checked by the caller: `options` are kTrackingBcast, Optin,
  // Optout, Noloop; `prefixes` only with BCAST (none: every key).
  void Enable(ClientState& client, uint64_t redirect, uint32_t options,
              std::span<const std::string_view> prefixes);
  // CLIENT TRACKING OFF, RESET. The client's keys stay in the table until invalidated, as in Redis.
  void Disable(ClientState& client);
  // The client's BCAST prefixes, sorted.
  std::vector<std::string> PrefixesOf(const ClientState& client) const;

  // FLUSHDB, FLUSHALL: every tracking client gets a null (all keys), and the table empties.
  void InvalidateAll();

  // The pipeline's hooks (server/composition.cc). Before a command runs: a client's read starts
  // (a write on another thread before its keys are remembered must still invalidate them), and a
  // script's inner reads are charged to the command that runs it. After any command: the keys of
  // a read are remembered; after a client's command, what waited for its reply is sent, then the
  // BCAST keys, and the table is trimmed to tracking-table-max-keys.
  void BeforeCommand(const Admission& admission);
  void AfterCommand(const Completion& done);
  // The server cron's turn (Redis's serverCron): the table is trimmed to tracking-table-max-keys
  // while no command runs too, so a lowered limit is reached without further commands.
  void Cron();
  // The hooks' switch: off until the first CLIENT TRACKING ON, then on for good. Never turned off,
  // so a script's inner commands never meet a BeforeCommand skipped for their outer command (its
  // client may be gone) once AfterCommand runs; before the first client, nothing is tracked.
  const std::atomic<bool>* hooks_switch() const { return &in_use_; }

  // INFO.
  size_t TotalKeys() const;
  size_t TotalItems() const;
  size_t TotalPrefixes() const;
  int64_t TrackingClients() const { return tracking_clients_.load(std::memory_order_relaxed); }

  void OnKeyModified(int db, std::string_view key) override;

  // While alive, keys changed on this thread are changed before the running client's command
  // starts (maxmemory's eviction, Redis's performEvictions): that client's own invalidations go
  // out at once, ahead of its reply, as Redis sends them before CLIENT_EXECUTING_COMMAND is set.
  class ScopedBeforeCommand {
   public:
    ScopedBeforeCommand();
    ~ScopedBeforeCommand();
    ScopedBeforeCommand(const ScopedBeforeCommand&) = delete;
    ScopedBeforeCommand& operator=(const ScopedBeforeCommand&) = delete;

   private:
    bool saved_;
  };
  void OnDbModified(int) override {}
  void OnKeyReady(int, std::string_view) override {}

 private:
  friend class TrackingMembership;
  struct Tracked {
    ClientState* client;
    std::set<std::string, std::less<>> prefixes;  // BCAST
  };
  struct Broadcast {
    // Keys changed since the last broadcast, with the client that changed each last (NOLOOP).
    std::map<std::string, uint64_t, std::less<>> keys;
    std::set<uint64_t> clients;
  };
  // A frame for a client, delivered once the mutex is released.
  struct Outgoing {
    uint64_t client_id;
    std::shared_ptr<ClientHandle> handle;  // null: look the client up by id
    std::string frame;  // empty: nothing to send, the handle is only released after the mutex
  };
  using Outbox = std::vector<Outgoing>;

  void Forget(ClientState& client);
  void DisableLocked(ClientState& client);
  // Redis's trackingInvalidateKey: `bcast` also records the key for the BCAST prefixes it matches.
  // `current` is the client whose command runs or is about to (0: none): NOLOOP spares it, and
  // while its command `running`, its own message waits for the reply.
  void InvalidateLocked(std::string_view key, bool bcast, uint64_t current, bool running,
                        Outbox& out);
  // Redis's sendTrackingMessage: `payload` is the RESP array of keys, or a null.
  void SendLocked(ClientState& client, std::string_view payload, Outbox& out);
  void BroadcastLocked(Outbox& out);
  // Redis's trackingLimitUsedSlots, run before a client's command (`next`) and by the cron (0).
  void LimitLocked(uint64_t next, Outbox& out);
  // Whether `client`'s command reading `spec` is one whose keys are remembered (tracking on, not
  // BCAST, OPTIN/OPTOUT as CLIENT CACHING said).
  static bool Remembers(const ClientState& client, const CommandSpec& spec);
  void RememberKeysLocked(uint64_t client_id, std::span<const int> positions,
                          std::span<const std::string_view> args);
  void Deliver(Outbox& out);
  void UpdateActiveLocked();

  Option& max_keys_option_;
  ClientRegistry& clients_registry_;
  mutable std::mutex mutex_;
  std::map<uint64_t, Tracked> clients_;  // clients that ever enabled tracking, by id
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename T>
  using KeyMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;
  KeyMap<std::set<uint64_t>> table_;
  uint64_t total_items_ = 0;
  std::map<std::string, Broadcast, std::less<>> prefixes_;
  // Keys being read by a client's command right now (the key's shard lock is released before the
  // after hook remembers them), and those written meanwhile: they are invalidated at once.
  KeyMap<std::multiset<uint64_t>> reading_;
  std::set<std::pair<uint64_t, std::string>> written_while_read_;
  // Rounds in a row the table stayed over its limit: each tries harder (Redis's timeout_counter).
  unsigned limit_rounds_ = 0;
  // False while there is no key and no prefix: writes skip the mutex.
  std::atomic<bool> active_{false};
  std::atomic<bool> broadcast_pending_{false};
  std::atomic<int64_t> tracking_clients_{0};
  std::atomic<bool> in_use_{false};
};

}  // namespace respd::server
