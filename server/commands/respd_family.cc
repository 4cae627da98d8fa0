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
    // DB, SNAPSHOT, SEED and RESET lines go here.
    "HELP",
    "    Prints this help.",
};

// RESPD HELP
void CmdHelp(CommandContext& ctx) {
  ctx.reply.ArrayHeader(std::size(kHelpLines));
  for (std::string_view line : kHelpLines) ctx.reply.SimpleString(line);
}

void CmdContainer(CommandContext& ctx) {}

constexpr CommandSpec kSubcommands[] = {
    {.name = "help",
     .arity = 2,
     .flags = kRespdFlags,
     .handler = CmdHelp,
     .group = "server",
     .since = "respd 0.1.0",
     .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {.name = "time",
     .arity = -2,
     .flags = kRespdFlags,
     .handler = CmdTime,
     .group = "server",
     .since = "respd 0.1.0",
     .summary = "Show, freeze, move or release the server clock",
     .complexity = "O(1), plus O(N) for N blocked clients re-checking their timeouts when the "
                   "clock moves"},
    {.name = "fault",
     .arity = -3,
     .flags = kRespdFlags,
     .handler = CmdRespdFault,
     .group = "server",
     .since = "respd 0.1.0",
     .summary = "Add, list, delete or clear fault rules (errors, latency, closed connections, "
                "no reply), or switch the LOADING and READONLY modes",
     .complexity = "O(N) for N fault rules"},
    {.name = "journal",
     .arity = -3,
     .flags = kRespdFlags,
     .handler = CmdRespdJournal,
     .group = "server",
     .since = "respd 0.1.0",
     .summary = "Record the commands the server runs, and get, count or wait for them",
     .complexity = "O(N) for N journal entries"},
    // DB, SNAPSHOT, SEED and RESET rows go here.
};

constexpr CommandSpec kRows[] = {
    {.name = "respd",
     .arity = -2,
     .flags = kRespdFlags,
     .handler = CmdContainer,
     .group = "server",
     .since = "respd 0.1.0",
     .summary = "A container for respd's test controls: time, faults, journal, databases",
     .complexity = "Depends on subcommand.",
     .subcommands = kSubcommands},
};

}  // namespace

void RegisterRespdFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
