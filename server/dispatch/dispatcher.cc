// The command pipeline's stages (see dispatcher.h).
#include "server/dispatch/dispatcher.h"

#include <algorithm>
#include <new>
#include <optional>

#include "server/dispatch/call_timer.h"
#include "server/dispatch/command_metadata.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

// Most commands have a few keys; locking reads them from a reused per-thread vector.
thread_local std::vector<int> key_positions;
thread_local std::vector<std::string_view> key_names;
// The text of the last kHookError refusal on this thread: read right after the hooks refused.
thread_local std::string hook_error_text;

bool ArityOk(int arity, size_t argc) {
  return arity > 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
}

// A script's call of a Redis 7.0 command respd does not have (SAVE, DUMP...): Redis's arity
// and noscript checks come first, from its metadata, so the script gets Redis's refusal.
Refusal RefuseMissingFromScript(Args args) {
  if (args[0].find('|') != std::string_view::npos) return Refusal::kScriptUnknownCommand;
  const metadata::CommandMetadata* command = metadata::Find(args[0]);
  if (command != nullptr && !command->subcommands.empty() && args.size() >= 2) {
    command = metadata::FindSubcommand(*command, args[1]);
  }
  if (command == nullptr) return Refusal::kScriptUnknownCommand;
  if (!ArityOk(command->arity, args.size())) return Refusal::kScriptWrongArity;
  if (metadata::HasWord(command->flags, "noscript")) return Refusal::kScriptNoscript;
  return Refusal::kScriptUnknownCommand;
}

// The text of `reply` when it is an error ("ERR ..." without '-' and CRLF), else nullopt.
std::optional<std::string_view> ErrorOf(std::string_view reply) {
  if (reply.empty() || reply[0] != '-') return std::nullopt;
  reply.remove_prefix(1);
  return reply.substr(0, reply.find("\r\n"));
}

// What was appended to `reply` since `mark`.
std::string_view WrittenSince(protocol::ReplyWriter& reply, size_t mark) {
  return std::string_view(*reply.buffer()).substr(mark);
}

bool InMulti(const ClientState& client) {
  return client.transaction != nullptr && client.transaction->in_multi();
}

uint64_t ArgvBytes(Args args) {
  uint64_t bytes = 0;
  for (std::string_view arg : args) bytes += arg.size();
  return bytes;
}

}  // namespace

storage::Database& CommandContext::db() { return server.store.db(client.db_index); }

void CommandContext::AddDirty(uint64_t changes) { server.store.AddDirty(changes); }

void CommandContext::ReplyStatus(storage::OpStatus status) { reply.Error(ErrorText(status)); }

bool CommandContext::propagating() const { return server.propagation.active(); }

void CommandContext::PropagateAs(std::vector<std::string> argv) {
  if (!propagating()) return;
  propagation.replaced = true;
  propagation.argv = std::move(argv);
}

void CommandContext::AlsoPropagate(std::vector<std::string> argv) {
  server.propagation.Also(client.db_index, std::move(argv));
}

void CommandContext::ReplySyntaxError() { reply.Error(kErrSyntax); }

bool KeyPositions(const CommandSpec& spec, Args args, std::vector<int>* positions) {
  positions->clear();
  if (spec.movable_keys != nullptr) return spec.movable_keys(args, positions);
  if (spec.first_key <= 0) return true;
  int argc = static_cast<int>(args.size());
  int last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
  int step = spec.key_step > 0 ? spec.key_step : 1;
  for (int i = spec.first_key; i <= last && i < argc; i += step) positions->push_back(i);
  return true;
}

Resolution Dispatcher::Resolve(Args args) const {
  const CommandSpec* spec = server_.commands.Find(args[0]);
  if (spec == nullptr) return {.refusal = Refusal::kUnknownCommand};
  if (!ArityOk(spec->arity, args.size())) return {.spec = spec, .refusal = Refusal::kWrongArity};
  // A container called bare (COMMAND) is its own command; arity rejects the rest (CONFIG).
  if (spec->subcommands.empty() || args.size() == 1) return {.spec = spec};
  const CommandSpec* sub = CommandTable::FindSubcommand(*spec, args[1]);
  if (sub == nullptr) return {.refusal = Refusal::kUnknownSubcommand};
  if (!ArityOk(sub->arity, args.size())) {
    return {.spec = sub, .refusal = Refusal::kWrongSubcommandArity, .subcommand = true};
  }
  return {.spec = sub, .subcommand = true};
}

void Dispatcher::Dispatch(Args args, ClientState& client, protocol::ReplyWriter& reply) {
  client.argv_bytes.store(ArgvBytes(args), std::memory_order_relaxed);
  FromClient(args, client, reply);
  // A blocked command keeps its arguments until it is answered, as in Redis.
  if (!client.blocked) client.argv_bytes.store(0, std::memory_order_relaxed);
  TransactionState* txn = client.transaction.get();
  int queued = txn != nullptr && txn->in_multi() ? static_cast<int>(txn->queue().size()) : -1;
  if (queued != client.multi_queued.load(std::memory_order_relaxed)) {
    client.multi_queued.store(queued, std::memory_order_relaxed);
    if (queued <= 0) client.multi_bytes.store(0, std::memory_order_relaxed);
  }
}

void Dispatcher::FromClient(Args args, ClientState& client, protocol::ReplyWriter& reply) {
  size_t mark = reply.buffer()->size();
  Resolution resolved = Resolve(args);
  // Redis's lastcmd: what the name resolved to, even when refused (NULL when unknown). Set before
  // the command runs, so CLIENT INFO names itself.
  client.last_command.store(resolved.spec, std::memory_order_relaxed);
  Refusal refusal =
      resolved.ok() ? AdmitFromClient(*resolved.spec, args, client) : resolved.refusal;
  if (refusal != Refusal::kNone) {
    RefuseFromClient(resolved, refusal, args, client, reply);
    After({ExecutionMode::kNormal, Outcome::kRefused, resolved.spec, args, client, refusal,
           WrittenSince(reply, mark), 0});
    return;
  }
  const CommandSpec& spec = *resolved.spec;
  // Redis's last check before running or queueing; monitors are never paused (nor replicas), nor
  // RESPD TIME: a pause ends at a Clock time, which a frozen Clock reaches only when moved.
  if (server_.pause.active() && !client.monitoring) [[unlikely]] {
    bool moves_clock = (spec.flags & kTestControl) && spec.name == "time";
    if (!moves_clock && Postpone(spec, args, client)) return;
  }
  if (InMulti(client) && !RunsInsideMulti(resolved)) {
    client.transaction->Queue(spec, args);
    client.multi_bytes.fetch_add(ArgvBytes(args), std::memory_order_relaxed);
    reply.SimpleString("QUEUED");
    After({ExecutionMode::kNormal, Outcome::kQueued, &spec, args, client, Refusal::kNone,
           WrittenSince(reply, mark), 0});
    return;
  }
  std::optional<uint64_t> usec =
      RunLocked(spec, args, client, reply, ExecutionMode::kNormal, std::nullopt);
  client.repl_offset = server_.replicas.offset();
  if (!usec) {
    Refusal busy = server_.scripting.running_function() ? Refusal::kBusyFunction
                                                        : Refusal::kBusyScript;
    RefuseFromClient(resolved, busy, args, client, reply);
    After({ExecutionMode::kNormal, Outcome::kRefused, &spec, args, client, busy,
           WrittenSince(reply, mark), 0});
    return;
  }
  // A command may run and write nothing (CLIENT REPLY OFF, a second MONITOR).
  After({ExecutionMode::kNormal, client.blocked ? Outcome::kBlocked : Outcome::kRan, &spec, args,
         client, Refusal::kNone, WrittenSince(reply, mark), *usec});
}

void Dispatcher::RunQueued(const CommandSpec& spec, Args args, ClientState& client,
                           protocol::ReplyWriter& reply) {
  size_t mark = reply.buffer()->size();
  // Redis checks a queued command again at EXEC time against rules that may have changed since
  // it was queued (ACL): the hooks' business; what processCommand checked still holds.
  Refusal refusal = RunAdmissionHooks(ExecutionMode::kTransaction, spec, args, client);
  if (refusal != Refusal::kNone) {
    reply.Error(RefusalMessage(refusal, args));
    After({ExecutionMode::kTransaction, Outcome::kRefused, &spec, args, client, refusal,
           WrittenSince(reply, mark), 0});
    return;
  }
  // Only a client's own command is refused BUSY by its handler.
  uint64_t usec =
      RunHandler(spec, args, client, reply, ExecutionMode::kTransaction, std::nullopt).value_or(0);
  After({ExecutionMode::kTransaction, Outcome::kRan, &spec, args, client, Refusal::kNone,
         WrittenSince(reply, mark), usec});
}

void Dispatcher::CallFromScript(Args args, ClientState& client, protocol::ReplyWriter& reply,
                                bool read_only) {
  size_t mark = reply.buffer()->size();
  Resolution resolved = Resolve(args);
  Refusal refusal = AdmitFromScript(resolved, args, client, read_only);
  if (refusal != Refusal::kNone) {
    reply.Error(RefusalMessage(refusal, args));
    After({ExecutionMode::kScript, Outcome::kRefused, resolved.spec, args, client, refusal,
           WrittenSince(reply, mark), 0});
    return;
  }
  const CommandSpec& spec = *resolved.spec;
  // From its first write on, a script cannot be killed (Redis's SCRIPT_WRITE_DIRTY): noted before
  // the write, so a SCRIPT KILL from another thread cannot stop the script after it.
  if (spec.flags & kWrite) server_.scripting.NoteWrite();
  uint64_t usec =
      RunHandler(spec, args, client, reply, ExecutionMode::kScript, std::nullopt).value_or(0);
  After({ExecutionMode::kScript, Outcome::kRan, &spec, args, client, Refusal::kNone,
         WrittenSince(reply, mark), usec});
}

void Dispatcher::RetryBlocked(const CommandSpec& spec, Args args, ClientState& client,
                              protocol::ReplyWriter& reply, std::string_view ready_key) {
  // Redis serves a blocked client at the time of the serve (mstime()), not at the instant of the
  // command that readied its key: a key that expired during that EXEC, script or read batch is
  // deleted, not popped, and the client stays blocked.
  storage::ScopedCommandTime serve_time(server_.clock.NowMs());
  size_t mark = reply.buffer()->size();
  Refusal refusal = RunAdmissionHooks(ExecutionMode::kBlockedRetry, spec, args, client);
  if (refusal != Refusal::kNone) {
    reply.Error(RefusalMessage(refusal, args));
    After({ExecutionMode::kBlockedRetry, Outcome::kRefused, &spec, args, client, refusal,
           WrittenSince(reply, mark), 0});
    return;
  }
  uint64_t usec =
      RunLocked(spec, args, client, reply, ExecutionMode::kBlockedRetry, ready_key).value_or(0);
  std::string_view written = WrittenSince(reply, mark);
  After({ExecutionMode::kBlockedRetry, written.empty() ? Outcome::kBlocked : Outcome::kRan, &spec,
         args, client, Refusal::kNone, written, usec});
}

bool Dispatcher::Postpone(const CommandSpec& spec, Args args, ClientState& client) {
  bool writes = (FlagsAsRun(spec, args, client) & (kWrite | kMayReplicate)) != 0;
  if (!server_.pause.PostponeIfPaused(writes, server_.clock.NowMs(),
                                      server_.clients.Find(client.id()))) {
    return false;
  }
  client.postponed = true;
  return true;
}

uint32_t Dispatcher::FlagsAsRun(const CommandSpec& spec, Args args,
                                const ClientState& client) const {
  uint32_t flags = spec.flags;
  if (server_.commands.Find(args[0]) != &spec) return flags;
  if (spec.name == "exec") {
    if (client.transaction == nullptr) return flags;
    for (const QueuedCommand& queued : client.transaction->queue()) {
      std::vector<std::string_view> queued_args(queued.args.begin(), queued.args.end());
      flags |= FlagsAsRun(*queued.spec, queued_args, client) &
               (kWrite | kMayReplicate | kReadonly | kDenyOom);
    }
    return flags;
  }
  using Target = ScriptEngine::ScriptTarget;
  std::optional<Target> target;
  if (spec.name == "eval" || spec.name == "eval_ro") target = Target::kBody;
  if (spec.name == "evalsha" || spec.name == "evalsha_ro") target = Target::kSha;
  if (spec.name == "fcall" || spec.name == "fcall_ro") target = Target::kFunction;
  if (!target) return flags;
  // Redis's scriptFlagsToCmdFlags: a shebang or function flags decide; without them (or unknown)
  // the command's own flags stand.
  std::optional<uint32_t> declared = server_.scripting.DeclaredFlags(*target, args[1]);
  if (!declared) return flags;
  flags &= ~(kStale | kDenyOom | kWrite | kMayReplicate);
  if (!(*declared & (kScriptAllowOom | kScriptNoWrites))) flags |= kDenyOom;
  if (!(*declared & kScriptNoWrites)) flags |= kWrite;
  if (*declared & kScriptAllowStale) flags |= kStale;
  return flags;
}

Refusal Dispatcher::AdmitFromClient(const CommandSpec& spec, Args args, ClientState& client) const {
  // Before authentication, as in Redis.
  if ((spec.flags & kProtected) && !ProtectedAllowed(client, args[0])) return Refusal::kProtected;
  if ((spec.flags & kTestControl) && !TestControlsAllowed(client)) return Refusal::kTestControl;
  if (!client.authenticated && !(spec.flags & kNoAuth) && server_.acl.AuthRequired()) {
    return Refusal::kNoAuth;
  }
  if ((spec.flags & kNoMulti) && InMulti(client)) return Refusal::kNotAllowedInMulti;
  if (Refusal refusal = RunAdmissionHooks(ExecutionMode::kNormal, spec, args, client);
      refusal != Refusal::kNone) {
    return refusal;
  }
  if (server_.config.min_replicas_to_write().enabled()) [[unlikely]] {
    if (NoGoodReplicas() && (FlagsAsRun(spec, args, client) & kWrite)) return Refusal::kNoReplicas;
  }
  // A replica's own checks (processCommand's READONLY and MASTERDOWN); the master's commands
  // never come this way.
  if (server_.replica_link.is_replica()) [[unlikely]] {
    if ((FlagsAsRun(spec, args, client) & kWrite) &&
        server_.config.Get("replica-read-only").enabled()) {
      return Refusal::kReadOnlyReplica;
    }
    if (!server_.replica_link.link_up() &&
        !server_.config.Get("replica-serve-stale-data").enabled() &&
        !AllowedWhileStale(spec, args, client)) {
      return Refusal::kMasterDown;
    }
  }
  // Redis's CLIENT_PUBSUB check: a RESP2 subscriber runs only what keeps it a subscriber.
  if (client.subscribed() && client.resp == protocol::RespVersion::kResp2 &&
      !AllowedWhileSubscribed(spec, args)) {
    return server_.commands.Find(args[0]) == &spec ? Refusal::kSubscribedContext
                                                   : Refusal::kSubscribedContextSubcommand;
  }
  // A script past busy-reply-threshold holds every lock: answer instead of waiting for them.
  if (server_.scripting.busy() && !(spec.flags & kAllowBusy)) {
    return server_.scripting.running_function() ? Refusal::kBusyFunction : Refusal::kBusyScript;
  }
  return Refusal::kNone;
}

bool Dispatcher::AllowedWhileStale(const CommandSpec& spec, Args args,
                                   const ClientState& client) const {
  if (!(FlagsAsRun(spec, args, client) & kStale)) return false;
  // An EXEC runs on stale data only if every queued command may (Redis's cmd_inv_flags).
  if (spec.name != "exec" || client.transaction == nullptr) return true;
  for (const QueuedCommand& queued : client.transaction->queue()) {
    std::vector<std::string_view> queued_args(queued.args.begin(), queued.args.end());
    if (!(FlagsAsRun(*queued.spec, queued_args, client) & kStale)) return false;
  }
  return true;
}

Refusal Dispatcher::AdmitFromScript(const Resolution& resolved, Args args, ClientState& client,
                                    bool read_only) const {
  if (!resolved.ok()) {
    return resolved.spec == nullptr ? RefuseMissingFromScript(args) : Refusal::kScriptWrongArity;
  }
  const CommandSpec& spec = *resolved.spec;
  // DEBUG SET-DISABLE-DENY-SCRIPTS lifts the refusal for DEBUG only: the other noscript commands
  // (blocking, MULTI, SCRIPT/FUNCTION, subscribe) would stall or undo the running script.
  if ((spec.flags & kNoscript) &&
      !(server_.scripting.noscript_allowed() && server_.commands.Find("debug") == &spec)) {
    return Refusal::kScriptNoscript;
  }
  // A script flagged allow-stale runs on a stale replica, but only what could run there itself.
  if (server_.replica_link.is_replica() && !server_.replica_link.link_up() &&
      !server_.config.Get("replica-serve-stale-data").enabled() &&
      !AllowedWhileStale(spec, args, client)) {
    return Refusal::kScriptStale;
  }
  // Redis counts may-replicate commands (PFCOUNT) as writes here.
  if (read_only && (spec.flags & (kWrite | kMayReplicate))) return Refusal::kScriptWriteReadOnly;
  if (Refusal refusal = RunAdmissionHooks(ExecutionMode::kScript, spec, args, client);
      refusal != Refusal::kNone) {
    return refusal;
  }
  if ((spec.flags & kWrite) && server_.replica_link.is_replica() &&
      server_.config.Get("replica-read-only").enabled() && client.id() != kMasterClientId) {
    return Refusal::kReadOnlyReplica;
  }
  // Once the script has written, Redis lets it finish writing whatever the server's state.
  if ((spec.flags & kWrite) && NoGoodReplicas() && !server_.scripting.wrote()) {
    return Refusal::kNoReplicas;
  }
  // Redis's scriptVerifyOOM: by the state of memory when the script began, not now, since the
  // script's own Lua stack and arguments count.
  if ((spec.flags & kDenyOom) && server_.scripting.began_past_maxmemory() &&
      !server_.scripting.wrote()) {
    return Refusal::kOom;
  }
  return Refusal::kNone;
}

Refusal Dispatcher::AdmitWithinMemory(const Admission& admission) const {
  // Redis does not look at memory while a busy script holds the server: BUSY answers instead.
  if (admission.path != ExecutionMode::kNormal || server_.scripting.busy()) return Refusal::kNone;
  {
    TrackingRegistry::ScopedBeforeCommand evicting_before_command;
    if (server_.memory_limit.MakeRoom()) return Refusal::kNone;
  }
  if (InMulti(admission.client) && !EndsMultiOrClient(admission.spec, admission.args)) {
    return Refusal::kOom;
  }
  bool may_grow = FlagsAsRun(admission.spec, admission.args, admission.client) & kDenyOom;
  return may_grow ? Refusal::kOom : Refusal::kNone;
}

Refusal Dispatcher::AdmitToCluster(const Admission& admission) const {
  ClientState& client = admission.client;
  bool script = admission.path == ExecutionMode::kScript;
  if (!script && admission.path != ExecutionMode::kNormal) return Refusal::kNone;
  ScriptRun* run = script ? server_.scripting.current_run() : nullptr;
  ClientState& caller = run != nullptr ? run->caller->client : client;
  if (caller.id() == kMasterClientId) return Refusal::kNone;
  const CommandSpec& spec = admission.spec;
  static constexpr std::string_view kExec[] = {"exec"};
  bool exec = !script && IsTopLevelNamed(spec, admission.args, kExec);
  thread_local std::vector<int> positions;
  thread_local std::vector<std::string_view> keys;
  keys.clear();
  if (exec && InMulti(client)) {
    for (const QueuedCommand& queued : client.transaction->queue()) {
      std::vector<std::string_view> queued_args(queued.args.begin(), queued.args.end());
      if (!KeyPositions(*queued.spec, queued_args, &positions)) continue;
      for (int pos : positions) keys.push_back(queued.args[pos]);
    }
  } else if (!exec && KeyPositions(spec, admission.args, &positions)) {
    for (int pos : positions) keys.push_back(admission.args[pos]);
  }
  static constexpr std::string_view kShard[] = {"ssubscribe", "sunsubscribe", "spublish"};
  static constexpr std::string_view kMigrate[] = {"migrate"};
  ClusterRequest request{.keys = keys,
                         .pubsub_shard = IsTopLevelNamed(spec, admission.args, kShard),
                         .write = (FlagsAsRun(spec, admission.args, client) & kWrite) != 0,
                         .asking = caller.cluster_asking || (spec.flags & kAsking),
                         .migrate = IsTopLevelNamed(spec, admission.args, kMigrate)};
  auto exists = [this](std::string_view key) {
    // A script or EXEC already holds every shard; a client's command does not yet. While a busy
    // script holds them the key counts as present: the command goes on to its BUSY refusal.
    std::optional<storage::ShardLocks> locks;
    if (!storage::ShardLocks::AllHeldByThisThread()) {
      std::string_view one[] = {key};
      locks = storage::ShardLocks::Unless(server_.store, one, false,
                                          [this] { return server_.scripting.busy(); });
      if (!locks) return true;
    }
    return server_.store.db(0).HoldsLive(key);
  };
  ClusterRoute route = server_.cluster.Route(request, exists);
  if (!script) {
    client.cluster_slot = route.slot;
    if (route.redirect == ClusterRedirect::kNone) return Refusal::kNone;
    admission.error_text = server_.cluster.RedirectText(route);
    return Refusal::kClusterRedirect;
  }
  switch (route.redirect) {
    case ClusterRedirect::kNone:
      break;
    case ClusterRedirect::kDownReadOnly:
      admission.error_text =
          "ERR Script attempted to execute a write command while the cluster is down and readonly";
      return Refusal::kClusterRedirect;
    case ClusterRedirect::kDown:
      admission.error_text = "ERR Script attempted to execute a command while the cluster is down";
      return Refusal::kClusterRedirect;
    default:
      admission.error_text = "ERR Script attempted to access a non local key in a cluster node";
      return Refusal::kClusterRedirect;
  }
  // Keys the script did not declare must stay in one slot, unless it allows cross-slot keys.
  if (route.slot == -1 || run == nullptr || run->allow_cross_slot) return Refusal::kNone;
  if (caller.cluster_slot == -1) {
    caller.cluster_slot = route.slot;
  } else if (caller.cluster_slot != route.slot) {
    admission.error_text = "ERR Script attempted to access keys that do not hash to the same slot";
    return Refusal::kClusterRedirect;
  }
  return Refusal::kNone;
}

void Dispatcher::AfterInCluster(const Completion& done) const {
  static constexpr std::string_view kAsking[] = {"asking"};
  if (done.path != ExecutionMode::kNormal || InMulti(done.client)) return;
  if (done.spec != nullptr && IsTopLevelNamed(*done.spec, done.args, kAsking)) return;
  done.client.cluster_asking = false;
}

bool Dispatcher::NoGoodReplicas() const {
  // Redis's checkGoodReplicasStatus on a master.
  int64_t wanted = server_.config.min_replicas_to_write().number();
  int64_t max_lag_s = server_.config.min_replicas_max_lag().number();
  if (wanted == 0 || max_lag_s == 0) return false;
  return server_.replicas.CountGood(max_lag_s, server_.clock.NowMs()) < wanted;
}

Refusal Dispatcher::RunAdmissionHooks(ExecutionMode path, const CommandSpec& spec, Args args,
                                      ClientState& client) const {
  Admission admission{path, spec, args, client, hook_error_text};
  for (const Switched<AdmissionHook>& entry : admission_hooks_) {
    if (!entry.Runs()) [[likely]] {
      continue;
    }
    if (Refusal refusal = entry.hook(admission); refusal != Refusal::kNone) return refusal;
  }
  return Refusal::kNone;
}

void Dispatcher::RefuseFromClient(const Resolution& resolved, Refusal refusal, Args args,
                                  ClientState& client, protocol::ReplyWriter& reply) {
  // A refused EXEC ends any transaction quoting the refusal and drops every WATCH, in MULTI or
  // not (Redis's execCommandAbort); anything else refused inside MULTI dooms the next EXEC.
  if (resolved.spec != nullptr && !resolved.subcommand && resolved.spec->name == "exec") {
    if (client.transaction != nullptr) client.transaction->Discard();
    if (refusal == Refusal::kClusterRedirect) {
      reply.Error(hook_error_text);
    } else {
      reply.Error(refusal == Refusal::kHookError ? ExecAbortQuoting(hook_error_text)
                                                 : ExecAbortText(refusal, args));
    }
    return;
  }
  if (InMulti(client)) client.transaction->FlagError();
  reply.Error(RefusalMessage(refusal, args));
}

std::string Dispatcher::RefusalMessage(Refusal refusal, Args args) {
  bool hooks_text = refusal == Refusal::kHookError || refusal == Refusal::kClusterRedirect;
  return hooks_text ? hook_error_text : RefusalText(refusal, args);
}

bool Dispatcher::IsTopLevelNamed(const CommandSpec& spec, Args args,
                                 std::span<const std::string_view> names) const {
  if (server_.commands.Find(args[0]) != &spec) return false;  // SLOWLOG RESET is no RESET
  return std::find(names.begin(), names.end(), spec.name) != names.end();
}

bool Dispatcher::AllowedWhileSubscribed(const CommandSpec& spec, Args args) const {
  static constexpr std::string_view kNames[] = {"subscribe",   "psubscribe",   "ssubscribe",
                                                "unsubscribe", "punsubscribe", "sunsubscribe",
                                                "ping",        "quit",         "reset"};
  return IsTopLevelNamed(spec, args, kNames);
}

bool Dispatcher::ProtectedAllowed(const ClientState& client, std::string_view command) const {
  std::string setting = server_.config.Get(ProtectingOption(command)).text();
  return setting == "yes" || (setting == "local" && client.local);
}

bool Dispatcher::TestControlsAllowed(const ClientState& client) const {
  std::string setting = server_.config.Get("enable-test-controls").text();
  return setting == "yes" || (setting == "local" && client.local);
}

bool Dispatcher::RunsInsideMulti(const Resolution& resolved) const {
  // Only top-level commands qualify: SLOWLOG RESET is queued, RESET is not.
  if (resolved.subcommand) return false;
  static constexpr std::string_view kNames[] = {"exec",  "discard", "multi",
                                                "watch", "quit",    "reset"};
  return std::find(std::begin(kNames), std::end(kNames), resolved.spec->name) != std::end(kNames);
}

bool Dispatcher::EndsMultiOrClient(const CommandSpec& spec, Args args) const {
  static constexpr std::string_view kNames[] = {"exec", "discard", "quit", "reset"};
  return IsTopLevelNamed(spec, args, kNames);
}

std::optional<uint64_t> Dispatcher::RunLocked(const CommandSpec& spec, Args args,
                                              ClientState& client, protocol::ReplyWriter& reply,
                                              ExecutionMode path,
                                              std::optional<std::string_view> retry_key) {
  std::optional<storage::ShardLocks> locks = LocksFor(spec, args, path);
  if (!locks) return std::nullopt;
  return RunHandler(spec, args, client, reply, path, retry_key);
}

std::optional<storage::ShardLocks> Dispatcher::LocksFor(const CommandSpec& spec, Args args,
                                                        ExecutionMode path) {
  // A script that started after this command was admitted holds every shard: once it is past
  // busy-reply-threshold the command is answered BUSY, as Redis would, instead of leaving this
  // thread waiting with its other clients (SCRIPT KILL among them) unanswered. So is WATCH, the
  // one allow-busy command with keys, which Redis would run: waiting could last for ever (a
  // script that wrote cannot be killed).
  if (spec.flags & kLocksItself) return storage::ShardLocks{};
  bool may_be_busy = path == ExecutionMode::kNormal;
  auto give_up = [&] { return may_be_busy && server_.scripting.busy(); };
  // All locks also mark the thread as running a whole-keyspace command, locking or not.
  bool all = (spec.flags & kLockAll) != 0;
  key_names.clear();
  if (!all) {
    // A store that does not lock (one I/O thread) needs no static key positions; movable keys are
    // still parsed, since malformed ones mark the command as holding every lock.
    if (spec.movable_keys == nullptr && (spec.first_key <= 0 || !server_.store.locking())) {
      return storage::ShardLocks{};
    }
    all = !KeyPositions(spec, args, &key_positions);
    if (!all) {
      for (int pos : key_positions) key_names.push_back(args[pos]);
    }
  }
  return storage::ShardLocks::Unless(server_.store, key_names, all, give_up);
}

void Dispatcher::Prefetch(const ClientState& client, std::span<const std::string_view> keys) const {
  if (Prefetches()) server_.store.db(client.db_index).Prefetch(keys);
}

bool Dispatcher::Prefetches() const { return !server_.store.locking(); }

std::optional<uint64_t> Dispatcher::RunHandler(const CommandSpec& spec, Args args,
                                               ClientState& client, protocol::ReplyWriter& reply,
                                               ExecutionMode path,
                                               std::optional<std::string_view> retry_key) {
  // A transaction or script runs at one instant, as in Redis: its caller sets the time once.
  if ((path == ExecutionMode::kNormal || path == ExecutionMode::kBlockedRetry) &&
      !storage::CommandTimeHeld()) {
    storage::SetCommandTimeMs(server_.clock.NowMs());
  }
  CommandContext ctx{args, reply, client, server_, spec, path, retry_key};
  bool propagating = server_.propagation.active();
  uint64_t dirty_before = 0;
  if (propagating) [[unlikely]] {
    if (path == ExecutionMode::kScript && server_.scripting.current_run() != nullptr) {
      ctx.propagation.allowed_targets = server_.scripting.current_run()->replication_targets;
    }
    dirty_before = storage::Store::ThreadDirty();
    server_.propagation.Enter((spec.flags & kTouchesArbitraryKeys) != 0);
  }
  uint64_t start = CallTimer::Start();
  std::string* out = reply.buffer();
  size_t mark = out->size();
  try {
    spec.handler(ctx);
  } catch (const std::bad_alloc&) {
    // A reply or value the allocator refused (SRANDMEMBER key -9223372036854775807 under an
    // address-space limit). Redis aborts there; the client gets an error and the server goes on,
    // without the reply's part written so far.
    if (reply.buffer() == out) {
      out->resize(mark);
      out->shrink_to_fit();
    }
    reply.Error(kErrOutOfMemory);
  }
  if (propagating) [[unlikely]] {
    server_.propagation.Leave(storage::Store::ThreadDirty() != dirty_before, spec.name == "exec",
                              args, client.db_index, ctx.propagation);
  }
  if (ctx.refused_busy) [[unlikely]] {
    return std::nullopt;
  }
  return CallTimer::MicrosSince(start);
}

void Dispatcher::After(const Completion& done) {
  Count(done);
  for (const Switched<AfterHook>& entry : after_hooks_) {
    if (entry.Runs()) entry.hook(done);
  }
  // Clients blocked on keys this command made ready are served now that its locks are released;
  // a command served from a busy script's hook leaves them to the script's own command, so none is
  // served in the script's middle. EXEC and scripts serve them once they end, as the command that
  // ran them.
  if (done.path == ExecutionMode::kNormal && BlockingRegistry::HasReady() &&
      !storage::ShardLocks::AllHeldByThisThread()) {
    server_.blocking.ServeReady(*this);
  }
}

void Dispatcher::Count(const Completion& done) {
  // A re-run is counted by its client's thread when it gets the answer (Connection); like Redis,
  // total_commands_processed counted its first run.
  if (done.path == ExecutionMode::kBlockedRetry) return;
  switch (done.outcome) {
    case Outcome::kQueued:
      return;
    case Outcome::kRefused:
      if (done.spec != nullptr) server_.command_stats.RecordRejected(*done.spec);
      if (auto error = ErrorOf(done.reply)) server_.command_stats.RecordError(*error);
      return;
    case Outcome::kBlocked:
      // Counted when answered.
      server_.stats.total_commands_processed.Add(1);
      break;
    case Outcome::kRan: {
      server_.stats.total_commands_processed.Add(1);
      std::optional<std::string_view> error = ErrorOf(done.reply);
      // A script passing on an error its redis.call already counted still fails, but the error is
      // not counted twice.
      if (error && (done.path == ExecutionMode::kScript || !TakePrecountedScriptError(*error))) {
        server_.command_stats.RecordError(*error);
      }
      server_.command_stats.RecordCall(*done.spec, done.usec, error.has_value());
      break;
    }
  }
  if (done.path != ExecutionMode::kScript) ClearPrecountedScriptErrors();
}

}  // namespace respd::server
