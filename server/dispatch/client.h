// What the server knows of one connected client, shared by its connection (which owns it), the
// handlers running its commands, and CLIENT LIST / CLIENT KILL on other threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "protocol/reply_writer.h"
#include "server/services/pubsub.h"
#include "server/services/tracking.h"
#include "server/services/transaction.h"

namespace respd::server {

struct CommandSpec;
class AclUser;

// A field its client's thread writes and other threads read (CLIENT LIST): every access is a
// relaxed atomic one (a plain load or store on the targets we build for), and otherwise it is used
// as the value it holds.
template <typename T>
class RelaxedAtomic {
 public:
  RelaxedAtomic(T value = T{}) : value_(value) {}  // NOLINT: implicit, as the plain field was
  RelaxedAtomic(const RelaxedAtomic& other) : value_(other.load()) {}
  RelaxedAtomic& operator=(const RelaxedAtomic& other) {
    store(other.load());
    return *this;
  }
  RelaxedAtomic& operator=(T value) {
    store(value);
    return *this;
  }
  operator T() const { return load(); }  // NOLINT: implicit, as the plain field was
  T load() const { return value_.load(std::memory_order_relaxed); }
  void store(T value) { value_.store(value, std::memory_order_relaxed); }

 private:
  std::atomic<T> value_;
};

// What the connection does with the reply of the command just dispatched, as a fault set it
// (server/services/faults.h).
enum class ReplyFate : uint8_t {
  kSend,
  kDelay,  // sends it after reply_delay_ms, running nothing else of the client meanwhile
  kClose,  // drops it and closes the connection once earlier replies are written
  kHang,   // drops it and every later one: the client waits for ever
  kRerun,  // drops it and runs the command again after reply_delay_ms (RESPD JOURNAL WAIT)
};

class ClientState {
 public:
  explicit ClientState(uint64_t id) : id_(id) {}

  uint64_t id() const { return id_; }

  // Only the client's own thread writes these; CLIENT LIST (db=, resp=) and whoever serves a
  // blocked client read them from other threads.
  RelaxedAtomic<int> db_index = 0;
  RelaxedAtomic<protocol::RespVersion> resp = protocol::RespVersion::kResp2;

  // Connected through the unix socket (CLIENT LIST's U flag): set before the client is registered,
  // never changed after.
  bool unix_socket = false;

  // Fields only the client's own thread touches.
  bool authenticated = false;
  // The ACL user the client runs as (null: the default user): AUTH, HELLO AUTH and RESET set it.
  std::shared_ptr<AclUser> acl_user;
  bool local = false;  // connected from a loopback address (enable-debug-command local)
  bool close_after_reply = false;  // QUIT, protocol errors: close once the reply is written
  // Set by a fault, reset by the connection. A blocked client's re-run sets it on the writer's
  // thread, before the answer is posted to the client's own thread (ClientHandle::Resume).
  ReplyFate reply_fate = ReplyFate::kSend;
  int64_t reply_delay_ms = 0;
  // When the RESPD JOURNAL WAIT being re-run started, in steady-clock milliseconds (0: none).
  int64_t journal_wait_start_ms = 0;
  // A watched key changed (CLIENT LIST's d flag), published by `transaction` from any thread.
  // Declared before it, which clears it as it goes.
  std::atomic<bool> watch_dirty{false};
  // MULTI/EXEC and WATCH state, created by the first MULTI or WATCH.
  std::unique_ptr<TransactionState> transaction;
  // Set by a blocking command that has to wait (server/blocking.h): the connection runs no more
  // commands until Resume() or its deadline ends the wait. Atomic for CLIENT LIST.
  RelaxedAtomic<bool> blocked = false;
  // Set by the pipeline when CLIENT PAUSE holds the command just dispatched: the connection keeps
  // the command unconsumed and runs nothing until ClientHandle::Unpause (CLIENT LIST's b flag).
  RelaxedAtomic<bool> postponed = false;
  // MONITOR mode (CLIENT LIST's O flag; server/services/monitor.h).
  RelaxedAtomic<bool> monitoring = false;
  // Attached as a replica by SYNC or PSYNC (CLIENT LIST's S flag; server/services/replication.h).
  RelaxedAtomic<bool> replica = false;
  // Cluster mode: ASKING lets the next command into a slot being imported (Redis's CLIENT_ASKING),
  // READONLY is Redis's CLIENT_READONLY (CLIENT LIST's r flag), and `cluster_slot` is the slot
  // the client's command was routed by (Redis's c->slot), which a script's undeclared keys must
  // keep to.
  bool cluster_asking = false;
  RelaxedAtomic<bool> cluster_readonly = false;
  int cluster_slot = -1;
  // The replication stream's offset after the client's last command (Redis's woff): what WAIT
  // waits for replicas to acknowledge.
  uint64_t repl_offset = 0;
  // What the replica said of itself with REPLCONF before it synced.
  int replica_listening_port = 0;
  std::string replica_announced_ip;
  // REPLCONF rdb-only 1: SYNC sends the payload and then closes, without the command stream
  // (`redis-cli --rdb`).
  bool replica_rdb_only = false;
  // REPLCONF rdb-filter-only: what SYNC's payload leaves out (`redis-cli --functions-rdb` asks for
  // the function libraries only), and REPLCONF capa eof, which Redis requires of such a replica.
  bool replica_excludes_keys = false;
  bool replica_excludes_functions = false;
  bool replica_capa_eof = false;
  // CLIENT NO-EVICT (CLIENT LIST's e flag).
  RelaxedAtomic<bool> no_evict = false;
  // CLIENT REPLY: OFF drops every reply; SKIP drops the next command's (reply_skip_next becomes
  // reply_skip once CLIENT REPLY SKIP is done). The connection drops them after each command.
  bool reply_off = false;
  bool reply_skip = false;
  bool reply_skip_next = false;
  size_t reply_off_from = 0;  // where in the output the command that set OFF was (EXEC's body)
  // Pub/sub frames (messages, (un)subscribe confirmations) a command wrote while its replies are
  // dropped: Redis 7.0 sends them anyway (CLIENT_PUSHING), so the connection puts them back after
  // dropping the replies.
  std::string kept_pushes;
  // Moves what was written to `out` from `from` on into kept_pushes when replies are dropped.
  void KeepPush(std::string& out, size_t from) {
    if (!reply_off && !reply_skip) return;
    kept_pushes.append(out, from);
    out.resize(from);
  }
  // When the wait times out, in Clock milliseconds (0: never): it times out when the server's
  // Clock reaches it, however much real time that takes (a frozen clock never does).
  int64_t block_deadline_ms = 0;

  // Fields other threads read (CLIENT LIST): guarded by info_mutex_.
  struct Info {
    std::string name;
    std::string lib_name;
    std::string lib_ver;
    std::string addr;   // peer "ip:port"
    std::string laddr;  // local "ip:port"
    int fd = -1;
    std::string user = "default";  // the ACL user's name (CLIENT LIST user=, killing its clients)
  };
  Info info() const {
    std::lock_guard lock(info_mutex_);
    return info_;
  }
  template <typename Fn>
  void UpdateInfo(Fn&& fn) {
    std::lock_guard lock(info_mutex_);
    fn(info_);
  }

  int64_t created_ms = 0;  // set before the client is registered, constant after
  std::atomic<int64_t> last_interaction_ms{0};

  // What CLIENT LIST reports, published by the client's own thread as it runs (relaxed atomics:
  // each field is a value it really had; a line is not one instant, as in no multi-threaded
  // server). Writing one costs a plain store, so the command path publishes as it goes instead
  // of other threads asking for a snapshot.
  std::atomic<const CommandSpec*> last_command{nullptr};  // cmd=: the last command resolved
  std::atomic<int> multi_queued{-1};          // multi=: commands queued since MULTI, or -1
  std::atomic<uint64_t> multi_bytes{0};       // multi-mem=: their arguments' bytes
  std::atomic<uint64_t> argv_bytes{0};        // argv-mem=: arguments of the running command
  std::atomic<uint64_t> query_buffer_bytes{0};  // qbuf=: received bytes not yet consumed
  std::atomic<uint64_t> query_buffer_free{0};   // qbuf-free=: free room in the input buffer
  std::atomic<uint64_t> output_buffer_bytes{0};  // omem=: reply bytes not yet written
  std::atomic<uint64_t> reply_buffer_size{0};    // rbs=: Redis's reply buffer size
  std::atomic<uint64_t> reply_buffer_peak{0};    // rbp=: its peak use since the last reset
  std::atomic<uint64_t> buffers_allocated{0};  // input and output buffer capacity (tot-mem=)
  // sub= psub= ssub=: channels, patterns and shard channels subscribed to (server/services/pubsub.h
  // keeps them).
  std::atomic<int> subscriptions{0};
  std::atomic<int> pattern_subscriptions{0};
  std::atomic<int> shard_subscriptions{0};
  // CLIENT TRACKING: TrackingFlag bits and the client invalidations go to (0: this one). The
  // client's own thread sets them; a writer on any thread reads them and may flag a broken
  // redirect (server/services/tracking.h).
  std::atomic<uint32_t> tracking_flags{0};
  std::atomic<uint64_t> tracking_redirect{0};
  // Redis's CLIENT_PUBSUB: subscribed to anything. A RESP2 client then runs only the pub/sub
  // commands, PING, QUIT and RESET.
  bool subscribed() const {
    return subscriptions.load(std::memory_order_relaxed) +
               pattern_subscriptions.load(std::memory_order_relaxed) +
               shard_subscriptions.load(std::memory_order_relaxed) >
           0;
  }

 private:
  uint64_t id_;
  mutable std::mutex info_mutex_;
  Info info_;
 public:
  // Set by the first subscription: a client that goes away leaves no subscription behind, even
  // one without a connection to close (in-process tests). Last, so it goes first.
  std::unique_ptr<PubSubMembership> pubsub_membership;
  // Set by the first CLIENT TRACKING ON, for the same reason.
  std::unique_ptr<TrackingMembership> tracking_membership;
};

// A connected client as other threads see it: its state, and a way to ask its own thread to close
// it.
class ClientHandle {
 public:
  virtual ~ClientHandle() = default;
  virtual ClientState& state() = 0;
  // Closes the connection from its own thread (CLIENT KILL, timeout, shutdown). Redis frees a
  // killed client at once, so from this call on CLIENT LIST and CLIENT KILL no longer see it, even
  // while its own thread has yet to close it.
  void Kill() {
    killed_.store(true, std::memory_order_relaxed);
    CloseOnOwnThread();
  }
  bool killed() const { return killed_.load(std::memory_order_relaxed); }
  // Ends a blocked wait from any thread: the client's own thread sends `reply`, counts the blocked
  // call (as failed when `failed`) and goes on with its input (server/blocking.h).
  virtual void Resume(std::string reply, bool failed) = 0;
  // Queues an out-of-band frame (a pub/sub message) from any thread: the client's own thread
  // writes it after what it has already written, frames from one thread in the order given.
  // Never blocks; a client past its output buffer limit is disconnected instead.
  virtual void Deliver(std::string_view frame) = 0;
  // The CLIENT PAUSE that postponed the client's command has ended (any thread): its own thread
  // runs the command and goes on with its input.
  virtual void Unpause() = 0;

 protected:
  virtual void CloseOnOwnThread() = 0;

 private:
  std::atomic<bool> killed_{false};
};

}  // namespace respd::server
