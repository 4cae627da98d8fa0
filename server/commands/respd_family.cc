// RESPD: respd's own test controls, one container command reachable from any client library
// (docs/TESTING.md). Every subcommand is admin and noscript, runs while loading, and is refused
// unless enable-test-controls allows the client (the dispatcher checks kTestControl). Uses the
// server context only; no sockets, no other family.
//
// Adding a subcommand: a row in kSubcommands with kRespdFlags, its lines in kHelpLines and its
// entry in server/dispatch/command_metadata_respd.cc (COMMAND INFO/DOCS and the metadata test).
#include <cstdint>
#include <string>

#include "server/commands/args.h"
#include "server/commands/respd_db_family.h"
#include "server/commands/respd_faults.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/clock.h"

namespace respd::server {
namespace {

constexpr uint32_t kRespdFlags = kAdmin | kNoscript | kLoading | kStale | kTestControl;

// ---- TIME -----------------------------------------------------------------------------------
// The server Clock: frozen, moved, or flowing from a virtual instant. Everything that reads time
// (TTLs, expiry, TIME, OBJECT IDLETIME, blocking timeouts, stream IDs) reads that one Clock.

// The latest instant the controls accept, 9999-12-31T23:59:59.999Z: far enough for any test, and
// any expire time derived from it stays well inside int64 microseconds.
constexpr int64_t kMaxUnixMs = 253402300799999;
constexpr int64_t kUsPerMs = 1000;

constexpr std::string_view kErrBadInstant =
    "ERR invalid time: unix-ms must be an integer between 0 and 253402300799999";
constexpr std::string_view kErrBadAdvance =
    "ERR invalid time: ms must be an integer between 0 and 253402300799999";
constexpr std::string_view kErrPastMax =
    "ERR invalid time: the clock would pass 253402300799999 (9999-12-31T23:59:59.999Z)";

std::string_view ClockMode(const storage::Clock& clock) {
  if (clock.frozen()) return "frozen";
  return clock.offset_us() == 0 ? "real" : "flowing";
}

// Replies the clock's new now, and lets the commands after this one in the same batch or
// transaction read it: they would otherwise keep the instant taken before the move.
void ReplyMoved(CommandContext& ctx) {
  int64_t now_ms = ctx.server.clock.NowMs();
  storage::SetCommandTimeMs(now_ms);
  ctx.reply.Integer(now_ms);
}

// RESPD TIME
void ReplyTimeStatus(CommandContext& ctx) {
  const storage::Clock& clock = ctx.server.clock;
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk(ClockMode(clock));
  ctx.reply.Bulk("now-ms");
  ctx.reply.Integer(clock.NowMs());
}

// RESPD TIME FREEZE [unix-ms] | ADVANCE ms | SET unix-ms | RESUME | REAL
void CmdTime(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    ReplyTimeStatus(ctx);
    return;
  }
  storage::Clock& clock = ctx.server.clock;
  std::string_view verb = ctx.args[2];
  size_t extra = ctx.args.size() - 3;
  ArgParser parser(ctx.args, 3);
  if (IsKeyword(verb, "freeze") && extra <= 1) {
    if (extra == 0) {
      if (!clock.frozen()) clock.Freeze();
    } else {
      int64_t at_ms = parser.NextInt64InRange(0, kMaxUnixMs, kErrBadInstant);
      if (!parser.Finalize(ctx)) return;
      clock.FreezeAt(at_ms * kUsPerMs);
    }
  } else if (IsKeyword(verb, "advance") && extra == 1) {
    int64_t delta_ms = parser.NextInt64InRange(0, kMaxUnixMs, kErrBadAdvance);
    if (!parser.Finalize(ctx)) return;
    if (clock.NowMs() > kMaxUnixMs - delta_ms) {
      ctx.reply.Error(kErrPastMax);
      return;
    }
    clock.Advance(delta_ms * kUsPerMs);
  } else if (IsKeyword(verb, "set") && extra == 1) {
    int64_t at_ms = parser.NextInt64InRange(0, kMaxUnixMs, kErrBadInstant);
    if (!parser.Finalize(ctx)) return;
    clock.Set(at_ms * kUsPerMs);
  } else if (IsKeyword(verb, "resume") && extra == 0) {
    if (clock.frozen()) clock.Unfreeze();
  } else if (IsKeyword(verb, "real") && extra == 0) {
    clock.Real();
  } else {
    ctx.reply.Error(SubcommandSyntaxError("respd", std::string("time ") + std::string(verb)));
    return;
  }
  ReplyMoved(ctx);
}

// ---- HELP -----------------------------------------------------------------------------------

// Redis's addReplyHelp layout: a heading, then each subcommand's synopsis and its indented text.
constexpr std::string_view kHelpLines[] = {
    "RESPD <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "TIME",
    "    Show the server clock: its mode (real, frozen, or flowing from a moved",
    "    instant) and now in Unix milliseconds.",
    "TIME FREEZE [<unix-ms>]",
    "    Stop the clock at now, or at <unix-ms>. Returns the new now.",
    "TIME ADVANCE <ms>",
    "    Move the clock forward by <ms> milliseconds, frozen or not. Keys expire,",
    "    blocking timeouts fire as if the time had passed.",
    "TIME SET <unix-ms>",
    "    Put the clock at <unix-ms> (backwards too), frozen there if it was frozen.",
    "TIME RESUME",
    "    Let a frozen clock flow again from its frozen instant.",
    "TIME REAL",
    "    Go back to the wall clock.",
    "FAULT ADD [COMMAND <name>]... [KEY <glob>] [CLIENT <name-glob>] [DB <n>] [AFTER <n>]",
    "          [TIMES <n>] [PROBABILITY <p>] ERROR <text>|DELAY <ms>|CLOSE BEFORE|AFTER|NOREPLY",
    "    Add a fault rule; returns its id. AFTER skips the first matches, TIMES removes",
    "    the rule after firing that often.",
    "FAULT LIST | FAULT DEL <id> | FAULT CLEAR",
    "    List the rules with their counters, delete one, or clear all and both modes.",
    "FAULT LOADING|READONLY on|off",
    "    Refuse every command as while loading, or writes as a read-only replica.",
    "FAULT DOWN <ms>",
    "    Close every connection (this one after its OK) and refuse new ones for <ms>",
    "    real milliseconds, as a restart looks from outside. Data is kept.",
    "JOURNAL ON|OFF|RESET",
    "    Start or stop recording commands, or forget what was recorded. The newest",
    "    journal-max-len commands are kept.",
    "JOURNAL GET [<filters>] [COUNT <n>]",
    "    Recorded commands, oldest first. Filters: CLIENT <name-glob> LIB <lib-name>",
    "    COMMAND <name> [<name> ...] KEY <glob> SINCE <seq>.",
    "JOURNAL COUNT [<filters>]",
    "    How many recorded commands match.",
    "JOURNAL WAIT [<filters>] [MIN <n>] TIMEOUT <ms>",
    "    Wait until at least <n> (default 1) match, or <ms> pass (0: no limit);",
    "    returns how many match.",
    "DB LEASE",
    "    Reserve an empty database for this connection until it closes or releases",
    "    it; returns its index (never 0, never one leased to another connection).",
    "DB RELEASE <index>",
    "    End this connection's lease of <index> and flush that database.",
    "DB LIST",
    "    Leased databases and the id of the client holding each.",
    "SNAPSHOT SAVE <name> [DB <index>]",
    "    Copy every key of this connection's database (or <index>) under <name>,",
    "    TTLs kept as absolute expire times.",
    "SNAPSHOT RESTORE <name> [DB <index>]",
    "    Make the database hold exactly the keys of <name>, atomically.",
    "SNAPSHOT DEL <name> | SNAPSHOT LIST",
    "    Delete a snapshot, or list each snapshot with its number of keys.",
    "SEED <n>",
    "    Seed every random choice (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER,",
    "    RANDOMKEY, fault PROBABILITY, Lua's math.random): same seed, same replies.",
    "RESET",
    "    Put data, config, scripts, functions, faults, journal, clock, leases,",
    "    snapshots and the seed back to their start-up state.",
    "HELP",
    "    Prints this help.",
};

// RESPD HELP
void CmdHelp(CommandContext& ctx) {
  ctx.reply.ArrayHeader(std::size(kHelpLines));
  for (std::string_view line : kHelpLines) ctx.reply.SimpleString(line);
}

constexpr CommandSpec kSubcommands[] = {
    {.name = "help",
     .arity = 2,
     .flags = kRespdFlags,
     .handler = CmdHelp},
    {.name = "time",
     .arity = -2,
     .flags = kRespdFlags,
     .handler = CmdTime},
    {.name = "fault",
     .arity = -3,
     .flags = kRespdFlags,
     .handler = CmdRespdFault},
    {.name = "journal",
     .arity = -3,
     .flags = kRespdFlags,
     .handler = CmdRespdJournal},
    // DB, SNAPSHOT and RESET read or replace whole databases; SEED reseeds Lua's generator, which
    // no script may be using: all four hold every shard lock.
    {.name = "db", .arity = -3, .flags = kRespdFlags | kLockAll, .handler = CmdRespdDb},
    {.name = "snapshot", .arity = -3, .flags = kRespdFlags | kLockAll, .handler = CmdRespdSnapshot},
    {.name = "seed", .arity = 3, .flags = kRespdFlags | kLockAll, .handler = CmdRespdSeed},
    {.name = "reset", .arity = 2, .flags = kRespdFlags | kLockAll, .handler = CmdRespdReset},
};

constexpr CommandSpec kRows[] = {
    {.name = "respd",
     .arity = -2,
     .flags = kRespdFlags,
     .handler = CmdContainer,
     .subcommands = kSubcommands},
};

}  // namespace

void RegisterRespdFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
