// SAVE, BGSAVE, BGREWRITEAOF and LASTSAVE (Redis's rdb.c and aof.c): the RDB file through server/services/persistence.
#include <string_view>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrSaveInProgress = "ERR Background save already in progress";

using Job = Persistence::Job;

// SAVE
void CmdSave(CommandContext& ctx) {
  Persistence& persistence = ctx.server.persistence;
  if (persistence.background_job() == Job::kSave) return ctx.reply.Error(kErrSaveInProgress);
  if (!persistence.Save(ctx.server, Persistence::kSaveCommand, /*engine_held=*/false)) {
    return ctx.reply.Error("ERR");
  }
  ctx.reply.Ok();
}

// BGSAVE [SCHEDULE]. Inside EXEC, or with SCHEDULE while an AOF rewrite runs, the cron starts it
// once nothing else runs.
void CmdBgsave(CommandContext& ctx) {
  ArgParser parser(ctx.args);
  bool schedule = false;
  if (parser.HasNext()) {
    schedule = parser.Accept("SCHEDULE");
    parser.FailUnless(schedule && !parser.HasNext(), kErrSyntax);
  }
  if (!parser.Finalize(ctx)) return;
  Persistence& persistence = ctx.server.persistence;
  const Job running = persistence.background_job();
  if (running == Job::kSave) return ctx.reply.Error(kErrSaveInProgress);
  if (running != Job::kNone || ctx.mode == ExecutionMode::kTransaction) {
    if (!schedule && ctx.mode != ExecutionMode::kTransaction) {
      return ctx.reply.Error(
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
          "SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
    persistence.ScheduleBackgroundJob(Job::kSave);
    return ctx.reply.SimpleString("Background saving scheduled");
  }
  persistence.StartBackgroundJob(ctx.server, Job::kSave);
  ctx.reply.SimpleString("Background saving started");
}

// BGREWRITEAOF: with AOF off, as Redis's, a new base file (the dataset in RDB form) and the
// manifest naming it, in appenddirname.
void CmdBgrewriteaof(CommandContext& ctx) {
  Persistence& persistence = ctx.server.persistence;
  const Job running = persistence.background_job();
  if (running == Job::kAofRewrite) {
    return ctx.reply.Error("ERR Background append only file rewriting already in progress");
  }
  if (running != Job::kNone || ctx.mode == ExecutionMode::kTransaction) {
    persistence.ScheduleBackgroundJob(Job::kAofRewrite);
    return ctx.reply.SimpleString("Background append only file rewriting scheduled");
  }
  persistence.StartBackgroundJob(ctx.server, Job::kAofRewrite);
  ctx.reply.SimpleString("Background append only file rewriting started");
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
    {.name = "bgrewriteaof",
     .arity = 1,
     .flags = kAdmin | kNoscript | kNoAsyncLoading | kLockAll,
     .handler = CmdBgrewriteaof},
    {.name = "lastsave",
     .arity = 1,
     .flags = kLoading | kStale | kFast,
     .handler = CmdLastsave},
};

}  // namespace

void RegisterPersistenceFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
