// MONITOR: clients that are sent a line for every command the server runs, as Redis 7.0's
// replicationFeedMonitors writes it:
//   +<unix seconds>.<microseconds> [<db> <origin>] "arg" "arg"...
// where origin is the client's ip:port, `unix:<socket path>` or `lua` for a script's redis.call.
// What Redis shows, from its call(): commands that ran (not those refused before running, not
// those queued by MULTI: EXEC's body shows at EXEC, before EXEC itself), once (a blocked command
// when it blocks, not when served), never admin commands nor those marked skip-monitor (EVAL and
// FCALL show before their script runs, from their handlers), with passwords redacted; the db is
// the client's after the command (SELECT shows its new db). The timestamp is real time, as Redis's
// gettimeofday, not the server Clock.
//
// A line goes to each monitor like a pub/sub message: queued for the monitor's own thread
// (ClientHandle::Deliver, within client-output-buffer-limit) or, for a monitor's own command,
// straight after its reply (even inside EXEC's array, as in Redis).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/config/config.h"
#include "server/dispatch/dispatcher.h"

namespace respd::server {

class ClientHandle;
class ClientState;
class ServerContext;

class MonitorRegistry {
 public:
  explicit MonitorRegistry(Config& config) : unixsocket_(config.Get("unixsocket")) {}

  // Puts `client` in monitor mode (CLIENT LIST's O flag); `handle` reaches its connection (null
  // for a client without one: it sees only its own commands).
  void Add(ClientState& client, std::shared_ptr<ClientHandle> handle);
  // Takes `client` out of monitor mode (RESET, disconnect); a no-op if it is not in it.
  void Remove(ClientState& client);
  // False while nobody monitors: feeding costs one load.
  bool active() const { return active_.load(std::memory_order_relaxed); }
  // The same, as the pipeline's switch for the monitor hooks.
  const std::atomic<bool>* active_switch() const { return &active_; }

  // Sends every monitor the line of `args`, run by `client` (a script's client if `from_script`).
  void Feed(const ClientState& client, bool from_script, std::span<const std::string_view> args);

 private:
  struct Monitor {
    uint64_t id;
    std::weak_ptr<ClientHandle> handle;
  };

  const Option& unixsocket_;
  std::mutex mutex_;
  std::vector<Monitor> monitors_;
  std::atomic<bool> active_{false};
};

// The pipeline's after hook that feeds monitors what Redis's call() feeds them.
AfterHook MonitorHook(ServerContext& server);
// The admission hook refusing a monitor's commands that touch the keyspace, as Redis refuses a
// replica's (a monitor is one of its replicas there).
AdmissionHook MonitorAdmission(ServerContext& server);

}  // namespace respd::server
