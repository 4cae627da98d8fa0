// Scripting commands: EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT FCALL FCALL_RO FUNCTION. Scripts and
// functions run under every shard lock (kLockAll) and the engine mutex, so they are atomic.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/commands/handler_support.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "server/scripting/engine.h"
#include "storage/glob.h"
#include "storage/numbers.h"
#include "storage/rdb_format.h"
#include "storage/rdb_value.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrNoScript = "NOSCRIPT No matching script. Please use EVAL.";
constexpr std::string_view kErrKeysNegative = "ERR Number of keys can't be negative";
constexpr std::string_view kErrKeysTooMany =
    "ERR Number of keys can't be greater than number of args";
constexpr std::string_view kErrBadNumKeys = "ERR Bad number of keys provided";
constexpr std::string_view kErrFunctionNotFound = "ERR Function not found";
constexpr std::string_view kErrRoWithWriteFunction =
    "ERR Can not execute a script with write flag using *_ro command.";

// The engine's lock, for a command that needs the Lua state, the script cache or the libraries. A
// script that began after the command was admitted holds it: once that script is past
// busy-reply-threshold the command is refused BUSY (CommandContext::refused_busy), as Redis
// refuses what it reads during a busy script, rather than leaving its thread (and a SCRIPT KILL that
// may arrive there) waiting. Holds no lock when refused.
std::unique_lock<std::timed_mutex> LockEngine(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripting;
  std::unique_lock lock(engine.mutex(), std::try_to_lock);
  while (!lock.owns_lock()) {
    if (ctx.mode == ExecutionMode::kNormal && engine.busy()) {
      ctx.refused_busy = true;
      break;
    }
    lock.try_lock_for(std::chrono::milliseconds(1));
  }
  return lock;
}

// Reads numkeys, which the keys follow. FCALL words a non-integer differently from EVAL.
size_t NextNumKeys(ArgParser& parser, std::string_view not_integer_error) {
  int64_t n = parser.NextInt64(not_integer_error);
  parser.FailUnless(n <= static_cast<int64_t>(parser.Remaining()), kErrKeysTooMany);
  parser.FailUnless(n >= 0, kErrKeysNegative);
  return static_cast<size_t>(n);
}

// The keys of EVAL and FCALL: numkeys at position 2 (0 allowed), then the keys.
bool ScriptKeys(Args args, std::vector<int>* positions) {
  if (args.size() < 3) return false;
  auto n = storage::ParseInt64(args[2]);
  if (!n || *n < 0 || *n > static_cast<int64_t>(args.size()) - 3) return false;
  for (int i = 0; i < *n; ++i) positions->push_back(3 + i);
  return true;
}

// Redis shows a script call to MONITOR before its script runs (the command is skip-monitor so the
// pipeline's after hook does not show it again).
void FeedMonitors(CommandContext& ctx) {
  if (ctx.server.monitors.active()) ctx.server.monitors.Feed(ctx.client, false, ctx.args);
}

void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  FeedMonitors(ctx);
  // A sha of the wrong length can never match, and Redis says so before looking at numkeys.
  if (by_sha && ctx.args[1].size() != 40) {
    ctx.reply.Error(kErrNoScript);
    return;
  }
  ArgParser parser(ctx.args, 2);
  Args keys = parser.NextSpan(NextNumKeys(parser, kErrNotInteger));
  Args argv = parser.Rest();
  if (!parser.Finalize(ctx)) return;
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  std::string sha;
  if (by_sha) {
    sha.assign(ctx.args[1]);
    std::transform(sha.begin(), sha.end(), sha.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (!engine.HasScript(sha)) {
      ctx.reply.Error(kErrNoScript);
      return;
    }
  } else {
    std::string error;
    if (!engine.CreateScript(ctx.args[1], &sha, &error)) {
      ctx.reply.Error(error);
      return;
    }
  }
  // Scripts with a shebang declare their writes: EVAL_RO only runs those flagged no-writes.
  const CachedScript* script = engine.FindScript(sha);
  if (read_only && script->shebang && !(script->flags & kScriptNoWrites)) {
    ctx.reply.Error(kErrRoWithWriteFunction);
    return;
  }
  engine.RunScript(ctx, sha, keys, argv, read_only);
  // A script propagates as the writes it made (Redis 7 replicates effects), never as itself.
  ctx.PreventPropagation();
}

// EVAL script numkeys [key ...] [arg ...]
void CmdEval(CommandContext& ctx) { EvalGeneric(ctx, false, false); }
void CmdEvalRo(CommandContext& ctx) { EvalGeneric(ctx, false, true); }
// EVALSHA sha1 numkeys [key ...] [arg ...]
void CmdEvalSha(CommandContext& ctx) { EvalGeneric(ctx, true, false); }
void CmdEvalShaRo(CommandContext& ctx) { EvalGeneric(ctx, true, true); }

void FcallGeneric(CommandContext& ctx, bool read_only) {
  FeedMonitors(ctx);
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  const FunctionInfo* fn = engine.FindFunction(ctx.args[1]);
  if (fn == nullptr) {
    ctx.reply.Error(kErrFunctionNotFound);
    return;
  }
  ArgParser parser(ctx.args, 2);
  Args keys = parser.NextSpan(NextNumKeys(parser, kErrBadNumKeys));
  Args argv = parser.Rest();
  if (!parser.Finalize(ctx)) return;
  if (read_only && !(fn->flags & kScriptNoWrites)) {
    ctx.reply.Error(kErrRoWithWriteFunction);
    return;
  }
  engine.RunFunction(ctx, *fn, keys, argv, read_only);
  // A function propagates as the writes it made, never as itself.
  ctx.PreventPropagation();
}

// FCALL function numkeys [key ...] [arg ...]
void CmdFcall(CommandContext& ctx) { FcallGeneric(ctx, false); }
void CmdFcallRo(CommandContext& ctx) { FcallGeneric(ctx, true); }

void ReplyLines(CommandContext& ctx, std::span<const std::string_view> lines) {
  ctx.reply.ArrayHeader(lines.size());
  for (std::string_view line : lines) ctx.reply.SimpleString(line);
}

// SCRIPT HELP
void CmdScriptHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.",
  };
  ReplyLines(ctx, kLines);
}

// SCRIPT LOAD script
void CmdScriptLoad(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  std::string sha, error;
  if (!engine.CreateScript(ctx.args[2], &sha, &error)) {
    ctx.reply.Error(error);
    return;
  }
  ctx.reply.Bulk(sha);
}

// SCRIPT EXISTS sha1 [sha1 ...]
void CmdScriptExists(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (std::string_view arg : ctx.args.subspan(2)) {
    std::string sha(arg);
    std::transform(sha.begin(), sha.end(), sha.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    ctx.reply.Integer(engine.HasScript(sha) ? 1 : 0);
  }
}

// FLUSH [ASYNC|SYNC] of SCRIPT and FUNCTION: false after replying `error`.
bool FlushModeOk(CommandContext& ctx, std::string_view error) {
  ArgParser parser(ctx.args, 2);
  if (!parser.Accept("SYNC")) parser.Accept("ASYNC");
  parser.FailUnless(!parser.HasNext(), error);
  return parser.Check(ctx);
}

// SCRIPT FLUSH [ASYNC|SYNC]
void CmdScriptFlush(CommandContext& ctx) {
  if (!FlushModeOk(ctx, "ERR SCRIPT FLUSH only support SYNC|ASYNC option")) return;
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  engine.FlushScripts();
  ctx.reply.Ok();
}

void ReplyKill(CommandContext& ctx, bool function) {
  std::string_view error = ctx.server.scripting.Kill(function);
  if (error.empty()) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(error);
  }
}

// SCRIPT KILL / FUNCTION KILL: no lock, so they reach a script holding every lock.
void CmdScriptKill(CommandContext& ctx) { ReplyKill(ctx, false); }
void CmdFunctionKill(CommandContext& ctx) { ReplyKill(ctx, true); }

// FUNCTION HELP
void CmdFunctionHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME "
      "argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using "
      "FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a "
      "restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
      "abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
      "replace the old",
      "      libraries with the new libraries (notice that even on this option there is a "
      "chance of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help.",
  };
  ReplyLines(ctx, kLines);
}

// FUNCTION LOAD [REPLACE] function-code
void CmdFunctionLoad(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  bool replace = false;
  // Every argument before the last is an option, and REPLACE may repeat.
  while (parser.Remaining() > 1) {
    if (parser.Accept("REPLACE")) {
      replace = true;
    } else {
      // Redis formats the option as a C string: a NUL ends it.
      parser.Fail("ERR Unknown option given: " + std::string(AsCString(parser.Peek())));
    }
  }
  std::string_view code = parser.Next();
  if (!parser.Finalize(ctx)) return;
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  std::string name;
  std::string error = engine.LoadLibrary(code, replace, &name);
  if (!error.empty()) {
    // Redis sends load errors as they are (addReplyErrorSds): newlines from the code stay.
    ctx.reply.Raw("-" + error + "\r\n");
    return;
  }
  ctx.AddDirty();
  ctx.reply.Bulk(name);
}

// FUNCTION DELETE library-name
void CmdFunctionDelete(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  std::string error = engine.DeleteLibrary(ctx.args[2]);
  if (!error.empty()) {
    ctx.reply.Error(error);
    return;
  }
  ctx.AddDirty();
  ctx.reply.Ok();
}

// FUNCTION FLUSH [ASYNC|SYNC]
void CmdFunctionFlush(CommandContext& ctx) {
  // Unlike SCRIPT FLUSH, FUNCTION FLUSH counts its arguments before reading the mode.
  if (ctx.args.size() > 3) return ctx.reply.Error(SubcommandSyntaxError(ctx.args[0], ctx.args[1]));
  if (!FlushModeOk(ctx, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option")) return;
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  engine.FlushLibraries();
  ctx.AddDirty();
  ctx.reply.Ok();
}

void ReplyFunction(CommandContext& ctx, const FunctionInfo& fn) {
  ctx.reply.MapHeader(3);
  ctx.reply.Bulk("name");
  ctx.reply.Bulk(fn.name);
  ctx.reply.Bulk("description");
  if (fn.description.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(fn.description);
  }
  ctx.reply.Bulk("flags");
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kScriptNoWrites, "no-writes"},
      {kScriptAllowOom, "allow-oom"},
      {kScriptAllowStale, "allow-stale"},
      {kScriptNoCluster, "no-cluster"},
      {kScriptAllowCrossSlot, "allow-cross-slot-keys"}};
  size_t n = 0;
  for (const auto& [flag, name] : kNames) n += (fn.flags & flag) ? 1 : 0;
  ctx.reply.SetHeader(n);
  for (const auto& [flag, name] : kNames) {
    if (fn.flags & flag) ctx.reply.SimpleString(name);
  }
}

// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
void CmdFunctionList(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  bool with_code = false;
  std::optional<std::string_view> pattern;
  std::optional<std::string_view> unknown;
  while (parser.HasNext() && !unknown) {
    if (!with_code && parser.Accept("WITHCODE")) {
      with_code = true;
    } else if (!pattern && parser.Accept("LIBRARYNAME")) {
      parser.FailUnless(parser.HasNext(), "ERR library name argument was not given");
      pattern = parser.Next();
    } else {
      unknown = parser.Next();
    }
  }
  if (!parser.Check(ctx)) return;
  if (unknown) {
    // Redis echoes the argument as a C string, up to a NUL, its CR and LF as spaces: even
    // trailing ones, which Error() would drop.
    std::string error = "-ERR Unknown argument " + std::string(AsCString(*unknown));
    std::replace_if(
        error.begin(), error.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    ctx.reply.Raw(error + "\r\n");
    return;
  }
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  std::vector<const LibraryInfo*> libraries;
  for (const auto& [name, library] : engine.libraries()) {
    if (pattern && !storage::GlobMatch(*pattern, name, false)) continue;
    libraries.push_back(&library);
  }
  ctx.reply.ArrayHeader(libraries.size());
  for (const LibraryInfo* library : libraries) {
    ctx.reply.MapHeader(with_code ? 4 : 3);
    ctx.reply.Bulk("library_name");
    ctx.reply.Bulk(library->name);
    ctx.reply.Bulk("engine");
    ctx.reply.Bulk("LUA");
    ctx.reply.Bulk("functions");
    ctx.reply.ArrayHeader(library->functions.size());
    for (const auto& [name, fn] : library->functions) ReplyFunction(ctx, fn);
    if (with_code) {
      ctx.reply.Bulk("library_code");
      ctx.reply.Bulk(library->code);
    }
  }
}

// FUNCTION DUMP: Redis's payload (each library's code after its opcode, then the RDB version and
// CRC-64), so that libraries move between respd and Redis either way.
void CmdFunctionDump(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  storage::rdb::Writer writer(RdbCompression(ctx.server.config));
  for (const auto& [name, library] : engine.libraries()) {
    writer.Byte(storage::rdb::kOpFunction2);
    writer.String(library.code);
  }
  ctx.reply.Bulk(storage::rdb::FinishPayload(writer.Take()));
}

// The library codes of a FUNCTION RESTORE payload whose trailer checked out, read as Redis's
// functionRestoreCommand and rdbFunctionLoad read them (a library may run into the trailer; reading
// stops where the trailer begins); Redis's error text if one is malformed.
std::optional<std::string> ReadLibraryCodes(std::string_view payload,
                                            std::vector<std::string>* codes) {
  storage::rdb::Reader reader(payload);
  while (reader.remaining() > storage::rdb::kTrailerSize) {
    uint8_t type;
    if (!reader.Byte(&type)) return "ERR can not read data type";
    if (type == storage::rdb::kOpFunction2) {
      std::string code;
      if (!reader.String(&code)) return "ERR Failed loading library payload";
      codes->push_back(std::move(code));
      continue;
    }
    if (type != storage::rdb::kOpFunctionPreGa) return "ERR given type is not a function";
    std::string name, engine_name, description, code;
    uint64_t has_description;
    if (!reader.String(&name)) return "ERR Failed loading library name";
    if (!reader.String(&engine_name)) return "ERR Failed loading engine name";
    if (!reader.Length(&has_description)) {
      return "ERR Failed loading library description indicator";
    }
    if (has_description && !reader.String(&description)) {
      return "ERR Failed loading library description";
    }
    if (!reader.String(&code)) return "ERR Failed loading library blob";
    codes->push_back("#!" + engine_name + " name=" + name + "\n" + code);
  }
  return std::nullopt;
}

// FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE]
void CmdFunctionRestore(CommandContext& ctx) {
  if (ctx.args.size() > 4) return ctx.reply.Error(SubcommandSyntaxError(ctx.args[0], ctx.args[1]));
  enum class Policy { kAppend, kFlush, kReplace };
  ArgParser parser(ctx.args, 2);
  std::string_view payload = parser.Next();
  Policy policy = Policy::kAppend;
  if (parser.HasNext()) {
    policy = parser.NextOneOf<Policy>(
        {{"FLUSH", Policy::kFlush}, {"APPEND", Policy::kAppend}, {"REPLACE", Policy::kReplace}},
        "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
  }
  if (!parser.Finalize(ctx)) return;
  if (!storage::rdb::PayloadTrailerValid(payload)) {
    ctx.reply.Error(kErrBadDumpPayload);
    return;
  }
  std::vector<std::string> codes;
  if (std::optional<std::string> error = ReadLibraryCodes(payload, &codes)) {
    ctx.reply.Error(*error);
    return;
  }
  ScriptEngine& engine = ctx.server.scripting;
  auto lock = LockEngine(ctx);
  if (!lock) return;
  // All or nothing: keep the current libraries to put back if one fails.
  std::vector<std::string> previous;
  for (const auto& [name, library] : engine.libraries()) previous.push_back(library.code);
  std::string error;
  if (policy == Policy::kAppend) {
    // Redis checks every library name of the payload before loading any, with its own text.
    for (std::string_view code : codes) {
      std::string library = ScriptEngine::LibraryNameOf(code);
      if (engine.libraries().contains(library)) {
        ctx.reply.Error("ERR Library " + library + " already exists");
        return;
      }
    }
  }
  if (policy == Policy::kFlush) engine.FlushLibraries();
  for (std::string_view code : codes) {
    std::string name;
    error = engine.LoadLibrary(code, policy == Policy::kReplace, &name);
    if (!error.empty()) break;
  }
  if (!error.empty()) {
    engine.FlushLibraries();
    std::string name;
    for (const std::string& code : previous) engine.LoadLibrary(code, false, &name);
    ctx.reply.Error(error);
    return;
  }
  ctx.AddDirty();
  ctx.reply.Ok();
}

// FUNCTION STATS: answered without the engine mutex, even while a script runs.
void CmdFunctionStats(CommandContext& ctx) {
  ScriptEngine& engine = ctx.server.scripting;
  ScriptEngine::RunningInfo info;
  bool running = engine.Running(&info);
  // Redis describes running functions only; a running EVAL script gets the BUSY answer.
  if (running && !info.is_function) {
    ctx.reply.Error(engine.BusyError());
    return;
  }
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("running_script");
  if (running) {
    ctx.reply.MapHeader(3);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(info.name);
    ctx.reply.Bulk("command");
    ctx.reply.ArrayHeader(info.command.size());
    for (const std::string& arg : info.command) ctx.reply.Bulk(arg);
    ctx.reply.Bulk("duration_ms");
    ctx.reply.Integer(info.duration_ms);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Bulk("engines");
  ctx.reply.MapHeader(1);
  ctx.reply.Bulk("LUA");
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("libraries_count");
  ctx.reply.Integer(static_cast<int64_t>(engine.library_count()));
  ctx.reply.Bulk("functions_count");
  ctx.reply.Integer(static_cast<int64_t>(engine.functions_total()));
}

constexpr CommandSpec kScriptSubcommands[] = {
    {.name = "help",
     .arity = 2,
     .flags = kLoading | kStale,
     .handler = CmdScriptHelp},
    {.name = "exists",
     .arity = -3,
     .flags = kNoscript,
     .handler = CmdScriptExists},
    {.name = "flush",
     .arity = -2,
     .flags = kNoscript,
     .handler = CmdScriptFlush},
    {.name = "load",
     .arity = 3,
     .flags = kNoscript | kStale,
     .handler = CmdScriptLoad},
    {.name = "kill",
     .arity = 2,
     .flags = kNoscript | kAllowBusy,
     .handler = CmdScriptKill},
};

constexpr CommandSpec kFunctionSubcommands[] = {
    {.name = "list",
     .arity = -2,
     .flags = kNoscript,
     .handler = CmdFunctionList},
    {.name = "flush",
     .arity = -2,
     .flags = kWrite | kNoscript,
     .handler = CmdFunctionFlush},
    {.name = "load",
     .arity = -3,
     .flags = kWrite | kDenyOom | kNoscript,
     .handler = CmdFunctionLoad},
    {.name = "delete",
     .arity = 3,
     .flags = kWrite | kNoscript,
     .handler = CmdFunctionDelete},
    {.name = "help",
     .arity = 2,
     .flags = kLoading | kStale,
     .handler = CmdFunctionHelp},
    {.name = "restore",
     .arity = -3,
     .flags = kWrite | kDenyOom | kNoscript,
     .handler = CmdFunctionRestore},
    {.name = "dump",
     .arity = 2,
     .flags = kNoscript,
     .handler = CmdFunctionDump},
    {.name = "kill",
     .arity = 2,
     .flags = kNoscript | kAllowBusy,
     .handler = CmdFunctionKill},
    {.name = "stats",
     .arity = 2,
     .flags = kNoscript | kAllowBusy,
     .handler = CmdFunctionStats},
};

constexpr uint32_t kScriptCallFlags =
    kNoscript | kStale | kSkipMonitor | kNoMandatoryKeys | kMovableKeys | kLockAll;

constexpr CommandSpec kRows[] = {
    {.name = "eval",
     .arity = -3,
     .flags = kMayReplicate | kScriptCallFlags,
     .handler = CmdEval,
     .movable_keys = ScriptKeys},
    {.name = "evalsha",
     .arity = -3,
     .flags = kMayReplicate | kScriptCallFlags,
     .handler = CmdEvalSha,
     .movable_keys = ScriptKeys},
    {.name = "eval_ro",
     .arity = -3,
     .flags = kReadonly | kScriptCallFlags,
     .handler = CmdEvalRo,
     .movable_keys = ScriptKeys},
    {.name = "evalsha_ro",
     .arity = -3,
     .flags = kReadonly | kScriptCallFlags,
     .handler = CmdEvalShaRo,
     .movable_keys = ScriptKeys},
    {.name = "fcall",
     .arity = -3,
     .flags = kMayReplicate | kScriptCallFlags,
     .handler = CmdFcall,
     .movable_keys = ScriptKeys},
    {.name = "fcall_ro",
     .arity = -3,
     .flags = kReadonly | kScriptCallFlags,
     .handler = CmdFcallRo,
     .movable_keys = ScriptKeys},
    {.name = "script",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kScriptSubcommands},
    {.name = "function",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kFunctionSubcommands},
};

}  // namespace

void RegisterScriptingFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
