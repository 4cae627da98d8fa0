// Server commands: COMMAND (generated from the command table), INFO, CONFIG, MEMORY, TIME,
// SHUTDOWN, and what a master without replicas answers to ROLE and WAIT (DEBUG has its own file).
// Reads server state through ServerContext only; no sockets, no other family.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "server/commands/args.h"
#include "server/commands/command_introspection.h"
#include "server/commands/families.h"
#include "server/commands/info.h"
#include "server/commands/memory_report.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/glob.h"

namespace respd::server {
namespace {

// A key's share of its bucket array: one pointer-sized slot.
constexpr size_t kBucketSlotBytes = sizeof(void*);

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void ReplyHelp(CommandContext& ctx, std::span<const std::string_view> lines) {
  ctx.reply.ArrayHeader(lines.size());
  for (std::string_view line : lines) ctx.reply.SimpleString(line);
}

// ---- COMMAND ----------------------------------------------------------------------------------

std::string FullName(const CommandSpec& spec, const CommandSpec* container) {
  if (container == nullptr) return std::string(spec.name);
  return std::string(container->name) + "|" + std::string(spec.name);
}

// A command by its COMMAND INFO name: "get" or "config|get".
struct NamedCommand {
  const CommandSpec* spec = nullptr;
  const CommandSpec* container = nullptr;
};

NamedCommand FindByFullName(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return {table.Find(name), nullptr};
  const CommandSpec* container = table.Find(name.substr(0, bar));
  if (container == nullptr) return {};
  const CommandSpec* sub = CommandTable::FindSubcommand(*container, name.substr(bar + 1));
  return sub == nullptr ? NamedCommand{} : NamedCommand{sub, container};
}

// COMMAND (no subcommand)
void CmdCommand(CommandContext& ctx) {
  const auto& all = ctx.server.commands.all();
  ctx.reply.ArrayHeader(all.size());
  for (const CommandSpec* spec : all) ReplyCommandInfo(ctx, *spec, nullptr);
}

// COMMAND COUNT
void CmdCommandCount(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.commands.all().size()));
}

// COMMAND INFO [command-name ...]
void CmdCommandInfo(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    CmdCommand(ctx);
    return;
  }
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    NamedCommand found = FindByFullName(ctx.server.commands, ctx.args[i]);
    if (found.spec == nullptr) {
      ctx.reply.Null();
    } else {
      ReplyCommandInfo(ctx, *found.spec, found.container);
    }
  }
}

// COMMAND DOCS [command-name ...]
void CmdCommandDocs(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    const auto& all = ctx.server.commands.all();
    ctx.reply.MapHeader(all.size());
    for (const CommandSpec* spec : all) ReplyCommandDocs(ctx, *spec, nullptr);
    return;
  }
  std::vector<NamedCommand> found;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    NamedCommand command = FindByFullName(ctx.server.commands, ctx.args[i]);
    if (command.spec != nullptr) found.push_back(command);
  }
  ctx.reply.MapHeader(found.size());
  for (const NamedCommand& command : found) {
    ReplyCommandDocs(ctx, *command.spec, command.container);
  }
}

// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
void CmdCommandList(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern };
  ArgParser parser(ctx.args, 2);
  Filter filter = Filter::kNone;
  std::string value;
  if (parser.Accept("FILTERBY", 2)) {
    filter = parser.NextOneOf<Filter>(
        {{"MODULE", Filter::kModule}, {"ACLCAT", Filter::kAclCat}, {"PATTERN", Filter::kPattern}});
    value = parser.Next();
  }
  if (!parser.Finalize(ctx)) return;
  // Redis looks the category up as a C string, and matches the pattern whole.
  if (filter == Filter::kAclCat) value = "@" + Lower(AsCString(value));
  auto wanted = [&](const CommandSpec& spec, const CommandSpec* container,
                    const std::string& full_name) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;  // respd has no modules
      case Filter::kAclCat: {
        auto categories = CommandCategories(spec, container);
        return std::find(categories.begin(), categories.end(), value) != categories.end();
      }
      case Filter::kPattern:
        return storage::GlobMatch(value, full_name, /*nocase=*/true);
    }
    return false;
  };
  size_t token = ctx.reply.BeginDeferred();
  size_t count = 0;
  auto add = [&](const CommandSpec& spec, const CommandSpec* container) {
    std::string full_name = FullName(spec, container);
    if (!wanted(spec, container, full_name)) return;
    ctx.reply.Bulk(full_name);
    ++count;
  };
  for (const CommandSpec* spec : ctx.server.commands.all()) {
    add(*spec, nullptr);
    for (const CommandSpec& sub : spec->subcommands) add(sub, spec);
  }
  ctx.reply.EndDeferred(token, protocol::ReplyWriter::Aggregate::kArray, count);
}

// COMMAND GETKEYS command [arg ...]
void CmdCommandGetkeys(CommandContext& ctx) {
  ReplyCommandKeys(ctx, ctx.args.subspan(2), /*with_flags=*/false);
}

// COMMAND GETKEYSANDFLAGS command [arg ...]
void CmdCommandGetkeysAndFlags(CommandContext& ctx) {
  ReplyCommandKeys(ctx, ctx.args.subspan(2), /*with_flags=*/true);
}

// COMMAND HELP
void CmdCommandHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kLines);
}

// INFO [section ...]
void CmdInfo(CommandContext& ctx) {
  ctx.reply.Verbatim("txt", InfoText(ctx.server, ctx.args.subspan(1)));
}

// ---- CONFIG -----------------------------------------------------------------------------------

// CONFIG GET parameter [parameter ...]
void CmdConfigGet(CommandContext& ctx) {
  std::vector<std::string> patterns(ctx.args.begin() + 2, ctx.args.end());
  auto matches = ctx.server.config.Matching(patterns);
  ctx.reply.MapHeader(matches.size());
  for (const auto& [name, value] : matches) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

// CONFIG SET parameter value [parameter value ...]
void CmdConfigSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) {
    ctx.ReplySyntaxError();
    return;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    pairs.emplace_back(ctx.args[i], ctx.args[i + 1]);
  }
  std::string setting = ctx.server.config.Get("enable-protected-configs").text();
  const bool allow_protected = setting == "yes" || (setting == "local" && ctx.client.local);
  std::string error = ctx.server.config.SetAtRuntime(pairs, allow_protected);
  if (error.empty()) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(error);
  }
}

// CONFIG RESETSTAT
void CmdConfigResetstat(CommandContext& ctx) {
  ServerStats& stats = ctx.server.stats;
  stats.total_commands_processed.store(0);
  stats.total_reads_processed.store(0);
  stats.total_writes_processed.store(0);
  for (auto* counter :
       {&stats.total_connections_received, &stats.rejected_connections,
        &stats.total_net_input_bytes, &stats.total_net_output_bytes, &stats.total_error_replies,
        &stats.expire_cycle_usec, &stats.reply_buffer_shrinks, &stats.reply_buffer_expands}) {
    counter->store(0, std::memory_order_relaxed);
  }
  storage::KeyspaceStats& keyspace = ctx.server.store.stats();
  for (auto* counter : {&keyspace.expired_keys, &keyspace.evicted_keys, &keyspace.keyspace_hits,
                        &keyspace.keyspace_misses}) {
    counter->store(0, std::memory_order_relaxed);
  }
  ctx.server.memory_limit.ResetStats();
  ctx.server.persistence.ResetForkStats();
  ctx.server.store.lazy_freer().ResetStats();
  ctx.server.command_stats.Reset();
  ctx.server.command_latencies.Reset();
  ctx.reply.Ok();
}

// CONFIG REWRITE
void CmdConfigRewrite(CommandContext& ctx) {
  std::string error = ctx.server.config.Rewrite();
  if (error.empty()) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(error);
  }
}

// CONFIG HELP
void CmdConfigHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kLines);
}

// ---- MEMORY, TIME, SHUTDOWN ------------------------------------------------------------------

// MEMORY USAGE key [SAMPLES count]. Sizes are respd's own allocation sizes, not Redis's.
void CmdMemoryUsage(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  while (parser.HasNext()) {
    if (parser.Accept("SAMPLES", 1)) {
      // Checked as Redis checks it; respd's sizes are exact, not sampled.
      int64_t samples = parser.NextInt64();
      parser.FailUnless(samples >= 0, kErrSyntax);
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Finalize(ctx)) return;
  storage::Entry* entry = ctx.db().FindReadQuiet(ctx.args[2]);
  if (entry == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(entry->MemoryUsage() + kBucketSlotBytes));
}

// MEMORY HELP
void CmdMemoryHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return memory problems reports.",
      "MALLOC-STATS",
      "    Return internal statistics report from the memory allocator.",
      "PURGE",
      "    Attempt to purge dirty pages for reclamation by the allocator.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kLines);
}

// TIME
void CmdTime(CommandContext& ctx) {
  int64_t now_us = ctx.server.clock.NowUs();
  ctx.reply.ArrayHeader(2);
  ctx.reply.BulkInteger(now_us / 1'000'000);
  ctx.reply.BulkInteger(now_us % 1'000'000);
}

// respd is always a master: its stream's offset and each replica's address and acknowledged
// offset.
void CmdRole(CommandContext& ctx) {
  if (ctx.server.replica_link.is_replica()) {
    ReplicaLink::Status link = ctx.server.replica_link.status();
    ctx.reply.ArrayHeader(5);
    ctx.reply.Bulk("slave");
    ctx.reply.Bulk(link.host);
    ctx.reply.Integer(link.port);
    ctx.reply.Bulk(ReplicaLink::StateName(link.state));
    ctx.reply.Integer(
        link.state == ReplicaLink::State::kConnected ? static_cast<int64_t>(link.offset) : -1);
    return;
  }
  std::vector<ReplicaRegistry::ReplicaInfo> replicas = ctx.server.replicas.Replicas();
  ctx.reply.ArrayHeader(3);
  ctx.reply.Bulk("master");
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.replicas.offset()));
  ctx.reply.ArrayHeader(replicas.size());
  for (const ReplicaRegistry::ReplicaInfo& replica : replicas) {
    ctx.reply.ArrayHeader(3);
    ctx.reply.Bulk(replica.ip);
    ctx.reply.BulkInteger(replica.port);
    ctx.reply.BulkInteger(static_cast<int64_t>(replica.acked_offset));
  }
}

// WAIT numreplicas timeout: the replicas that acknowledged the stream's offset after the client's
// last command. Enough of them already, or where it may not block (MULTI), it answers at once;
// otherwise it asks replicas for acknowledgements (REPLCONF GETACK) and blocks like Redis's until
// enough came, its timeout in milliseconds (0: forever) or CLIENT UNBLOCK, which answer the count
// so far.
void CmdWait(CommandContext& ctx) {
  ArgParser parser(ctx.args, 1);
  int64_t replicas = parser.NextInt64();
  // Redis's getTimeoutFromObjectOrReply in milliseconds.
  int64_t timeout_ms = parser.NextInt64("ERR timeout is not an integer or out of range");
  parser.FailUnless(timeout_ms >= 0, "ERR timeout is negative");
  if (!parser.Check(ctx)) return;
  uint64_t offset = ctx.client.repl_offset;
  int64_t acknowledged = ctx.server.replicas.CountAcknowledged(offset);
  if (acknowledged >= replicas || !ctx.may_block() ||
      !ctx.server.blocking.BlockForReplicas(ctx, timeout_ms, offset, replicas)) {
    ctx.reply.Integer(acknowledged);
    return;
  }
  ctx.server.replicas.RequestAcknowledgements();
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: Redis's answers for a master without
// replicas, which respd always is: ABORT finds no failover in progress, and a well-formed request
// finds no replica to hand over to (replication.c's failoverCommand, in its order).
void CmdFailover(CommandContext& ctx) {
  if (ctx.args.size() == 2 && IsKeyword(ctx.args[1], "abort")) {
    return ctx.reply.Error("ERR No failover in progress.");
  }
  ArgParser parser(ctx.args);
  int64_t timeout_ms = 0;
  bool to = false, force = false;
  while (parser.HasNext()) {
    if (timeout_ms == 0 && parser.Accept("TIMEOUT", 1)) {
      timeout_ms = parser.NextInt64();
      parser.FailUnless(timeout_ms > 0, "ERR FAILOVER timeout must be greater than 0");
    } else if (!to && parser.Accept("TO", 2)) {
      parser.Next();
      parser.NextInt64();
      to = true;
    } else if (!force && parser.Accept("FORCE")) {
      force = true;
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  ctx.reply.Error("ERR FAILOVER requires connected replicas.");
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]. With save points, or SAVE, the RDB file is
// saved first (a background save is stopped), and a failed save keeps the server up unless FORCE.
// The server then stops at once, so there is never a shutdown in progress to abort.
void CmdShutdown(CommandContext& ctx) {
  ArgParser parser(ctx.args);
  bool save = false, nosave = false, now = false, force = false, abort = false;
  while (parser.HasNext()) {
    if (parser.Accept("NOSAVE")) {
      nosave = true;
    } else if (parser.Accept("SAVE")) {
      save = true;
    } else if (parser.Accept("NOW")) {
      now = true;
    } else if (parser.Accept("FORCE")) {
      force = true;
    } else if (parser.Accept("ABORT")) {
      abort = true;
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  parser.FailUnless(!(abort && (save || nosave || now || force)) && !(save && nosave), kErrSyntax);
  if (!parser.Finalize(ctx)) return;
  if (abort) {
    ctx.reply.Error("ERR No shutdown in progress.");
    return;
  }
  // Only NOSAVE may stop a server whose script is stuck: what BUSY tells users to send.
  if (!nosave && ctx.server.scripting.busy()) {
    ctx.reply.Error(ctx.server.scripting.BusyError());
    return;
  }
  spdlog::warn("User requested shutdown...");
  if (!ctx.server.persistence.SaveBeforeShutdown(ctx.server, save, nosave)) {
    if (!force) {
      spdlog::warn("Error trying to save the DB, can't exit.");
      ctx.reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
      return;
    }
    spdlog::warn("Error trying to save the DB. Exit anyway.");
  }
  ctx.client.close_after_reply = true;
  if (ctx.server.request_shutdown) ctx.server.request_shutdown();
}

// ---- The table --------------------------------------------------------------------------------

constexpr uint32_t kCommandFlags = kLoading | kStale;

constexpr CommandSpec kCommandSubcommands[] = {
    {.name = "count",
     .arity = 2,
     .flags = kCommandFlags,
     .handler = CmdCommandCount},
    {.name = "info",
     .arity = -2,
     .flags = kCommandFlags,
     .handler = CmdCommandInfo},
    {.name = "docs",
     .arity = -2,
     .flags = kCommandFlags,
     .handler = CmdCommandDocs},
    {.name = "list",
     .arity = -2,
     .flags = kCommandFlags,
     .handler = CmdCommandList},
    {.name = "getkeys",
     .arity = -4,
     .flags = kCommandFlags,
     .handler = CmdCommandGetkeys},
    {.name = "getkeysandflags",
     .arity = -4,
     .flags = kCommandFlags,
     .handler = CmdCommandGetkeysAndFlags},
    {.name = "help",
     .arity = 2,
     .flags = kCommandFlags,
     .handler = CmdCommandHelp},
};

constexpr CommandSpec kConfigSubcommands[] = {
    {.name = "get",
     .arity = -3,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdConfigGet},
    {.name = "set",
     .arity = -4,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdConfigSet},
    {.name = "resetstat",
     .arity = 2,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdConfigResetstat},
    {.name = "rewrite",
     .arity = 2,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdConfigRewrite},
    {.name = "help",
     .arity = 2,
     .flags = kLoading | kStale,
     .handler = CmdConfigHelp},
};

constexpr CommandSpec kMemorySubcommands[] = {
    {.name = "usage",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdMemoryUsage},
    {.name = "help",
     .arity = 2,
     .flags = kLoading | kStale,
     .handler = CmdMemoryHelp},
    {.name = "stats", .arity = 2, .flags = kLockAll, .handler = CmdMemoryStats},
    {.name = "doctor", .arity = 2, .flags = kLockAll, .handler = CmdMemoryDoctor},
    {.name = "malloc-stats", .arity = 2, .flags = 0, .handler = CmdMemoryMallocStats},
    {.name = "purge", .arity = 2, .flags = 0, .handler = CmdMemoryPurge},
};

constexpr CommandSpec kRows[] = {
    {.name = "command",
     .arity = -1,
     .flags = kCommandFlags,
     .handler = CmdCommand,
     .subcommands = kCommandSubcommands},
    {.name = "info",
     .arity = -1,
     .flags = kLoading | kStale | kLockAll,
     .handler = CmdInfo},
    {.name = "config",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kConfigSubcommands},
    {.name = "memory",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kMemorySubcommands},
    {.name = "time",
     .arity = 1,
     .flags = kLoading | kStale | kFast,
     .handler = CmdTime},
    {.name = "role",
     .arity = 1,
     .flags = kNoscript | kLoading | kStale | kFast,
     .handler = CmdRole},
    {.name = "wait", .arity = 3, .flags = kNoscript, .handler = CmdWait},
    {.name = "failover",
     .arity = -1,
     .flags = kAdmin | kNoscript | kStale,
     .handler = CmdFailover},
    {.name = "shutdown",
     .arity = -1,
     .flags = kAdmin | kNoscript | kLoading | kStale | kNoMulti | kAllowBusy,
     .handler = CmdShutdown},
};

}  // namespace

void RegisterServerFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
