// SAVE, BGSAVE and LASTSAVE (Redis's rdb.c): the RDB file through server/services/persistence.
#include <string_view>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrSaveInProgress = "ERR Background save already in progress";

// SAVE
void CmdSave(CommandContext& ctx) {
  Persistence& persistence = ctx.server.persistence;
  if (persistence.background_save_running()) return ctx.reply.Error(kErrSaveInProgress);
  if (!persistence.Save(ctx.server, Persistence::kSaveCommand, /*engine_held=*/false)) return ctx.reply.Error("ERR");
  ctx.reply.Ok();
}

// BGSAVE [SCHEDULE]. Redis schedules instead of forking inside EXEC; respd has no other child
// process (no AOF rewrite) for SCHEDULE to wait for.
void CmdBgsave(CommandContext& ctx) {
  ArgParser parser(ctx.args);
  bool schedule = false;
  if (parser.HasNext()) {
    schedule = parser.Accept("SCHEDULE");
    parser.FailUnless(schedule && !parser.HasNext(), kErrSyntax);
  }
  if (!parser.Finalize(ctx)) return;
  Persistence& persistence = ctx.server.persistence;
  if (persistence.background_save_running()) return ctx.reply.Error(kErrSaveInProgress);
  if (ctx.mode == ExecutionMode::kTransaction) {
    persistence.ScheduleBackgroundSave();
    return ctx.reply.SimpleString("Background saving scheduled");
  }
  persistence.StartBackgroundSave(ctx.server);
  ctx.reply.SimpleString("Background saving started");
}

// LASTSAVE: when the last successful save began (start-up counts as one, as in Redis).
void CmdLastsave(CommandContext& ctx) { ctx.reply.Integer(ctx.server.persistence.last_save_s()); }

const CommandSpec kRows[] = {
    {.name = "save",
     .arity = 1,
     .flags = kAdmin | kNoscript | kNoAsyncLoading | kNoMulti | kLockAll,
     .handler = CmdSave},
    {.name = "bgsave",
     .arity = -1,
     .flags = kAdmin | kNoscript | kNoAsyncLoading | kLockAll,
     .handler = CmdBgsave},
    {.name = "lastsave",
     .arity = 1,
     .flags = kLoading | kStale | kFast,
     .handler = CmdLastsave},
};

}  // namespace

void RegisterPersistenceFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
