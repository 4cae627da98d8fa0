// The command pipeline. Every command, whatever brought it in (an entry path: a client's
// connection, EXEC's body, a script's redis.call, a blocked client's re-run), goes through the
// same stages:
//   resolve  its name to its table row, or a refusal (unknown command or subcommand, arity);
//   admit    by its entry path's policy, as Redis does on that path (processCommand,
//            execCommand, scriptCall), then by the admission hooks features register; a client
//            inside MULTI has the command queued instead of run;
//   run      under the shard locks of its keys (EXEC and scripts already hold every lock), at the
//            command time, by its handler;
//   after    count it (INFO commandstats and errorstats), call the after hooks, and serve the
//            clients blocked on keys it made ready.
// A refusal is one Refusal value; errors.h turns it into Redis's text. One Dispatcher per server,
// owned by its ServerContext. Knows nothing of sockets or Lua.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/dispatch/command.h"
#include "server/dispatch/errors.h"

namespace respd::server {

class ServerContext;

// What a command's arguments name.
struct Resolution {
  // The command or subcommand, also when refused for its arity (the refusal is counted against
  // it); null when unknown.
  const CommandSpec* spec = nullptr;
  Refusal refusal = Refusal::kNone;
  bool subcommand = false;  // `spec` is a subcommand (CONFIG GET)

  bool ok() const { return refusal == Refusal::kNone; }
};

// A resolved command an admission hook is asked about.
struct Admission {
  ExecutionMode path;
  const CommandSpec& spec;
  Args args;
  ClientState& client;
  // Where a hook refusing with Refusal::kHookError writes its error text (without '-').
  std::string& error_text;
};

// How a command left the pipeline.
enum class Outcome : uint8_t {
  kRan,      // its handler replied
  kBlocked,  // its handler parked the client (or left a re-run waiting): nothing written yet
  kQueued,   // inside MULTI: QUEUED
  kRefused,  // resolution or admission said no: the refusal's error
};

// What the after stage knows of a command.
struct Completion {
  ExecutionMode path;
  Outcome outcome;
  const CommandSpec* spec;  // null when unknown
  Args args;
  ClientState& client;
  Refusal refusal;         // why, when refused
  std::string_view reply;  // what the pipeline wrote for the command (EXEC: its whole array)
  uint64_t usec;           // the handler's time, when it ran
};

// Features register hooks at start-up (server/composition.cc), before any command runs; the lists
// are then only read. A hook registered with a switch runs only while the switch is on: a feature
// with nothing to do (no restricted ACL user, no monitor, no fault rule, no tracking client, the
// journal off) costs the pipeline a relaxed load and a branch, not a call. An admission hook
// runs on every entry path after the path's own checks (the client path's BUSY check comes after
// it, as Redis checks ACL and OOM before BUSY) and refuses by returning anything but kNone
// (kHookError with a text of its own in `error_text`). An
// after hook sees every command that left the pipeline, on every path, after its counting.
using AdmissionHook = std::function<Refusal(const Admission&)>;
using AfterHook = std::function<void(const Completion&)>;

class Dispatcher {
 public:
  explicit Dispatcher(ServerContext& server) : server_(server) {}
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Entry path kNormal: one command of `client` from its connection; appends its reply (nothing
  // when it blocks).
  void Dispatch(Args args, ClientState& client, protocol::ReplyWriter& reply);
  // A hint before a connection parses its input: fetches into the cache what looking up these keys
  // (the coming commands' first keys, as far as the connection could tell) will touch. Nothing
  // when the store locks (Prefetches() false), since the hint reads the key table unlocked.
  void Prefetch(const ClientState& client, std::span<const std::string_view> keys) const;
  bool Prefetches() const;
  // Entry path kTransaction: one command of EXEC's body, queued as `spec`. EXEC holds every lock
  // and has set the command time.
  void RunQueued(const CommandSpec& spec, Args args, ClientState& client,
                 protocol::ReplyWriter& reply);
  // Entry path kScript: redis.call / redis.pcall under the script's locks and time. `read_only`
  // (EVAL_RO, FCALL_RO, no-writes) refuses writes. A refusal is an error reply, counted here like
  // the command's own errors.
  void CallFromScript(Args args, ClientState& client, protocol::ReplyWriter& reply, bool read_only);
  // Entry path kBlockedRetry: a blocked client's command, run again on the writer's thread because
  // `ready_key` became ready. Writes nothing when it blocks again. Counted when its client gets the
  // answer (Connection), as Redis counts a blocked command once.
  void RetryBlocked(const CommandSpec& spec, Args args, ClientState& client,
                    protocol::ReplyWriter& reply, std::string_view ready_key);

  // The command (or subcommand) `args` name, or why none.
  Resolution Resolve(Args args) const;

  // The flags Redis's getCommandFlags gives `spec` as `client` would run it now: a script call
  // (EVAL, EVALSHA, FCALL and their _RO forms) whose script declares flags writes unless they say
  // no-writes, EXEC has those of its queued commands. CLIENT PAUSE WRITE, MONITOR's refusals and
  // min-replicas-to-write decide by them.
  uint32_t FlagsAsRun(const CommandSpec& spec, Args args, const ClientState& client) const;

  // The eviction and OOM check of Redis's processCommand, registered at composition as an
  // admission hook (after ACL, in Redis's order) behind MemoryLimit's switch, so it runs only
  // while maxmemory is set. MemoryLimit::MakeRoom evicts; when memory stays past the limit with
  // nothing left to evict, a client's command that may grow memory (denyoom as
  // it would run: EXEC by its queued commands, a script by its declared flags) is refused, and so
  // is everything inside MULTI but EXEC, DISCARD, QUIT and RESET, since queueing grows memory
  // without bound. Other entry paths pass (a script's calls are AdmitFromScript's).
  Refusal AdmitWithinMemory(const Admission& admission) const;

  // Cluster mode's routing, Redis's getNodeByQuery as processCommand and scriptCall ask it,
  // registered at composition behind ClusterState's switch, after ACL as in Redis. A client's
  // command whose keys (EXEC: every queued command's) are in several slots, in a slot not served,
  // or in a cluster that is down, or that must be asked elsewhere during a migration, is refused
  // with Redis's CROSSSLOT, CLUSTERDOWN, ASK or TRYAGAIN (kClusterRedirect); a script's command
  // with Redis's script texts, also when its keys leave the slot the script began in. Queued
  // commands were routed with their EXEC and the master's stream is obeyed.
  Refusal AdmitToCluster(const Admission& admission) const;
  // Redis's resetClient end of ASKING: it covers one command, or a whole transaction.
  void AfterInCluster(const Completion& done) const;

  // `on`, when given, is the hook's switch; it outlives the dispatcher.
  void AddAdmissionHook(AdmissionHook hook, const std::atomic<bool>* on = nullptr) {
    admission_hooks_.push_back({on, std::move(hook)});
  }
  void AddAfterHook(AfterHook hook, const std::atomic<bool>* on = nullptr) {
    after_hooks_.push_back({on, std::move(hook)});
  }

 private:
  // Resolution, admission, queueing or running of a client's command.
  void FromClient(Args args, ClientState& client, protocol::ReplyWriter& reply);
  // CLIENT PAUSE covers the command: the client waits (ClientState::postponed).
  bool Postpone(const CommandSpec& spec, Args args, ClientState& client);
  // Redis's processCommand checks, in its order.
  Refusal AdmitFromClient(const CommandSpec& spec, Args args, ClientState& client) const;
  // Redis's scriptCall checks, in its order.
  Refusal AdmitFromScript(const Resolution& resolved, Args args, ClientState& client,
                          bool read_only) const;
  Refusal RunAdmissionHooks(ExecutionMode path, const CommandSpec& spec, Args args,
                            ClientState& client) const;
  // min-replicas-to-write refuses writes: it asks for good replicas (respd has none) and
  // min-replicas-max-lag does not turn it off.
  bool NoGoodReplicas() const;
  // On a replica whose link is down: `spec` (an EXEC, with what it queued) has the stale flag.
  bool AllowedWhileStale(const CommandSpec& spec, Args args, const ClientState& client) const;
  // RefusalText, or the text of the hook that refused with kHookError.
  static std::string RefusalMessage(Refusal refusal, Args args);
  // A client's refused command: a refused EXEC aborts the transaction, anything else refused
  // inside MULTI dooms it.
  void RefuseFromClient(const Resolution& resolved, Refusal refusal, Args args, ClientState& client,
                        protocol::ReplyWriter& reply);
  // EXEC DISCARD MULTI WATCH QUIT RESET run at once inside MULTI; everything else is queued.
  bool RunsInsideMulti(const Resolution& resolved) const;
  // EXEC DISCARD QUIT RESET: what a client inside MULTI may still send past maxmemory.
  bool EndsMultiOrClient(const CommandSpec& spec, Args args) const;
  // A RESP2 client subscribed to anything runs only these (Redis's CLIENT_PUBSUB check).
  bool AllowedWhileSubscribed(const CommandSpec& spec, Args args) const;
  // `spec` is what args[0] names (not a subcommand: SLOWLOG RESET is no RESET) and is in `names`.
  bool IsTopLevelNamed(const CommandSpec& spec, Args args,
                       std::span<const std::string_view> names) const;
  // enable-debug-command (DEBUG) or enable-module-command (MODULE's LOAD, LOADEX and UNLOAD) lets
  // `client` run the protected `command`.
  bool ProtectedAllowed(const ClientState& client, std::string_view command) const;
  // enable-test-controls lets `client` run the RESPD test controls.
  bool TestControlsAllowed(const ClientState& client) const;

  // The run stage: takes the shard locks of the command's keys, runs it, releases them. Returns
  // the handler's microseconds, or nothing when a busy script holds the shards (or the script
  // engine the handler needs) and the command may not wait for it (BUSY).
  std::optional<uint64_t> RunLocked(const CommandSpec& spec, Args args, ClientState& client,
                                    protocol::ReplyWriter& reply, ExecutionMode path,
                                    std::optional<std::string_view> retry_key);
  // The shard locks the run stage takes for `spec` (none when the store does not lock), or
  // nothing as RunLocked says.
  std::optional<storage::ShardLocks> LocksFor(const CommandSpec& spec, Args args,
                                              ExecutionMode path);
  // The run stage when the caller holds the locks; nothing when the handler was refused BUSY
  // (CommandContext::refused_busy).
  std::optional<uint64_t> RunHandler(const CommandSpec& spec, Args args, ClientState& client,
                                     protocol::ReplyWriter& reply, ExecutionMode path,
                                     std::optional<std::string_view> retry_key);

  // The after stage.
  void After(const Completion& done);
  void Count(const Completion& done);

  template <typename Hook>
  struct Switched {
    const std::atomic<bool>* on;  // null: always on
    Hook hook;
    bool Runs() const { return on == nullptr || on->load(std::memory_order_relaxed); }
  };

  ServerContext& server_;
  std::vector<Switched<AdmissionHook>> admission_hooks_;
  std::vector<Switched<AfterHook>> after_hooks_;
};

}  // namespace respd::server
