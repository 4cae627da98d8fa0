// Command dispatch: resolution, checks, locking, execution.
#include "server/dispatch/dispatcher.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "server/dispatch/errors.h"

namespace respd::server {
namespace {

// Most commands have a few keys; locking reads them from a reused per-thread vector.
thread_local std::vector<int> key_positions;
thread_local std::vector<std::string_view> key_names;

std::string FullName(const CommandSpec& container, const CommandSpec& sub) {
  return std::string(container.name) + "|" + std::string(sub.name);
}

bool ArityOk(int arity, size_t argc) {
  return arity > 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
}

// The text of the error reply written at `mark` ("ERR ..." without '-' and CRLF), or nullopt when
// the reply there is not an error.
std::optional<std::string_view> ErrorAt(const std::string& out, size_t mark) {
  if (mark >= out.size() || out[mark] != '-') return std::nullopt;
  std::string_view frame(out.data() + mark + 1, out.size() - mark - 1);
  return frame.substr(0, frame.find("\r\n"));
}

uint64_t ArgvBytes(Args args) {
  uint64_t bytes = 0;
  for (std::string_view arg : args) bytes += arg.size();
  return bytes;
}

uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace

storage::Database& CommandContext::db() { return server.store.db(client.db_index); }

void CommandContext::AddDirty(uint64_t changes) { server.store.AddDirty(changes); }

void CommandContext::ReplyStatus(storage::OpStatus status) { reply.Error(ErrorText(status)); }

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

const CommandSpec* Dispatcher::Resolve(Args args, protocol::ReplyWriter& reply,
                                       const CommandSpec** refused) const {
  if (refused != nullptr) *refused = nullptr;
  const CommandSpec* spec = server_.commands.Find(args[0]);
  if (spec == nullptr) {
    reply.Error(UnknownCommandError(args[0], args.subspan(1)));
    return nullptr;
  }
  if (!ArityOk(spec->arity, args.size())) {
    reply.Error(WrongArityError(spec->name));
    if (refused != nullptr) *refused = spec;
    return nullptr;
  }
  // A container called bare (COMMAND) is its own command; arity rejects the rest (CONFIG).
  if (spec->subcommands.empty() || args.size() == 1) return spec;
  const CommandSpec* sub = CommandTable::FindSubcommand(*spec, args[1]);
  if (sub == nullptr) {
    reply.Error(UnknownSubcommandError(spec->name, args[1]));
    return nullptr;
  }
  if (!ArityOk(sub->arity, args.size())) {
    reply.Error(WrongArityError(FullName(*spec, *sub)));
    if (refused != nullptr) *refused = sub;
    return nullptr;
  }
  return sub;
}

void Dispatcher::Dispatch(Args args, ClientState& client, protocol::ReplyWriter& reply) {
  client.argv_bytes.store(ArgvBytes(args), std::memory_order_relaxed);
  Run(args, client, reply);
  // A blocked command keeps its arguments until it is answered, as in Redis.
  if (!client.blocked) client.argv_bytes.store(0, std::memory_order_relaxed);
  TransactionState* txn = client.transaction.get();
  int queued = txn != nullptr && txn->in_multi() ? static_cast<int>(txn->queue().size()) : -1;
  if (queued != client.multi_queued.load(std::memory_order_relaxed)) {
    client.multi_queued.store(queued, std::memory_order_relaxed);
    if (queued <= 0) client.multi_bytes.store(0, std::memory_order_relaxed);
  }
}

void Dispatcher::Run(Args args, ClientState& client, protocol::ReplyWriter& reply) {
  TransactionState* txn = client.transaction.get();
  bool in_multi = txn != nullptr && txn->in_multi();
  size_t reply_mark = reply.buffer()->size();
  const CommandSpec* refused = nullptr;
  const CommandSpec* spec = Resolve(args, reply, &refused);
  // Redis's lastcmd: what the name resolved to, even when refused (NULL when unknown).
  client.last_command.store(spec != nullptr ? spec : refused, std::memory_order_relaxed);
  if (spec == nullptr) {
    if (in_multi) txn->FlagError();
    // EXEC with arguments: Redis aborts any transaction, quoting the arity error without "ERR".
    if (args.size() > 1 && server_.commands.Find(args[0]) == server_.commands.Find("exec")) {
      std::string error = reply.buffer()->substr(reply_mark + 1);
      reply.buffer()->resize(reply_mark);
      if (txn != nullptr) txn->Discard();  // unwatches even outside MULTI, as Redis does
      reply.Error(std::string(kErrExecAbortBecause) +
                  error.substr(4, error.size() - 4 - 2));  // drop "ERR " and CRLF
    }
    if (auto error = ErrorAt(*reply.buffer(), reply_mark)) server_.command_stats.RecordError(*error);
    if (refused != nullptr) server_.command_stats.RecordRejected(*refused);
    return;
  }
  // Before authentication, as in Redis.
  if ((spec->flags & kProtected) && !ProtectedAllowed(client)) {
    Reject(*spec, args, client, reply, kErrDebugNotAllowed);
    return;
  }
  if (!client.authenticated && !(spec->flags & kNoAuth) &&
      !server_.config.requirepass().text().empty()) {
    Reject(*spec, args, client, reply, kErrNoAuth);
    return;
  }
  if (client.subscribed() && client.resp == protocol::RespVersion::kResp2 &&
      !AllowedWhileSubscribed(*spec, args)) {
    Reject(*spec, args, client, reply,
           "ERR Can't execute '" + CommandFullName(server_.commands, *spec) +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
               "this context");
    return;
  }
  // A script past busy-reply-threshold holds every lock: answer instead of waiting for them.
  if (server_.scripting.busy() && !(spec->flags & kAllowBusy)) {
    Reject(*spec, args, client, reply, server_.scripting.BusyError());
    return;
  }
  if (in_multi && !RunsInsideMulti(*spec, args)) {
    if (spec->flags & kNoMulti) {
      Reject(*spec, args, client, reply, kErrNotAllowedInMulti);
      return;
    }
    txn->Queue(*spec, args);
    client.multi_bytes.fetch_add(ArgvBytes(args), std::memory_order_relaxed);
    reply.SimpleString("QUEUED");
    return;
  }
  Execute(*spec, args, client, reply);
  // Clients blocked on keys this command made ready are served now that its locks are released;
  // a command served from a busy script's hook leaves them to the script's own command, so none is
  // served in the script's middle.
  if (BlockingRegistry::HasReady() && !storage::ShardLocks::AllHeldByThisThread()) {
    server_.blocking.ServeReady(*this);
  }
}

bool Dispatcher::ProtectedAllowed(const ClientState& client) const {
  std::string setting = server_.config.Get("enable-debug-command").text();
  return setting == "yes" || (setting == "local" && client.local);
}

bool Dispatcher::AllowedWhileSubscribed(const CommandSpec& spec, Args args) const {
  if (server_.commands.Find(args[0]) != &spec) return false;  // SLOWLOG RESET is no RESET
  static constexpr std::string_view kNames[] = {"subscribe",   "psubscribe",   "ssubscribe",
                                                "unsubscribe", "punsubscribe", "sunsubscribe",
                                                "ping",        "quit",         "reset"};
  return std::find(std::begin(kNames), std::end(kNames), spec.name) != std::end(kNames);
}

bool Dispatcher::RunsInsideMulti(const CommandSpec& spec, Args args) const {
  // Only top-level commands qualify: SLOWLOG RESET is queued, RESET is not.
  if (server_.commands.Find(args[0]) != &spec) return false;
  static constexpr std::string_view kNames[] = {"exec",  "discard", "multi",
                                                "watch", "quit",    "reset"};
  return std::find(std::begin(kNames), std::end(kNames), spec.name) != std::end(kNames);
}

void Dispatcher::Reject(const CommandSpec& spec, Args args, ClientState& client,
                        protocol::ReplyWriter& reply, std::string_view error) {
  server_.command_stats.RecordRejected(spec);
  size_t mark = reply.buffer()->size();
  RejectReply(spec, args, client, reply, error);
  if (auto written = ErrorAt(*reply.buffer(), mark)) server_.command_stats.RecordError(*written);
}

void Dispatcher::RejectReply(const CommandSpec& spec, Args args, ClientState& client,
                             protocol::ReplyWriter& reply, std::string_view error) {
  TransactionState* txn = client.transaction.get();
  bool in_multi = txn != nullptr && txn->in_multi();
  // A refused EXEC ends any transaction quoting the refusal (without a generic "ERR ") and drops
  // every WATCH, in MULTI or not; anything else refused inside MULTI dooms the next EXEC.
  if (spec.name == "exec" && server_.commands.Find(args[0]) == &spec) {
    if (txn != nullptr) txn->Discard();
    if (error.starts_with("ERR ")) error.remove_prefix(4);
    reply.Error(std::string(kErrExecAbortBecause) + std::string(error));
    return;
  }
  if (in_multi) txn->FlagError();
  reply.Error(error);
}

void Dispatcher::Execute(const CommandSpec& spec, Args args, ClientState& client,
                         protocol::ReplyWriter& reply) {
  storage::ShardLocks locks;
  if (spec.flags & kLockAll) {
    locks = storage::ShardLocks::All(server_.store);
  } else if (spec.first_key > 0 || spec.movable_keys != nullptr) {
    if (!KeyPositions(spec, args, &key_positions)) {
      locks = storage::ShardLocks::All(server_.store);
    } else {
      key_names.clear();
      for (int pos : key_positions) key_names.push_back(args[pos]);
      locks = storage::ShardLocks(server_.store, key_names);
    }
  }
  ExecuteLocked(spec, args, client, reply);
}

void Dispatcher::ExecuteLocked(const CommandSpec& spec, Args args, ClientState& client,
                               protocol::ReplyWriter& reply, ExecutionMode mode) {
  // A transaction or script runs at one instant, as in Redis: its caller sets the time once.
  if (mode == ExecutionMode::kNormal && !storage::CommandTimeHeld()) {
    storage::SetCommandTimeMs(server_.clock.NowMs());
  }
  CommandContext ctx{args, reply, client, server_, spec, mode};
  std::string& out = *reply.buffer();
  size_t mark = out.size();
  // A blocked command re-run on a writer's thread is counted by its client's thread when it gets
  // the answer (Connection); like Redis, total_commands_processed counted its first run.
  bool rerun = BlockingRegistry::RetryKey().has_value();
  auto start = std::chrono::steady_clock::now();
  spec.handler(ctx);
  uint64_t usec = MicrosSince(start);
  if (!rerun) server_.stats.total_commands_processed.fetch_add(1, std::memory_order_relaxed);
  // Nothing written: the command blocked; it is counted when answered.
  if (!rerun && out.size() > mark) {
    std::optional<std::string_view> error = ErrorAt(out, mark);
    // A script passing on an error its redis.call already counted still fails, but the error is
    // not counted twice.
    if (error && (mode == ExecutionMode::kScript || !TakePrecountedScriptError(*error))) {
      server_.command_stats.RecordError(*error);
    }
    server_.command_stats.RecordCall(spec, usec, error.has_value());
  }
  if (mode != ExecutionMode::kScript) ClearPrecountedScriptErrors();
}

}  // namespace respd::server
