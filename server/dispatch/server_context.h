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
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/services/blocking.h"
#include "server/services/keyspace_notifier.h"
#include "server/services/latency.h"
#include "server/services/pubsub.h"
#include "server/services/slowlog.h"
#include "server/services/faults.h"
#include "server/services/journal.h"
#include "server/dispatch/client.h"
#include "server/dispatch/command_stats.h"
#include "server/dispatch/command_table.h"
#include "server/dispatch/dispatcher.h"
#include "server/config/config.h"
#include "server/scripting/engine.h"
#include "storage/clock.h"
#include "storage/database.h"

namespace respd::server {

// The Redis version respd answers as (HELLO, INFO): clients enable features by it.
inline constexpr std::string_view kRedisVersion = "7.0.15";

struct ServerStats {
  std::atomic<uint64_t> total_connections_received{0};
  std::atomic<uint64_t> total_commands_processed{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> total_net_input_bytes{0};
  std::atomic<uint64_t> total_net_output_bytes{0};
  std::atomic<uint64_t> total_error_replies{0};
  std::atomic<int64_t> blocked_clients{0};
  std::atomic<uint64_t> expire_cycle_usec{0};  // time spent in active expiry cycles
};

class ClientRegistry {
 public:
  uint64_t NextId() { return next_id_.fetch_add(1) + 1; }
  void Add(std::shared_ptr<ClientHandle> client);
  void Remove(uint64_t id);
  std::shared_ptr<ClientHandle> Find(uint64_t id) const;
  std::vector<std::shared_ptr<ClientHandle>> Snapshot() const;
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, std::weak_ptr<ClientHandle>> clients_;
  std::atomic<uint64_t> next_id_{0};
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
  // The test controls' fault rules and command journal (RESPD FAULT, RESPD JOURNAL).
  Faults faults;
  Journal journal;

  int64_t start_time_ms = 0;
  // Used memory once the server was built, before any client (MEMORY STATS startup.allocated).
  uint64_t startup_memory = 0;
  std::string run_id;
  std::string executable;
  std::atomic<int> tcp_port{0};
  int io_threads = 1;
  // DEBUG SET-ACTIVE-EXPIRE 0 stops the active expiry cycle (lookups still expire keys).
  std::atomic<bool> active_expire{true};

  // Asks the server to stop (SHUTDOWN). Set by the server before clients connect.
  std::function<void()> request_shutdown;

  // A random generator per thread, for RANDOMKEY and friends.
  static std::mt19937_64& Rng();
};

}  // namespace respd::server
