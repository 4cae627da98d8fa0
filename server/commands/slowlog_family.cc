// SLOWLOG GET/LEN/RESET/HELP over the server's Slowlog (server/services/slowlog.h), with Redis
// 7.0's replies (slowlog.c).
#include <limits>

#include <optional>

#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

constexpr uint64_t kDefaultCount = 10;

// SLOWLOG GET [count]: -1 means every entry.
void CmdSlowlogGet(CommandContext& ctx) {
  uint64_t count = kDefaultCount;
  if (ctx.args.size() == 3) {
    std::optional<int64_t> value = storage::ParseInt64(ctx.args[2]);
    if (!value || *value < -1) {
      ctx.reply.Error("ERR count should be greater than or equal to -1");
      return;
    }
    count = *value == -1 ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(*value);
  } else if (ctx.args.size() > 3) {
    ctx.reply.Error(SubcommandSyntaxError("slowlog", ctx.args[1]));
    return;
  }
  std::vector<SlowlogEntry> entries = ctx.server.slowlog.Newest(count);
  ctx.reply.ArrayHeader(entries.size());
  for (const SlowlogEntry& entry : entries) {
    ctx.reply.ArrayHeader(6);
    ctx.reply.Integer(static_cast<int64_t>(entry.id));
    ctx.reply.Integer(entry.unix_time);
    ctx.reply.Integer(static_cast<int64_t>(entry.usec));
    ctx.reply.ArrayHeader(entry.argv.size());
    for (const std::string& arg : entry.argv) ctx.reply.Bulk(arg);
    ctx.reply.Bulk(entry.peer);
    ctx.reply.Bulk(entry.name);
  }
}

void CmdSlowlogLen(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.slowlog.size()));
}

void CmdSlowlogReset(CommandContext& ctx) {
  ctx.server.slowlog.Reset();
  ctx.reply.Ok();
}

void CmdSlowlogHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

constexpr uint32_t kAdminFlags = kAdmin | kLoading | kStale;

constexpr CommandSpec kSlowlogSubcommands[] = {
    {.name = "get",
     .arity = -2,
     .flags = kAdminFlags,
     .handler = CmdSlowlogGet},
    {.name = "help",
     .arity = 2,
     .flags = kLoading | kStale,
     .handler = CmdSlowlogHelp},
    {.name = "len",
     .arity = 2,
     .flags = kAdminFlags,
     .handler = CmdSlowlogLen},
    {.name = "reset",
     .arity = 2,
     .flags = kAdminFlags,
     .handler = CmdSlowlogReset},
};

constexpr CommandSpec kRows[] = {
    {.name = "slowlog",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kSlowlogSubcommands},
};

}  // namespace

void RegisterSlowlogFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
