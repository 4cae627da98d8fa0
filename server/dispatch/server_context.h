// The services a command handler may use: options, keyspace, clock, the client registry, server
// statistics and the command pipeline. Handlers get this instead of the whole server (no sockets,
// no event loops).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/config/config.h"
#include "server/dispatch/client.h"
#include "server/dispatch/command_stats.h"
#include "server/dispatch/command_table.h"
#include "server/dispatch/dispatcher.h"
#include "server/dispatch/per_thread_rows.h"
#include "server/scripting/engine.h"
#include "server/services/acl.h"
#include "server/services/aof.h"
#include "server/services/blocking.h"
#include "server/services/client_pause.h"
#include "server/services/cluster_state.h"
#include "server/services/db_leases.h"
#include "server/services/faults.h"
#include "server/services/journal.h"
#include "server/services/keyspace_notifier.h"
#include "server/services/latency.h"
#include "server/services/memory_limit.h"
#include "server/services/migrate_sockets.h"
#include "server/services/monitor.h"
#include "server/services/persistence.h"
#include "server/services/propagation.h"
#include "server/services/pubsub.h"
#include "server/services/replica_link.h"
#include "server/services/replication.h"
#include "server/services/slowlog.h"
#include "server/services/snapshots.h"
#include "server/services/tracking.h"
#include "storage/clock.h"
#include "storage/database.h"

namespace respd::server {

// The Redis version respd answers as (HELLO, INFO): clients enable features by it.
inline constexpr std::string_view kRedisVersion = "7.0.15";

struct ServerStats {
  std::atomic<uint64_t> total_connections_received{0};
  PerThreadCounter total_commands_processed;
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> total_net_input_bytes{0};
  std::atomic<uint64_t> total_net_output_bytes{0};
  std::atomic<uint64_t> total_error_replies{0};
  std::atomic<int64_t> blocked_clients{0};
  std::atomic<uint64_t> expire_cycle_usec{0};  // time spent in active expiry cycles
  PerThreadCounter total_reads_processed;      // reads that ended (bytes, end of stream or error)
  PerThreadCounter total_writes_processed;     // attempts to send a client's pending replies
  std::atomic<uint64_t> reply_buffer_shrinks{0};
  std::atomic<uint64_t> reply_buffer_expands{0};
};

class ClientRegistry {
 public:
  uint64_t NextId() { return next_id_.fetch_add(1) + 1; }
  void Add(std::shared_ptr<ClientHandle> client);
  void Remove(uint64_t id);
  std::shared_ptr<ClientHandle> Find(uint64_t id) const;
  // Called with a client's id after it left (its database leases end). Added at start-up, before
  // any client connects; called on the leaving client's thread with no registry lock held.
  void AddDisconnectHook(std::function<void(uint64_t)> hook) {
    disconnect_hooks_.push_back(std::move(hook));
  }
  std::vector<std::shared_ptr<ClientHandle>> Snapshot() const;
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, std::weak_ptr<ClientHandle>> clients_;
  std::atomic<uint64_t> next_id_{0};
  std::vector<std::function<void(uint64_t)>> disconnect_hooks_;
};

class ServerContext {
 public:
  ServerContext(Config& config, storage::Clock& clock);

  Config& config;
  storage::Clock& clock;
  storage::Store store;
  CommandTable commands;
  ClientRegistry clients;
  ServerStats stats;
  // INFO commandstats and errorstats.
  CommandStats command_stats{stats.total_error_replies};
  // Watched keys of every client; observes `store` (added by the server at start-up).
  WatchRegistry watches;
  // The Lua engine of EVAL and FCALL: script cache, function libraries, BUSY state.
  ScriptEngine scripting;
  // Clients blocked on keys (BLPOP...); observes `store` (added by the server at start-up).
  BlockingRegistry blocking{stats.blocked_clients};
  // Channels, patterns and their subscribers.
  PubSubRegistry pubsub{config};
  // Keyspace notifications through `pubsub`; observes `store` (added at composition).
  KeyspaceNotifier keyspace_notifier{config, pubsub};
  // Client-side caching: the keys tracking clients read; observes `store` (added at composition).
  TrackingRegistry tracking{config, clients};
  // MONITOR's clients, fed by an after hook of the pipeline.
  MonitorRegistry monitors{config};
  // CLIENT PAUSE: the pipeline postpones what it covers.
  ClientPause pause{store, stats.blocked_clients};
  // maxmemory: evicts before a client's command while used memory is past it, and tells the
  // pipeline when nothing could be evicted (OOM).
  MemoryLimit memory_limit{config, store, clock};
  // SLOWLOG's entries, fed by an after hook of the pipeline.
  Slowlog slowlog;
  // LATENCY's events and the per-command histograms of LATENCY HISTOGRAM and INFO latencystats,
  // fed by an after hook of the pipeline.
  LatencyMonitor latency;
  CommandLatencies command_latencies;
  // INFO's instantaneous_* rates, sampled by the server's cron.
  InstantaneousMetrics instantaneous;
  // The command pipeline every entry path runs commands through: connections, EXEC, scripts and
  // blocked clients' re-runs.
  Dispatcher dispatcher{*this};
  // cluster-enabled yes: the node's ID, epochs and slots, nodes.conf, the routing of keys.
  ClusterState cluster;
  // ACL users, their checks (an admission hook) and the ACL log.
  Acl acl{config};
  // The test controls' fault rules and command journal (RESPD FAULT, RESPD JOURNAL).
  Faults faults;
  Journal journal{config};
  // MIGRATE's cached connections to target instances, closed when idle by the server cron.
  MigrateSockets migrate_sockets;

  int64_t start_time_ms = 0;
  // Used memory once the server was built, before any client (MEMORY STATS startup.allocated).
  uint64_t startup_memory = 0;
  std::string run_id;
  std::string executable;
  std::atomic<int> tcp_port{0};
  int io_threads = 1;
  // DEBUG SET-ACTIVE-EXPIRE 0 stops the active expiry cycle (lookups still expire keys).
  std::atomic<bool> active_expire{true};
  // DEBUG PAUSE-CRON 1 stops the server cron altogether, as Redis's serverCron returns at once.
  std::atomic<bool> pause_cron{false};
  // Redis's reply buffer resizing (DEBUG REPLYBUFFER): the cron resets each client's reply buffer
  // peak this often (-1: never), and resizes its buffer to the peak unless resizing is off.
  static constexpr int64_t kDefaultReplyBufferPeakResetMs = 5000;
  std::atomic<int64_t> reply_buffer_peak_reset_ms{kDefaultReplyBufferPeakResetMs};
  std::atomic<bool> reply_buffer_resizing{true};

  // Databases leased to clients (RESPD DB) and named database snapshots (RESPD SNAPSHOT).
  DbLeases leases{store};
  Snapshots snapshots;
  // SAVE, BGSAVE, save points and the RDB file loaded at start-up.
  Persistence persistence;
  // The dataset's changes as the AOF and replicas are told them.
  Propagator propagation{config};
  // The append-only file: a sink of `propagation` (added at composition).
  AppendOnlyFile aof{*this};
  ReplicaRegistry replicas{config, propagation};
  // REPLICAOF's link to a master; after the services its thread uses, so it stops first.
  ReplicaLink replica_link{*this};

  // Asks the server to stop (SHUTDOWN). Set by the server before clients connect.
  std::function<void()> request_shutdown;
  // Takes the server off the network for `ms` real milliseconds (RESPD FAULT DOWN): every
  // connection but `caller`'s is closed and new ones are refused. Set by the server; unset in
  // in-process tests.
  std::function<void(int64_t ms, uint64_t caller)> request_down;

  // RESPD RESET: every feature that keeps state a test can change registers how to put it back to
  // its start-up value (data, leases, snapshots, config, scripts, functions, faults, the journal,
  // the clock, the random seed). Added at composition; run in order with every shard locked (RESET
  // is kLockAll), so no script runs meanwhile.
  void AddResetHook(std::function<void()> hook) { reset_hooks_.push_back(std::move(hook)); }
  void RunResetHooks() {
    for (const auto& hook : reset_hooks_) hook();
  }

  // A random generator per thread, for RANDOMKEY, SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER.
  // Seeded from the system unless SeedRandom gave a seed: then every thread's generator starts
  // again from that seed at its next use, so a client (with --threads 1, the whole server) sees
  // the same sequence of random choices from one run to the next.
  static std::mt19937_64& Rng();
  // Seeds Rng(), Lua's math.random (as math.randomseed(seed) would) and the fault rules'
  // PROBABILITY draws; nullopt goes back to system seeding, Lua's unseeded start and the faults'
  // fixed start. Rng() and Lua's generator are process-wide. Call with no script running (every
  // shard locked, or before clients connect).
  void SeedRandom(std::optional<uint64_t> seed);
  static std::optional<uint64_t> random_seed();

 private:
  std::vector<std::function<void()>> reset_hooks_;
};

}  // namespace respd::server
