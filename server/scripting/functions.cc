// FUNCTION libraries: parsing the "#!lua name=<lib>" header, running the library code with only
// the registration API visible (redis.register_function, redis.log), and the registry of functions.
// A library's callbacks see every global at run time through the environment's __index, which
// points at the loading API only while the library loads, as in Redis 7.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "protocol/resp_parser.h"
#include "server/scripting/lua_redis.h"
#include "server/scripting/engine.h"
#include "server/scripting/sandbox.h"

namespace respd::server {
namespace {

constexpr char kFunctionEnvKey[] = "respd.function_env";
constexpr char kLoadApiKey[] = "respd.load_api";

constexpr std::string_view kErrInvalidName =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// The string at `index` with any NUL in it: Redis reads names and descriptions binary-safe.
std::string LuaString(lua_State* lua, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(lua, index, &len);
  return std::string(s, len);
}

// Returns an error message, or empty after adding the function to the loading library.
std::string Register(lua_State* lua, LibraryInfo& library, ScriptEngine& engine) {
  int argc = lua_gettop(lua);
  FunctionInfo fn;
  bool named = false;
  int callback = 0;
  if (argc == 1) {
    if (!lua_istable(lua, 1)) {
      return "calling redis.register_function with a single argument is only applicable to Lua "
             "table (representing named arguments).";
    }
    lua_pushnil(lua);
    while (lua_next(lua, 1) != 0) {
      if (lua_type(lua, -2) != LUA_TSTRING)
        return "named argument key given to redis.register_function is not a string";
      std::string key = lua_tostring(lua, -2);
      if (key == "function_name") {
        if (lua_type(lua, -1) != LUA_TSTRING)
          return "function_name argument given to redis.register_function must be a string";
        fn.name = LuaString(lua, -1);
        named = true;
      } else if (key == "description") {
        if (lua_type(lua, -1) != LUA_TSTRING)
          return "description argument given to redis.register_function must be a string";
        fn.description = LuaString(lua, -1);
      } else if (key == "callback") {
        if (!lua_isfunction(lua, -1))
          return "callback argument given to redis.register_function must be a function";
        lua_pushvalue(lua, -1);
        lua_insert(lua, 2);  // keep the callback below the iteration
        callback = 2;
      } else if (key == "flags") {
        if (!lua_istable(lua, -1))
          return "flags argument to redis.register_function must be a table representing function "
                 "flags";
        for (int i = 1;; ++i) {
          lua_rawgeti(lua, -1, i);
          if (lua_isnil(lua, -1)) {
            lua_pop(lua, 1);
            break;
          }
          if (lua_type(lua, -1) != LUA_TSTRING) return "unknown flag given";
          uint32_t flag = ScriptFlagByName(lua_tostring(lua, -1));
          fn.flags |= flag;
          lua_pop(lua, 1);
          if (flag == 0) return "unknown flag given";
        }
      } else {
        return "unknown argument given to redis.register_function";
      }
      lua_pop(lua, 1);
    }
    if (!named) return "redis.register_function must get a function name argument";
    if (callback == 0) return "redis.register_function must get a callback argument";
  } else if (argc == 2) {
    if (lua_type(lua, 1) != LUA_TSTRING)
      return "first argument to redis.register_function must be a string";
    if (!lua_isfunction(lua, 2))
      return "second argument to redis.register_function must be a function";
    fn.name = LuaString(lua, 1);
    callback = 2;
  } else {
    return "wrong number of arguments to redis.register_function";
  }
  if (!ValidName(fn.name)) return std::string(kErrInvalidName);
  if (library.functions.contains(fn.name)) return "Function already exists in the library";
  lua_pushvalue(lua, callback);
  fn.ref = luaL_ref(lua, LUA_REGISTRYINDEX);
  library.functions.emplace(fn.name, fn);
  return "";
}

int RegisterFunction(lua_State* lua) {
  ScriptEngine* engine = ScriptEngine::FromLua(lua);
  LibraryInfo* library = engine->loading_library();
  bool failed;
  {
    std::string error = library == nullptr
                            ? "redis.register_function can only be called on FUNCTION LOAD command"
                            : Register(lua, *library, *engine);
    failed = !error.empty();
    if (failed) PushErrorTable(lua, error);
  }
  if (failed) return lua_error(lua);
  return 0;
}

void SetEnvIndex(lua_State* lua, const char* source_key) {
  lua_getfield(lua, LUA_REGISTRYINDEX, kFunctionEnvKey);
  lua_getmetatable(lua, -1);
  if (source_key == nullptr) {
    lua_pushvalue(lua, LUA_GLOBALSINDEX);
  } else {
    lua_getfield(lua, LUA_REGISTRYINDEX, source_key);
  }
  lua_setfield(lua, -2, "__index");
  lua_pop(lua, 2);
}

// The metatable behind the globals proxy: undefined names and new names are errors.
void PushGlobalsMetatable(lua_State* lua) {
  lua_getfield(lua, LUA_REGISTRYINDEX, kLuaGlobalsKey);
  lua_getmetatable(lua, -1);
  lua_remove(lua, -2);
}

// The environment of library code and the API visible while it loads, created once per state.
void EnsureFunctionEnv(lua_State* lua) {
  lua_getfield(lua, LUA_REGISTRYINDEX, kFunctionEnvKey);
  bool exists = !lua_isnil(lua, -1);
  lua_pop(lua, 1);
  if (exists) return;
  // The loading API: a `redis` table with registration and logging; anything else is undefined.
  lua_newtable(lua);  // load api
  lua_newtable(lua);  // its redis table
  lua_pushcfunction(lua, RegisterFunction);
  lua_setfield(lua, -2, "register_function");
  lua_getfield(lua, LUA_GLOBALSINDEX, "redis");
  for (const char* name : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                           "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(lua, -1, name);
    lua_setfield(lua, -3, name);
  }
  lua_pop(lua, 1);
  PushGlobalsMetatable(lua);  // undefined names error as globals do
  lua_setmetatable(lua, -2);
  PushReadonlyProxy(lua, -1);  // nor may the library change it
  lua_setfield(lua, -3, "redis");
  lua_pop(lua, 1);
  PushGlobalsMetatable(lua);
  lua_setmetatable(lua, -2);
  lua_setfield(lua, LUA_REGISTRYINDEX, kLoadApiKey);

  lua_newtable(lua);  // the environment of library chunks
  lua_newtable(lua);
  PushGlobalsMetatable(lua);
  lua_getfield(lua, -1, "__newindex");
  lua_setfield(lua, -3, "__newindex");
  lua_pop(lua, 1);
  lua_setmetatable(lua, -2);
  lua_setfield(lua, LUA_REGISTRYINDEX, kFunctionEnvKey);
}

// FUNCTION LOAD's header line ("#!lua name=mylib"): the engine and library names and where the
// line ends, or Redis's error text.
std::string ParseHeader(std::string_view code, std::string* engine_name, std::string* library_name,
                        size_t* header_end) {
  if (!code.starts_with("#!")) return "ERR Missing library metadata";
  // Redis reads the code as a C string: a NUL byte before the first newline hides it.
  size_t eol = code.find_first_of(std::string_view("\n\0", 2));
  std::vector<std::string> parts;
  if (eol == std::string_view::npos || code[eol] != '\n' ||
      !protocol::SplitInlineArgs(code.substr(0, eol), &parts) || parts.empty()) {
    return "ERR Invalid library metadata";
  }
  *engine_name = parts[0].substr(std::min<size_t>(2, parts[0].size()));
  bool named = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].size() < 5 ||
        !EqualsIgnoringCase(std::string_view(parts[i]).substr(0, 5), "name=")) {
      // Redis formats the part as a C string: a NUL ends it.
      return "ERR Invalid metadata value given: " + parts[i].substr(0, parts[i].find('\0'));
    }
    if (named) return "ERR Invalid metadata value, name argument was given multiple times";
    *library_name = parts[i].substr(5);
    named = true;
  }
  if (!named) return "ERR Library name was not given";
  *header_end = eol;
  return "";
}

}  // namespace

uint32_t ScriptFlagByName(std::string_view name) {
  struct FlagName {
    std::string_view name;
    uint32_t flag;
  };
  static constexpr FlagName kFlagNames[] = {{"no-writes", kScriptNoWrites},
                                            {"allow-oom", kScriptAllowOom},
                                            {"allow-stale", kScriptAllowStale},
                                            {"no-cluster", kScriptNoCluster},
                                            {"allow-cross-slot-keys", kScriptAllowCrossSlot}};
  for (const FlagName& flag : kFlagNames) {
    if (flag.name == name) return flag.flag;
  }
  return 0;
}

std::string ScriptEngine::LibraryNameOf(std::string_view code) {
  std::string engine_name, library_name;
  size_t eol = 0;
  if (!ParseHeader(code, &engine_name, &library_name, &eol).empty()) return "";
  return library_name;
}

std::string ScriptEngine::LoadLibrary(std::string_view code, bool replace, std::string* name) {
  std::string engine_name, library_name;
  size_t eol = 0;
  if (std::string error = ParseHeader(code, &engine_name, &library_name, &eol); !error.empty()) {
    return error;
  }
  if (!ValidName(library_name)) return "ERR " + std::string(kErrInvalidName);
  if (!EqualsIgnoringCase(engine_name, "lua")) return "ERR Engine '" + engine_name + "' not found";
  auto existing = libraries_.find(library_name);
  if (existing != libraries_.end() && !replace) {
    return "ERR Library '" + library_name + "' already exists";
  }

  EnsureFunctionEnv(lua_);
  // The header line is blanked, not removed, so error lines count as in Redis.
  std::string body = std::string(code.substr(eol));
  if (luaL_loadbuffer(lua_, body.data(), body.size(), "@user_function") != 0) {
    std::string error = std::string("ERR Error compiling function: ") + lua_tostring(lua_, -1);
    lua_pop(lua_, 1);
    return error;
  }
  lua_getfield(lua_, LUA_REGISTRYINDEX, kFunctionEnvKey);
  lua_setfenv(lua_, -2);

  LibraryInfo library{.name = library_name, .code = std::string(code), .functions = {}};
  loading_ = &library;
  SetEnvIndex(lua_, kLoadApiKey);
  ArmLoadTimeout();
  int status = lua_pcall(lua_, 0, 0, 0);
  lua_sethook(lua_, nullptr, 0, 0);
  SetEnvIndex(lua_, nullptr);
  loading_ = nullptr;
  auto release = [&](LibraryInfo& lib) {
    for (auto& [fn_name, fn] : lib.functions) luaL_unref(lua_, LUA_REGISTRYINDEX, fn.ref);
  };
  if (status != 0) {
    std::string error = "ERR Error registering functions: ";
    if (lua_istable(lua_, -1)) {
      lua_getfield(lua_, -1, "err");
      error += lua_isstring(lua_, -1) ? lua_tostring(lua_, -1) : "unknown error";
      lua_pop(lua_, 1);
    } else {
      error += std::string("ERR ") + (lua_isstring(lua_, -1) ? lua_tostring(lua_, -1) : "error");
    }
    lua_pop(lua_, 1);
    release(library);
    return error;
  }
  if (library.functions.empty()) return "ERR No functions registered";
  for (const auto& [fn_name, fn] : library.functions) {
    for (const auto& [other_name, other] : libraries_) {
      if (other_name == library_name) continue;  // replaced by this one
      for (const auto& [other_fn, unused] : other.functions) {
        if (EqualsIgnoringCase(other_fn, fn_name)) {
          release(library);
          return "ERR Function " + fn_name + " already exists";
        }
      }
    }
  }
  if (existing != libraries_.end()) {
    release(existing->second);
    libraries_.erase(existing);
  }
  libraries_.emplace(library_name, std::move(library));
  UpdateCounts();
  *name = library_name;
  return "";
}

std::string ScriptEngine::DeleteLibrary(std::string_view name) {
  auto it = libraries_.find(std::string(name));
  if (it == libraries_.end()) return "ERR Library not found";
  for (auto& [fn_name, fn] : it->second.functions) luaL_unref(lua_, LUA_REGISTRYINDEX, fn.ref);
  libraries_.erase(it);
  UpdateCounts();
  return "";
}

void ScriptEngine::FlushLibraries() {
  for (auto& [name, library] : libraries_) {
    for (auto& [fn_name, fn] : library.functions) luaL_unref(lua_, LUA_REGISTRYINDEX, fn.ref);
  }
  libraries_.clear();
  UpdateCounts();
}

const FunctionInfo* ScriptEngine::FindFunction(std::string_view name) const {
  for (const auto& [lib_name, library] : libraries_) {
    auto it = library.functions.find(name);
    if (it != library.functions.end()) return &it->second;
  }
  for (const auto& [lib_name, library] : libraries_) {
    for (const auto& [fn_name, fn] : library.functions) {
      if (EqualsIgnoringCase(fn_name, name)) return &fn;
    }
  }
  return nullptr;
}

size_t ScriptEngine::function_count() const {
  size_t n = 0;
  for (const auto& [name, library] : libraries_) n += library.functions.size();
  return n;
}

}  // namespace respd::server
