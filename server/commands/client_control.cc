// MONITOR, and the CLIENT subcommands that change how the server treats clients: REPLY, NO-EVICT,
// PAUSE, UNPAUSE (their rows are in connection_family.cc's CLIENT table).
#include "server/commands/client_control.h"

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

// MONITOR
void CmdMonitor(CommandContext& ctx) {
  // Redis refuses it where a client expects one reply per command (CLIENT_DENY_BLOCKING: EXEC).
  if (ctx.mode != ExecutionMode::kNormal) {
    ctx.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // A second MONITOR gets no reply at all, as in Redis.
  if (ctx.client.monitoring) return;
  ctx.server.monitors.Add(ctx.client, ctx.server.clients.Find(ctx.client.id()));
  ctx.reply.Ok();
}

constexpr CommandSpec kRows[] = {
    {.name = "monitor",
     .arity = 1,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdMonitor},
};

}  // namespace

// CLIENT REPLY ON|OFF|SKIP
void CmdClientReply(CommandContext& ctx) {
  std::string_view mode = ctx.args[2];
  if (IsKeyword(mode, "on")) {
    ctx.client.reply_off = false;
    ctx.client.reply_skip = false;
    ctx.reply.Ok();
  } else if (IsKeyword(mode, "off")) {
    // From here on: inside EXEC, the replies before this one still go out.
    ctx.client.reply_off = true;
    ctx.client.reply_off_from = ctx.reply.buffer()->size();
  } else if (IsKeyword(mode, "skip")) {
    if (!ctx.client.reply_off) ctx.client.reply_skip_next = true;
  } else {
    ctx.ReplySyntaxError();
  }
}

// CLIENT NO-EVICT ON|OFF
void CmdClientNoEvict(CommandContext& ctx) {
  std::string_view mode = ctx.args[2];
  if (IsKeyword(mode, "on")) {
    ctx.client.no_evict = true;
  } else if (IsKeyword(mode, "off")) {
    ctx.client.no_evict = false;
  } else {
    ctx.ReplySyntaxError();
    return;
  }
  ctx.reply.Ok();
}

// CLIENT PAUSE timeout [WRITE|ALL]
void CmdClientPause(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    ctx.reply.Error(SubcommandSyntaxError(ctx.args[0], ctx.args[1]));
    return;
  }
  // Redis reads the mode before the timeout.
  ClientPause::Mode mode = ClientPause::Mode::kAll;
  if (ctx.args.size() == 4) {
    if (IsKeyword(ctx.args[3], "write")) {
      mode = ClientPause::Mode::kWrite;
    } else if (!IsKeyword(ctx.args[3], "all")) {
      ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  }
  std::optional<int64_t> timeout = storage::ParseInt64(ctx.args[2]);
  if (!timeout) {
    ctx.reply.Error("ERR timeout is not an integer or out of range");
    return;
  }
  if (*timeout < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return;
  }
  // Redis 7.0 adds the time to a positive timeout unchecked: a huge one wraps into the past and
  // pauses nothing.
  int64_t end = *timeout;
  if (end > 0) {
    end = static_cast<int64_t>(static_cast<uint64_t>(end) +
                               static_cast<uint64_t>(ctx.server.clock.NowMs()));
  }
  ctx.server.pause.Pause(mode, end);
  ctx.reply.Ok();
}

// CLIENT UNPAUSE
void CmdClientUnpause(CommandContext& ctx) {
  ctx.server.pause.Unpause();
  ctx.reply.Ok();
}

void RegisterMonitorFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
