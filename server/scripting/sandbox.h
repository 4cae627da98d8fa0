// The sandbox around scripts: Redis 7 makes every table reachable from the globals read-only inside
// its patched Lua VM and refuses binary chunks in its parser. Stock Lua 5.1 can do neither, so
// scripts see read-only proxies of those tables, and the base functions that look past
// metamethods (rawget, rawset, next, getmetatable, table.insert, loadstring...) are replaced by
// versions that see through the proxies or refuse them, with Redis's results and error texts.
// Depends on Lua only (and the engine, for pcall and xpcall to know a script was killed).
#pragma once

#include <cstdint>
#include <optional>

struct lua_State;

namespace respd::server {

// Locks the libraries and globals of a freshly opened state. Afterwards LUA_GLOBALSINDEX is a
// read-only proxy of the globals; kLuaGlobalsKey in the registry holds the real table.
// `deprecated_api` keeps getfenv, setfenv and newproxy (Redis's lua-enable-deprecated-api).
void SandboxState(lua_State* lua, bool deprecated_api);

// Pushes a read-only proxy of the table at `index`.
void PushReadonlyProxy(lua_State* lua, int index);

// The message handler of scripts: turns any error value into Redis's error table
// {err=..., source=..., line=...}. Scripts also see it as the global __redis__err__handler.
int ScriptErrorHandler(lua_State* lua);

// Puts math.random where math.randomseed(seed) would, or (nullopt) back at Redis's unseeded
// start. The generator is process-wide, as in Redis; call it while no script runs.
void SeedScriptRandom(std::optional<int32_t> seed);

}  // namespace respd::server
