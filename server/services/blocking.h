// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN...): which clients wait on which (db, key), in
// the order they blocked, and how they are served.
//
// A blocking handler that finds nothing to serve calls Block() under its key locks; its connection
// then stops running commands. Whatever command adds a list or sorted set at a key that had none
// (a push, ZADD, a STORE, RENAME, COPY, MOVE...), the Database signals it under the shard lock, as
// Redis's dbAdd does; that reaches OnKeyReady here, and SWAPDB reaches OnDbModified: the key is
// only noted, on the writer's thread. Like Redis 7.0, a value written over an existing key (SORT
// or ZUNIONSTORE ... STORE over a string) wakes nobody.
// When the writer's command (or EXEC, or script) has finished and released its locks, the
// dispatcher calls ServeReady(), which re-runs each waiter's command in FIFO order on the writer's
// thread under the waiter's key locks, as Redis does right after the command that made the key
// ready: so no other client can take the data in between. A re-run that finds nothing calls
// Block() again and the waiter keeps its place. The reply is handed to the waiter's own thread
// (ClientHandle::Resume, which posts). Like Redis 7.0, a re-run serves only from the key that
// became ready (CommandContext::retry_key); a key of another type does not serve and does not fail
// the waiter, and the waiters behind it are still served from that key.
//
// Lock order: shard locks, then this registry's mutex; never the other way round.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/database.h"

namespace respd::server {

class ClientHandle;
class ClientState;
class Dispatcher;
struct CommandContext;
struct CommandSpec;

class BlockingRegistry : public storage::KeyspaceObserver {
 public:
  explicit BlockingRegistry(std::atomic<int64_t>& blocked_clients)
      : blocked_clients_(blocked_clients) {}
  BlockingRegistry(const BlockingRegistry&) = delete;
  BlockingRegistry& operator=(const BlockingRegistry&) = delete;

  // Parks the client running `ctx` on `keys` (its command must be allowed to block:
  // ctx.may_block()) until one is ready, the server Clock has moved `timeout_ms` on (0: forever;
  // the client's block_deadline_ms, which its connection watches), CLIENT UNBLOCK, or the client
  // disconnects. Nothing is replied now. Returns false when the client has no connection to
  // park (in-process tests): the handler then answers as on timeout.
  bool Block(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout_ms);
  // WAIT numreplicas timeout on a master without replicas (Redis's BLOCKED_WAIT): parks the client
  // on no key until its timeout or CLIENT UNBLOCK, which answer the replicas that acknowledged: 0.
  // False as Block says.
  bool BlockForReplicas(CommandContext& ctx, int64_t timeout_ms, uint64_t offset, int64_t replicas);
  // At start-up: how many replicas acknowledged an offset (what a WAIT answers).
  void SetReplicaCounter(std::function<int64_t(uint64_t offset)> counter) {
    count_replicas_ = std::move(counter);
  }
  // A replica acknowledged: the WAITs it satisfied are answered.
  void ReplicasAcknowledged();

  // The client's own thread gives up waiting (timeout, disconnect). When the client was blocked
  // and is now forgotten, returns the reply its timeout gets (Redis's
  // replyToBlockedClientTimedOut): the caller sends it. Nothing when it was not blocked, or is
  // being served at this moment (the outcome arrives through Resume).
  std::optional<std::string> Cancel(uint64_t client_id, bool disconnected);
  // CLIENT UNBLOCK id [TIMEOUT|ERROR]: true if the client was blocked.
  bool Unblock(uint64_t client_id, bool with_error);

  // Serves the clients waiting on keys that this thread's writes made ready. Called by the
  // dispatcher after each top-level command, with no lock held.
  void ServeReady(Dispatcher& dispatcher);
  static bool HasReady() { return !ready_keys_.empty(); }

  // Like Redis's signalDeletedKeyAsReady: a key XREADGROUP waits on was written (deleted, or
  // replaced by another type): its readers are re-run so they can answer UNBLOCKED.
  void OnKeyModified(int db, std::string_view key) override;
  void OnDbModified(int db) override;
  void OnKeyReady(int db, std::string_view key) override;

 private:
  enum class Cancelled : uint8_t { kNo, kTimeout, kUnblockTimeout, kUnblockError, kGone };

  struct Waiter {
    std::shared_ptr<ClientHandle> handle;
    ClientState* client;
    const CommandSpec* spec;
    std::vector<std::string> args;
    int db;
    std::vector<std::string> keys;
    bool serving = false;  // being re-run on some thread right now
    bool reblocked = false;
    bool passed_over = false;  // reblocked although the key holds a value (of another type)
    bool for_replicas = false;    // WAIT: a timeout answers the replicas that acknowledged
    uint64_t replica_offset = 0;  // WAIT: the offset to be acknowledged, by this many replicas
    int64_t replicas_wanted = 0;
    Cancelled cancelled = Cancelled::kNo;
  };
  struct DbKey {
    int db;
    std::string key;
    bool operator<(const DbKey& other) const {
      return db != other.db ? db < other.db : key < other.key;
    }
  };

  // Serves the waiters of one ready key, first come first served, until the key has nothing left;
  // a waiter for another type is passed over, as Redis does.
  void ServeKey(Dispatcher& dispatcher, const DbKey& ready);
  // Registers a parked client (Block, BlockForReplicas).
  bool Park(CommandContext& ctx, std::unique_ptr<Waiter> waiter, int64_t timeout_ms);
  // Forgets a waiter (under mutex_).
  void RemoveLocked(Waiter* waiter);
  // The reply a waiter gets when it stops waiting without data: Redis's replyToBlockedClientTimedOut,
  // or CLIENT UNBLOCK ERROR's error.
  std::string CancelReply(const Waiter& waiter, Cancelled how) const;

  std::atomic<int64_t>& blocked_clients_;
  std::atomic<size_t> waiting_{0};
  std::mutex mutex_;
  std::map<DbKey, std::deque<Waiter*>, std::less<>> queues_;
  std::unordered_map<uint64_t, std::unique_ptr<Waiter>> by_client_;
  std::function<int64_t(uint64_t offset)> count_replicas_;

  // Keys made ready by writes on this thread, in order, not yet served.
  static thread_local std::vector<DbKey> ready_keys_;
};

}  // namespace respd::server
