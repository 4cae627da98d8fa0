// The `redis` table and the Redis <-> Lua conversions. Lua errors unwind with longjmp, so every C
// function here does its C++ work in a helper whose objects are gone before lua_error is called.
#include "server/scripting/lua_redis.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "server/dispatch/server_context.h"
#include "server/scripting/engine.h"
#include "server/scripting/sha1.h"

namespace respd::server {
namespace {

using protocol::ReplyValue;
using Type = ReplyValue::Type;

constexpr int kLogDebug = 0;
constexpr int kLogVerbose = 1;
constexpr int kLogNotice = 2;
constexpr int kLogWarning = 3;
constexpr int kReplNone = 0;
constexpr int kReplAof = 1;
constexpr int kReplReplica = 2;
constexpr int kReplAll = kReplAof | kReplReplica;
constexpr int kRedisVersionNum = 0x07000f;

// Reads t[key] without metamethods, as Redis reads the special reply fields.
void RawField(lua_State* lua, int t, const char* key) {
  lua_pushstring(lua, key);
  lua_rawget(lua, t < 0 ? t - 1 : t);
}

void SetField(lua_State* lua, const char* key, std::string_view value) {
  lua_pushlstring(lua, value.data(), value.size());
  lua_setfield(lua, -2, key);
}

// Marks the error table on top of the stack as counted in errorstats already (Redis's field of
// that name), so the script's reply passing it on does not count it again.
constexpr char kCountedField[] = "ignore_error_stats_update";

void MarkCounted(lua_State* lua) {
  lua_pushboolean(lua, 1);
  lua_setfield(lua, -2, kCountedField);
}

// If the error table at `t` was counted already, says so to the dispatcher, which then does not
// count the script's reply that carries it.
void NoteIfCounted(lua_State* lua, int t) {
  RawField(lua, t, kCountedField);
  bool counted = lua_toboolean(lua, -1);
  lua_pop(lua, 1);
  if (!counted) return;
  RawField(lua, t, "err");
  if (lua_type(lua, -1) == LUA_TSTRING) NotePrecountedScriptError(lua_tostring(lua, -1));
  lua_pop(lua, 1);
}

// Pushes an error table and raises it.
int RaiseError(lua_State* lua, std::string_view message) {
  PushErrorTable(lua, message);
  return lua_error(lua);
}

// How a redis.call failed before running the command: raised by call, returned by pcall.
enum class CallOutcome { kReplyPushed, kErrorPushed };

// Runs the command whose arguments are the Lua values on the stack; pushes its reply converted,
// or an error table.
CallOutcome RunCommand(lua_State* lua, ScriptEngine& engine) {
  ScriptRun* run = engine.current_run();
  int argc = lua_gettop(lua);
  if (run == nullptr) {
    PushErrorTable(lua, "redis.call/pcall can only be called inside a script invocation");
    return CallOutcome::kErrorPushed;
  }
  if (argc == 0) {
    PushErrorTable(lua, "Please specify at least one argument for this redis lib call");
    return CallOutcome::kErrorPushed;
  }
  std::vector<std::string> args(argc);
  for (int i = 1; i <= argc; ++i) {
    if (lua_type(lua, i) == LUA_TNUMBER) {
      // Redis formats numbers with %.17g, not Lua's lossy %.14g.
      char buf[64];
      int len = std::snprintf(buf, sizeof(buf), "%.17g", lua_tonumber(lua, i));
      args[i - 1].assign(buf, len);
    } else if (lua_type(lua, i) == LUA_TSTRING) {
      size_t len;
      const char* s = lua_tolstring(lua, i, &len);
      args[i - 1].assign(s, len);
    } else {
      PushErrorTable(lua, "Lua redis lib command arguments must be strings or integers");
      return CallOutcome::kErrorPushed;
    }
  }
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string out;
  protocol::ReplyWriter writer(&out, run->resp);
  run->client->resp = run->resp;
  run->caller->server.dispatcher.CallFromScript(views, *run->client, writer, run->read_only);
  ReplyValue value;
  size_t pos = 0;
  if (!protocol::ReadReply(out, &pos, &value)) {
    PushErrorTable(lua, "ERR the command's reply could not be read");
    return CallOutcome::kErrorPushed;
  }
  PushReplyValue(lua, value);
  if (value.type != Type::kError) return CallOutcome::kReplyPushed;
  // The pipeline counted it, as the command's error or its refusal (Redis's scriptCall).
  MarkCounted(lua);
  return CallOutcome::kErrorPushed;
}

int RedisCall(lua_State* lua) {
  if (RunCommand(lua, *ScriptEngine::FromLua(lua)) == CallOutcome::kErrorPushed) {
    NoteIfCounted(lua, -1);
    return lua_error(lua);
  }
  return 1;
}

int RedisPcall(lua_State* lua) {
  RunCommand(lua, *ScriptEngine::FromLua(lua));
  return 1;
}

int RedisSha1hex(lua_State* lua) {
  if (lua_gettop(lua) != 1) return RaiseError(lua, "wrong number of arguments");
  size_t len;
  const char* s = lua_tolstring(lua, 1, &len);
  std::string hex = Sha1Hex(std::string_view(s != nullptr ? s : "", s != nullptr ? len : 0));
  lua_pushlstring(lua, hex.data(), hex.size());
  return 1;
}

// redis.error_reply / redis.status_reply: a table {err=} or {ok=}; bad arguments return (do not
// raise) an error table, as in Redis.
int RedisErrorReply(lua_State* lua) {
  if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
    PushErrorTable(lua, "wrong number or type of arguments");
    return 1;
  }
  size_t len;
  const char* s = lua_tolstring(lua, 1, &len);
  std::string text(s, len);
  if (!text.starts_with('-')) text.insert(0, "-");
  PushErrorTable(lua, text);
  return 1;
}

int RedisStatusReply(lua_State* lua) {
  if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
    PushErrorTable(lua, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(lua);
  lua_pushvalue(lua, 1);
  lua_setfield(lua, -2, "ok");
  return 1;
}

int RedisLog(lua_State* lua) {
  int argc = lua_gettop(lua);
  if (argc < 2) return RaiseError(lua, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(lua, 1)) return RaiseError(lua, "First argument must be a number (log level).");
  int level = static_cast<int>(lua_tonumber(lua, 1));
  if (level < kLogDebug || level > kLogWarning) return RaiseError(lua, "Invalid debug level.");
  std::string message;
  for (int i = 2; i <= argc; ++i) {
    size_t len;
    const char* s = lua_tolstring(lua, i, &len);
    if (s == nullptr) continue;
    if (i > 2) message.push_back(' ');
    message.append(s, len);
  }
  static constexpr spdlog::level::level_enum kLevels[] = {
      spdlog::level::debug, spdlog::level::debug, spdlog::level::info, spdlog::level::warn};
  spdlog::log(kLevels[level], "{}", message);
  return 0;
}

int RedisSetresp(lua_State* lua) {
  ScriptEngine* engine = ScriptEngine::FromLua(lua);
  if (lua_gettop(lua) != 1) return RaiseError(lua, "redis.setresp() requires one argument.");
  int resp = static_cast<int>(lua_tonumber(lua, 1));
  if (resp != 2 && resp != 3) return RaiseError(lua, "RESP version must be 2 or 3.");
  if (engine->current_run() != nullptr) {
    engine->current_run()->resp =
        resp == 3 ? protocol::RespVersion::kResp3 : protocol::RespVersion::kResp2;
  }
  return 0;
}

int RedisSetRepl(lua_State* lua) {
  ScriptEngine* engine = ScriptEngine::FromLua(lua);
  // Redis 7.0's text, "two" included.
  if (lua_gettop(lua) != 1) return RaiseError(lua, "redis.set_repl() requires two arguments.");
  int flags = static_cast<int>(lua_tonumber(lua, 1));
  if ((flags & ~kReplAll) != 0) {
    return RaiseError(
        lua, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  if (engine->current_run() != nullptr) {
    engine->current_run()->replication_targets = static_cast<uint8_t>(flags);
  }
  return 0;
}

// Scripts are always replicated by effects in Redis 7: the old switch answers true.
int RedisReplicateCommands(lua_State* lua) {
  lua_pushboolean(lua, 1);
  return 1;
}

// The Lua debugger is not available outside SCRIPT DEBUG: both are no-ops, as in Redis.
int RedisBreakpoint(lua_State* lua) {
  lua_pushboolean(lua, 0);
  return 1;
}

int RedisDebug(lua_State*) { return 0; }

// Redis's answer to redis.acl_check_cmd(...): 1 or 0 for whether the script's user may run the
// command with these arguments, -1 when there is no such command. Redis looks the name up without
// checking the arity.
int AclCheck(lua_State* lua, ScriptEngine& engine) {
  ScriptRun* run = engine.current_run();
  if (run == nullptr) return -1;
  int argc = lua_gettop(lua);
  std::vector<std::string> args;
  for (int i = 1; i <= argc; ++i) {
    size_t len;
    const char* s = lua_tolstring(lua, i, &len);
    if (s == nullptr) return -1;
    args.emplace_back(s, len);
  }
  std::vector<std::string_view> views(args.begin(), args.end());
  ServerContext& server = run->caller->server;
  const CommandSpec* spec = server.dispatcher.Resolve(views).spec;
  if (spec == nullptr) return -1;
  const AclUser* user = run->client->acl_user.get();
  if (user == nullptr) return 1;
  return server.acl.Check(*user, *spec, views).denial == AclDenial::kNone ? 1 : 0;
}

int RedisAclCheckCmd(lua_State* lua) {
  if (lua_gettop(lua) < 1)
    return RaiseError(lua, "Please specify at least one argument for this redis lib call");
  int allowed = AclCheck(lua, *ScriptEngine::FromLua(lua));
  if (allowed < 0) return RaiseError(lua, "Invalid command passed to redis.acl_check_cmd()");
  lua_pushboolean(lua, allowed);
  return 1;
}

void PushErrorTableRaw(lua_State* lua, std::string_view code, std::string_view message) {
  std::string text(code);
  text.push_back(' ');
  text.append(message);
  lua_newtable(lua);
  SetField(lua, "err", text);
}

int64_t LuaNumberToInteger(lua_Number n) {
  // C's (long long) cast, as Redis does it on x86: out of range and NaN become INT64_MIN.
  if (std::isnan(n) || n >= 9223372036854775808.0 || n < -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(n);
}

void WriteValue(lua_State* lua, int index, protocol::ReplyWriter& reply, bool resp3);

// A table's reply when it has one of Redis's special fields; false for a plain array.
bool WriteSpecialTable(lua_State* lua, int t, protocol::ReplyWriter& reply, bool resp3) {
  RawField(lua, t, "err");
  if (lua_type(lua, -1) == LUA_TSTRING) {
    std::string text = lua_tostring(lua, -1);
    lua_pop(lua, 1);
    while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.pop_back();
    NoteIfCounted(lua, t);
    reply.Error(text);
    return true;
  }
  lua_pop(lua, 1);
  RawField(lua, t, "ok");
  if (lua_type(lua, -1) == LUA_TSTRING) {
    std::string text = lua_tostring(lua, -1);
    lua_pop(lua, 1);
    for (char& c : text) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    reply.SimpleString(text);
    return true;
  }
  lua_pop(lua, 1);
  RawField(lua, t, "double");
  if (lua_type(lua, -1) == LUA_TNUMBER) {
    reply.Double(lua_tonumber(lua, -1));
    lua_pop(lua, 1);
    return true;
  }
  lua_pop(lua, 1);
  RawField(lua, t, "big_number");
  if (lua_type(lua, -1) == LUA_TSTRING) {
    std::string digits = lua_tostring(lua, -1);
    lua_pop(lua, 1);
    for (char& c : digits) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    reply.BigNumber(digits);
    return true;
  }
  lua_pop(lua, 1);
  RawField(lua, t, "verbatim_string");
  if (lua_istable(lua, -1)) {
    RawField(lua, -1, "format");
    RawField(lua, -2, "string");
    if (lua_type(lua, -2) == LUA_TSTRING && lua_type(lua, -1) == LUA_TSTRING) {
      size_t len;
      const char* text = lua_tolstring(lua, -1, &len);
      reply.Verbatim(lua_tostring(lua, -2), std::string_view(text, len));
      lua_pop(lua, 3);
      return true;
    }
    lua_pop(lua, 2);
  }
  lua_pop(lua, 1);
  RawField(lua, t, "map");
  if (lua_istable(lua, -1)) {
    int map = lua_gettop(lua);
    size_t token = reply.BeginDeferred();
    size_t pairs = 0;
    lua_pushnil(lua);
    while (lua_next(lua, map) != 0) {
      WriteValue(lua, -2, reply, resp3);
      WriteValue(lua, -1, reply, resp3);
      lua_pop(lua, 1);
      ++pairs;
    }
    reply.EndDeferred(token, protocol::ReplyWriter::Aggregate::kMap, pairs);
    lua_pop(lua, 1);
    return true;
  }
  lua_pop(lua, 1);
  RawField(lua, t, "set");
  if (lua_istable(lua, -1)) {
    int set = lua_gettop(lua);
    size_t token = reply.BeginDeferred();
    size_t n = 0;
    lua_pushnil(lua);
    while (lua_next(lua, set) != 0) {
      WriteValue(lua, -2, reply, resp3);
      lua_pop(lua, 1);
      ++n;
    }
    reply.EndDeferred(token, protocol::ReplyWriter::Aggregate::kSet, n);
    lua_pop(lua, 1);
    return true;
  }
  lua_pop(lua, 1);
  return false;
}

void WriteValue(lua_State* lua, int index, protocol::ReplyWriter& reply, bool resp3) {
  // Every value may need 4 more stack slots (a verbatim string's fields); a table nested in itself
  // ends here, at Lua's stack limit, with Redis's error in place of the value.
  if (!lua_checkstack(lua, 4)) {
    reply.Error("ERR reached lua stack limit");
    return;
  }
  int t = index < 0 ? lua_gettop(lua) + index + 1 : index;
  switch (lua_type(lua, t)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(lua, t, &len);
      reply.Bulk(std::string_view(s, len));
      return;
    }
    case LUA_TBOOLEAN:
      if (!resp3) {
        if (lua_toboolean(lua, t)) {
          reply.Integer(1);
        } else {
          reply.Null();
        }
      } else {
        reply.Bool(lua_toboolean(lua, t));
      }
      return;
    case LUA_TNUMBER:
      reply.Integer(LuaNumberToInteger(lua_tonumber(lua, t)));
      return;
    case LUA_TTABLE: {
      if (WriteSpecialTable(lua, t, reply, resp3)) return;
      size_t token = reply.BeginDeferred();
      size_t n = 0;
      for (int i = 1;; ++i) {
        lua_rawgeti(lua, t, i);
        if (lua_isnil(lua, -1)) {
          lua_pop(lua, 1);
          break;
        }
        WriteValue(lua, -1, reply, resp3);
        lua_pop(lua, 1);
        ++n;
      }
      reply.EndDeferred(token, protocol::ReplyWriter::Aggregate::kArray, n);
      return;
    }
    default:
      reply.Null();
  }
}

}  // namespace

void PushErrorTable(lua_State* lua, std::string_view error) {
  if (error.starts_with('-')) {
    error.remove_prefix(1);
    size_t space = error.find(' ');
    std::string_view code = space == std::string_view::npos ? "ERR" : error.substr(0, space);
    std::string_view message = space == std::string_view::npos ? error : error.substr(space + 1);
    while (!message.empty() && (message.back() == '\r' || message.back() == '\n')) {
      message.remove_suffix(1);
    }
    PushErrorTableRaw(lua, code, message);
    return;
  }
  PushErrorTableRaw(lua, "ERR", error);
}

void PushReplyValue(lua_State* lua, const ReplyValue& value) {
  lua_checkstack(lua, 4);
  switch (value.type) {
    case Type::kStatus:
      lua_newtable(lua);
      SetField(lua, "ok", value.text);
      return;
    case Type::kError:
      PushErrorTable(lua, "-" + value.text);
      return;
    case Type::kInteger:
      lua_pushnumber(lua, static_cast<lua_Number>(value.integer));
      return;
    case Type::kBulk:
      lua_pushlstring(lua, value.text.data(), value.text.size());
      return;
    case Type::kNullBulk:
    case Type::kNullArray:
      lua_pushboolean(lua, 0);
      return;
    case Type::kNull:
      lua_pushnil(lua);
      return;
    case Type::kBool:
      lua_pushboolean(lua, value.integer != 0);
      return;
    case Type::kDouble:
      lua_newtable(lua);
      lua_pushnumber(lua, value.number);
      lua_setfield(lua, -2, "double");
      return;
    case Type::kBigNumber:
      lua_newtable(lua);
      SetField(lua, "big_number", value.text);
      return;
    case Type::kVerbatim:
      lua_newtable(lua);
      lua_newtable(lua);
      SetField(lua, "format", value.format);
      SetField(lua, "string", value.text);
      lua_setfield(lua, -2, "verbatim_string");
      return;
    case Type::kMap:
      lua_newtable(lua);
      lua_newtable(lua);
      for (size_t i = 0; i + 1 < value.elements.size(); i += 2) {
        PushReplyValue(lua, value.elements[i]);
        PushReplyValue(lua, value.elements[i + 1]);
        lua_settable(lua, -3);
      }
      lua_setfield(lua, -2, "map");
      return;
    case Type::kSet:
      lua_newtable(lua);
      lua_newtable(lua);
      for (const ReplyValue& element : value.elements) {
        PushReplyValue(lua, element);
        lua_pushboolean(lua, 1);
        lua_settable(lua, -3);
      }
      lua_setfield(lua, -2, "set");
      return;
    case Type::kArray:
    case Type::kPush:
      lua_createtable(lua, static_cast<int>(value.elements.size()), 0);
      for (size_t i = 0; i < value.elements.size(); ++i) {
        PushReplyValue(lua, value.elements[i]);
        lua_rawseti(lua, -2, static_cast<int>(i + 1));
      }
      return;
  }
}

void WriteLuaValue(lua_State* lua, int index, protocol::ReplyWriter& reply, bool script_resp3) {
  WriteValue(lua, index, reply, script_resp3);
}

void OpenRedisApi(lua_State* lua) {
  static constexpr luaL_Reg kFunctions[] = {
      {"call", RedisCall},
      {"pcall", RedisPcall},
      {"sha1hex", RedisSha1hex},
      {"error_reply", RedisErrorReply},
      {"status_reply", RedisStatusReply},
      {"log", RedisLog},
      {"setresp", RedisSetresp},
      {"set_repl", RedisSetRepl},
      {"replicate_commands", RedisReplicateCommands},
      {"breakpoint", RedisBreakpoint},
      {"debug", RedisDebug},
      {"acl_check_cmd", RedisAclCheckCmd},
      {nullptr, nullptr},
  };
  lua_newtable(lua);
  for (const luaL_Reg* fn = kFunctions; fn->name != nullptr; ++fn) {
    lua_pushcfunction(lua, fn->func);
    lua_setfield(lua, -2, fn->name);
  }
  static constexpr std::pair<const char*, int> kConstants[] = {
      {"LOG_DEBUG", kLogDebug},     {"LOG_VERBOSE", kLogVerbose},
      {"LOG_NOTICE", kLogNotice},   {"LOG_WARNING", kLogWarning},
      {"REPL_NONE", kReplNone},     {"REPL_AOF", kReplAof},
      {"REPL_SLAVE", kReplReplica}, {"REPL_REPLICA", kReplReplica},
      {"REPL_ALL", kReplAll},       {"REDIS_VERSION_NUM", kRedisVersionNum},
  };
  for (const auto& [name, value] : kConstants) {
    lua_pushnumber(lua, value);
    lua_setfield(lua, -2, name);
  }
  SetField(lua, "REDIS_VERSION", kRedisVersion);
  lua_setfield(lua, LUA_GLOBALSINDEX, "redis");
}

}  // namespace respd::server
