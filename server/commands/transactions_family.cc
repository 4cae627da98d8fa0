// Transaction commands: MULTI EXEC DISCARD WATCH UNWATCH. Queueing between MULTI and EXEC is the
// pipeline's (server/dispatch/dispatcher.h); EXEC runs the queue through it under every shard
// lock, so no client sees it half done.
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "server/services/transaction.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrNestedMulti = "ERR MULTI calls can not be nested";
constexpr std::string_view kErrExecWithoutMulti = "ERR EXEC without MULTI";
constexpr std::string_view kErrDiscardWithoutMulti = "ERR DISCARD without MULTI";
constexpr std::string_view kErrWatchInMulti = "ERR WATCH inside MULTI is not allowed";

TransactionState& Transaction(CommandContext& ctx) {
  if (!ctx.client.transaction) {
    ctx.client.transaction = std::make_unique<TransactionState>(ctx.server.watches, &ctx.client.watch_dirty);
  }
  return *ctx.client.transaction;
}

bool InMulti(const CommandContext& ctx) {
  return ctx.client.transaction && ctx.client.transaction->in_multi();
}

// MULTI
void CmdMulti(CommandContext& ctx) {
  if (InMulti(ctx)) {
    ctx.reply.Error(kErrNestedMulti);
    return;
  }
  Transaction(ctx).BeginMulti();
  ctx.reply.Ok();
}

// EXEC
void CmdExec(CommandContext& ctx) {
  if (!InMulti(ctx)) {
    ctx.reply.Error(kErrExecWithoutMulti);
    return;
  }
  TransactionState& txn = *ctx.client.transaction;
  if (txn.queue_error()) {
    txn.Discard();
    ctx.reply.Error(kErrExecAbort);
    return;
  }
  if (txn.WatchedKeysChanged(ctx.server.store)) {
    txn.Discard();
    ctx.reply.NullArray();
    return;
  }
  std::vector<QueuedCommand> queue = std::move(txn.queue());
  txn.Discard();
  std::vector<std::string_view> args;
  ctx.reply.ArrayHeader(queue.size());
  for (const QueuedCommand& command : queue) {
    args.assign(command.args.begin(), command.args.end());
    ctx.server.dispatcher.RunQueued(*command.spec, args, ctx.client, ctx.reply);
  }
}

// DISCARD
void CmdDiscard(CommandContext& ctx) {
  if (!InMulti(ctx)) {
    ctx.reply.Error(kErrDiscardWithoutMulti);
    return;
  }
  ctx.client.transaction->Discard();
  ctx.reply.Ok();
}

// WATCH key [key ...]
void CmdWatch(CommandContext& ctx) {
  if (InMulti(ctx)) {
    ctx.reply.Error(kErrWatchInMulti);
    return;
  }
  TransactionState& txn = Transaction(ctx);
  storage::Database& db = ctx.db();
  for (std::string_view key : ctx.args.subspan(1)) {
    txn.Watch(db.index(), key, db.Peek(key) != nullptr);
  }
  ctx.reply.Ok();
}

// UNWATCH
void CmdUnwatch(CommandContext& ctx) {
  if (ctx.client.transaction) ctx.client.transaction->UnwatchAll();
  ctx.reply.Ok();
}

constexpr CommandSpec kRows[] = {
    {.name = "multi",
     .arity = 1,
     .flags = kNoscript | kLoading | kStale | kFast | kAllowBusy,
     .handler = CmdMulti},
    {.name = "exec",
     .arity = 1,
     .flags = kNoscript | kLoading | kStale | kSkipSlowlog | kLockAll,
     .handler = CmdExec},
    {.name = "discard",
     .arity = 1,
     .flags = kNoscript | kLoading | kStale | kFast | kAllowBusy,
     .handler = CmdDiscard},
    {.name = "watch",
     .arity = -2,
     .flags = kNoscript | kLoading | kStale | kFast | kAllowBusy,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdWatch},
    {.name = "unwatch",
     .arity = 1,
     .flags = kNoscript | kLoading | kStale | kFast | kAllowBusy,
     .handler = CmdUnwatch},
};

}  // namespace

void RegisterTransactionsFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
