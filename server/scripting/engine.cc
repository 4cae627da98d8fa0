// The Lua state, the script cache, running a script, BUSY and SCRIPT KILL. The sandbox around
// scripts is scripting_sandbox.cc.
#include "server/scripting/engine.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

extern "C" {
#include <lauxlib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>
#include <lua.h>
#include <lualib.h>
}

#include "protocol/resp_parser.h"
#include "server/dispatch/command.h"
#include "server/dispatch/errors.h"
#include "server/scripting/lua_redis.h"
#include "server/scripting/sandbox.h"
#include "server/scripting/sha1.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

// The registry slots the engine keeps.
constexpr char kEngineKey[] = "respd.engine";
// Redis checks for SCRIPT KILL and the busy threshold every this many Lua instructions.
constexpr int kHookInstructions = 100000;

constexpr std::string_view kErrCompile = "ERR Error compiling script (new function): ";
// Redis 7.0's LOAD_TIMEOUT_MS: a library whose top-level code runs longer is refused instead of
// holding its thread forever (no client could stop it: FUNCTION LOAD is not a script).
constexpr int64_t kLoadTimeoutMs = 500;
constexpr std::string_view kErrLoadTimeout = "FUNCTION LOAD timeout";
// Redis cuts the message of an error its message handler could not shape ("%.100s").
constexpr size_t kMaxRunErrorLength = 100;
// Redis 7.0 gives FUNCTION KILL's victims SCRIPT KILL's text too.
constexpr std::string_view kErrKilled = "Script killed by user with SCRIPT KILL...";
// Unwinds a script the server stops in; its caller gets no reply, as from Redis, which exits.
constexpr std::string_view kErrShuttingDown = "Script aborted: the server is shutting down";
constexpr std::string_view kErrNotBusy = "NOTBUSY No scripts in execution right now.";
constexpr std::string_view kErrUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";

int64_t SteadyUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void OpenLibrary(lua_State* lua, lua_CFunction open, const char* name) {
  lua_pushcfunction(lua, open);
  lua_pushstring(lua, name);
  lua_call(lua, 1, 1);
  // cjson, cmsgpack and struct only return their table; scripts see them as globals. The base
  // library returns the globals themselves.
  if (lua_istable(lua, -1) && *name != '\0') {
    lua_setfield(lua, LUA_GLOBALSINDEX, name);
  } else {
    lua_pop(lua, 1);
  }
}

}  // namespace

ScriptEngine::ScriptEngine(bool deprecated_api) : deprecated_api_(deprecated_api) {
  CreateState();
  UpdateCounts();
}

ScriptEngine::~ScriptEngine() { CloseState(); }

ScriptEngine* ScriptEngine::FromLua(lua_State* lua) {
  lua_getfield(lua, LUA_REGISTRYINDEX, kEngineKey);
  auto* engine = static_cast<ScriptEngine*>(lua_touserdata(lua, -1));
  lua_pop(lua, 1);
  return engine;
}

void ScriptEngine::CreateState() {
  lua_ = luaL_newstate();
  lua_State* lua = lua_;
  lua_pushlightuserdata(lua, this);
  lua_setfield(lua, LUA_REGISTRYINDEX, kEngineKey);
  OpenLibrary(lua, luaopen_base, "");
  OpenLibrary(lua, luaopen_table, LUA_TABLIBNAME);
  OpenLibrary(lua, luaopen_string, LUA_STRLIBNAME);
  OpenLibrary(lua, luaopen_math, LUA_MATHLIBNAME);
  OpenLibrary(lua, luaopen_cjson, "cjson");
  OpenLibrary(lua, luaopen_bit, "bit");
  OpenLibrary(lua, OpenCmsgpack, "cmsgpack");
  OpenLibrary(lua, OpenStruct, "struct");
  OpenRedisApi(lua);
  SandboxState(lua, deprecated_api_);
}

void ScriptEngine::CloseState() {
  if (lua_ != nullptr) lua_close(lua_);
  lua_ = nullptr;
  scripts_.clear();
}

namespace {

// Redis 7's "#!lua flags=no-writes,allow-oom" first line of an EVAL script. Sets the flags and
// the length of the line (without its newline; 0 without a shebang), or Redis's error text.
bool ParseShebang(std::string_view body, uint32_t* flags, size_t* length, std::string* error) {
  *flags = 0;
  *length = 0;
  if (!body.starts_with("#!")) return true;
  // Redis reads the body as a C string: a NUL byte before the first newline hides it.
  size_t eol = body.find_first_of(std::string_view("\n\0", 2));
  if (eol == std::string_view::npos || body[eol] != '\n') {
    *error = "ERR Invalid script shebang";
    return false;
  }
  *length = eol;
  std::vector<std::string> parts;
  if (!protocol::SplitInlineArgs(body.substr(0, eol), &parts) || parts.empty()) {
    *error = "ERR Invalid engine in script shebang";
    return false;
  }
  if (parts[0] != "#!lua") {
    *error = "ERR Unexpected engine in script shebang: " + parts[0];
    return false;
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!parts[i].starts_with("flags=")) {
      *error = "ERR Unknown lua shebang option: " + parts[i];
      return false;
    }
    std::string_view list = std::string_view(parts[i]).substr(6);
    // "flags=" names no flag; "flags=a," names an empty one, refused as Redis does.
    if (list.empty()) continue;
    for (;;) {
      size_t comma = list.find(',');
      std::string_view name = list.substr(0, comma);
      uint32_t flag = ScriptFlagByName(name);
      if (flag == 0) {
        *error = "ERR Unexpected flag in script shebang: " + std::string(name);
        return false;
      }
      *flags |= flag;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return true;
}

}  // namespace

bool ScriptEngine::CreateScript(std::string_view body, std::string* sha, std::string* error) {
  *sha = Sha1Hex(body);
  if (scripts_.contains(*sha)) return true;
  CachedScript script;
  size_t shebang_length;
  if (!ParseShebang(body, &script.flags, &shebang_length, error)) return false;
  script.shebang = body.starts_with("#!");
  // The shebang line is left out, its newline kept, so error lines count as in Redis.
  std::string_view code = body.substr(shebang_length);
  if (luaL_loadbuffer(lua_, code.data(), code.size(), "@user_script") != 0) {
    *error = std::string(kErrCompile) + lua_tostring(lua_, -1);
    lua_pop(lua_, 1);
    return false;
  }
  script.ref = luaL_ref(lua_, LUA_REGISTRYINDEX);
  script.body_size = body.size();
  scripts_[*sha] = script;
  UpdateCounts();
  return true;
}

std::optional<uint32_t> ScriptEngine::DeclaredFlags(ScriptTarget kind, std::string_view target) {
  if (kind == ScriptTarget::kBody) {
    uint32_t flags = 0;
    size_t length = 0;
    std::string error;
    if (!target.starts_with("#!") || !ParseShebang(target, &flags, &length, &error)) {
      return std::nullopt;
    }
    return flags;
  }
  std::lock_guard lock(mutex_);
  if (kind == ScriptTarget::kFunction) {
    const FunctionInfo* fn = FindFunction(target);
    if (fn == nullptr) return std::nullopt;
    return fn->flags;
  }
  std::string sha(target);
  std::transform(sha.begin(), sha.end(), sha.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const CachedScript* script = FindScript(sha);
  if (script == nullptr || !script->shebang) return std::nullopt;
  return script->flags;
}

bool ScriptEngine::HasScript(std::string_view sha) const {
  return scripts_.contains(std::string(sha));
}

const CachedScript* ScriptEngine::FindScript(std::string_view sha) const {
  auto it = scripts_.find(std::string(sha));
  return it == scripts_.end() ? nullptr : &it->second;
}

void ScriptEngine::FlushScripts() {
  // Functions live in the same state: keep their code to load it again.
  std::vector<std::string> codes;
  for (const auto& [name, library] : libraries_) codes.push_back(library.code);
  CloseState();
  libraries_.clear();
  CreateState();
  std::string ignored;
  for (const std::string& code : codes) LoadLibrary(code, false, &ignored);
  UpdateCounts();
}

namespace {

// KEYS and ARGV go behind the read-only globals proxy, where only the engine can set them.
void SetArgTable(lua_State* lua, const char* name, std::span<const std::string_view> values) {
  lua_getfield(lua, LUA_REGISTRYINDEX, kLuaGlobalsKey);
  lua_pushstring(lua, name);
  lua_createtable(lua, static_cast<int>(values.size()), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    lua_pushlstring(lua, values[i].data(), values[i].size());
    lua_rawseti(lua, -2, static_cast<int>(i + 1));
  }
  lua_rawset(lua, -3);
  lua_pop(lua, 1);
}

void PushArgTable(lua_State* lua, std::span<const std::string_view> values) {
  lua_createtable(lua, static_cast<int>(values.size()), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    lua_pushlstring(lua, values[i].data(), values[i].size());
    lua_rawseti(lua, -2, static_cast<int>(i + 1));
  }
}

bool PastMaxmemory(const CommandContext& ctx, uint32_t flags) {
  return !(flags & kScriptAllowOom) && ctx.server.memory_limit.exceeded();
}

// Redis's scriptPrepareForRun refuses a script declaring no-cluster on a cluster node.
bool RefusedByCluster(CommandContext& ctx, uint32_t flags) {
  if (!(flags & kScriptNoCluster) || !ctx.server.cluster.enabled()) return false;
  ctx.reply.Error("ERR Can not run script on cluster, 'no-cluster' flag is set.");
  return true;
}

}  // namespace

void ScriptEngine::RunScript(CommandContext& ctx, std::string_view sha,
                             std::span<const std::string_view> keys,
                             std::span<const std::string_view> argv, bool read_only) {
  const CachedScript& script = scripts_.at(std::string(sha));
  if (script.shebang && RefusedByCluster(ctx, script.flags)) return;
  SetArgTable(lua_, "KEYS", keys);
  SetArgTable(lua_, "ARGV", argv);
  lua_pushcfunction(lua_, ScriptErrorHandler);
  lua_rawgeti(lua_, LUA_REGISTRYINDEX, script.ref);
  ScriptRun run{.caller = &ctx,
                .read_only = read_only || (script.flags & kScriptNoWrites),
                .past_maxmemory = PastMaxmemory(ctx, script.flags),
                .allow_cross_slot = !script.shebang || (script.flags & kScriptAllowCrossSlot),
                .name = std::string(sha)};
  Call(run, 0);
}

void ScriptEngine::RunFunction(CommandContext& ctx, const FunctionInfo& fn,
                               std::span<const std::string_view> keys,
                               std::span<const std::string_view> argv, bool read_only) {
  if (RefusedByCluster(ctx, fn.flags)) return;
  lua_pushcfunction(lua_, ScriptErrorHandler);
  lua_rawgeti(lua_, LUA_REGISTRYINDEX, fn.ref);
  PushArgTable(lua_, keys);
  PushArgTable(lua_, argv);
  ScriptRun run{.caller = &ctx,
                .read_only = read_only || (fn.flags & kScriptNoWrites),
                .past_maxmemory = PastMaxmemory(ctx, fn.flags),
                .is_function = true,
                .allow_cross_slot = (fn.flags & kScriptAllowCrossSlot) != 0,
                .name = fn.name};
  Call(run, 2);
}

void ScriptEngine::Call(ScriptRun& run, int nargs) {
  CommandContext& ctx = *run.caller;
  int handler = lua_gettop(lua_) - nargs - 1;
  script_client_.db_index = ctx.client.db_index;
  script_client_.resp = protocol::RespVersion::kResp2;
  script_client_.authenticated = true;
  // The script's commands run as its caller's ACL user, as in Redis.
  script_client_.acl_user = ctx.client.acl_user;
  run.client = &script_client_;
  run_ = &run;
  threshold_ms_.store(ctx.server.config.Get("busy-reply-threshold").number(),
                      std::memory_order_relaxed);
  started_us_.store(SteadyUs(), std::memory_order_relaxed);
  wrote_.store(false, std::memory_order_relaxed);
  kill_requested_.store(false, std::memory_order_relaxed);
  running_function_.store(run.is_function, std::memory_order_relaxed);
  {
    std::lock_guard lock(info_mutex_);
    running_info_.name = run.name;
    running_info_.command.assign(ctx.args.begin(), ctx.args.end());
  }
  running_.store(true, std::memory_order_release);
  lua_sethook(lua_, Hook, LUA_MASKCOUNT, kHookInstructions);

  int status = lua_pcall(lua_, nargs, 1, handler);

  lua_sethook(lua_, nullptr, 0, 0);
  running_.store(false, std::memory_order_release);
  busy_.store(false, std::memory_order_release);
  run_ = nullptr;

  if (status != 0 && shutting_down_.load(std::memory_order_acquire)) {
    // Redis exits in the middle of the script: its caller sees the connection close, no reply.
    ctx.client.close_after_reply = true;
  } else if (status == 0) {
    WriteLuaValue(lua_, -1, ctx.reply, run.resp == protocol::RespVersion::kResp3);
  } else if (lua_istable(lua_, -1)) {
    lua_getfield(lua_, -1, "err");
    std::string message = lua_isstring(lua_, -1) ? lua_tostring(lua_, -1) : "ERR unknown error";
    lua_pop(lua_, 1);
    lua_getfield(lua_, -1, "source");
    lua_getfield(lua_, -2, "line");
    if (lua_isstring(lua_, -2) && lua_isnumber(lua_, -1)) {
      message += " script: " + run.name + ", on " + lua_tostring(lua_, -2) + ":" +
                 std::to_string(lua_tointeger(lua_, -1)) + ".";
    }
    lua_pop(lua_, 2);
    ctx.reply.Error(message);  // a newline in it becomes a blank, as in Redis
  } else {
    // Only memory errors escape the message handler.
    const char* text = lua_tostring(lua_, -1);
    std::string_view message = text != nullptr ? text : "execution failure";
    ctx.reply.Error(std::string("ERR Error running script ") + run.name + ", " +
                    std::string(message.substr(0, kMaxRunErrorLength)));
  }
  lua_settop(lua_, handler - 1);
  lua_gc(lua_, LUA_GCSTEP, 1);
  UpdateHeapSize();
}

void ScriptEngine::Hook(lua_State* lua, lua_Debug*) {
  ScriptEngine* engine = FromLua(lua);
  std::string_view abort_text;
  if (engine->loading_ != nullptr) {
    if (engine->load_timed_out_ ||
        (SteadyUs() - engine->load_started_us_) / 1000 > kLoadTimeoutMs) {
      engine->load_timed_out_ = true;
      abort_text = kErrLoadTimeout;
    }
  } else if (engine->run_ != nullptr) {
    int64_t elapsed_ms = (SteadyUs() - engine->started_us_.load(std::memory_order_relaxed)) / 1000;
    if (!engine->busy_.load(std::memory_order_relaxed) &&
        elapsed_ms >= engine->threshold_ms_.load(std::memory_order_relaxed)) {
      engine->busy_.store(true, std::memory_order_release);
    }
    if (engine->busy_.load(std::memory_order_relaxed) && engine->serve_while_busy_) {
      engine->serve_while_busy_();
    }
    if (engine->shutting_down_.load(std::memory_order_acquire)) {
      abort_text = kErrShuttingDown;
    } else if (engine->kill_requested_.load(std::memory_order_acquire)) {
      abort_text = kErrKilled;
    }
  }
  if (abort_text.empty()) {
    // A coroutine keeps the hook it was created with: one made after a kill and resumed by a
    // later call goes back to counting.
    if (lua_gethookmask(lua) != LUA_MASKCOUNT) {
      lua_sethook(lua, Hook, LUA_MASKCOUNT, kHookInstructions);
    }
    return;
  }
  // From now on every line fails too: pcall may catch the error, but the code after it cannot go
  // on (Redis's luaMaskCountHook and luaEngineLoadHook). A coroutine has its own hook, inherited
  // from its creator: both this one and the main thread's change, so coroutines created later
  // stop at once too.
  lua_sethook(lua, Hook, LUA_MASKLINE, 0);
  lua_sethook(engine->lua_, Hook, LUA_MASKLINE, 0);
  PushErrorTable(lua, abort_text);
  lua_error(lua);
}

void ScriptEngine::ArmLoadTimeout() {
  load_started_us_ = SteadyUs();
  load_timed_out_ = false;
  lua_sethook(lua_, Hook, LUA_MASKCOUNT, kHookInstructions);
}

bool ScriptEngine::Interrupted() const {
  return run_ != nullptr && (kill_requested_.load(std::memory_order_acquire) ||
                             shutting_down_.load(std::memory_order_acquire));
}

bool ScriptEngine::Running(RunningInfo* info) {
  if (!running_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(info_mutex_);
  *info = running_info_;
  info->is_function = running_function_.load(std::memory_order_relaxed);
  info->duration_ms = (SteadyUs() - started_us_.load(std::memory_order_relaxed)) / 1000;
  return true;
}

void ScriptEngine::UpdateCounts() {
  library_count_.store(libraries_.size(), std::memory_order_relaxed);
  function_total_.store(function_count(), std::memory_order_relaxed);
  size_t function_bytes = 0;
  for (const auto& [name, library] : libraries_) {
    function_bytes += name.size() + library.code.size();
    for (const auto& [fn_name, fn] : library.functions) {
      function_bytes += fn_name.size() + fn.description.size();
    }
  }
  function_bytes_.store(function_bytes, std::memory_order_relaxed);
  size_t script_bytes = 0;
  for (const auto& [sha, script] : scripts_) script_bytes += sha.size() + script.body_size;
  script_count_.store(scripts_.size(), std::memory_order_relaxed);
  script_bytes_.store(script_bytes, std::memory_order_relaxed);
  UpdateHeapSize();
}

void ScriptEngine::UpdateHeapSize() {
  if (lua_ == nullptr) return;
  // In whole kilobytes, as Redis shows it.
  lua_heap_bytes_.store(static_cast<size_t>(lua_gc(lua_, LUA_GCCOUNT, 0)) * 1024,
                        std::memory_order_relaxed);
}

std::string_view ScriptEngine::BusyError() const {
  return running_function_.load(std::memory_order_relaxed) ? kErrBusyFunction : kErrBusyScript;
}

std::string_view ScriptEngine::Kill(bool function) {
  // Redis's one thread gets to a KILL only once the running script is past busy-reply-threshold
  // (or has ended). From another I/O thread, answering NOTBUSY before then would leave the script
  // running, every client BUSY, when Redis would have killed it: wait as its thread would.
  while (running_.load(std::memory_order_acquire) && !busy_.load(std::memory_order_acquire)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!running_.load(std::memory_order_acquire) || !busy_.load(std::memory_order_acquire)) {
    return kErrNotBusy;
  }
  if (wrote_.load(std::memory_order_relaxed)) return kErrUnkillable;
  // Each KILL stops only its own kind, answering with the other kind's BUSY text.
  if (running_function_.load() != function) return BusyError();
  kill_requested_.store(true, std::memory_order_release);
  return "";
}

}  // namespace respd::server
