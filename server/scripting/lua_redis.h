// The Lua side of scripting: the `redis` table scripts call (redis.call, redis.pcall, ...) and the
// conversions between Redis replies and Lua values, with Redis 7.0's exact rules.
#pragma once

#include <string_view>

#include "protocol/reply_reader.h"
#include "protocol/reply_writer.h"

struct lua_State;

namespace respd::server {

// Creates the global `redis` table (functions, LOG_* and REPL_* constants, versions).
void OpenRedisApi(lua_State* lua);

// Pushes a command's reply as Redis converts it for a script: status {ok=}, error {err=},
// integer number, bulk string, nil bulk/array false, RESP3 types as {double=}, {map=}, {set=}...
void PushReplyValue(lua_State* lua, const protocol::ReplyValue& value);
// Pushes {err="CODE message"} from an error reply text ("-CODE message", or a message that gets
// the generic ERR code), as Redis's luaPushErrorBuff does.
void PushErrorTable(lua_State* lua, std::string_view error);
// Writes the Lua value at `index` as the script's reply: strings bulk, numbers truncated to
// integers, true 1, false null, tables {err=}, {ok=}, {double=}, {big_number=}, {map=}, {set=},
// {verbatim_string=} or arrays up to the first nil. `script_resp3` is redis.setresp(3).
void WriteLuaValue(lua_State* lua, int index, protocol::ReplyWriter& reply, bool script_resp3);

// The library functions written for respd (lua_cmsgpack.cc, lua_struct.cc): each pushes its
// module table.
int OpenCmsgpack(lua_State* lua);
int OpenStruct(lua_State* lua);

}  // namespace respd::server
