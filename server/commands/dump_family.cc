// DUMP, RESTORE and RESTORE-ASKING (Redis's cluster.c): a key's value to and from Redis 7.0's DUMP
// payload, byte-compatible with redis-server's, through storage/dump_ops.
#include <string>
#include <string_view>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/commands/handler_support.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/clock.h"
#include "storage/dump_ops.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrBusyKey = "BUSYKEY Target key name already exists.";
constexpr std::string_view kErrInvalidTtl = "ERR Invalid TTL value, must be >= 0";
constexpr std::string_view kErrInvalidIdle = "ERR Invalid IDLETIME value, must be >= 0";
constexpr std::string_view kErrInvalidFreq = "ERR Invalid FREQ value, must be >= 0 and <= 255";
constexpr std::string_view kErrBadData = "ERR Bad data format";

// DUMP key
void CmdDump(CommandContext& ctx) {
  storage::OpResult<std::string> payload =
      storage::Dump(ctx.db(), ctx.args[1], RdbCompression(ctx.server.config));
  if (!payload.ok()) return ctx.reply.Null();
  ctx.reply.Bulk(*payload);
}

// What RESTORE propagates as when it changes the dataset (Redis's restoreCommand): a relative TTL
// becomes absolute (the time argument in ms and ABSTTL appended), so a replica or a reload later
// expires the key at the same moment; a TTL already past that deleted the replaced key, DEL.
// Asked before the restore runs, as it is only used when the restore counts a change.
void PropagateRestore(CommandContext& ctx, const storage::RestoreOptions& options) {
  if (options.ttl_ms == 0) return;
  int64_t expire_at = options.absttl ? options.ttl_ms : options.ttl_ms + storage::CommandTimeMs();
  if (expire_at <= storage::CommandTimeMs()) {
    ctx.PropagateAs({"DEL", std::string(ctx.args[1])});
  } else if (!options.absttl) {
    std::vector<std::string> argv(ctx.args.begin(), ctx.args.end());
    argv[2] = std::to_string(expire_at);
    argv.emplace_back("ABSTTL");
    ctx.PropagateAs(std::move(argv));
  }
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]:
// options first, then BUSYKEY, then the TTL, then the payload, in Redis's order of checks.
void CmdRestore(CommandContext& ctx) {
  storage::RestoreOptions options;
  ArgParser parser(ctx.args, 4);
  while (parser.HasNext()) {
    if (parser.Accept("replace")) {
      options.replace = true;
    } else if (parser.Accept("absttl")) {
      options.absttl = true;
    } else if (options.freq < 0 && parser.Accept("idletime", 1)) {
      options.idle_seconds = parser.NextInt64();
      parser.FailUnless(options.idle_seconds >= 0, kErrInvalidIdle);
    } else if (options.idle_seconds < 0 && parser.Accept("freq", 1)) {
      options.freq = parser.NextInt64();
      parser.FailUnless(options.freq >= 0 && options.freq <= 255, kErrInvalidFreq);
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  std::string_view key = ctx.args[1];
  if (!options.replace && ctx.db().FindWrite(key) != nullptr) return ctx.reply.Error(kErrBusyKey);
  ArgParser ttl_parser(ctx.args, 2);
  options.ttl_ms = ttl_parser.NextInt64();
  ttl_parser.FailUnless(options.ttl_ms >= 0, kErrInvalidTtl);
  if (!ttl_parser.Check(ctx)) return;
  options.lfu_policy = ctx.server.store.lfu_clock();
  if (ctx.propagating()) PropagateRestore(ctx, options);

  switch (storage::Restore(ctx.db(), key, ctx.args[3], options, RdbLoadLimits(ctx.server.config))) {
    case storage::RestoreStatus::kBadTrailer:
      return ctx.reply.Error(kErrBadDumpPayload);
    case storage::RestoreStatus::kBadData:
      return ctx.reply.Error(kErrBadData);
    case storage::RestoreStatus::kOk:
      return ctx.reply.Ok();
  }
}

constexpr CommandSpec kRows[] = {
    {.name = "dump",
     .arity = 2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdDump},
    {.name = "restore",
     .arity = -4,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdRestore},
    // Redis's cluster migration sends it after ASKING; without cluster support it is RESTORE.
    {.name = "restore-asking",
     .arity = -4,
     .flags = kWrite | kDenyOom | kAsking,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdRestore},
};

}  // namespace

void RegisterDumpFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
