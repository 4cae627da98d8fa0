// Blocking sorted set pops: BZPOPMIN BZPOPMAX BZMPOP, on the shared blocking machinery
// (server/blocking.h) as BLPOP and BLMPOP are. Inside MULTI or a script they answer at once as on
// a timeout, as in Redis.
#include "server/services/blocking.h"
#include "server/commands/args.h"
#include "server/commands/sorted_set_common.h"

namespace respd::server {
namespace {

// Parks the client on `keys`, or answers as a timeout when it cannot wait.
void BlockOrGiveUp(CommandContext& ctx, Args keys, int64_t timeout_ms) {
  if (ctx.may_block() && ctx.server.blocking.Block(ctx, keys, timeout_ms)) return;
  ctx.reply.NullArray();
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout
void BlockingPop(CommandContext& ctx, bool max) {
  ArgParser parser(ctx.args, ctx.args.size() - 1);
  int64_t timeout = parser.NextBlockTimeout();
  if (!parser.Check(ctx)) return;
  Args keys = ctx.args.subspan(1, ctx.args.size() - 2);
  if (PopFirst(ctx, keys, max, 1, true)) return;
  BlockOrGiveUp(ctx, keys, timeout);
}

void CmdBZPopMin(CommandContext& ctx) { BlockingPop(ctx, false); }
void CmdBZPopMax(CommandContext& ctx) { BlockingPop(ctx, true); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void CmdBZMPop(CommandContext& ctx) {
  MPopArgs parsed;
  if (!ParseMPopArgs(ctx, 2, &parsed)) return;
  ArgParser parser(ctx.args, 1);
  int64_t timeout = parser.NextBlockTimeout();
  if (!parser.Check(ctx)) return;
  if (PopFirst(ctx, parsed.keys, parsed.max, parsed.count, false)) return;
  BlockOrGiveUp(ctx, parsed.keys, timeout);
}

bool BZMPopKeys(Args args, std::vector<int>* positions) {
  return NumKeysPositions(args, 2, 0, positions);
}

constexpr CommandSpec kRows[] = {
    {.name = "bzpopmin",
     .arity = -3,
     .flags = kWrite | kNoscript | kBlocking | kFast,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .handler = CmdBZPopMin},
    {.name = "bzpopmax",
     .arity = -3,
     .flags = kWrite | kNoscript | kBlocking | kFast,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .handler = CmdBZPopMax},
    {.name = "bzmpop",
     .arity = -5,
     .flags = kWrite | kBlocking | kMovableKeys,
     .handler = CmdBZMPop,
     .movable_keys = BZMPopKeys},
};

}  // namespace

void RegisterSortedSetBlocking(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
