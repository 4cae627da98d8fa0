#include "server/services/monitor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "server/dispatch/server_context.h"
#include "server/services/slowlog.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrMonitorKeyspace = "ERR Replica can't interact with the keyspace";

// Whether Redis's call() feeds monitors `done`: ran (or blocked) from a client, EXEC's body or a
// script; not refused, queued, re-run when served, admin or skip-monitor (scripts feed their own
// line before they run).
bool Shown(const Completion& done) {
  if (done.outcome != Outcome::kRan && done.outcome != Outcome::kBlocked) return false;
  if (done.path == ExecutionMode::kBlockedRetry || done.spec == nullptr) return false;
  return !(done.spec->flags & (kAdmin | kSkipMonitor));
}

}  // namespace

void MonitorRegistry::Add(ClientState& client, std::shared_ptr<ClientHandle> handle) {
  std::lock_guard lock(mutex_);
  if (client.monitoring) return;
  client.monitoring = true;
  monitors_.push_back({client.id(), std::move(handle)});
  active_.store(!monitors_.empty(), std::memory_order_relaxed);
}

void MonitorRegistry::Remove(ClientState& client) {
  std::lock_guard lock(mutex_);
  if (!client.monitoring) return;
  client.monitoring = false;
  std::erase_if(monitors_, [&](const Monitor& monitor) { return monitor.id == client.id(); });
  active_.store(!monitors_.empty(), std::memory_order_relaxed);
}

void MonitorRegistry::Feed(const ClientState& client, bool from_script,
                           std::span<const std::string_view> args) {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  int64_t usec = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
  char stamp[48];
  std::snprintf(stamp, sizeof(stamp), "+%lld.%06lld [%d ", static_cast<long long>(usec / 1000000),
                static_cast<long long>(usec % 1000000), client.db_index.load());
  std::string line = stamp;
  if (from_script) {
    line += "lua";
  } else if (client.unix_socket) {
    line += "unix:" + unixsocket_.text();
  } else {
    line += client.info().addr;
  }
  line += ']';
  for (std::string_view arg : args) {
    line += ' ';
    line += Quoted(arg);
  }
  line += "\r\n";
  std::lock_guard lock(mutex_);
  for (const Monitor& monitor : monitors_) {
    if (std::string* out = PubSubRegistry::ScopedRunningClient::OutputOf(monitor.id)) {
      out->append(line);
    } else if (std::shared_ptr<ClientHandle> handle = monitor.handle.lock()) {
      handle->Deliver(line);
    }
  }
}

AfterHook MonitorHook(ServerContext& server) {
  return [&monitors = server.monitors](const Completion& done) {
    if (!Shown(done)) return;
    std::vector<std::string_view> args(done.args.begin(), done.args.end());
    Redact(*done.spec, &args);
    monitors.Feed(done.client, done.path == ExecutionMode::kScript, args);
  };
}

AdmissionHook MonitorAdmission(ServerContext& server) {
  return [&server](const Admission& admission) {
    if (admission.path != ExecutionMode::kNormal || !admission.client.monitoring) {
      return Refusal::kNone;
    }
    uint32_t flags = server.dispatcher.FlagsAsRun(admission.spec, admission.args, admission.client);
    if (!(flags & (kWrite | kReadonly | kMayReplicate))) return Refusal::kNone;
    admission.error_text = kErrMonitorKeyspace;
    return Refusal::kHookError;
  };
}

}  // namespace respd::server
