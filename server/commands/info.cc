// INFO's text: Redis 7.0's sections and field names, from server state read through ServerContext.
#include "server/commands/info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "server/commands/args.h"
#include "server/commands/memory_report.h"

namespace respd::server {
namespace {

// Redis's bytesToHuman: "512B", "1.25K", "3.00M"...
// Redis's bytesToHuman: B up to P, and plain bytes past 1024 P.
std::string BytesToHuman(uint64_t bytes) {
  static constexpr char kUnits[] = {'K', 'M', 'G', 'T', 'P'};
  if (bytes < 1024 || bytes >= (uint64_t{1} << 60)) return std::to_string(bytes) + "B";
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  value /= 1024;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f%c", value, kUnits[unit]);
  return buffer;
}

std::string Seconds(const timeval& tv) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%ld.%06ld", static_cast<long>(tv.tv_sec),
                static_cast<long>(tv.tv_usec));
  return buffer;
}

class InfoWriter {
 public:
  void Field(std::string_view name, std::string_view value) {
    text_.append(name).append(":").append(value).append("\r\n");
  }
  void Field(std::string_view name, int64_t value) { Field(name, std::to_string(value)); }
  std::string& text() { return text_; }

 private:
  std::string text_;
};

void InfoServer(ServerContext& server, InfoWriter& out) {
  utsname uts{};
  uname(&uts);
  int64_t now_ms = server.clock.NowMs();
  int64_t uptime = (now_ms - server.start_time_ms) / 1000;
  out.Field("redis_version", kRedisVersion);
  out.Field("respd_version", RESPD_VERSION);
  out.Field("redis_git_sha1", "00000000");
  out.Field("redis_git_dirty", 0);
  out.Field("redis_build_id", "0");
  out.Field("redis_mode", server.cluster.enabled() ? "cluster" : "standalone");
  out.Field("os", std::string(uts.sysname) + " " + uts.release + " " + uts.machine);
  out.Field("arch_bits", static_cast<int64_t>(sizeof(void*) * 8));
  out.Field("monotonic_clock", "POSIX clock_gettime");
  out.Field("multiplexing_api", "epoll");
  out.Field("atomicvar_api", "c11-builtin");
  out.Field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                               std::to_string(__GNUC_PATCHLEVEL__));
  out.Field("process_id", static_cast<int64_t>(getpid()));
  out.Field("process_supervised", "no");
  out.Field("run_id", server.run_id);
  out.Field("tcp_port", server.tcp_port.load());
  out.Field("server_time_usec", server.clock.NowUs());
  out.Field("uptime_in_seconds", uptime);
  out.Field("uptime_in_days", uptime / 86400);
  out.Field("hz", server.config.hz().number());
  out.Field("configured_hz", server.config.hz().number());
  out.Field("lru_clock", (now_ms / 1000) & ((1 << 24) - 1));
  out.Field("executable", server.executable);
  out.Field("config_file", server.config.config_file());
  out.Field("io_threads_active", 0);
}

void InfoClients(ServerContext& server, InfoWriter& out) {
  out.Field("connected_clients", static_cast<int64_t>(server.clients.size()));
  out.Field("cluster_connections", 0);
  out.Field("maxclients", server.config.maxclients().number());
  out.Field("client_recent_max_input_buffer", 0);
  out.Field("client_recent_max_output_buffer", 0);
  out.Field("blocked_clients", server.stats.blocked_clients.load(std::memory_order_relaxed));
  out.Field("tracking_clients", server.tracking.TrackingClients());
  out.Field("clients_in_timeout_table", 0);
}

std::string TwoDecimals(double value, std::string_view suffix = "") {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.2f", value);
  return std::string(buffer).append(suffix);
}

// Redis's fields in Redis's order, from MeasureMemory (server/commands/memory_report.h) and the
// script engine (the Lua heap is inside used_memory too).
void InfoMemory(ServerContext& server, InfoWriter& out) {
  MemoryOverhead mh = MeasureMemory(server);
  uint64_t used = mh.total_allocated;
  server.memory_limit.Observe(used);
  uint64_t system = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  uint64_t maxmemory = server.config.Get("maxmemory").unsigned_number();
  auto ratio = [](uint64_t a, uint64_t b) {
    return TwoDecimals(static_cast<double>(static_cast<float>(a) / static_cast<float>(b)));
  };
  auto bytes = [](uint64_t a, uint64_t b) { return static_cast<int64_t>(a - b); };
  out.Field("used_memory", static_cast<int64_t>(used));
  out.Field("used_memory_human", BytesToHuman(used));
  out.Field("used_memory_rss", static_cast<int64_t>(mh.rss));
  out.Field("used_memory_rss_human", BytesToHuman(mh.rss));
  out.Field("used_memory_peak", static_cast<int64_t>(mh.peak_allocated));
  out.Field("used_memory_peak_human", BytesToHuman(mh.peak_allocated));
  out.Field("used_memory_peak_perc", TwoDecimals(mh.peak_perc, "%"));
  out.Field("used_memory_overhead", static_cast<int64_t>(mh.overhead_total));
  out.Field("used_memory_startup", static_cast<int64_t>(mh.startup_allocated));
  out.Field("used_memory_dataset", static_cast<int64_t>(mh.dataset));
  out.Field("used_memory_dataset_perc", TwoDecimals(mh.dataset_perc, "%"));
  out.Field("allocator_allocated", static_cast<int64_t>(mh.allocator_allocated));
  out.Field("allocator_active", static_cast<int64_t>(mh.allocator_active));
  out.Field("allocator_resident", static_cast<int64_t>(mh.allocator_resident));
  out.Field("total_system_memory", static_cast<int64_t>(system));
  out.Field("total_system_memory_human", BytesToHuman(system));
  // One Lua state runs scripts and functions: its heap is shown as the eval VM's.
  const ScriptEngine& scripting = server.scripting;
  auto lua = static_cast<int64_t>(scripting.lua_heap_bytes());
  auto scripts = static_cast<int64_t>(scripting.scripts_bytes());
  auto functions = static_cast<int64_t>(scripting.functions_bytes());
  out.Field("used_memory_lua", lua);
  out.Field("used_memory_vm_eval", lua);
  out.Field("used_memory_lua_human", BytesToHuman(lua));
  out.Field("used_memory_scripts_eval", scripts);
  out.Field("number_of_cached_scripts", static_cast<int64_t>(scripting.cached_scripts()));
  out.Field("number_of_functions", static_cast<int64_t>(scripting.functions_total()));
  out.Field("number_of_libraries", static_cast<int64_t>(scripting.library_count()));
  out.Field("used_memory_vm_functions", 0);
  out.Field("used_memory_vm_total", lua);
  out.Field("used_memory_vm_total_human", BytesToHuman(lua));
  out.Field("used_memory_functions", functions);
  out.Field("used_memory_scripts", scripts + functions);
  out.Field("used_memory_scripts_human", BytesToHuman(scripts + functions));
  out.Field("maxmemory", static_cast<int64_t>(maxmemory));  // Redis prints it as a long long
  out.Field("maxmemory_human", BytesToHuman(maxmemory));
  out.Field("maxmemory_policy", server.config.Get("maxmemory-policy").text());
  out.Field("allocator_frag_ratio", ratio(mh.allocator_active, mh.allocator_allocated));
  out.Field("allocator_frag_bytes", bytes(mh.allocator_active, mh.allocator_allocated));
  out.Field("allocator_rss_ratio", ratio(mh.allocator_resident, mh.allocator_active));
  out.Field("allocator_rss_bytes", bytes(mh.allocator_resident, mh.allocator_active));
  out.Field("rss_overhead_ratio", ratio(mh.rss, mh.allocator_resident));
  out.Field("rss_overhead_bytes", bytes(mh.rss, mh.allocator_resident));
  out.Field("mem_fragmentation_ratio", ratio(mh.rss, used));
  out.Field("mem_fragmentation_bytes", bytes(mh.rss, used));
  out.Field("mem_not_counted_for_evict", 0);
  out.Field("mem_replication_backlog", 0);
  out.Field("mem_total_replication_buffers", 0);
  out.Field("mem_clients_slaves", 0);
  out.Field("mem_clients_normal", static_cast<int64_t>(mh.clients_normal));
  out.Field("mem_cluster_links", 0);
  out.Field("mem_aof_buffer", 0);
  out.Field("mem_allocator", "libc");
  out.Field("active_defrag_running", 0);
  const storage::LazyFreer& lazy_freer = server.store.lazy_freer();
  out.Field("lazyfree_pending_objects", lazy_freer.pending());
  out.Field("lazyfreed_objects", lazy_freer.freed());
}

void InfoPersistence(ServerContext& server, InfoWriter& out) {
  const Persistence::Status status = server.persistence.status();
  out.Field("loading", server.faults.loading() ? 1 : 0);
  out.Field("async_loading", 0);
  out.Field("current_cow_peak", 0);
  out.Field("current_cow_size", 0);
  out.Field("current_cow_size_age", 0);
  out.Field("current_fork_perc", "0.00");
  out.Field("current_save_keys_processed", 0);
  out.Field("current_save_keys_total", 0);
  out.Field("rdb_changes_since_last_save", server.store.dirty());
  out.Field("rdb_bgsave_in_progress", status.save.running ? 1 : 0);
  out.Field("rdb_last_save_time", status.last_save_s);
  out.Field("rdb_last_bgsave_status", status.save.last_ok ? "ok" : "err");
  out.Field("rdb_last_bgsave_time_sec", status.save.last_seconds);
  out.Field("rdb_current_bgsave_time_sec", status.save.current_seconds);
  out.Field("rdb_saves", status.save.count);
  out.Field("rdb_last_cow_size", 0);
  out.Field("rdb_last_load_keys_expired", status.keys_expired_at_load);
  out.Field("rdb_last_load_keys_loaded", status.keys_loaded);
  out.Field("aof_enabled", server.aof.enabled() ? 1 : 0);
  out.Field("aof_rewrite_in_progress", status.aof_rewrite.running ? 1 : 0);
  out.Field("aof_rewrite_scheduled", status.aof_rewrite.scheduled ? 1 : 0);
  out.Field("aof_last_rewrite_time_sec", status.aof_rewrite.last_seconds);
  out.Field("aof_current_rewrite_time_sec", status.aof_rewrite.current_seconds);
  out.Field("aof_last_bgrewrite_status", status.aof_rewrite.last_ok ? "ok" : "err");
  out.Field("aof_rewrites", status.aof_rewrite.count);
  out.Field("aof_rewrites_consecutive_failures", status.aof_rewrite_failures);
  const AppendOnlyFile::Status aof = server.aof.status();
  out.Field("aof_last_write_status", aof.last_write_ok ? "ok" : "err");
  out.Field("aof_last_cow_size", 0);
  out.Field("module_fork_in_progress", 0);
  out.Field("module_fork_last_cow_size", 0);
  // Redis adds these while appendonly is yes. respd writes each command's bytes as it runs and
  // syncs on a thread of its own: no buffer waits, no sync is queued or late.
  if (server.config.Get("appendonly").enabled()) {
    out.Field("aof_current_size", aof.current_size);
    out.Field("aof_base_size", aof.base_size);
    out.Field("aof_pending_rewrite", status.aof_rewrite.scheduled ? 1 : 0);
    out.Field("aof_buffer_length", 0);
    out.Field("aof_pending_bio_fsync", 0);
    out.Field("aof_delayed_fsync", 0);
  }
}

void InfoStats(ServerContext& server, InfoWriter& out) {
  auto get = [](const auto& counter) {
    return static_cast<int64_t>(counter.load(std::memory_order_relaxed));
  };
  const ServerStats& stats = server.stats;
  storage::KeyspaceStats& keyspace = server.store.stats();
  out.Field("total_connections_received", get(stats.total_connections_received));
  out.Field("total_commands_processed", get(stats.total_commands_processed));
  const InstantaneousMetrics& rates = server.instantaneous;
  auto kbps = [&rates](InstantaneousMetrics::Metric metric) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.2f",
                  static_cast<double>(static_cast<float>(rates.Get(metric)) / 1024));
    return std::string(buffer);
  };
  out.Field("instantaneous_ops_per_sec", rates.Get(InstantaneousMetrics::kCommands));
  out.Field("total_net_input_bytes", get(stats.total_net_input_bytes));
  out.Field("total_net_output_bytes", get(stats.total_net_output_bytes));
  out.Field("total_net_repl_input_bytes", 0);
  out.Field("total_net_repl_output_bytes", 0);
  out.Field("instantaneous_input_kbps", kbps(InstantaneousMetrics::kNetInput));
  out.Field("instantaneous_output_kbps", kbps(InstantaneousMetrics::kNetOutput));
  out.Field("instantaneous_input_repl_kbps", "0.00");
  out.Field("instantaneous_output_repl_kbps", "0.00");
  out.Field("rejected_connections", get(stats.rejected_connections));
  out.Field("sync_full", 0);
  out.Field("sync_partial_ok", 0);
  out.Field("sync_partial_err", 0);
  out.Field("expired_keys", get(keyspace.expired_keys));
  out.Field("expired_stale_perc", "0.00");
  out.Field("expired_time_cap_reached_count", 0);
  out.Field("expire_cycle_cpu_milliseconds", get(stats.expire_cycle_usec) / 1000);
  out.Field("evicted_keys", get(keyspace.evicted_keys));
  out.Field("evicted_clients", 0);
  out.Field("total_eviction_exceeded_time", server.memory_limit.TotalExceededMs());
  out.Field("current_eviction_exceeded_time", server.memory_limit.CurrentExceededMs());
  out.Field("keyspace_hits", get(keyspace.keyspace_hits));
  out.Field("keyspace_misses", get(keyspace.keyspace_misses));
  out.Field("pubsub_channels", static_cast<int64_t>(server.pubsub.ChannelCount()));
  out.Field("pubsub_patterns", static_cast<int64_t>(server.pubsub.PatternCount()));
  out.Field("pubsubshard_channels", static_cast<int64_t>(server.pubsub.ShardChannelCount()));
  const Persistence::ForkStats forks = server.persistence.fork_stats();
  out.Field("latest_fork_usec", forks.latest_usec);
  out.Field("total_forks", static_cast<int64_t>(forks.total));
  out.Field("migrate_cached_sockets", static_cast<int64_t>(server.migrate_sockets.size()));
  out.Field("slave_expires_tracked_keys", 0);
  out.Field("active_defrag_hits", 0);
  out.Field("active_defrag_misses", 0);
  out.Field("active_defrag_key_hits", 0);
  out.Field("active_defrag_key_misses", 0);
  out.Field("total_active_defrag_time", 0);
  out.Field("current_active_defrag_time", 0);
  out.Field("tracking_total_keys", static_cast<int64_t>(server.tracking.TotalKeys()));
  out.Field("tracking_total_items", static_cast<int64_t>(server.tracking.TotalItems()));
  out.Field("tracking_total_prefixes", static_cast<int64_t>(server.tracking.TotalPrefixes()));
  out.Field("unexpected_error_replies", 0);
  out.Field("total_error_replies", get(stats.total_error_replies));
  out.Field("dump_payload_sanitizations", 0);
  out.Field("total_reads_processed", get(stats.total_reads_processed));
  out.Field("total_writes_processed", get(stats.total_writes_processed));
  out.Field("io_threaded_reads_processed", 0);
  out.Field("io_threaded_writes_processed", 0);
  out.Field("reply_buffer_shrinks", get(stats.reply_buffer_shrinks));
  out.Field("reply_buffer_expands", get(stats.reply_buffer_expands));
}

void InfoReplication(ServerContext& server, InfoWriter& out) {
  int64_t now_s = server.clock.NowMs() / 1000;
  if (server.replica_link.is_replica()) {
    ReplicaLink::Status link = server.replica_link.status();
    bool up = link.state == ReplicaLink::State::kConnected;
    out.Field("role", "slave");
    out.Field("master_host", link.host);
    out.Field("master_port", link.port);
    out.Field("master_link_status", up ? "up" : "down");
    out.Field("master_last_io_seconds_ago", up ? now_s - link.last_io_ms / 1000 : -1);
    out.Field("master_sync_in_progress", link.state == ReplicaLink::State::kSync ? 1 : 0);
    out.Field("slave_read_repl_offset", link.offset);
    out.Field("slave_repl_offset", link.offset);
    if (!up) {
      out.Field("master_link_down_since_seconds",
                link.down_since_ms != 0 ? now_s - link.down_since_ms / 1000 : -1);
    }
    out.Field("slave_priority", server.config.Get("replica-priority").number());
    out.Field("slave_read_only", server.config.Get("replica-read-only").number());
    out.Field("replica_announced", server.config.Get("replica-announced").number());
  } else {
    out.Field("role", "master");
  }
  std::vector<ReplicaRegistry::ReplicaInfo> replicas = server.replicas.Replicas();
  out.Field("connected_slaves", replicas.size());
  for (size_t i = 0; i < replicas.size(); ++i) {
    const ReplicaRegistry::ReplicaInfo& replica = replicas[i];
    out.Field("slave" + std::to_string(i),
              "ip=" + replica.ip + ",port=" + std::to_string(replica.port) +
                  ",state=online,offset=" + std::to_string(replica.acked_offset) +
                  ",lag=" + std::to_string(now_s - replica.last_ack_ms / 1000));
  }
  if (server.config.min_replicas_to_write().enabled() &&
      server.config.min_replicas_max_lag().enabled()) {
    out.Field("min_slaves_good_slaves",
              server.replicas.CountGood(server.config.min_replicas_max_lag().number(),
                                        server.clock.NowMs()));
  }
  out.Field("master_failover_state", "no-failover");
  out.Field("master_replid", server.run_id);
  out.Field("master_replid2", "0000000000000000000000000000000000000000");
  // A replica's own stream is its master's, which it passes on: the offset it has processed.
  uint64_t offset = server.replica_link.is_replica() ? server.replica_link.status().offset
                                                     : server.replicas.offset();
  out.Field("master_repl_offset", offset);
  out.Field("second_repl_offset", -1);
  // The backlog exists from the first replica on, as Redis's; respd keeps only its accounting
  // (a PSYNC gets a full resynchronisation).
  bool backlog = server.replicas.backlog_active();
  uint64_t backlog_size = server.config.Get("repl-backlog-size").unsigned_number();
  uint64_t first_byte = server.replicas.backlog_first_byte();
  uint64_t histlen = backlog ? std::min(offset + 1 - first_byte, backlog_size) : 0;
  out.Field("repl_backlog_active", backlog ? 1 : 0);
  out.Field("repl_backlog_size", backlog_size);
  out.Field("repl_backlog_first_byte_offset", backlog ? offset + 1 - histlen : 0);
  out.Field("repl_backlog_histlen", histlen);
}

void InfoCpu(ServerContext&, InfoWriter& out) {
  rusage self{}, children{}, thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);
  out.Field("used_cpu_sys", Seconds(self.ru_stime));
  out.Field("used_cpu_user", Seconds(self.ru_utime));
  out.Field("used_cpu_sys_children", Seconds(children.ru_stime));
  out.Field("used_cpu_user_children", Seconds(children.ru_utime));
  out.Field("used_cpu_sys_main_thread", Seconds(thread.ru_stime));
  out.Field("used_cpu_user_main_thread", Seconds(thread.ru_utime));
}

void InfoNothing(ServerContext&, InfoWriter&) {}

void InfoCommandstats(ServerContext& server, InfoWriter& out) {
  for (const auto& [name, counts] : server.command_stats.CommandRows(server.commands)) {
    char per_call[32];
    std::snprintf(per_call, sizeof(per_call), "%.2f",
                  counts.calls == 0
                      ? 0.0
                      : static_cast<double>(counts.usec) / static_cast<double>(counts.calls));
    out.Field("cmdstat_" + name, "calls=" + std::to_string(counts.calls) + ",usec=" +
                                     std::to_string(counts.usec) + ",usec_per_call=" + per_call +
                                     ",rejected_calls=" + std::to_string(counts.rejected_calls) +
                                     ",failed_calls=" + std::to_string(counts.failed_calls));
  }
}

void InfoErrorstats(ServerContext& server, InfoWriter& out) {
  for (const auto& [code, count] : server.command_stats.ErrorRows()) {
    out.Field("errorstat_" + code, "count=" + std::to_string(count));
  }
}

// Redis's "%f" of a percentile with trailing zeros (and a trailing dot) trimmed: "50", "99.9".
std::string PercentileName(double percentile) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%f", percentile);
  std::string name = buffer;
  if (name.find('.') != std::string::npos) {
    while (name.back() == '0') name.pop_back();
    if (name.back() == '.') name.pop_back();
  }
  return name;
}

// latency_percentiles_usec_<command>:p50=...,p99=...: the percentiles of
// latency-tracking-info-percentiles, as hdr_histogram computes them, in microseconds.
void InfoLatencystats(ServerContext& server, InfoWriter& out) {
  // With latency-tracking off the section is empty, though LATENCY HISTOGRAM still shows what
  // was recorded.
  if (server.config.Get("latency-tracking").number() == 0) return;
  std::vector<double> percentiles;
  std::string configured = server.config.Get("latency-tracking-info-percentiles").text();
  std::istringstream words(configured);
  for (double percentile; words >> percentile;) percentiles.push_back(percentile);
  std::vector<std::pair<std::string, const LatencyHistogram*>> rows;
  auto sums = server.command_latencies.Sums();
  for (const auto& [spec, histogram] : sums) {
    rows.emplace_back(CommandFullName(server.commands, *spec), &histogram);
  }
  std::sort(rows.begin(), rows.end());
  for (const auto& [name, histogram] : rows) {
    std::string value;
    for (double percentile : percentiles) {
      if (!value.empty()) value += ",";
      char number[64];
      std::snprintf(number, sizeof(number), "%.3f",
                    static_cast<double>(histogram->ValueAtPercentile(percentile)) / 1000.0);
      value += "p" + PercentileName(percentile) + "=" + number;
    }
    out.Field("latency_percentiles_usec_" + name, value);
  }
}

void InfoCluster(ServerContext& server, InfoWriter& out) {
  out.Field("cluster_enabled", server.cluster.enabled() ? 1 : 0);
}

// INFO holds every shard lock (kLockAll), so the counts are consistent.
void InfoKeyspace(ServerContext& server, InfoWriter& out) {
  for (int i = 0; i < server.store.num_databases(); ++i) {
    storage::Database& db = server.store.db(i);
    size_t keys = db.Size();
    if (keys == 0) continue;
    out.Field("db" + std::to_string(i), "keys=" + std::to_string(keys) + ",expires=" +
                                            std::to_string(db.VolatileCount()) + ",avg_ttl=0");
  }
}

struct InfoSection {
  std::string_view name;
  std::string_view title;
  bool in_default;
  void (*write)(ServerContext& server, InfoWriter& out);
};

constexpr InfoSection kInfoSections[] = {
    {"server", "Server", true, InfoServer},
    {"clients", "Clients", true, InfoClients},
    {"memory", "Memory", true, InfoMemory},
    {"persistence", "Persistence", true, InfoPersistence},
    {"stats", "Stats", true, InfoStats},
    {"replication", "Replication", true, InfoReplication},
    {"cpu", "CPU", true, InfoCpu},
    {"modules", "Modules", true, InfoNothing},
    {"commandstats", "Commandstats", false, InfoCommandstats},
    {"errorstats", "Errorstats", true, InfoErrorstats},
    {"latencystats", "Latencystats", false, InfoLatencystats},
    {"cluster", "Cluster", true, InfoCluster},
    {"keyspace", "Keyspace", true, InfoKeyspace},
};

}  // namespace

std::string InfoText(ServerContext& server, std::span<const std::string_view> sections) {
  bool all = false, defaults = sections.empty();
  std::vector<std::string> names;
  // Redis reads section names as C strings: a NUL byte ends one.
  for (std::string_view requested : sections) {
    if (IsKeyword(requested, "all") || IsKeyword(requested, "everything")) {
      all = true;
    } else if (IsKeyword(requested, "default")) {
      defaults = true;
    } else {
      std::string name(AsCString(requested));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      names.push_back(std::move(name));
    }
  }
  InfoWriter out;
  bool first = true;
  for (const InfoSection& section : kInfoSections) {
    bool wanted = all || (defaults && section.in_default) ||
                  std::find(names.begin(), names.end(), section.name) != names.end();
    if (!wanted) continue;
    // Redis separates sections with a blank line and ends the last one without it.
    if (!first) out.text().append("\r\n");
    first = false;
    out.text().append("# ").append(section.title).append("\r\n");
    section.write(server, out);
  }
  return std::move(out.text());
}

}  // namespace respd::server
