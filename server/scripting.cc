// The Lua state, its sandbox, the script cache, running a script and BUSY / SCRIPT KILL.
#include "server/scripting.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>
#include <lua.h>
#include <lualib.h>
}

#include "server/command.h"
#include "server/errors.h"
#include "server/lua_redis.h"
#include "server/scripting_sha1.h"
#include "server/server_context.h"

namespace respd::server {
namespace {

// The registry slots the engine keeps.
constexpr char kEngineKey[] = "respd.engine";
constexpr char kReadonlyKey[] = "respd.readonly";
// Redis checks for SCRIPT KILL and the busy threshold every this many Lua instructions.
constexpr int kHookInstructions = 100000;
// Libraries scripts see, made read-only as Redis 7 does.
constexpr const char* kLibraries[] = {"string", "table",    "math",   "coroutine", "cjson",
                                      "bit",    "cmsgpack", "struct", "redis"};
// Base-library globals Redis 7.0 does not give scripts.
constexpr const char* kRemovedGlobals[] = {"print",   "loadfile", "dofile",
                                           "getfenv", "setfenv",  "newproxy"};

constexpr std::string_view kErrCompile = "ERR Error compiling script (new function): ";
// Redis 7.0's LOAD_TIMEOUT_MS: a library whose top-level code runs longer is refused instead of
// holding its thread forever (no client could stop it: FUNCTION LOAD is not a script).
constexpr int64_t kLoadTimeoutMs = 500;
constexpr std::string_view kErrLoadTimeout = "FUNCTION LOAD timeout";
// Redis 7.0 gives FUNCTION KILL's victims SCRIPT KILL's text too.
constexpr std::string_view kErrKilled = "Script killed by user with SCRIPT KILL...";
// Unwinds a script the server stops in; its caller gets no reply, as from Redis, which exits.
constexpr std::string_view kErrShuttingDown = "Script aborted: the server is shutting down";
constexpr std::string_view kErrBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
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

// Redis's rand48 (src/rand.c): after math.randomseed(n) scripts get the same sequence as in Redis.
uint64_t rand48_state = 0;
void Srand48(int32_t seed) {
  rand48_state = (uint64_t{static_cast<uint32_t>(seed)} << 16) | 0x330E;
}
int32_t Lrand48() {
  rand48_state = (rand48_state * 0x5DEECE66Dull + 0xB) & ((uint64_t{1} << 48) - 1);
  return static_cast<int32_t>(rand48_state >> 17);
}

int MathRandom(lua_State* lua) {
  constexpr int32_t kMax = INT32_MAX;
  lua_Number r = static_cast<lua_Number>(Lrand48() % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(lua)) {
    case 0:
      lua_pushnumber(lua, r);
      break;
    case 1: {
      int u = luaL_checkint(lua, 1);
      luaL_argcheck(lua, 1 <= u, 1, "interval is empty");
      lua_pushnumber(lua, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(lua, 1);
      int u = luaL_checkint(lua, 2);
      luaL_argcheck(lua, l <= u, 2, "interval is empty");
      lua_pushnumber(lua, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(lua, "wrong number of arguments");
  }
  return 1;
}

int MathRandomSeed(lua_State* lua) {
  Srand48(luaL_checkint(lua, 1));
  return 0;
}

bool IsReadonly(lua_State* lua, int index) {
  if (!lua_istable(lua, index)) return false;
  lua_pushvalue(lua, index);
  lua_getfield(lua, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_insert(lua, -2);
  lua_rawget(lua, -2);
  bool readonly = lua_toboolean(lua, -1);
  lua_pop(lua, 2);
  return readonly;
}

// __newindex of read-only tables: the error carries the script position, as in Redis.
int ReadonlyNewIndex(lua_State* lua) {
  return luaL_error(lua, "Attempt to modify a readonly table");
}

int GlobalIndex(lua_State* lua) {
  return luaL_error(lua, "Script attempted to access nonexistent global variable '%s'",
                    luaL_optstring(lua, 2, "?"));
}

// rawset and setmetatable refuse read-only tables; from a C function Redis's error has no
// position.
int RaiseReadonly(lua_State* lua) {
  lua_pushstring(lua, "Attempt to modify a readonly table");
  return lua_error(lua);
}

int SafeRawset(lua_State* lua) {
  if (IsReadonly(lua, 1)) return RaiseReadonly(lua);
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_checkany(lua, 2);
  luaL_checkany(lua, 3);
  lua_settop(lua, 3);
  lua_rawset(lua, 1);
  return 1;
}

int SafeSetmetatable(lua_State* lua) {
  if (IsReadonly(lua, 1)) return RaiseReadonly(lua);
  lua_pushvalue(lua, lua_upvalueindex(1));
  lua_insert(lua, 1);
  lua_call(lua, lua_gettop(lua) - 1, LUA_MULTRET);
  return lua_gettop(lua);
}

void MarkReadonly(lua_State* lua, int index) {
  index = lua_gettop(lua) + index + 1;
  lua_getfield(lua, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(lua, index);
  lua_pushboolean(lua, 1);
  lua_rawset(lua, -3);
  lua_pop(lua, 1);
}

// Pops the value on top of the stack and makes it the __index of a new metatable that refuses new
// keys and hides itself; sets that metatable on the table below and marks that table read-only.
void SetReadonlyMetatable(lua_State* lua) {
  lua_newtable(lua);  // the metatable
  lua_insert(lua, -2);
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, ReadonlyNewIndex);
  lua_setfield(lua, -2, "__newindex");
  lua_pushboolean(lua, 0);
  lua_setfield(lua, -2, "__metatable");
  lua_setmetatable(lua, -2);
  MarkReadonly(lua, -1);
}

// Pushes an empty table that reads through to the table at `index` and refuses writes. In place,
// a table cannot refuse the assignment of a key it already holds (that never reaches
// __newindex); Redis 7's patched Lua can, stock Lua 5.1 needs the proxy.
void PushReadonlyProxy(lua_State* lua, int index) {
  index = lua_gettop(lua) + index + 1;
  lua_newtable(lua);  // proxy
  lua_pushvalue(lua, index);
  SetReadonlyMetatable(lua);
}

// Replaces global library `name` by its read-only proxy.
void MakeLibraryReadonly(lua_State* lua, const char* name) {
  lua_getfield(lua, LUA_GLOBALSINDEX, name);
  if (!lua_istable(lua, -1)) {
    lua_pop(lua, 1);
    return;
  }
  PushReadonlyProxy(lua, -1);
  lua_setfield(lua, LUA_GLOBALSINDEX, name);
  lua_pop(lua, 1);
}

// Strings index the read-only `string` proxy, and getmetatable('') answers a read-only view of
// their metatable: neither can be changed for the scripts that follow.
void ProtectStringMetatable(lua_State* lua) {
  lua_pushliteral(lua, "");
  lua_getmetatable(lua, -1);
  lua_getfield(lua, LUA_GLOBALSINDEX, LUA_STRLIBNAME);
  lua_setfield(lua, -2, "__index");
  PushReadonlyProxy(lua, -1);
  lua_setfield(lua, -2, "__metatable");
  lua_pop(lua, 2);
}

void OpenLibrary(lua_State* lua, lua_CFunction open, const char* name) {
  lua_pushcfunction(lua, open);
  lua_pushstring(lua, name);
  lua_call(lua, 1, 1);
  // cjson, cmsgpack and struct only return their table; scripts see them as globals.
  if (lua_istable(lua, -1)) {
    lua_setfield(lua, LUA_GLOBALSINDEX, name);
  } else {
    lua_pop(lua, 1);
  }
}

// The message handler of every script call: turns any error into Redis's error table
// {err=..., source=..., line=...}, naming the script line that raised it (skipping a C function
// such as error() or redis.call()).
int ErrorHandler(lua_State* lua) {
  lua_Debug ar;
  bool have = lua_getstack(lua, 1, &ar) && lua_getinfo(lua, "nSl", &ar);
  if (have && std::strcmp(ar.what, "C") == 0) {
    have = lua_getstack(lua, 2, &ar) && lua_getinfo(lua, "nSl", &ar);
  }
  if (!lua_istable(lua, 1)) {
    std::string message = "ERR ";
    if (lua_isstring(lua, 1)) {
      message += lua_tostring(lua, 1);
    } else if (lua_isnil(lua, 1)) {
      message += "nil";
    } else if (lua_isboolean(lua, 1)) {
      message += lua_toboolean(lua, 1) ? "true" : "false";
    } else {
      message += luaL_typename(lua, 1);
    }
    lua_newtable(lua);
    lua_pushlstring(lua, message.data(), message.size());
    lua_setfield(lua, -2, "err");
    lua_replace(lua, 1);
  }
  if (have) {
    lua_pushstring(lua, ar.source);
    lua_setfield(lua, 1, "source");
    lua_pushinteger(lua, ar.currentline);
    lua_setfield(lua, 1, "line");
  }
  lua_settop(lua, 1);
  return 1;
}

std::string TrimNewlines(std::string text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.pop_back();
  return text;
}

}  // namespace

ScriptEngine::ScriptEngine() { CreateState(); }

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
  lua_newtable(lua);
  lua_setfield(lua, LUA_REGISTRYINDEX, kReadonlyKey);

  OpenLibrary(lua, luaopen_base, "");
  OpenLibrary(lua, luaopen_table, LUA_TABLIBNAME);
  OpenLibrary(lua, luaopen_string, LUA_STRLIBNAME);
  OpenLibrary(lua, luaopen_math, LUA_MATHLIBNAME);
  OpenLibrary(lua, luaopen_cjson, "cjson");
  OpenLibrary(lua, luaopen_bit, "bit");
  OpenLibrary(lua, OpenCmsgpack, "cmsgpack");
  OpenLibrary(lua, OpenStruct, "struct");
  OpenRedisApi(lua);
  for (const char* name : kRemovedGlobals) {
    lua_pushnil(lua);
    lua_setfield(lua, LUA_GLOBALSINDEX, name);
  }

  lua_getfield(lua, LUA_GLOBALSINDEX, LUA_MATHLIBNAME);
  lua_pushcfunction(lua, MathRandom);
  lua_setfield(lua, -2, "random");
  lua_pushcfunction(lua, MathRandomSeed);
  lua_setfield(lua, -2, "randomseed");
  lua_pop(lua, 1);

  lua_pushcfunction(lua, SafeRawset);
  lua_setfield(lua, LUA_GLOBALSINDEX, "rawset");
  lua_getfield(lua, LUA_GLOBALSINDEX, "setmetatable");
  lua_pushcclosure(lua, SafeSetmetatable, 1);
  lua_setfield(lua, LUA_GLOBALSINDEX, "setmetatable");

  for (const char* name : kLibraries) MakeLibraryReadonly(lua, name);

  ProtectStringMetatable(lua);

  // Globals: reading an undefined one and creating one are errors.
  lua_pushvalue(lua, LUA_GLOBALSINDEX);
  lua_setfield(lua, LUA_REGISTRYINDEX, kLuaGlobalsKey);
  lua_pushvalue(lua, LUA_GLOBALSINDEX);
  lua_pushcfunction(lua, GlobalIndex);
  SetReadonlyMetatable(lua);
  // Nor may a script reassign an existing global (redis, cjson, KEYS...): scripts, loadstring
  // chunks and C functions all see the globals through a read-only proxy, _G included.
  PushReadonlyProxy(lua, -1);
  lua_pushliteral(lua, "_G");
  lua_pushvalue(lua, -2);
  lua_rawset(lua, -4);
  lua_replace(lua, LUA_GLOBALSINDEX);
  lua_pop(lua, 1);
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
  size_t eol = body.find('\n');
  if (eol == std::string_view::npos) {
    *error = "ERR Invalid script shebang";
    return false;
  }
  *length = eol;
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  std::string_view line = body.substr(0, eol);
  std::vector<std::string_view> parts;
  for (size_t start = line.find_first_not_of(kSpace); start != std::string_view::npos;
       start = line.find_first_not_of(kSpace, start)) {
    size_t end = std::min(line.find_first_of(kSpace, start), line.size());
    parts.push_back(line.substr(start, end - start));
    start = end;
  }
  if (parts[0] != "#!lua") {
    *error = "ERR Unexpected engine in script shebang: " + std::string(parts[0]);
    return false;
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!parts[i].starts_with("flags=")) {
      *error = "ERR Unknown lua shebang option: " + std::string(parts[i]);
      return false;
    }
    std::string_view list = parts[i].substr(6);
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
  scripts_[*sha] = script;
  return true;
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

}  // namespace

void ScriptEngine::RunScript(CommandContext& ctx, std::string_view sha,
                             std::span<const std::string_view> keys,
                             std::span<const std::string_view> argv, bool read_only) {
  SetArgTable(lua_, "KEYS", keys);
  SetArgTable(lua_, "ARGV", argv);
  lua_pushcfunction(lua_, ErrorHandler);
  const CachedScript& script = scripts_.at(std::string(sha));
  lua_rawgeti(lua_, LUA_REGISTRYINDEX, script.ref);
  ScriptRun run{.caller = &ctx,
                .read_only = read_only || (script.flags & kScriptNoWrites),
                .name = std::string(sha)};
  Call(run, 0);
}

void ScriptEngine::RunFunction(CommandContext& ctx, const FunctionInfo& fn,
                               std::span<const std::string_view> keys,
                               std::span<const std::string_view> argv, bool read_only) {
  lua_pushcfunction(lua_, ErrorHandler);
  lua_rawgeti(lua_, LUA_REGISTRYINDEX, fn.ref);
  PushArgTable(lua_, keys);
  PushArgTable(lua_, argv);
  ScriptRun run{.caller = &ctx,
                .read_only = read_only || (fn.flags & kScriptNoWrites),
                .is_function = true,
                .name = fn.name};
  Call(run, 2);
}

void ScriptEngine::Call(ScriptRun& run, int nargs) {
  CommandContext& ctx = *run.caller;
  int handler = lua_gettop(lua_) - nargs - 1;
  script_client_.db_index = ctx.client.db_index;
  script_client_.resp = protocol::RespVersion::kResp2;
  script_client_.authenticated = true;
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
      message = TrimNewlines(message) + " script: " + run.name + ", on " + lua_tostring(lua_, -2) +
                ":" + std::to_string(lua_tointeger(lua_, -1)) + ".";
    }
    lua_pop(lua_, 2);
    ctx.reply.Error(TrimNewlines(message));
  } else {
    // Only memory errors escape the message handler.
    const char* text = lua_tostring(lua_, -1);
    ctx.reply.Error(std::string("ERR Error running script ") + run.name + ", " +
                    (text != nullptr ? text : "execution failure"));
  }
  lua_settop(lua_, handler - 1);
  lua_gc(lua_, LUA_GCSTEP, 1);
}

void ScriptEngine::Hook(lua_State* lua, lua_Debug*) {
  ScriptEngine* engine = FromLua(lua);
  int64_t elapsed_ms = (SteadyUs() - engine->started_us_.load(std::memory_order_relaxed)) / 1000;
  if (!engine->busy_.load(std::memory_order_relaxed) &&
      elapsed_ms >= engine->threshold_ms_.load(std::memory_order_relaxed)) {
    engine->busy_.store(true, std::memory_order_release);
  }
  if (engine->busy_.load(std::memory_order_relaxed) && engine->serve_while_busy_) {
    engine->serve_while_busy_();
  }
  std::string_view abort_text;
  if (engine->shutting_down_.load(std::memory_order_acquire)) {
    abort_text = kErrShuttingDown;
  } else if (engine->kill_requested_.load(std::memory_order_acquire)) {
    abort_text = kErrKilled;
  }
  if (!abort_text.empty()) {
    lua_pushlstring(lua, abort_text.data(), abort_text.size());
    lua_error(lua);
  }
}

void ScriptEngine::ArmLoadTimeout() {
  load_started_us_ = SteadyUs();
  lua_sethook(lua_, LoadHook, LUA_MASKCOUNT, kHookInstructions);
}

void ScriptEngine::LoadHook(lua_State* lua, lua_Debug*) {
  ScriptEngine* engine = FromLua(lua);
  if ((SteadyUs() - engine->load_started_us_) / 1000 <= kLoadTimeoutMs) return;
  // From now on every line fails, as in Redis, should the error be caught and the code go on.
  lua_sethook(lua, LoadHook, LUA_MASKLINE, 0);
  lua_pushlstring(lua, kErrLoadTimeout.data(), kErrLoadTimeout.size());
  lua_error(lua);
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
}

std::string_view ScriptEngine::BusyError() const {
  return running_function_.load(std::memory_order_relaxed) ? kErrBusyFunction : kErrBusyScript;
}

std::string_view ScriptEngine::Kill(bool function) {
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
