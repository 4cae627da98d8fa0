#include "server/composition.h"

#include <charconv>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "server/commands/families.h"
#include "server/dispatch/server_context.h"
#include "server/services/latency.h"
#include "server/services/monitor.h"
#include "server/services/slowlog.h"

namespace respd::server {
namespace {

// The `seed` option (validated when it was set): nullopt when empty.
std::optional<uint64_t> StartupSeed(Config& config) {
  std::string text = config.Get("seed").text();
  if (text.empty()) return std::nullopt;
  uint64_t seed = 0;
  std::from_chars(text.data(), text.data() + text.size(), seed);
  return seed;
}

// The clock as the `clock` and `clock-start` options started it (server/main.cc): at clock-start
// if given, else the wall clock; frozen there if `clock frozen`.
void ResetClock(Config& config, storage::Clock& clock) {
  clock.Real();
  std::string start = config.Get("clock-start").text();  // canonical: Unix ms or empty
  if (!start.empty()) clock.Set(std::stoll(start) * 1000);
  if (config.Get("clock").text() == "frozen") clock.Freeze();
}

// Redis's lazyfree options and the deletions each makes lazy.
constexpr std::pair<std::string_view, storage::Freeing> kLazyFreeOptions[] = {
    {"lazyfree-lazy-eviction", storage::Freeing::kEviction},
    {"lazyfree-lazy-expire", storage::Freeing::kExpire},
    {"lazyfree-lazy-server-del", storage::Freeing::kServerDel},
    {"lazyfree-lazy-user-del", storage::Freeing::kUserDel},
    {"lazyfree-lazy-user-flush", storage::Freeing::kUserFlush},
    {"replica-lazy-flush", storage::Freeing::kReplicaFlush},
};

// The store frees as the lazyfree options say, from start-up and after each change.
void FollowLazyFreeOptions(ServerContext& server) {
  auto follow = [&store = server.store](const Option& option) {
    for (const auto& [name, freeing] : kLazyFreeOptions) {
      if (option.spec().name == name) store.SetLazyFree(freeing, option.enabled());
    }
  };
  for (const auto& [name, freeing] : kLazyFreeOptions) follow(server.config.Get(name));
  server.config.AddChangeHook(follow);
}

// What RESPD RESET puts back, in order. Each hook runs with every shard locked.
void RegisterResetHooks(ServerContext& server) {
  server.AddResetHook([&server] {
    server.leases.Clear();
    server.snapshots.Clear();
    server.store.FlushAll();
    server.store.ResetDirty();
  });
  server.AddResetHook([&server] { server.config.RestoreStartupValues(); });
  server.AddResetHook([&server] {
    std::lock_guard lock(server.scripting.mutex());
    server.scripting.FlushScripts();
    server.scripting.FlushLibraries();
  });
  server.AddResetHook([&server] {
    server.faults.Restart();
    server.journal.SetEnabled(false);
    server.journal.Restart();
  });
  server.AddResetHook([&server] { ResetClock(server.config, server.clock); });
  // Last: the clock and config are back, and every generator starts again from the seed.
  server.AddResetHook([&server] { server.SeedRandom(StartupSeed(server.config)); });
}

// How the node is reached, as Redis's deriveAnnouncedPorts and its announce options say.
NodeAddress ClusterAddress(ServerContext& server) {
  Config& config = server.config;
  int port = server.tcp_port.load(std::memory_order_relaxed);
  int announced_port = static_cast<int>(config.Get("cluster-announce-port").number());
  int bus_port = static_cast<int>(config.Get("cluster-port").number());
  int announced_bus_port = static_cast<int>(config.Get("cluster-announce-bus-port").number());
  return {.ip = config.Get("cluster-announce-ip").text(),
          .port = announced_port != 0 ? announced_port : port,
          .cport = announced_bus_port != 0 ? announced_bus_port
                   : bus_port != 0         ? bus_port
                                           : port + kClusterBusPortOffset,
          .hostname = config.Get("cluster-announce-hostname").text(),
          .endpoint_type = config.Get("cluster-preferred-endpoint-type").text()};
}

}  // namespace

std::string StartCluster(ServerContext& server) {
  Config& config = server.config;
  if (!config.Get("cluster-enabled").enabled()) return {};
  std::string path = config.PathInDir(config.Get("cluster-config-file").text());
  try {
    server.cluster.Start(
        path, [&server] { return ClusterAddress(server); },
        [&config] {
          return ClusterSettings{
              .require_full_coverage = config.Get("cluster-require-full-coverage").enabled(),
              .allow_reads_when_down = config.Get("cluster-allow-reads-when-down").enabled(),
              .allow_pubsubshard_when_down =
                  config.Get("cluster-allow-pubsubshard-when-down").enabled(),
              .node_timeout_ms = config.Get("cluster-node-timeout").number()};
        });
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  // As Redis's cron notices a new announced address, the file is written again with it.
  server.config.AddChangeHook([&cluster = server.cluster](const Option& option) {
    if (option.spec().name.starts_with("cluster-announce-")) cluster.Save();
  });
  return {};
}

void Compose(ServerContext& server) {
  RegisterAllFamilies(server.commands);
  server.acl.Init(server.commands);
  using storage::Store;
  server.store.AddObserver(&server.watches, Store::kChanges | Store::kReportsWork);
  server.store.AddObserver(&server.blocking, Store::kChanges | Store::kReportsWork);
  server.store.AddObserver(&server.keyspace_notifier, Store::kEvents);
  server.store.AddObserver(&server.tracking, Store::kChanges | Store::kReportsWork);
  server.store.AddObserver(&server.propagation, Store::kEvents);
  server.propagation.AddSink(&server.aof, kPropagateAof);
  // Admission, in Redis's order: ACL, then cluster routing, then OOM, then a monitor's keyspace
  // refusal, then respd's fault rules; tracking last, so only a command that will run consumes
  // CLIENT CACHING's one-shot flag. Each feature's switch keeps its hooks out of the pipeline while
  // it has nothing to do.
  server.dispatcher.AddAdmissionHook(AclAdmissionHook(server), server.acl.checks_switch());
  server.dispatcher.AddAdmissionHook(
      [&dispatcher = server.dispatcher](const Admission& admission) {
        return dispatcher.AdmitToCluster(admission);
      },
      server.cluster.enabled_switch());
  server.dispatcher.AddAfterHook([&dispatcher = server.dispatcher](
                                     const Completion& done) { dispatcher.AfterInCluster(done); },
                                 server.cluster.enabled_switch());
  server.dispatcher.AddAdmissionHook(
      [&dispatcher = server.dispatcher](const Admission& admission) {
        return dispatcher.AdmitWithinMemory(admission);
      },
      server.memory_limit.limit_switch());
  server.dispatcher.AddAdmissionHook(MonitorAdmission(server), server.monitors.active_switch());
  server.dispatcher.AddAdmissionHook(
      [&faults = server.faults](const Admission& admission) { return faults.Admit(admission); },
      server.faults.armed_switch());
  server.dispatcher.AddAdmissionHook(
      [&tracking = server.tracking](const Admission& admission) {
        tracking.BeforeCommand(admission);
        return Refusal::kNone;
      },
      server.tracking.hooks_switch());
  server.dispatcher.AddAfterHook(
      [&tracking = server.tracking](const Completion& done) { tracking.AfterCommand(done); },
      server.tracking.hooks_switch());
  server.dispatcher.AddAfterHook(SlowlogHook(server));
  server.dispatcher.AddAfterHook(LatencyHook(server));
  server.dispatcher.AddAfterHook(
      [&server](const Completion& done) { server.journal.Record(done, server.clock.NowMs()); },
      server.journal.enabled_switch());
  server.dispatcher.AddAfterHook(MonitorHook(server), server.monitors.active_switch());
  server.blocking.SetReplicaCounter([&replicas = server.replicas](uint64_t offset) {
    return replicas.CountAcknowledged(offset);
  });
  server.replicas.SetAcknowledgementListener(
      [&blocking = server.blocking] { blocking.ReplicasAcknowledged(); });
  server.clients.AddDisconnectHook([&server](uint64_t id) { server.leases.ReleaseAll(id); });
  // As Redis's CONFIG SET maxmemory, a new limit evicts at once; a new policy waits for the next
  // command, and the lfu-* options change how keys count accesses. The server cron measures
  // memory too.
  server.memory_limit.SetEvictionAllowed(
      [&server] { return !server.scripting.busy() && !server.pause.active(); });
  server.memory_limit.SetLatencyReport([&server](std::string_view event, int64_t latency_ms) {
    AddLatencySampleIfNeeded(server, event, latency_ms);
  });
  server.config.AddChangeHook([&limit = server.memory_limit](const Option& option) {
    std::string_view name = option.spec().name;
    if (name == "maxmemory") {
      limit.Refresh(MemoryLimit::Then::kEvict);
    } else if (name == "maxmemory-policy" || name.starts_with("lfu-")) {
      limit.Refresh();
    }
  });
  // CONFIG SET appendonly turns the AOF on (a rewrite first) or off at once, as Redis's
  // updateAppendonly; failing to start puts the old value back. RESPD RESET's restored value
  // (a change hook) turns it back as well.
  const auto follow_appendonly = [&aof = server.aof](const Option& option) {
    if (option.spec().name != "appendonly") return std::string();
    if (!option.enabled()) {
      aof.Stop();
      return std::string();
    }
    return aof.Start();
  };
  server.config.AddApplyHook([follow_appendonly](const Option& option, const std::string&) {
    return follow_appendonly(option);
  });
  server.config.AddChangeHook(
      [follow_appendonly](const Option& option) { follow_appendonly(option); });
  server.memory_limit.Refresh();
  FollowLazyFreeOptions(server);
  server.config.CaptureStartupValues();
  if (std::optional<uint64_t> seed = StartupSeed(server.config)) server.SeedRandom(seed);
  RegisterResetHooks(server);
}

}  // namespace respd::server
