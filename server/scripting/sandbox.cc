// Read-only globals and libraries, and the base functions rewritten to respect them, as Redis 7.0
// does inside its patched Lua. Every replacement is written out in full rather than wrapping the
// stock function: a C function called from another C function loses the caller's name and line
// in Lua's error messages ("bad argument #1 to '?'"), which scripts would see.
#include "server/scripting/sandbox.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "server/scripting/lua_redis.h"
#include "server/scripting/engine.h"

namespace respd::server {
namespace {

// Registry slots. kReadonlyKey maps each read-only table to the table it shows (a proxy) or to
// true (a table locked in place). kMetaviewsKey maps a metatable to what getmetatable answers for
// the values that carry it: false for nil, or a read-only view.
constexpr char kReadonlyKey[] = "respd.readonly";
constexpr char kMetaviewsKey[] = "respd.metaviews";
constexpr char kErrReadonly[] = "Attempt to modify a readonly table";

// Libraries scripts see, made read-only as Redis 7 does.
constexpr const char* kLibraries[] = {"string", "table",    "math",   "coroutine", "cjson",
                                      "bit",    "cmsgpack", "struct", "redis"};
// Base-library globals Redis 7.0 does not give scripts, and those it gives only under
// lua-enable-deprecated-api.
constexpr const char* kRemovedGlobals[] = {"print", "loadfile", "dofile"};
constexpr const char* kDeprecatedGlobals[] = {"getfenv", "setfenv", "newproxy"};

int AbsIndex(lua_State* lua, int index) {
  return index > 0 || index <= LUA_REGISTRYINDEX ? index : lua_gettop(lua) + index + 1;
}

bool IsReadonly(lua_State* lua, int index) {
  if (!lua_istable(lua, index)) return false;
  index = AbsIndex(lua, index);
  lua_getfield(lua, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(lua, index);
  lua_rawget(lua, -2);
  bool readonly = !lua_isnil(lua, -1);
  lua_pop(lua, 2);
  return readonly;
}

// Replaces a proxy at `index` by the table it shows; other values stay.
void ResolveProxy(lua_State* lua, int index) {
  if (!lua_istable(lua, index)) return;
  index = AbsIndex(lua, index);
  lua_getfield(lua, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(lua, index);
  lua_rawget(lua, -2);
  if (lua_istable(lua, -1)) {
    lua_replace(lua, index);
    lua_pop(lua, 1);
  } else {
    lua_pop(lua, 2);
  }
}

// Raised by C functions: like Redis's VM, without a script position.
int RaiseReadonly(lua_State* lua) {
  lua_pushstring(lua, kErrReadonly);
  return lua_error(lua);
}

// __newindex of read-only tables: raised from the script's own line, so it names it.
int ReadonlyNewIndex(lua_State* lua) { return luaL_error(lua, kErrReadonly); }

// __index of the globals (Redis's luaProtectedTableError).
int GlobalIndex(lua_State* lua) {
  if (lua_gettop(lua) != 2) {
    return luaL_error(lua, "Wrong number of arguments to luaProtectedTableError");
  }
  if (!lua_isstring(lua, -1)) {
    return luaL_error(lua, "Second argument to luaProtectedTableError must be a string or number");
  }
  return luaL_error(lua, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(lua, -1));
}

void SetRegistryEntry(lua_State* lua, const char* slot, int key, int value) {
  key = AbsIndex(lua, key);
  value = AbsIndex(lua, value);
  lua_getfield(lua, LUA_REGISTRYINDEX, slot);
  lua_pushvalue(lua, key);
  lua_pushvalue(lua, value);
  lua_rawset(lua, -3);
  lua_pop(lua, 1);
}

void MarkReadonly(lua_State* lua, int index) {
  lua_pushboolean(lua, 1);
  SetRegistryEntry(lua, kReadonlyKey, index, -1);
  lua_pop(lua, 1);
}

// Pushes a proxy of the table at `index` and hides the proxy's metatable: getmetatable answers
// nil, as for Redis's library tables.
void PushProxy(lua_State* lua, int index) {
  index = AbsIndex(lua, index);
  lua_newtable(lua);  // proxy
  lua_newtable(lua);  // its metatable
  lua_pushvalue(lua, index);
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, ReadonlyNewIndex);
  lua_setfield(lua, -2, "__newindex");
  lua_pushboolean(lua, 0);
  SetRegistryEntry(lua, kMetaviewsKey, -2, -1);
  lua_pop(lua, 1);
  lua_setmetatable(lua, -2);
  SetRegistryEntry(lua, kReadonlyKey, -1, index);
}

// Makes the value of field `name` of the table at `index` (a table) its read-only proxy.
void ProxyField(lua_State* lua, int index, const char* name) {
  index = AbsIndex(lua, index);
  lua_getfield(lua, index, name);
  if (lua_istable(lua, -1)) {
    PushProxy(lua, -1);
    lua_setfield(lua, index, name);
  }
  lua_pop(lua, 1);
}

// rawget, rawset, next, pairs, getmetatable, setmetatable: stock Lua 5.1's, reading through
// proxies, refusing read-only tables where Redis's VM does (after the argument checks).
int SafeRawget(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_checkany(lua, 2);
  lua_settop(lua, 2);
  ResolveProxy(lua, 1);
  lua_rawget(lua, 1);
  return 1;
}

int SafeRawset(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_checkany(lua, 2);
  luaL_checkany(lua, 3);
  lua_settop(lua, 3);
  if (IsReadonly(lua, 1)) return RaiseReadonly(lua);
  lua_rawset(lua, 1);
  return 1;
}

int SafeNext(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  lua_settop(lua, 2);
  ResolveProxy(lua, 1);
  if (lua_next(lua, 1)) return 2;
  lua_pushnil(lua);
  return 1;
}

// Upvalue 1: next.
int SafePairs(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  lua_pushvalue(lua, lua_upvalueindex(1));
  lua_pushvalue(lua, 1);
  lua_pushnil(lua);
  return 3;
}

int SafeGetmetatable(lua_State* lua) {
  luaL_checkany(lua, 1);
  if (!lua_getmetatable(lua, 1)) {
    lua_pushnil(lua);
    return 1;
  }
  lua_getfield(lua, LUA_REGISTRYINDEX, kMetaviewsKey);
  lua_pushvalue(lua, -2);
  lua_rawget(lua, -2);
  if (!lua_isnil(lua, -1)) {
    if (!lua_toboolean(lua, -1)) lua_pushnil(lua);
    return 1;
  }
  lua_pop(lua, 2);
  luaL_getmetafield(lua, 1, "__metatable");
  return 1;
}

int SafeSetmetatable(lua_State* lua) {
  int type = lua_type(lua, 2);
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_argcheck(lua, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table expected");
  if (luaL_getmetafield(lua, 1, "__metatable")) {
    return luaL_error(lua, "cannot change a protected metatable");
  }
  lua_settop(lua, 2);
  if (IsReadonly(lua, 1)) return RaiseReadonly(lua);
  lua_setmetatable(lua, 1);
  return 1;
}

// table.insert writes even into an empty table; the other table functions only write below #t,
// which is 0 for every read-only table (they hold no array part), or iterate with rawgeti.
int SafeTableInsert(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  int e = static_cast<int>(lua_objlen(lua, 1)) + 1;  // first empty element
  int pos;
  switch (lua_gettop(lua)) {
    case 2:
      pos = e;
      break;
    case 3:
      pos = luaL_checkint(lua, 2);
      if (pos > e) e = pos;
      break;
    default:
      return luaL_error(lua, "wrong number of arguments to 'insert'");
  }
  if (IsReadonly(lua, 1)) return RaiseReadonly(lua);
  for (int i = e; i > pos; --i) {  // t[i] = t[i-1]
    lua_rawgeti(lua, 1, i - 1);
    lua_rawseti(lua, 1, i);
  }
  lua_rawseti(lua, 1, pos);
  return 0;
}

int SafeTableForeach(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_checktype(lua, 2, LUA_TFUNCTION);
  ResolveProxy(lua, 1);
  lua_pushnil(lua);
  while (lua_next(lua, 1)) {
    lua_pushvalue(lua, 2);
    lua_pushvalue(lua, -3);
    lua_pushvalue(lua, -3);
    lua_call(lua, 2, 1);
    if (!lua_isnil(lua, -1)) return 1;
    lua_pop(lua, 2);
  }
  return 0;
}

// unpack with the overflow check of Lua 5.1.5's fix: the Debian library's check is compiled away,
// and unpack({}, 0, 2^31-1) overruns the stack.
int SafeUnpack(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  int i = luaL_optint(lua, 2, 1);
  int e = luaL_opt(lua, luaL_checkint, 3, static_cast<int>(lua_objlen(lua, 1)));
  if (i > e) return 0;
  unsigned n = static_cast<unsigned>(e) - static_cast<unsigned>(i);  // elements minus one
  if (n >= INT_MAX || !lua_checkstack(lua, static_cast<int>(++n))) {
    return luaL_error(lua, "too many results to unpack");
  }
  for (unsigned k = 0; k < n; ++k) {
    lua_rawgeti(lua, 1, static_cast<int>(static_cast<unsigned>(i) + k));
  }
  return static_cast<int>(n);
}

// bit.tohex with Redis's fix (CVE-2024-31449): a width of INT32_MIN has no positive counterpart
// and made the stock function read far past its buffer.
uint32_t BitArgument(lua_State* lua, int index) {
  // LuaBitOp's conversion: the low 32 bits of the number plus 2^52+2^51.
  double shifted = lua_tonumber(lua, index) + 6755399441055744.0;
  uint64_t bits;
  std::memcpy(&bits, &shifted, sizeof(bits));
  auto b = static_cast<uint32_t>(bits);
  if (b == 0 && !lua_isnumber(lua, index)) luaL_typerror(lua, index, "number");
  return b;
}

int SafeBitTohex(lua_State* lua) {
  uint32_t b = BitArgument(lua, 1);
  int32_t n = lua_isnone(lua, 2) ? 8 : static_cast<int32_t>(BitArgument(lua, 2));
  const char* digits = "0123456789abcdef";
  if (n == INT32_MIN) n = INT32_MIN + 1;
  if (n < 0) {
    n = -n;
    digits = "0123456789ABCDEF";
  }
  if (n > 8) n = 8;
  char buf[8];
  for (int i = n; --i >= 0;) {
    buf[i] = digits[b & 15];
    b >>= 4;
  }
  lua_pushlstring(lua, buf, static_cast<size_t>(n));
  return 1;
}

// loadstring and load refuse binary chunks: Redis's parser reads every chunk as text, so a
// precompiled chunk fails with the text parser's error. Stock lua_load picks the binary loader
// when the first byte is ESC; the reader hides that byte behind a blank, which the text parser
// skips like any leading blank (lines, hence messages, are unchanged).
struct ChunkReader {
  bool first = true;
  bool pending = false;        // the first piece is held back behind the blank
  const char* data = nullptr;  // loadstring's string, null for load's reader function
  size_t size = 0;
};

bool StartsBinary(const char* piece, size_t size) { return size > 0 && piece[0] == '\033'; }

const char* ReadString(lua_State*, void* ud, size_t* size) {
  auto* reader = static_cast<ChunkReader*>(ud);
  if (reader->first) {
    reader->first = false;
    if (StartsBinary(reader->data, reader->size)) {
      reader->pending = true;
      *size = 1;
      return " ";
    }
  } else if (!reader->pending) {
    *size = 0;
    return nullptr;
  }
  reader->pending = false;
  *size = reader->size;
  return reader->data;
}

// Stock load's reader: calls the function at index 1, keeps the piece in slot 3.
const char* ReadFunction(lua_State* lua, void* ud, size_t* size) {
  auto* reader = static_cast<ChunkReader*>(ud);
  if (reader->pending) {
    reader->pending = false;
    return lua_tolstring(lua, 3, size);
  }
  luaL_checkstack(lua, 2, "too many nested functions");
  lua_pushvalue(lua, 1);
  lua_call(lua, 0, 1);
  if (lua_isnil(lua, -1)) {
    *size = 0;
    return nullptr;
  }
  if (!lua_isstring(lua, -1)) luaL_error(lua, "reader function must return a string");
  lua_replace(lua, 3);
  const char* piece = lua_tolstring(lua, 3, size);
  if (reader->first) {
    reader->first = false;
    if (StartsBinary(piece, *size)) {
      reader->pending = true;
      *size = 1;
      return " ";
    }
  }
  return piece;
}

int LoadResult(lua_State* lua, int status) {
  if (status == 0) return 1;
  lua_pushnil(lua);
  lua_insert(lua, -2);
  return 2;
}

int SafeLoadstring(lua_State* lua) {
  ChunkReader reader;
  reader.data = luaL_checklstring(lua, 1, &reader.size);
  const char* chunkname = luaL_optstring(lua, 2, reader.data);
  return LoadResult(lua, lua_load(lua, ReadString, &reader, chunkname));
}

int SafeLoad(lua_State* lua) {
  const char* chunkname = luaL_optstring(lua, 2, "=(load)");
  luaL_checktype(lua, 1, LUA_TFUNCTION);
  lua_settop(lua, 3);  // the function, the name, the slot the reader keeps its piece in
  ChunkReader reader;
  return LoadResult(lua, lua_load(lua, ReadFunction, &reader, chunkname));
}

// Redis 7's pcall: an error table {err=...} comes back as its text, as errors were strings
// before Redis 7. Called without arguments it calls its own status, as Redis's does.
int RedisStylePcall(lua_State* lua) {
  int argc = lua_gettop(lua);
  if (argc == 0) {
    lua_pushboolean(lua, 0);
    lua_pushliteral(lua, "attempt to call a boolean value");
    return 2;
  }
  lua_pushboolean(lua, 1);
  lua_insert(lua, 1);
  if (lua_pcall(lua, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(lua, 1);
    if (lua_istable(lua, -1)) {
      lua_getfield(lua, -1, "err");
      // Redis leaves a non-string err field on the stack: pcall then returns three values.
      if (lua_isstring(lua, -1)) lua_replace(lua, -2);
    }
    lua_pushboolean(lua, 0);
    lua_insert(lua, 1);
  }
  return lua_gettop(lua);
}

// The message handler xpcall installs around the script's own (upvalue 1). Once the script is
// killed the script's handler is not called: the kill error is raised from the hook, where Lua
// runs no further hooks, so a handler that loops could never be stopped.
int XpcallHandler(lua_State* lua) {
  if (ScriptEngine::FromLua(lua)->Interrupted()) return 1;
  lua_pushvalue(lua, lua_upvalueindex(1));
  lua_insert(lua, 1);
  lua_call(lua, lua_gettop(lua) - 1, 1);
  return 1;
}

int SafeXpcall(lua_State* lua) {
  luaL_checkany(lua, 2);
  lua_settop(lua, 2);
  if (lua_isfunction(lua, 2)) {  // anything else fails as "error in error handling" unchanged
    lua_pushcclosure(lua, XpcallHandler, 1);
  }
  lua_insert(lua, 1);  // the handler under the function
  int status = lua_pcall(lua, 0, LUA_MULTRET, 1);
  lua_pushboolean(lua, status == 0);
  lua_replace(lua, 1);
  return lua_gettop(lua);
}

// Redis's rand48 (src/rand.c): scripts get the same sequence as in Redis, from the process's
// start (Redis's unseeded state) and after math.randomseed(n). Like Redis's, one per process.
constexpr uint64_t kRand48Unseeded = 0x1234ABCD330Eull;
uint64_t rand48_state = kRand48Unseeded;
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

void SetFunction(lua_State* lua, int table, const char* name, lua_CFunction fn) {
  table = AbsIndex(lua, table);
  lua_pushcfunction(lua, fn);
  lua_setfield(lua, table, name);
}

// Strings index the read-only `string`, and getmetatable('') answers a read-only view of their
// metatable: neither can be changed for the scripts that follow.
void ProtectStringMetatable(lua_State* lua) {
  lua_pushliteral(lua, "");
  lua_getmetatable(lua, -1);
  lua_getfield(lua, LUA_GLOBALSINDEX, "string");
  lua_setfield(lua, -2, "__index");
  PushProxy(lua, -1);
  SetRegistryEntry(lua, kMetaviewsKey, -2, -1);
  lua_pop(lua, 3);
}

}  // namespace

void PushReadonlyProxy(lua_State* lua, int index) { PushProxy(lua, index); }

int ScriptErrorHandler(lua_State* lua) {
  lua_settop(lua, 1);  // called by a script without an argument, the error is nil
  lua_Debug ar;
  bool have = lua_getstack(lua, 1, &ar) && lua_getinfo(lua, "nSl", &ar);
  if (have && std::strcmp(ar.what, "C") == 0) {
    have = lua_getstack(lua, 2, &ar) && lua_getinfo(lua, "nSl", &ar);
  }
  if (!lua_istable(lua, 1)) {
    // Redis's handler: {err = 'ERR ' .. tostring(err)}.
    if (lua_isstring(lua, 1)) {
      lua_pushfstring(lua, "ERR %s", lua_tostring(lua, 1));
    } else if (lua_isnil(lua, 1)) {
      lua_pushliteral(lua, "ERR nil");
    } else if (lua_isboolean(lua, 1)) {
      lua_pushstring(lua, lua_toboolean(lua, 1) ? "ERR true" : "ERR false");
    } else {
      lua_pushfstring(lua, "ERR %s: %p", luaL_typename(lua, 1), lua_topointer(lua, 1));
    }
    lua_newtable(lua);
    lua_insert(lua, -2);
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

void SeedScriptRandom(std::optional<int32_t> seed) {
  if (seed) {
    Srand48(*seed);
  } else {
    rand48_state = kRand48Unseeded;
  }
}

void SandboxState(lua_State* lua, bool deprecated_api) {
  lua_newtable(lua);
  lua_setfield(lua, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_newtable(lua);
  lua_setfield(lua, LUA_REGISTRYINDEX, kMetaviewsKey);

  for (const char* name : kRemovedGlobals) {
    lua_pushnil(lua);
    lua_setfield(lua, LUA_GLOBALSINDEX, name);
  }
  if (!deprecated_api) {
    for (const char* name : kDeprecatedGlobals) {
      lua_pushnil(lua);
      lua_setfield(lua, LUA_GLOBALSINDEX, name);
    }
  }
  SetFunction(lua, LUA_GLOBALSINDEX, "rawget", SafeRawget);
  SetFunction(lua, LUA_GLOBALSINDEX, "rawset", SafeRawset);
  SetFunction(lua, LUA_GLOBALSINDEX, "next", SafeNext);
  lua_getfield(lua, LUA_GLOBALSINDEX, "next");
  lua_pushcclosure(lua, SafePairs, 1);
  lua_setfield(lua, LUA_GLOBALSINDEX, "pairs");
  SetFunction(lua, LUA_GLOBALSINDEX, "getmetatable", SafeGetmetatable);
  SetFunction(lua, LUA_GLOBALSINDEX, "setmetatable", SafeSetmetatable);
  SetFunction(lua, LUA_GLOBALSINDEX, "unpack", SafeUnpack);
  SetFunction(lua, LUA_GLOBALSINDEX, "loadstring", SafeLoadstring);
  SetFunction(lua, LUA_GLOBALSINDEX, "load", SafeLoad);
  SetFunction(lua, LUA_GLOBALSINDEX, "pcall", RedisStylePcall);
  SetFunction(lua, LUA_GLOBALSINDEX, "xpcall", SafeXpcall);
  SetFunction(lua, LUA_GLOBALSINDEX, "__redis__err__handler", ScriptErrorHandler);
  lua_getfield(lua, LUA_GLOBALSINDEX, "table");
  SetFunction(lua, -1, "insert", SafeTableInsert);
  SetFunction(lua, -1, "foreach", SafeTableForeach);
  lua_pop(lua, 1);
  lua_getfield(lua, LUA_GLOBALSINDEX, "math");
  SetFunction(lua, -1, "random", MathRandom);
  SetFunction(lua, -1, "randomseed", MathRandomSeed);
  lua_pop(lua, 1);
  lua_getfield(lua, LUA_GLOBALSINDEX, "bit");
  SetFunction(lua, -1, "tohex", SafeBitTohex);
  lua_pop(lua, 1);

  for (const char* name : kLibraries) ProxyField(lua, LUA_GLOBALSINDEX, name);
  ProtectStringMetatable(lua);

  // The globals: reading an undefined one is an error, and so is creating one. Redis's
  // getmetatable(_G) shows a read-only {__index = <that error function>}.
  lua_pushvalue(lua, LUA_GLOBALSINDEX);
  lua_setfield(lua, LUA_REGISTRYINDEX, kLuaGlobalsKey);
  lua_pushvalue(lua, LUA_GLOBALSINDEX);
  lua_newtable(lua);  // the metatable
  lua_pushcfunction(lua, GlobalIndex);
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, ReadonlyNewIndex);
  lua_setfield(lua, -2, "__newindex");
  lua_setmetatable(lua, -2);
  MarkReadonly(lua, -1);
  // Nor may a script reassign an existing global (redis, cjson, KEYS...): scripts, loadstring
  // chunks and C functions all see the globals through a read-only proxy, _G included.
  PushProxy(lua, -1);
  lua_pushliteral(lua, "_G");
  lua_pushvalue(lua, -2);
  lua_rawset(lua, -4);
  lua_newtable(lua);  // what getmetatable(_G) shows
  lua_pushcfunction(lua, GlobalIndex);
  lua_setfield(lua, -2, "__index");
  PushProxy(lua, -1);
  lua_getmetatable(lua, -3);
  lua_pushvalue(lua, -2);
  SetRegistryEntry(lua, kMetaviewsKey, -2, -1);
  lua_pop(lua, 4);
  lua_replace(lua, LUA_GLOBALSINDEX);
  lua_pop(lua, 1);
}

}  // namespace respd::server
